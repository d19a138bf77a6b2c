"""Adjudicate pass-1/pass-2 disagreements by an independent third reading (majority of three).

    python tools/adjudicate.py PASS3.csv [PASS3.csv ...]

Each PASS3 file holds third-reading labels (same stand-off columns, ``pass`` = 3) for units on
which pass 1 and pass 2 disagree; the third annotator saw neither earlier label.  The adjudicated
label is the majority of the three; when all three differ, the third reading decides.  Rows are
added to ``corpora/annotations/adjudicated.csv`` (replacing earlier rows for the same units) with
both earlier labels kept in ``pass1`` / ``pass2``; the third-reading file itself is copied next to
the other passes so that the decision can be re-derived.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

ANN = Path(__file__).resolve().parents[1] / "corpora" / "annotations"
KEY = ["doc_id", "start", "end"]


def majority(p1: str, p2: str, p3: str) -> str:
    """Label chosen by at least two of three readings, else the third reading.

    >>> majority("measure", "commitment", "measure"), majority("other", "measure", "boilerplate")
    ('measure', 'boilerplate')
    """
    lab, n = Counter([p1, p2, p3]).most_common(1)[0]
    return lab if n >= 2 else p3


def read(pattern: str) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype={"doc_id": str}) for p in sorted(ANN.glob(pattern))]
    return pd.concat(frames, ignore_index=True)


def adjudicate(third: pd.DataFrame) -> pd.DataFrame:
    p1 = read("pass1_*.csv")[[*KEY, "sha256", "label"]].rename(columns={"label": "pass1"})
    p2 = read("pass2_*.csv")[[*KEY, "label"]].rename(columns={"label": "pass2"})
    m = third.merge(p1, on=[*KEY, "sha256"]).merge(p2, on=KEY)
    if len(m) != len(third):
        raise SystemExit(f"{len(third) - len(m)} third-reading units have no pass-1 and pass-2 label")
    if (m["pass1"] == m["pass2"]).any():
        raise SystemExit("third-reading units must be pass-1/pass-2 disagreements")
    m["label"] = [majority(a, b, c) for a, b, c in zip(m["pass1"], m["pass2"], m["label"], strict=True)]
    m["annotator"], m["pass"] = "adjudicated", 0
    return m[["doc_id", "sha256", "start", "end", "label", "annotator", "pass", "pass1", "pass2"]]


def main(paths: list[str]) -> None:
    third = pd.concat([pd.read_csv(p, dtype={"doc_id": str}) for p in paths], ignore_index=True)
    new = adjudicate(third)
    adj_path = ANN / "adjudicated.csv"
    old = pd.read_csv(adj_path, dtype={"doc_id": str})
    keep = old.merge(new[KEY], on=KEY, how="left", indicator=True)
    keep = keep[keep["_merge"] == "left_only"].drop(columns="_merge")
    pd.concat([keep, new], ignore_index=True).to_csv(adj_path, index=False)
    for p in paths:
        if Path(p).resolve().parent != ANN:
            shutil.copy(p, ANN / Path(p).name)
    print(f"{len(new)} units adjudicated: {(new['label'] == new['pass1']).sum()} kept pass 1, "
          f"{(new['label'] == new['pass2']).sum()} took pass 2, "
          f"{((new['label'] != new['pass1']) & (new['label'] != new['pass2'])).sum()} a third label")


if __name__ == "__main__":
    main(sys.argv[1:])
