"""Pipeline throughput, scaling, cold start and peak memory, measured side by side in one run.

    python benchmarks/bench_pipeline.py [--corpus DIR] [--scaling-reports N (default all)] [--scaling-generated 1000] [--rss-reports 1000]

Prints:
- full pipeline (load, structure, tag, table checks, critique input) in characters/s on one core,
  next to a bare ``jieba.lcut`` (private ``jieba.Tokenizer()``, initialised before timing) on the
  same texts, and their ratio;
- ``score_corpus`` wall time with 2 processes vs 1 on the same reports (each in a fresh interpreter,
  best of two interleaved rounds), over the corpus and over N generated reports (the fixed serial
  part, about 0.9 s of imports, dictionary build and the corpus second pass, weighs less there);
- cold start: ``import nlp_reports`` + load the model, timed as a fresh subprocess;
- peak RSS of a ``score_corpus`` subprocess over N reports built at run time in a temp dir by
  repeating and varying the corpus texts (deleted afterwards), next to the same at N/5.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("NLP_REPORTS_CORPUS", ROOT.parent / "shared" / "corpora"))


def corpus_files(corpus: Path) -> list[Path]:
    files = sorted((corpus / "texts").glob("*.txt"))
    if not files:
        sys.exit(f"no corpus texts under {corpus}/texts (set NLP_REPORTS_CORPUS)")
    return files


def bench_throughput(files: list[Path], rounds: int = 2) -> dict[str, float]:
    import jieba

    from nlp_reports.corpus.batch import analyze_item
    from nlp_reports.io.loaders import load_text
    from nlp_reports.tagging.tagger import load_model

    texts = [load_text(p).text for p in files]
    chars = sum(map(len, texts))
    load_model()
    analyze_item(files[0].stem, files[0])  # warm caches (rules, lexicons, dictionaries)
    tok = jieba.Tokenizer()
    tok.initialize()
    full = bare = float("inf")
    # interleaved rounds, best of each: a busy machine slows both sides alike
    for _ in range(rounds):
        t = time.perf_counter()
        for p in files:
            rec = analyze_item(p.stem, p)
            assert rec["error"] is None, rec["error"]
        full = min(full, time.perf_counter() - t)
        t = time.perf_counter()
        for s in texts:
            tok.lcut(s)
        bare = min(bare, time.perf_counter() - t)
    return {
        "chars": chars,
        "full_s": full,
        "jieba_s": bare,
        "full_cps": chars / full,
        "jieba_cps": chars / bare,
    }


def bench_tagging(files: list[Path]) -> dict[str, float]:
    """Sentences per second through ``tag_sentences`` (rules + model), units of the corpus, in
    batches of one report (as ``analyze`` tags them)."""
    import nlp_reports as nr
    from nlp_reports.io.loaders import load_text
    from nlp_reports.structure.report import build_report

    batches = []
    for p in files:
        r = build_report(load_text(p))
        batches.append(([s.text for s in r.sentences], [s.canonical_section for s in r.sentences],
                        [s.in_self_critique for s in r.sentences]))
    nr.tag_sentences(*batches[0])  # warm
    n = sum(len(b[0]) for b in batches)
    t = time.perf_counter()
    for b in batches:
        nr.tag_sentences(*b)
    dt = time.perf_counter() - t
    return {"n": n, "s": dt, "sps": n / dt}


_SCALING = """
import sys, tempfile, time
from pathlib import Path
from nlp_reports.corpus.batch import score_corpus
files = [Path(p) for p in sys.argv[2:]]
with tempfile.TemporaryDirectory() as d:
    t = time.perf_counter()
    score_corpus(files, Path(d) / "s.parquet", n_jobs=int(sys.argv[1]), progress=False)
    print(time.perf_counter() - t)
"""


def bench_scaling(files: list[Path], rounds: int = 2) -> dict[str, float]:
    """``score_corpus`` wall time (model loading included) with 1 and 2 processes, each run in a
    fresh interpreter as the CLI would be: a parent that has run the other benchmarks carries a
    large heap into the forked workers. Interleaved rounds, best of each."""
    out = {1: float("inf"), 2: float("inf")}
    for _ in range(rounds):
        for n in (1, 2):
            r = subprocess.run([sys.executable, "-c", _SCALING, str(n), *map(str, files)],
                               check=True, cwd=ROOT, capture_output=True, text=True)
            out[n] = min(out[n], float(r.stdout.strip().splitlines()[-1]))
    return {"n": len(files), "t1": out[1], "t2": out[2], "speedup": out[1] / out[2]}


def bench_cold_start(repeats: int = 3) -> float:
    code = "import nlp_reports; from nlp_reports.tagging.tagger import load_model; load_model()"
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def make_variants(files: list[Path], n: int, folder: Path) -> int:
    """n report files: corpus texts cycled, each with its own numbered line and rotated paragraphs."""
    texts = [p.read_text(encoding="utf-8") for p in files]
    chars = 0
    for k in range(n):
        lines = texts[k % len(texts)].splitlines()
        r = 1 + (k // len(texts)) % max(1, len(lines) - 1)
        body = [lines[0], f"（第{k}号样本）", *lines[r:], *lines[1:r]]
        s = "\n".join(body)
        chars += len(s)
        (folder / f"v{k:05d}.txt").write_text(s, encoding="utf-8")
    return chars


def peak_rss(files: list[Path], n: int, n_jobs: int) -> dict[str, float]:
    """Peak RSS (MB) of a score_corpus subprocess (max over it and its workers), and its wall time."""
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in"
        src.mkdir()
        chars = make_variants(files, n, src)
        code = (
            "import sys, resource; from nlp_reports.corpus.batch import score_corpus; "
            f"df = score_corpus({str(src)!r}, {str(Path(d) / 'out' / 's.parquet')!r}, n_jobs={n_jobs}, progress=False); "
            "assert df['error'].isna().all(), df['error'].dropna().head().tolist(); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        res = subprocess.run(
            [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
        )
        wall = time.perf_counter() - t
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    parent_kb = int(res.stdout.strip().splitlines()[-1])
    return {
        "n": n,
        "chars": chars,
        "wall_s": wall,
        "parent_mb": parent_kb / 1024,
        # RUSAGE_CHILDREN is the max over every waited-for descendant so far (monotone)
        "max_any_mb": max(children, before) / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--scaling-reports", type=int, default=0, help="0: every corpus report")
    ap.add_argument("--scaling-generated", type=int, default=1000,
                    help="also measure scaling over N generated reports (0: skip)")
    ap.add_argument("--rss-reports", type=int, default=1000)
    ap.add_argument("--rss-jobs", type=int, default=2)
    a = ap.parse_args()
    files = corpus_files(a.corpus)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")

    tp = bench_throughput(files)
    print(
        f"throughput over {len(files)} reports, {tp['chars']:,} chars, 1 core: "
        f"full pipeline {tp['full_cps']:,.0f} chars/s ({tp['full_s']:.1f} s); "
        f"bare jieba.lcut {tp['jieba_cps']:,.0f} chars/s ({tp['jieba_s']:.1f} s); "
        f"ratio full/jieba = {tp['full_cps'] / tp['jieba_cps']:.2f}"
    )
    tg = bench_tagging(files)
    print(f"tagging: {tg['n']:,} sentence units in {tg['s']:.1f} s = {tg['sps']:,.0f} sentences/s (1 core)")
    sc = bench_scaling(files[: a.scaling_reports] if a.scaling_reports else files)
    print(
        f"score_corpus over {sc['n']} reports: n_jobs=1 {sc['t1']:.1f} s, n_jobs=2 {sc['t2']:.1f} s, "
        f"speedup {sc['speedup']:.2f}x"
    )
    if a.scaling_generated:
        with tempfile.TemporaryDirectory(prefix="nlp_reports_scaling_") as d:
            make_variants(files, a.scaling_generated, Path(d))
            sg = bench_scaling(sorted(Path(d).glob("*.txt")))
        print(
            f"score_corpus over {sg['n']} generated reports: n_jobs=1 {sg['t1']:.1f} s, "
            f"n_jobs=2 {sg['t2']:.1f} s, speedup {sg['speedup']:.2f}x"
        )
    cold = bench_cold_start()
    print(f"cold start (import nlp_reports + load model, subprocess, median of 3): {cold:.2f} s")
    small = peak_rss(files, max(1, a.rss_reports // 5), a.rss_jobs)
    big = peak_rss(files, a.rss_reports, a.rss_jobs)
    for r in (small, big):
        print(
            f"peak RSS scoring {r['n']} generated reports ({r['chars']:,} chars, n_jobs={a.rss_jobs}): "
            f"parent {r['parent_mb']:.0f} MB, max over parent/workers so far {r['max_any_mb']:.0f} MB, "
            f"wall {r['wall_s']:.0f} s ({r['n'] / r['wall_s']:.1f} reports/s)"
        )


if __name__ == "__main__":
    main()
