"""Validate the self-critique score against the human ratings (docs/rating-protocol.md).

Builds every report of the corpus (train and eval: eval reports are parsed for cross-year context
only, never rated or tuned on), scores all of them, prints Spearman of critique_score and of each
component with the 90 train ratings, overall, by doc_type and on two fixed random halves.

    python tools/validate_critique.py [--corpus DIR] [--cache FILE] [--out scores.csv]
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp_reports.scoring.critique import CritiqueInput, critique_input, score_corpus  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("NLP_REPORTS_CORPUS", ROOT.parent / "shared" / "corpora"))


def _one(path: str) -> CritiqueInput:
    from nlp_reports.io.loaders import load_text
    from nlp_reports.scoring.analysis import analyze_report
    from nlp_reports.structure.report import build_report

    return critique_input(analyze_report(build_report(load_text(path)), tables=False))


def build_inputs(corpus: Path, workers: int = 2) -> list[CritiqueInput]:
    paths = sorted(str(p) for p in (corpus / "texts").glob("*.txt"))
    if not paths:
        raise SystemExit(f"no texts in {corpus / 'texts'}")
    with ProcessPoolExecutor(workers) as ex:
        return list(ex.map(_one, paths, chunksize=4))


def spearman_table(m: pd.DataFrame) -> pd.Series:
    cols = ["critique_score"] + [c for c in m.columns if c.startswith("critique_") and c not in ("critique_score", "critique_reasons")]
    return m[cols].astype(float).corrwith(m["rating"].astype(float), method="spearman")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--ratings", type=Path, default=ROOT / "corpora" / "ratings" / "critique_ratings.csv")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of CritiqueInputs (reused when present)")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    t0 = time.time()
    if a.cache and a.cache.exists():
        inputs = pickle.loads(a.cache.read_bytes())
    else:
        inputs = build_inputs(a.corpus)
        if a.cache:
            a.cache.write_bytes(pickle.dumps(inputs))
    t1 = time.time()
    scores = score_corpus(inputs)
    t2 = time.time()
    print(f"{len(inputs)} reports: first pass {t1 - t0:.1f}s, critique second pass {t2 - t1:.2f}s")
    ratings = pd.read_csv(a.ratings, dtype=str)
    man = pd.read_csv(a.corpus / "manifest.csv", dtype={"doc_id": str})[["doc_id", "doc_type", "split"]]
    ratings["rating"] = ratings["rating"].astype(int)
    m = ratings.merge(scores, on="doc_id", suffixes=("_rater", "")).merge(man, on="doc_id")
    assert (m["split"] == "train").all(), "ratings must be train reports only"
    print(f"rated reports: {len(m)}")
    table = {"all": spearman_table(m)}
    for dt, g in m.groupby("doc_type"):
        table[dt[:12]] = spearman_table(g)
    rng = np.random.default_rng(20261128)
    half = set(rng.choice(m["doc_id"].to_numpy(), size=len(m) // 2, replace=False))
    table["half_A"] = spearman_table(m[m.doc_id.isin(half)])
    table["half_B"] = spearman_table(m[~m.doc_id.isin(half)])
    with pd.option_context("display.width", 160):
        print(pd.DataFrame(table).round(3).to_string())
    rec = m[m["recycled_from_rater"].notna()]
    hit = (rec["recycled_from_rater"] == rec["recycled_from"]).mean()
    flagged = m["recycled_from"].notna()
    print(f"recycled_from: {len(rec)} rater calls, same source named {hit:.0%}; "
          f"flagged by score {flagged.sum()} (of which rater also flagged {m[flagged]['recycled_from_rater'].notna().sum()})")
    if a.out:
        scores.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
