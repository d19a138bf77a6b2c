"""Assemble a :class:`~nlp_reports.types.Report` from loaded text: normalize, metadata, sections, units."""

from __future__ import annotations

import hashlib
from pathlib import Path

from nlp_reports.io.metadata import extract_metadata
from nlp_reports.io.normalize import normalize
from nlp_reports.structure.sections import build_sections
from nlp_reports.structure.sentences import split_units
from nlp_reports.types import LoadedText, Report


def text_source(text: str, name: str | None = None) -> LoadedText:
    """Wrap an in-memory string as loaded text (sha256 of its UTF-8 bytes)."""
    data = text.encode("utf-8")
    return LoadedText(Path(name) if name else None, text, "string", None, hashlib.sha256(data).hexdigest(), len(data))


def build_report(source: LoadedText, doc_id: str | None = None) -> Report:
    """Normalize, read metadata, find sections and the self-critique, split sentence units.

    >>> r = build_report(text_source("某镇2020年政府信息公开工作年度报告\\n五、存在的主要问题及改进情况\\n一是渠道有限。二是培训不足。"))
    >>> [s.text for s in r.sentences if s.in_self_critique]
    ['五、存在的主要问题及改进情况', '一是渠道有限。', '二是培训不足。']
    """
    norm = normalize(source.text)
    name = source.path.name if source.path else None
    meta = extract_metadata(norm.text, name)
    sections, crit, why = build_sections(norm.text, meta.doc_type)
    critique = sections[crit] if crit is not None else None
    units = split_units(norm.text, sections, norm.offsets, critique, meta.doc_type)
    if doc_id is None:
        doc_id = source.path.stem if source.path else source.sha256[:12]
    return Report(doc_id, source, norm, meta, sections, units, crit, why)
