"""Command line: ``nlp-reports parse | tag-sentences | train | evaluate | rules-report | score | check-tables``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Text-as-data toolkit for Chinese government reports.")

DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def _corpus(path: Path | None) -> Path:
    p = path or DEFAULT_CORPUS
    if not (p / "texts").is_dir():
        raise typer.BadParameter(f"{p}: not a corpus folder (expected texts/ and manifest.csv)")
    return p


def _fail(err: Exception) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(2)


@app.command()
def parse(path: Path, as_json: bool = typer.Option(False, "--json", help="print JSON instead of a tree")) -> None:
    """Metadata, section tree and sentence counts of one report."""
    from nlp_reports.errors import ReportError
    from nlp_reports.interfaces.api import load

    try:
        r = load(path)
    except ReportError as e:
        _fail(e)
    counts: dict[int | None, int] = {}
    for s in r.sentences:
        counts[s.section] = counts.get(s.section, 0) + 1
    data = {
        "doc_id": r.doc_id,
        "sha256": r.sha256,
        "metadata": {k: getattr(r.metadata, k) for k in ("title", "agency", "year", "level", "doc_type", "template")},
        "evidence": r.metadata.evidence,
        "n_sentences": len(r.sentences),
        "self_critique": (
            {"title": r.self_critique.title, "start": r.self_critique.start, "end": r.self_critique.end}
            if r.self_critique else None
        ),
        "self_critique_reason": r.self_critique_reason,
        "sections": [
            {"idx": s.idx, "title": s.title, "level": s.level, "canonical": s.canonical, "parent": s.parent,
             "start": s.start, "end": s.end, "synthetic": s.synthetic, "n_sentences": counts.get(s.idx, 0)}
            for s in r.sections
        ],
    }
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.tree import Tree

    con = Console()
    m = data["metadata"]
    con.print(f"[bold]{m['title'] or r.doc_id}[/bold]  agency={m['agency']} year={m['year']} level={m['level']} "
              f"doc_type={m['doc_type']} template={m['template']}")
    con.print(f"{len(r.sentences)} sentence units; self-critique: "
              f"{r.self_critique.title if r.self_critique else 'none'} ({r.self_critique_reason})")
    tree = Tree(r.doc_id)
    nodes: dict[int, Tree] = {}
    for s in data["sections"]:
        parent = nodes.get(s["parent"], tree) if s["parent"] is not None else tree
        label = f"{s['title'][:40]}  [dim]{s['canonical'] or ''} · {s['n_sentences']} units[/dim]"
        nodes[s["idx"]] = parent.add(label)
    con.print(tree)


@app.command("tag-sentences")
def tag_sentences_cmd(
    infile: Path = typer.Argument(..., help="JSONL: {text, section?, in_self_critique?} per line"),
    out: Path = typer.Option(..., "-o", "--out", help="output JSONL"),
) -> None:
    """Tag sentences from JSONL; each output line is the input plus label and proba_<label>."""
    from nlp_reports.interfaces.api import tag_sentences

    rows = []
    with open(infile, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                _fail(ValueError(f"{infile}:{n}: not JSON ({e.msg})"))
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                _fail(ValueError(f"{infile}:{n}: each line needs a string field 'text'"))
            rows.append(obj)
    df = tag_sentences([r["text"] for r in rows], [r.get("section") for r in rows],
                       [r.get("in_self_critique") for r in rows])
    tmp = out.with_suffix(out.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r, (_, t) in zip(rows, df.iterrows(), strict=True):
            o = dict(r)
            o["label"] = t["label"]
            for c in df.columns:
                if c.startswith("proba_"):
                    o[c] = round(float(t[c]), 6)
            o["rules"] = list(t["rules"])
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    tmp.replace(out)
    typer.echo(f"tagged {len(rows)} sentences -> {out}", err=True)


@app.command()
def train(
    corpus: Path = typer.Option(None, help="corpus folder (texts/, manifest.csv)"),
    out_dir: Path = typer.Option(Path(__file__).resolve().parents[2] / "models", help="where to write the model"),
) -> None:
    """Reproduce the shipped sentence model from corpora/annotations (select, fit, evaluate, card)."""
    from nlp_reports.tagging.training import train_and_write

    card = train_and_write(_corpus(corpus), out_dir, log=lambda s: typer.echo(s))
    typer.echo(f"wrote {out_dir / card['file']} (sha256 {card['sha256'][:16]}…) and its model card")


@app.command()
def evaluate(corpus: Path = typer.Option(None, help="corpus folder")) -> None:
    """Per-label precision/recall/F1, macro-F1 and confusion on dev: shipped model, model only, rules only."""
    from nlp_reports.tagging.classifier import SentenceTagger
    from nlp_reports.tagging.tagger import load_model
    from nlp_reports.tagging.training import evaluate_all, training_data

    data = training_data(_corpus(corpus))
    train_, dev = data[data["split"] == "train"], data[data["split"] == "dev"]
    model = load_model()
    params = {k: v for k, v in model.get_params().items()}
    model_only = SentenceTagger(**{**params, "use_rules": False}).fit(train_, train_["label"])
    for s in evaluate_all(model, model_only, dev):
        typer.echo(f"\n== {s.name}: macro-F1 {s.macro_f1:.3f} (dev: {len(dev)} units, {dev['doc_id'].nunique()} reports)")
        typer.echo(s.report.round(3).to_string())
        typer.echo("confusion (rows gold, columns predicted):\n" + s.confusion.to_string())


@app.command("rules-report")
def rules_report_cmd(corpus: Path = typer.Option(None), split: str = typer.Option("dev")) -> None:
    """Per rule on the dev split: coverage, overlaps, conflicts, empirical accuracy (Snorkel-style LF analysis)."""
    from nlp_reports.tagging.rules import load_rules
    from nlp_reports.tagging.training import rules_report

    df = rules_report(_corpus(corpus), split=split)
    rs = load_rules()
    typer.echo(f"rules version {rs.version} ({len(rs.rules)} rules), {split} split")
    typer.echo(df.round(3).to_string(index=False))


@app.command("check-tables")
def check_tables_cmd(paths: list[Path], as_json: bool = typer.Option(False, "--json")) -> None:
    """Parse the standard tables of disclosure reports and check their arithmetic (勾稽关系)."""
    from nlp_reports.errors import ReportError
    from nlp_reports.interfaces.api import analyze

    out = []
    files = [f for p in paths for f in (sorted(p.glob("*.txt")) if p.is_dir() else [p])]
    for f in files:
        try:
            a = analyze(f, critique=False)
        except ReportError as e:
            out.append({"doc_id": f.stem, "error": str(e)})
            continue
        ts = a.tables
        out.append({
            "doc_id": a.doc_id,
            "version": ts.version if ts else None,
            "status": ts.status if ts else {},
            "reasons": ts.reasons if ts else {},
            "findings": [
                {"rule": x.rule, "severity": x.severity, "message": x.message, "cells": list(x.cells),
                 "expected": x.expected, "found": x.found, "sentence": x.sentence}
                for x in a.table_findings
            ],
        })
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for r in out:
        if "error" in r:
            typer.echo(f"{r['doc_id']}: ERROR {r['error']}")
            continue
        typer.echo(f"{r['doc_id']}: tables {r['version']} {r['status']}")
        for x in r["findings"]:
            typer.echo(f"  [{x['severity']}] {x['rule']}: {x['message']}")


@app.command()
def score(
    paths: list[Path] = typer.Argument(..., help="report files, folders, a glob or a manifest CSV"),
    out: Path = typer.Option(..., "-o", "--out", help="report table: .csv, .parquet, .jsonl or .dta"),
    jobs: int = typer.Option(1, "-j", "--jobs", help="worker processes"),
    reference: Path = typer.Option(None, "--reference", help="folder of further reports for corpus-level measures"),
    formats: str = typer.Option(None, "--formats", help="several outputs at once, e.g. parquet,dta,csv"),
    model: Path = typer.Option(None, "--model", help="a model file other than the shipped one"),
    sentences_out: Path = typer.Option(None, "--sentences-out", help="sentence table path (default: OUT_sentences)"),
    no_progress: bool = typer.Option(False, "--no-progress"),
) -> None:
    """Score reports: one row per report (critique score, components, counts, table errors, error)."""
    from nlp_reports.corpus.batch import score_corpus
    from nlp_reports.errors import ReportError

    src = [str(p) for p in paths] if len(paths) > 1 else str(paths[0])
    try:
        df = score_corpus(src, out, n_jobs=jobs, reference=str(reference) if reference else None,
                          progress=not no_progress, model_path=model, sentences_out=sentences_out,
                          formats=[f.strip() for f in formats.split(",")] if formats else None)
    except ReportError as e:
        _fail(e)
    n_err = int(df["error"].notna().sum()) if "error" in df else 0
    typer.echo(f"scored {len(df) - n_err} reports, {n_err} errors -> {out}", err=True)


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
