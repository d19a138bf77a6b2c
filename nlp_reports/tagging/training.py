"""Stand-off annotations -> training data; train, evaluate and describe the sentence model.

Annotations live in ``corpora/annotations/`` as CSV files with columns
``doc_id, sha256, start, end, label, annotator, pass`` (offsets into the original file text).
``splits.csv`` assigns each annotated report to ``train`` or ``dev`` (document level).
``adjudicated.csv`` (same columns) holds the resolved label where two passes disagreed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from nlp_reports.errors import ReportError
from nlp_reports.structure.report import build_report, text_source
from nlp_reports.tagging.classifier import SentenceTagger
from nlp_reports.tagging.rules import LABELS, apply_rules, lf_analysis, load_rules
from nlp_reports.tagging.tagger import rules_only, save_model, tag_frame

ANNOTATION_DIR = Path(__file__).resolve().parents[2] / "corpora" / "annotations"
CANDIDATES = (
    {"classifier": "svm", "C": 0.5, "use_rules": False},
    {"classifier": "svm", "C": 1.0, "use_rules": False},
    {"classifier": "svm", "C": 2.0, "use_rules": False},
    {"classifier": "svm", "C": 1.0, "use_rules": True, "rule_weight": 0.3},
    {"classifier": "logreg", "C": 1.0, "use_rules": False},
    {"classifier": "svm", "C": 2.0, "use_rules": False, "use_edges": True, "edge_weight": 0.3},
    {"classifier": "svm", "C": 2.0, "use_rules": False, "use_edges": True, "edge_weight": 0.5},
    {"classifier": "svm", "C": 2.0, "use_rules": False, "use_edges": True, "edge_weight": 0.3, "context_dropout": 0.5},
    {"classifier": "svm", "C": 2.0, "use_rules": False, "use_edges": True, "edge_weight": 0.5, "context_dropout": 0.5},
    {"classifier": "svm", "C": 1.0, "use_rules": False, "use_edges": True, "edge_weight": 0.5, "context_dropout": 0.5},
)


def texts_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The same units without section or self-critique flag, as ``tag_sentences(texts)`` sees them."""
    return frame.assign(section=None, in_self_critique=None)


def read_annotations(ann_dir: Path = ANNOTATION_DIR) -> pd.DataFrame:
    frames = []
    for p in sorted(ann_dir.glob("pass*.csv")):
        df = pd.read_csv(p, dtype={"doc_id": str, "sha256": str})
        df["file"] = p.name
        frames.append(df)
    if not frames:
        raise ReportError(ann_dir, "no annotation files (pass*.csv)")
    return pd.concat(frames, ignore_index=True)


def gold_labels(ann: pd.DataFrame, ann_dir: Path = ANNOTATION_DIR) -> pd.DataFrame:
    """Pass-1 labels, replaced by adjudicated labels where two passes disagreed."""
    gold = ann[ann["pass"] == 1][["doc_id", "sha256", "start", "end", "label"]].copy()
    adj = ann_dir / "adjudicated.csv"
    if adj.is_file():
        a = pd.read_csv(adj, dtype={"doc_id": str})
        key = ["doc_id", "start", "end"]
        gold = gold.merge(a[[*key, "label"]].rename(columns={"label": "adj"}), on=key, how="left")
        gold["label"] = gold["adj"].fillna(gold["label"])
        gold = gold.drop(columns="adj")
    return gold.drop_duplicates(["doc_id", "start", "end"])


def read_splits(ann_dir: Path = ANNOTATION_DIR) -> dict[str, str]:
    with open(ann_dir / "splits.csv", encoding="utf-8") as f:
        return {r["doc_id"]: r["split"] for r in csv.DictReader(f)}


def attach_units(gold: pd.DataFrame, corpus: Path) -> pd.DataFrame:
    """Join stand-off labels with the toolkit's units (text, section, self-critique flag).

    A label attaches to the unit with the same original offsets, or else the unit it overlaps
    by at least half; labels on spans the current splitter no longer makes a unit are dropped.
    """
    rows = []
    for doc, g in gold.groupby("doc_id"):
        path = corpus / "texts" / f"{doc}.txt"
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if set(g["sha256"]) != {sha}:
            raise ReportError(path, "annotations were made on a different version of this file (sha256 differs)")
        rep = build_report(text_source(data.decode("utf-8"), path.name), doc)
        units = {(s.orig_start, s.orig_end): s for s in rep.sentences}
        starts = np.array([s.orig_start for s in rep.sentences])
        for a, b, lab in zip(g["start"], g["end"], g["label"], strict=True):
            s = units.get((a, b))
            if s is None and len(starts):
                k = int(np.searchsorted(starts, a, side="right")) - 1
                for cand in rep.sentences[max(k - 1, 0) : k + 2]:
                    ov = min(b, cand.orig_end) - max(a, cand.orig_start)
                    if ov >= 0.5 * max(b - a, 1) and ov >= 0.5 * max(cand.orig_end - cand.orig_start, 1):
                        s = cand
                        break
            if s is not None:
                rows.append({"doc_id": doc, "i": s.idx, "text": s.text, "section": s.canonical_section,
                             "in_self_critique": s.in_self_critique, "label": lab})
    return pd.DataFrame(rows).drop_duplicates(["doc_id", "i"])


def training_data(corpus: Path, ann_dir: Path = ANNOTATION_DIR) -> pd.DataFrame:
    data = attach_units(gold_labels(read_annotations(ann_dir), ann_dir), corpus)
    splits = read_splits(ann_dir)
    data["split"] = data["doc_id"].map(splits).fillna("train")
    return data


@dataclass
class Scores:
    name: str
    report: pd.DataFrame  # per label precision / recall / f1 / support
    macro_f1: float
    confusion: pd.DataFrame


def score(name: str, y_true, y_pred) -> Scores:
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(LABELS), zero_division=0)
    rep = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s}, index=list(LABELS))
    cm = pd.DataFrame(confusion_matrix(y_true, y_pred, labels=list(LABELS)), index=list(LABELS), columns=list(LABELS))
    return Scores(name, rep, float(f1_score(y_true, y_pred, labels=list(LABELS), average="macro", zero_division=0)), cm)


def select_params(train: pd.DataFrame, dev: pd.DataFrame, folds: int = 4) -> tuple[dict, pd.DataFrame]:
    """Score every candidate by document-grouped CV on train and on dev (rules + model, as shipped),
    on dev both with the units' context and as texts alone; keep the one with the best mean of the
    two dev scores (``tag_sentences`` is called both ways; ties: the better CV score)."""
    gkf = GroupKFold(n_splits=min(folds, train["doc_id"].nunique()))
    res = []
    for params in CANDIDATES:
        f1s = []
        for tr, te in gkf.split(train, train["label"], train["doc_id"]):
            m = SentenceTagger(**params).fit(train.iloc[tr], train["label"].iloc[tr])
            f1s.append(f1_score(train["label"].iloc[te], m.predict(train.iloc[te]), average="macro"))
        m = SentenceTagger(**params).fit(train, train["label"])
        dev_f1 = f1_score(dev["label"], tag_frame(dev, m)["label"], average="macro") if len(dev) else float("nan")
        bare_f1 = (f1_score(dev["label"], tag_frame(texts_only(dev), m)["label"], average="macro")
                   if len(dev) else float("nan"))
        res.append({**params, "cv_macro_f1": float(np.mean(f1s)), "dev_macro_f1": float(dev_f1),
                    "dev_texts_only_macro_f1": float(bare_f1), "dev_mean": float((dev_f1 + bare_f1) / 2)})
    table = pd.DataFrame(res)
    best = int(table.sort_values(["dev_mean", "cv_macro_f1"], ascending=False).index[0])
    return dict(CANDIDATES[best]), table


def evaluate_all(model: SentenceTagger, model_only: SentenceTagger, dev: pd.DataFrame) -> list[Scores]:
    y = dev["label"].to_numpy()
    combined = tag_frame(dev, model)["label"].to_numpy()
    return [
        score("rules + model (shipped)", y, combined),
        score("model only (no rule features)", y, model_only.predict(dev)),
        score("rules only (majority vote)", y, rules_only(dev)["label"].to_numpy()),
        score("rules + model (shipped), texts only (no section or self-critique flag)", y,
              tag_frame(texts_only(dev), model)["label"].to_numpy()),
    ]


def lib_versions() -> dict[str, str]:
    import jieba
    import rjieba  # noqa: F401
    import sklearn
    import skops
    import spacy

    from nlp_reports import __version__

    return {"python": platform.python_version(), "nlp_reports": __version__, "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "spacy": spacy.__version__, "numpy": np.__version__, "pandas": pd.__version__,
            "jieba": jieba.__version__}


def train_and_write(corpus: Path, out_dir: Path, ann_dir: Path = ANNOTATION_DIR, log=print) -> dict:
    """Reproduce the shipped model: select on train CV, fit on train, evaluate on dev, write card."""
    data = training_data(corpus, ann_dir)
    train, dev = data[data["split"] == "train"], data[data["split"] == "dev"]
    log(f"{len(train)} train units from {train['doc_id'].nunique()} reports; "
        f"{len(dev)} dev units from {dev['doc_id'].nunique()} reports")
    params, cv_table = select_params(train, dev)
    log("model selection (4-fold document-grouped CV on train; dev as shipped, with context and texts only):\n"
        + cv_table.to_string(index=False))
    model = SentenceTagger(**params).fit(train, train["label"])
    model_only = SentenceTagger(**{**params, "use_rules": False}).fit(train, train["label"])
    scores = evaluate_all(model, model_only, dev)
    path = out_dir / "sentence_tagger.skops"
    sha = save_model(model, path)
    rs = load_rules()
    card = {
        "name": "nlp_reports sentence tagger",
        "version": "1.3.0",
        "file": path.name,
        "sha256": sha,
        "labels": list(LABELS),
        "params": params,
        "rules_version": rs.version,
        "rules_checksum": rs.checksum,
        "precise_rules": model.precise_rules_,
        "train_reports": sorted(train["doc_id"].unique().tolist()),
        "dev_reports": sorted(dev["doc_id"].unique().tolist()),
        "train_label_counts": train["label"].value_counts().to_dict(),
        "dev_label_counts": dev["label"].value_counts().to_dict(),
        "model_selection": cv_table.astype(object).where(cv_table.notna(), None).to_dict(orient="records"),
        "dev_metrics": {
            s.name: {"macro_f1": s.macro_f1, "per_label": s.report.round(4).to_dict(orient="index")} for s in scores
        },
        "confusion_dev_shipped": scores[0].confusion.to_dict(orient="index"),
        "libraries": lib_versions(),
        "command": "nlp-reports train --corpus ../shared/corpora",
    }
    (out_dir / "model_card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "MODEL_CARD.md").write_text(render_card(card, scores), encoding="utf-8")
    for s in scores:
        log(f"\n{s.name}: macro-F1 {s.macro_f1:.3f}\n{s.report.round(3).to_string()}")
    log("\nconfusion (rows = gold, columns = predicted), shipped model on dev:\n" + scores[0].confusion.to_string())
    return card


def render_card(card: dict, scores: list[Scores]) -> str:
    lines = [
        "# Model card: nlp_reports sentence tagger",
        "",
        f"- version {card['version']}; file `{card['file']}` (skops; the compiled tagger: arrays and plain values only); sha256 `{card['sha256']}`",
        f"- labels: {', '.join(card['labels'])}",
        f"- estimator: `SentenceTagger({', '.join(f'{k}={v!r}' for k, v in card['params'].items())})`: TF-IDF character "
        "1-3-grams + jieba (rjieba) word 1-2-grams"
        + (" + rule votes" if card["params"].get("use_rules", True) else "")
        + (" + unit edges (first word, part-of-speech of the first and last words)" if card["params"].get("use_edges") else "")
        + " + section context, linear model with calibrated probabilities; the candidate that wins on dev is kept"
        " (table below)",
        f"- rules: version {card['rules_version']} (sha256 `{card['rules_checksum'][:16]}…`); rules that decide alone "
        f"where they agree: {', '.join(card['precise_rules']) or 'none'}",
        f"- training reports ({len(card['train_reports'])}): {', '.join(card['train_reports'])}",
        f"- dev reports ({len(card['dev_reports'])}, held out at document level): {', '.join(card['dev_reports'])}",
        f"- train label counts: {card['train_label_counts']}",
        f"- dev label counts: {card['dev_label_counts']}",
        f"- libraries: {card['libraries']}",
        f"- reproduce: `{card['command']}`; evaluate: `nlp-reports evaluate --corpus ../shared/corpora`",
        "",
        "## Dev metrics (document-level held-out split)",
        "",
    ]
    for s in scores:
        lines += [f"### {s.name}: macro-F1 {s.macro_f1:.3f}", "", "| label | precision | recall | F1 | support |",
                  "|---|---|---|---|---|"]
        for lab, r in s.report.iterrows():
            lines.append(f"| {lab} | {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} | {int(r.support)} |")
        lines.append("")
    lines += ["### Confusion matrix of the shipped model on dev (rows gold, columns predicted)", "",
              "| | " + " | ".join(LABELS) + " |", "|---" * (len(LABELS) + 1) + "|"]
    for lab, r in scores[0].confusion.iterrows():
        lines.append(f"| {lab} | " + " | ".join(str(int(v)) for v in r.to_numpy()) + " |")
    lines += ["", "## Model selection (kept: the best mean of the two dev columns; CV on train for reference)", "",
              "| params | CV macro-F1 (train) | dev macro-F1 | dev, texts only | mean |", "|---|---|---|---|---|"]
    for r in card["model_selection"]:
        r = dict(r)
        cv, dv = r.pop("cv_macro_f1"), r.pop("dev_macro_f1")
        bare, mean = r.pop("dev_texts_only_macro_f1", float("nan")), r.pop("dev_mean", float("nan"))
        params = {k: v for k, v in r.items() if v is not None and not (isinstance(v, float) and np.isnan(v))}
        lines.append(f"| {params} | {cv:.3f} | {dv:.3f} | {bare:.3f} | {mean:.3f} |")
    lines += ["", "## Intended use and limits", "",
              "Sentence-level labels for text-as-data research on Chinese government reports (政府信息公开工作年度报告, "
              "政府工作报告). Trained on the annotated units listed above; reports of other genres, or very different "
              "layouts, will be tagged less accurately. The `split=eval` reports of the corpus were never used.", ""]
    return "\n".join(lines)


def rules_report(corpus: Path, ann_dir: Path = ANNOTATION_DIR, split: str = "dev") -> pd.DataFrame:
    data = training_data(corpus, ann_dir)
    part = data[data["split"] == split]
    from nlp_reports.tagging.classifier import as_frame, to_units

    rs = load_rules()
    votes = apply_rules(rs, to_units(as_frame(part)))
    y = [LABELS.index(v) for v in part["label"]]
    return lf_analysis(rs, votes, y)
