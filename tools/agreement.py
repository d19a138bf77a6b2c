"""Inter-annotator agreement between pass 1 and pass 2 (Cohen's kappa overall and per label).

python tools/agreement.py
"""

import sys
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from nlp_reports.tagging.rules import LABELS

ann_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "corpora" / "annotations"
p1 = pd.concat([pd.read_csv(p, dtype={"doc_id": str}) for p in sorted(ann_dir.glob("pass1_*.csv"))])
p2 = pd.concat([pd.read_csv(p, dtype={"doc_id": str}) for p in sorted(ann_dir.glob("pass2_*.csv"))])
m = p1.merge(p2, on=["doc_id", "start", "end"], suffixes=("_1", "_2"))
print(f"{len(m)} units annotated twice, from {m['doc_id'].nunique()} reports")
print(f"raw agreement {(m.label_1 == m.label_2).mean():.3f}; Cohen's kappa {cohen_kappa_score(m.label_1, m.label_2):.3f}")
print("per label (one-vs-rest kappa):")
for lab in LABELS:
    k = cohen_kappa_score(m.label_1 == lab, m.label_2 == lab)
    print(f"  {lab:12s} kappa {k:.3f}  (pass1 {int((m.label_1 == lab).sum())}, pass2 {int((m.label_2 == lab).sum())})")
print("confusion (rows pass 1, columns pass 2):")
print(pd.crosstab(m.label_1, m.label_2))
