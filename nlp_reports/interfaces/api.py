"""Python API: ``load``, ``analyze``, ``tag_sentences``.

>>> import nlp_reports as nr  # doctest: +SKIP
>>> a = nr.analyze("../shared/corpora/texts/0026.txt")  # doctest: +SKIP
>>> a.sentences.groupby("label").size()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nlp_reports.io.loaders import DEFAULT_MAX_BYTES, load_text
from nlp_reports.scoring.analysis import Analysis, analyze_report
from nlp_reports.structure.report import build_report, text_source
from nlp_reports.tagging.tagger import PROBA_COLUMNS, tag_frame
from nlp_reports.types import Report


def load(source: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES, doc_id: str | None = None) -> Report:
    """A report from a file path (txt/docx/pdf/html) or from the report text itself."""
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        return build_report(load_text(source, max_bytes=max_bytes), doc_id)
    return build_report(text_source(str(source)), doc_id)


def _looks_like_path(s: str) -> bool:
    if "\n" in s or len(s) > 1024:
        return False
    try:
        return Path(s).suffix.lower() in {".txt", ".text", ".md", ".docx", ".pdf", ".html", ".htm", ".doc"} or Path(s).exists()
    except OSError:
        return False


class ReportAnalysis(Analysis):
    """An :class:`Analysis` that renders itself in Jupyter."""

    def _repr_html_(self) -> str:
        from nlp_reports.interfaces.display import analysis_html

        return analysis_html(self)


def analyze(source, *, model=None, critique: bool = True, context=None, max_bytes: int = DEFAULT_MAX_BYTES) -> ReportAnalysis:
    """Load, structure, tag and score one report.

    ``source``: a path, a report text, or an already built :class:`Report`. ``context``: a corpus
    context from :func:`nlp_reports.scoring.critique.build_context` for the corpus-level
    components (recycling, reference-group boilerplate); without it those components are NaN.
    """
    report = source if isinstance(source, Report) else load(source, max_bytes=max_bytes)
    base = analyze_report(report, model)
    a = ReportAnalysis(base.report, base._sentences, base.tables, base.table_findings, tags=base.tags)
    if critique:
        from nlp_reports.scoring.critique import critique_input, score_critique

        a.critique = score_critique(critique_input(a), context)
    return a


def tag_sentences(
    texts: Sequence[str],
    sections: Sequence[str | None] | None = None,
    in_self_critique: Sequence[bool | None] | None = None,
    *,
    model=None,
) -> pd.DataFrame:
    """Tag sentences given as strings, with optional context.

    Returns one row per text: text, label, proba_problem, proba_measure, proba_commitment,
    proba_boilerplate, proba_other, rules (names of the rules that fired), decided_by.

    >>> tag_sentences(["政务公开队伍建设有待加强。"], ["问题与改进"], [True]).label[0]  # doctest: +SKIP
    'problem'
    """
    texts = list(texts)
    n = len(texts)
    for name, seq in (("sections", sections), ("in_self_critique", in_self_critique)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"{name} has {len(seq)} entries for {n} texts")
    frame = pd.DataFrame({
        "text": texts,
        "section": list(sections) if sections is not None else [None] * n,
        "in_self_critique": list(in_self_critique) if in_self_critique is not None else [None] * n,
    })
    out = tag_frame(frame, model)
    return out[["text", "label", *PROBA_COLUMNS, "rules", "decided_by"]]
