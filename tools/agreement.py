"""Inter-annotator agreement between pass 1 and the independent pass-2 annotations (Cohen's kappa
overall and per label), for each pass-2 annotator and pooled.

python tools/agreement.py [ANNOTATION_DIR]
"""

import sys
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from nlp_reports.tagging.rules import LABELS


def report(m: pd.DataFrame, title: str) -> None:
    print(f"\n== {title}: {len(m)} units annotated twice, from {m['doc_id'].nunique()} reports")
    print(f"raw agreement {(m.label_1 == m.label_2).mean():.3f}; Cohen's kappa {cohen_kappa_score(m.label_1, m.label_2):.3f}")
    print("per label (one-vs-rest kappa):")
    for lab in LABELS:
        k = cohen_kappa_score(m.label_1 == lab, m.label_2 == lab)
        print(f"  {lab:12s} kappa {k:.3f}  (pass1 {int((m.label_1 == lab).sum())}, pass2 {int((m.label_2 == lab).sum())})")
    print("confusion (rows pass 1, columns pass 2):")
    print(pd.crosstab(m.label_1, m.label_2))


def main(ann_dir: Path) -> None:
    p1 = pd.concat([pd.read_csv(p, dtype={"doc_id": str}) for p in sorted(ann_dir.glob("pass1_*.csv"))])
    key = ["doc_id", "start", "end"]
    pooled = []
    for p in sorted(ann_dir.glob("pass2_*.csv")):
        p2 = pd.read_csv(p, dtype={"doc_id": str})
        m = p1.merge(p2, on=key, suffixes=("_1", "_2"))
        pooled.append(m)
        who = sorted(set(m["annotator_1"]))
        report(m, f"{p2['annotator'].iloc[0]} (pass 2) vs pass 1 by {', '.join(who)}")
    if len(pooled) > 1:
        report(pd.concat(pooled, ignore_index=True), "all pass-2 annotations pooled (a unit may count twice)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "corpora" / "annotations")
