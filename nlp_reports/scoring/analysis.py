"""The per-report pipeline: a built Report -> tagged sentences, tables, findings, critique.

This is the one function every entry point runs (``analyze``, ``score``, ``score_corpus``, Dask),
so that a report gets the same answer whichever way it is analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from nlp_reports.structure.tables import TableSet, parse_tables
from nlp_reports.tagging.features import FRAMED
from nlp_reports.tagging.rules import LABELS
from nlp_reports.tagging.tagger import PROBA_COLUMNS, tag_frame
from nlp_reports.types import Report

SENTENCE_COLUMNS = [
    "doc_id", "idx", "section", "section_path", "marker", "kind", "in_self_critique", "start", "end",
    "orig_start", "orig_end", "text", "label", *PROBA_COLUMNS, "rules", "decided_by",
]


@dataclass
class Analysis:
    """Everything known about one report. ``sentences`` is a tidy table, one row per unit.

    The table is built from the tagger's output on first access: a batch run that only needs the
    columns as plain lists (:meth:`sentence_columns`) never pays for the DataFrame.
    """

    report: Report
    _sentences: pd.DataFrame | None = field(default=None, repr=False)
    tables: TableSet | None = None
    table_findings: list = field(default_factory=list)
    critique: Any = None  # nlp_reports.scoring.critique.CritiqueResult
    tags: pd.DataFrame | None = field(default=None, repr=False)  # tag_frame output, unit order

    @property
    def sentences(self) -> pd.DataFrame:
        if self._sentences is None:
            self._sentences = sentence_table(self.report, self.tags)
        return self._sentences

    @property
    def doc_id(self) -> str:
        return self.report.doc_id

    def to_frame(self) -> pd.DataFrame:
        return self.sentences

    def unit_labels(self) -> tuple[list[str], list[str], list[bool]]:
        """(text, label, in_self_critique) of every unit, as lists."""
        if self._sentences is None and self.tags is not None:
            s = self.report.sentences
            return [u.text for u in s], self.tags["label"].tolist(), [u.in_self_critique for u in s]
        df = self.sentences
        return df["text"].tolist(), [str(x) for x in df["label"].tolist()], df["in_self_critique"].tolist()

    def sentence_columns(self) -> dict[str, list] | None:
        """The sentence table as JSON-ready columns (categoricals as str, missing as None), the
        same values as the DataFrame's, built straight from the units and the tags; None when
        there are no tags to build from (the caller converts :attr:`sentences`)."""
        if self.tags is None or not self.report.sentences:
            return None
        return unit_columns(self.report, self.tags)


def unit_frame(report: Report) -> pd.DataFrame:
    """The units of a report as the tagger's input (text, section, in_self_critique).

    Plain object columns: the tagger reads them back as Python lists (``as_frame``), so Arrow
    strings would only be built to be unpacked again.
    """
    s = report.sentences
    df = pd.DataFrame(
        {
            "text": [u.text for u in s],
            "section": [u.canonical_section for u in s],
            "in_self_critique": [u.in_self_critique for u in s],
        },
        dtype=object,
    )
    # already what the tagger's as_frame would make of it (str texts, object columns): no copy
    df.attrs[FRAMED] = True
    return df


def _categorical(values: Sequence[str | None], dtype: pd.CategoricalDtype | None = None) -> pd.Categorical:
    """``pd.Series(values).astype("category")`` (categories sorted, None -> NaN), or of the given
    ``dtype``, built from integer codes: factorizing a string column costs ~1 ms a column."""
    if dtype is None:
        # pd.Index infers the categories' dtype as astype would: str, or object when there are none
        dtype = pd.CategoricalDtype(pd.Index(sorted({v for v in values if v is not None})))
    code = {c: i for i, c in enumerate(dtype.categories.tolist())}
    codes = np.fromiter((code.get(v, -1) for v in values), dtype=np.int64, count=len(values))
    return pd.Categorical.from_codes(codes, dtype=dtype)


@lru_cache(maxsize=1)
def _label_dtype() -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(LABELS))


def unit_columns(report: Report, tags: pd.DataFrame) -> dict[str, list]:
    """The sentence table's columns as plain JSON-ready lists (``SENTENCE_COLUMNS`` order): what a
    batch run stores, and what :func:`sentence_table` types."""
    s, n = report.sentences, len(report.sentences)
    cols: dict[str, list] = {
        "doc_id": [report.doc_id] * n,
        "idx": [u.idx for u in s],
        "section": [u.canonical_section for u in s],
        "section_path": [" > ".join(u.section_path) for u in s],
        "marker": [u.marker for u in s],
        "kind": [u.kind for u in s],
        "in_self_critique": [bool(u.in_self_critique) for u in s],
        "start": [u.start for u in s],
        "end": [u.end for u in s],
        "orig_start": [u.orig_start for u in s],
        "orig_end": [u.orig_end for u in s],
        "text": [u.text for u in s],
        "label": tags["label"].tolist(),
    }
    for c in PROBA_COLUMNS:
        cols[c] = tags[c].tolist()
    cols["rules"] = [list(r) for r in tags["rules"].tolist()]
    cols["decided_by"] = tags["decided_by"].tolist()
    return cols


def sentence_table(report: Report, tags: pd.DataFrame | None) -> pd.DataFrame:
    """One row per unit (``SENTENCE_COLUMNS``): the unit's place in the report and its tags.

    :func:`unit_columns` given their final dtypes, in one DataFrame constructor call (a column
    added or cast afterwards costs pandas a block copy and an index check each).
    """
    if not report.sentences:
        return _empty_sentence_table(report)
    cols: dict[str, Any] = unit_columns(report, tags)
    cols["idx"] = np.array(cols["idx"], dtype=np.int32)
    for c in ("start", "end", "orig_start", "orig_end"):
        cols[c] = np.array(cols[c], dtype=np.int64)
    cols["in_self_critique"] = np.array(cols["in_self_critique"], dtype=bool)
    for c in ("section", "kind", "decided_by"):
        cols[c] = _categorical(cols[c])
    cols["label"] = _categorical(cols["label"], _label_dtype())
    for c in PROBA_COLUMNS:
        cols[c] = np.array(cols[c], dtype=np.float64)
    cols["rules"] = pd.Series(cols["rules"], dtype=object).to_numpy()
    return pd.DataFrame(cols)  # the keys are in SENTENCE_COLUMNS order


def _empty_sentence_table(report: Report) -> pd.DataFrame:
    """The table of a report without units, with the column dtypes pandas infers for no rows."""
    df = pd.DataFrame({"doc_id": report.doc_id, **{c: [] for c in SENTENCE_COLUMNS[1:12]}})
    for c in ["label", *PROBA_COLUMNS, "rules", "decided_by"]:
        df[c] = pd.Series(dtype=object)
    df["label"] = pd.Categorical(df["label"], categories=list(LABELS))
    for c in ("section", "kind", "decided_by"):
        df[c] = df[c].astype("category")
    df["idx"] = df["idx"].astype("int32")
    return df[SENTENCE_COLUMNS]


def analyze_report(report: Report, model=None, *, use_model: bool = True, tables: bool = True) -> Analysis:
    """Tag every unit, parse and check the standard tables (disclosure reports).

    The self-critique score needs the other reports of a corpus for some components; it is added
    by :func:`nlp_reports.scoring.critique.score_critique` (see ``nlp_reports.analyze``).
    """
    tags = tag_frame(unit_frame(report), model, use_model=use_model)
    a = Analysis(report, tags=tags)
    if tables and report.metadata.doc_type == "disclosure_annual_report":
        from nlp_reports.scoring.table_checks import check_tables

        ts = parse_tables(report.original_text)
        a.tables = ts
        sections = {}
        for sec in report.sections:
            if sec.canonical and sec.parent is None and sec.canonical not in sections:
                sections[sec.canonical] = report.text[sec.start : sec.end]
        a.table_findings = check_tables(ts, report.text, year=report.metadata.year, sections=sections or None)
    return a
