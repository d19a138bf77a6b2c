"""Typed data objects that flow through the pipeline.

io -> :class:`LoadedText` -> normalize -> :class:`NormalizedText`
structure -> :class:`Section`, :class:`Sentence` -> :class:`Report`

Later stages (tagging, scoring) never mutate these; they return their own results keyed by
``Sentence.idx`` / ``Report.doc_id``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

# Canonical parts of a 政府信息公开工作年度报告 and of a 政府工作报告.
DISCLOSURE_PARTS = ("总体情况", "主动公开", "依申请公开", "复议诉讼", "问题与改进", "其他事项")
WORK_REPORT_PARTS = ("回顾", "问题与不足", "部署")
CRITIQUE_PARTS = ("问题与改进", "问题与不足")

DOC_TYPES = ("disclosure_annual_report", "government_work_report", "other")
LEVELS = ("national", "province", "city", "county", "town", "department")


@dataclass(frozen=True, slots=True)
class LoadedText:
    """Text extracted from one file, before normalization.

    ``text`` is the *original text* every stand-off offset refers to: the decoded file for
    .txt, the extracted paragraphs/table rows for docx, html and pdf.
    """

    path: Path | None
    text: str
    format: str  # txt / docx / pdf / html / string
    encoding: str | None
    sha256: str  # of the file bytes (of the UTF-8 text for strings)
    n_bytes: int


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets in normalized text back to the original text.

    Stored as sorted anchor pairs: for normalized offset ``n`` with the greatest anchor
    ``a <= n``, original = ``orig[a] + (n - norm[a])`` (identity runs between edits).
    """

    norm: tuple[int, ...]
    orig: tuple[int, ...]
    norm_len: int
    orig_len: int

    @classmethod
    def identity(cls, n: int) -> OffsetMap:
        return cls((0,), (0,), n, n)

    def to_original(self, n: int) -> int:
        """Original offset of normalized offset ``n`` (0 <= n <= norm_len)."""
        if n <= 0:
            return 0
        if n >= self.norm_len:
            return self.orig_len
        i = bisect.bisect_right(self.norm, n) - 1
        pos = self.orig[i] + (n - self.norm[i])
        # an anchor run never extends past the next anchor's original start
        if i + 1 < len(self.orig):
            pos = min(pos, self.orig[i + 1])
        return min(pos, self.orig_len)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original span covering normalized ``[start, end)``."""
        s = self.to_original(start)
        if end <= start:
            return s, s
        e = self.to_original(end - 1) + 1
        return s, max(s, min(e, self.orig_len))


@dataclass(frozen=True, slots=True)
class NormalizedText:
    text: str
    offsets: OffsetMap
    traditional: bool = False  # converted from traditional characters
    steps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None
    agency: str | None
    year: int | None
    level: str | None
    doc_type: str
    template: str | None = None  # pre-2019 / 2019 / 2021 for disclosure reports
    evidence: dict[str, str] = field(default_factory=dict)  # field -> why


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the text it governs, offsets into normalized text.

    ``canonical`` is one of DISCLOSURE_PARTS / WORK_REPORT_PARTS, or None.
    ``path`` lists the titles from the root, e.g. ("五、存在的主要问题及改进情况", "（二）改进措施").
    """

    idx: int
    title: str
    marker: str | None  # 一、 （一） 1. ① 第一 … ; None for synthetic sections
    level: int  # 1 = top
    start: int  # heading start
    body_start: int
    end: int
    parent: int | None
    canonical: str | None = None
    synthetic: bool = False  # not a heading in the text (e.g. a work report's self-critique passage)
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence unit: offsets in normalized (start/end) and original (orig_*) text."""

    idx: int
    text: str
    start: int
    end: int
    orig_start: int
    orig_end: int
    section: int | None  # Section.idx of the innermost section
    section_path: tuple[str, ...]
    canonical_section: str | None
    marker: str | None  # enumeration marker: 一是 / （一） / 1. / ①
    kind: str  # heading / item / sentence
    in_self_critique: bool


@dataclass(frozen=True, slots=True)
class Report:
    doc_id: str
    source: LoadedText
    normalized: NormalizedText
    metadata: Metadata
    sections: tuple[Section, ...]
    sentences: tuple[Sentence, ...]
    self_critique_idx: int | None = None
    self_critique_reason: str = ""

    @property
    def text(self) -> str:
        return self.normalized.text

    @property
    def original_text(self) -> str:
        return self.source.text

    @property
    def sha256(self) -> str:
        return self.source.sha256

    @property
    def self_critique(self) -> Section | None:
        """The self-critique section (五、存在的主要问题… or a work report's 不足 passage)."""
        if self.self_critique_idx is None:
            return None
        return self.sections[self.self_critique_idx]

    def section_text(self, section: Section) -> str:
        return self.text[section.start : section.end]
