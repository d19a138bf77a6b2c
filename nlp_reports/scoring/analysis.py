"""The per-report pipeline: a built Report -> tagged sentences, tables, findings, critique.

This is the one function every entry point runs (``analyze``, ``score``, ``score_corpus``, Dask),
so that a report gets the same answer whichever way it is analysed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nlp_reports.structure.tables import TableSet, parse_tables
from nlp_reports.tagging.rules import LABELS
from nlp_reports.tagging.tagger import PROBA_COLUMNS, tag_frame
from nlp_reports.types import Report

SENTENCE_COLUMNS = [
    "doc_id", "idx", "section", "section_path", "marker", "kind", "in_self_critique", "start", "end",
    "orig_start", "orig_end", "text", "label", *PROBA_COLUMNS, "rules", "decided_by",
]


@dataclass
class Analysis:
    """Everything known about one report. ``sentences`` is a tidy table, one row per unit."""

    report: Report
    sentences: pd.DataFrame
    tables: TableSet | None = None
    table_findings: list = field(default_factory=list)
    critique: Any = None  # nlp_reports.scoring.critique.CritiqueResult

    @property
    def doc_id(self) -> str:
        return self.report.doc_id

    def to_frame(self) -> pd.DataFrame:
        return self.sentences


def unit_frame(report: Report) -> pd.DataFrame:
    """The units of a report as the tagger's input (text, section, in_self_critique)."""
    return pd.DataFrame(
        {
            "text": [s.text for s in report.sentences],
            "section": [s.canonical_section for s in report.sentences],
            "in_self_critique": [s.in_self_critique for s in report.sentences],
        }
    )


def sentence_table(report: Report, tags: pd.DataFrame) -> pd.DataFrame:
    s = report.sentences
    df = pd.DataFrame(
        {
            "doc_id": report.doc_id,
            "idx": [u.idx for u in s],
            "section": [u.canonical_section for u in s],
            "section_path": [" > ".join(u.section_path) for u in s],
            "marker": [u.marker for u in s],
            "kind": [u.kind for u in s],
            "in_self_critique": [u.in_self_critique for u in s],
            "start": [u.start for u in s],
            "end": [u.end for u in s],
            "orig_start": [u.orig_start for u in s],
            "orig_end": [u.orig_end for u in s],
            "text": [u.text for u in s],
        }
    )
    for c in ["label", *PROBA_COLUMNS, "rules", "decided_by"]:
        df[c] = tags[c].to_numpy() if len(tags) else pd.Series(dtype=object)
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
    a = Analysis(report, sentence_table(report, tags))
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
