"""Validate the self-critique score against the human ratings (docs/rating-protocol.md).

Builds every report of the corpus (train and eval: eval reports are parsed for cross-year context
only, never rated or tuned on), scores all of them, prints Spearman of critique_score and of each
component with the 90 train ratings of rater_a (the development set), overall, by doc_type and on
two fixed random halves. When rater_b's file exists it also prints (1) the held-out Spearman on its
``set=validation`` reports (never used for tuning) and (2) inter-rater agreement with rater_a on its
``set=agreement`` reports (Spearman and linearly weighted Cohen's kappa); with rater_c's file, the
held-out Spearman on its 36 reports and its agreement with rater_b.

    python tools/validate_critique.py [--corpus DIR] [--cache FILE] [--out scores.csv] [--ratings-b FILE]
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


def weighted_kappa(a: np.ndarray, b: np.ndarray, k: int = 5) -> float:
    """Cohen's kappa with linear weights for two raters' integer ratings 1..k."""
    o = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        o[x - 1, y - 1] += 1
    o /= o.sum()
    e = np.outer(o.sum(1), o.sum(0))
    w = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    return float(1 - (w * o).sum() / (w * e).sum())


def spearman_ci(x, y, n_boot: int = 2000, seed: int = 20261129) -> tuple[float, float, float]:
    """Spearman of x with y and its 95% percentile bootstrap interval (reports resampled).

    With 36-90 rated reports the interval is wide (about +-0.15), so two rating sets whose
    figures differ by 0.03 do not disagree."""
    x, y = pd.Series(np.asarray(x, dtype=float)), pd.Series(np.asarray(y, dtype=float))
    rho = float(x.corr(y, method="spearman"))
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        i = rng.integers(0, len(x), len(x))
        xs, ys = x.iloc[i].reset_index(drop=True), y.iloc[i].reset_index(drop=True)
        if xs.nunique() > 1 and ys.nunique() > 1:
            boots.append(xs.corr(ys, method="spearman"))
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return rho, float(lo), float(hi)


def fmt_ci(val: pd.DataFrame) -> str:
    rho, lo, hi = spearman_ci(val["critique_score"], val["rating"])
    return f"{rho:.3f} (95% bootstrap interval {lo:.3f}-{hi:.3f})"


def held_out_report(val: pd.DataFrame, title: str) -> None:
    """Spearman of the score with a held-out rating set, overall and per doc_type, with components."""
    print(f"HELD-OUT ({title}, n={len(val)}): Spearman critique_score {fmt_ci(val)}")
    with pd.option_context("display.width", 160):
        by = {"all": spearman_table(val)}
        for dt, g in val.groupby("doc_type"):
            by[f"{dt[:12]} ({len(g)})"] = spearman_table(g)
        print(pd.DataFrame(by).round(3).to_string())


def rater_b_report(path: Path, ratings_a: pd.DataFrame, scores: pd.DataFrame, man: pd.DataFrame) -> None:
    """Held-out Spearman (set=validation) and inter-rater agreement (set=agreement) for rater_b."""
    if not path.exists():
        print(f"rater_b: {path} not found, so no held-out figure and no inter-rater agreement")
        return
    b = pd.read_csv(path, dtype=str)
    b["rating"] = b["rating"].astype(int)
    val = b[b["set"] == "validation"].merge(scores, on="doc_id", suffixes=("_rater", "")).merge(man, on="doc_id")
    assert (val["split"] == "train").all(), "validation ratings must be train reports only"
    overlap = set(val["doc_id"]) & set(ratings_a["doc_id"])
    if overlap:
        print(f"warning: {len(overlap)} validation reports are also in the development set: {sorted(overlap)}")
    if len(val):
        held_out_report(val, "rater_b, set=validation")
    agr = b[b["set"] == "agreement"].merge(ratings_a[["doc_id", "rating"]], on="doc_id", suffixes=("_b", "_a"))
    if len(agr):
        ra, rb = agr["rating_a"].to_numpy(), agr["rating_b"].to_numpy()
        rho = pd.Series(ra).corr(pd.Series(rb), method="spearman")
        print(f"INTER-RATER (rater_a vs rater_b, set=agreement, n={len(agr)}): Spearman {rho:.3f}, "
              f"linear weighted kappa {weighted_kappa(ra, rb):.3f}, exact agreement {(ra == rb).mean():.0%}")
        sc = agr.merge(scores, on="doc_id")["critique_score"].astype(float)
        print(f"  score vs rater_a {sc.corr(agr['rating_a'].astype(float), method='spearman'):.3f}, "
              f"vs rater_b {sc.corr(agr['rating_b'].astype(float), method='spearman'):.3f} on the same reports")


def rater_c_report(path: Path, path_b: Path, ratings_a: pd.DataFrame, scores: pd.DataFrame, man: pd.DataFrame) -> None:
    """Second held-out set: rater_c rated 20 work reports nobody had rated and 16 disclosure reports
    of rater_b's validation set, blind to the other raters and to the score (never used for tuning)."""
    if not path.exists():
        print(f"rater_c: {path} not found")
        return
    c = pd.read_csv(path, dtype=str)
    c["rating"] = c["rating"].astype(int)
    val = c.merge(scores, on="doc_id", suffixes=("_rater", "")).merge(man, on="doc_id")
    assert (val["split"] == "train").all(), "validation ratings must be train reports only"
    overlap = set(val["doc_id"]) & set(ratings_a["doc_id"])
    if overlap:
        print(f"warning: {len(overlap)} rater_c reports are also in the development set: {sorted(overlap)}")
    held_out_report(val, "rater_c")
    if path_b.exists():
        b = pd.read_csv(path_b, dtype=str)
        agr = c.merge(b[["doc_id", "rating"]], on="doc_id", suffixes=("_c", "_b"))
        if len(agr):
            rc, rb = agr["rating_c"].astype(int).to_numpy(), agr["rating_b"].astype(int).to_numpy()
            print(f"INTER-RATER (rater_b vs rater_c, n={len(agr)}): Spearman "
                  f"{pd.Series(rb).corr(pd.Series(rc), method='spearman'):.3f}, linear weighted kappa "
                  f"{weighted_kappa(rb, rc):.3f}, exact agreement {(rb == rc).mean():.0%}")


def pooled_report(path_b: Path, path_c: Path, scores: pd.DataFrame, man: pd.DataFrame) -> None:
    """Both held-out sets as one: rater_b's validation reports and rater_c's, each report once
    (where both rated a report, rater_b's rating is kept; on their 16 shared reports they agree)."""
    if not (path_b.exists() and path_c.exists()):
        return
    b = pd.read_csv(path_b, dtype=str)
    c = pd.read_csv(path_c, dtype=str)
    pool = pd.concat([b[b["set"] == "validation"], c]).drop_duplicates("doc_id")[["doc_id", "rating"]]
    pool["rating"] = pool["rating"].astype(int)
    val = pool.merge(scores, on="doc_id").merge(man, on="doc_id")
    held_out_report(val, "pooled rater_b validation + rater_c, distinct reports")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--ratings", type=Path, default=ROOT / "corpora" / "ratings" / "critique_ratings.csv")
    ap.add_argument("--ratings-b", type=Path, default=ROOT / "corpora" / "ratings" / "critique_ratings_rater_b.csv")
    ap.add_argument("--ratings-c", type=Path, default=ROOT / "corpora" / "ratings" / "critique_ratings_rater_c.csv")
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
    found = m[m["section_found"].astype(bool)]
    rho = found["critique_score"].astype(float).corr(found["rating"].astype(float), method="spearman")
    print(f"development set, reports whose section was found ({len(found)} of {len(m)}): Spearman {rho:.3f}")
    print(f"DEVELOPMENT (rater_a, n={len(m)}): Spearman critique_score {fmt_ci(m)}")
    rater_b_report(a.ratings_b, ratings, scores, man)
    rater_c_report(a.ratings_c, a.ratings_b, ratings, scores, man)
    pooled_report(a.ratings_b, a.ratings_c, scores, man)
    if a.out:
        scores.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
