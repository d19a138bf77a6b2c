"""Survey the standard tables of every disclosure report in the corpus.

For each report: template version, status of 表二/表三/表四, and the findings of
``check_tables`` counted by rule (errors and warnings), with the previous year's report of the
same agency as ``previous`` when the corpus has it.

    python tools/tables_survey.py [--corpus DIR] [--details]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

import pandas as pd

from nlp_reports.scoring.table_checks import check_tables
from nlp_reports.structure.tables import TableSet, parse_tables

DEFAULT_CORPUS = Path(
    os.environ.get("NLP_REPORTS_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpora")
)


def survey(corpus: Path, details: bool = False) -> pd.DataFrame:
    man = pd.read_csv(corpus / "manifest.csv", dtype=str)
    man = man[man["doc_type"] == "disclosure_annual_report"].sort_values("doc_id")
    parsed: dict[str, tuple[TableSet, str]] = {}
    timing: list[float] = []
    for doc_id in man["doc_id"]:
        text = (corpus / "texts" / f"{doc_id}.txt").read_text("utf-8")
        parsed[doc_id] = (parse_tables(text), text)
    by_agency_year = {
        (a, int(y)): d for d, a, y in zip(man["doc_id"], man["agency"], man["year"], strict=True)
    }
    rows = []
    for doc_id, agency, year_s, split in zip(
        man["doc_id"], man["agency"], man["year"], man["split"], strict=True
    ):
        year = int(year_s)
        ts, text = parsed[doc_id]
        prev_id = by_agency_year.get((agency, year - 1))
        prev = parsed[prev_id][0] if prev_id else None
        t0 = time.perf_counter()
        ts = parse_tables(text)
        found = check_tables(ts, text, year=year, previous=prev, previous_year=year - 1 if prev_id else None)
        timing.append(time.perf_counter() - t0)
        errs = Counter(f.rule for f in found if f.severity == "error")
        warns = Counter(f.rule for f in found if f.severity == "warning")
        rows.append(
            {
                "doc_id": doc_id,
                "year": year,
                "split": split,
                "version": ts.version or "-",
                "T2": ts.status["T2"],
                "T3": ts.status["T3"],
                "T4": ts.status["T4"],
                "prev": prev_id or "",
                "errors": " ".join(f"{k}×{v}" for k, v in sorted(errs.items())),
                "warnings": " ".join(f"{k}×{v}" for k, v in sorted(warns.items())),
            }
        )
        if details and found:
            for f in found:
                print(f"  {doc_id} {f.rule:6} {f.severity:7} {f.message}")
    df = pd.DataFrame(rows)
    ms = sorted(timing)
    print(f"parse+check per report: median {ms[len(ms) // 2] * 1000:.1f} ms, max {ms[-1] * 1000:.1f} ms")
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--details", action="store_true", help="print every finding")
    args = ap.parse_args()
    df = survey(args.corpus, args.details)
    with pd.option_context("display.width", 250, "display.max_rows", 500, "display.max_colwidth", 80):
        print(df.to_string(index=False))
    print()
    for t in ("T2", "T3", "T4"):
        print(t, dict(Counter(df[t])))
    print("versions", dict(Counter(df["version"])))
    print(
        "reports with errors:",
        int((df["errors"] != "").sum()),
        "with warnings:",
        int((df["warnings"] != "").sum()),
    )


if __name__ == "__main__":
    main()
