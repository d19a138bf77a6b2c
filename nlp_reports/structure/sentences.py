"""Sentence units.

A unit is text ending in 。！？ or ；, or a line that stands alone (a heading, a list item
without final punctuation). An enumerated item (一是… / （一）… / 1.…) starts a unit of its
own. Table cells, table rows and lone numbers are not units.

>>> [u[2] for u in split_line("但也还存在一些不足,一是渠道有限。二是培训有待加强;三是水平仍需提升。", 0)]
['但也还存在一些不足,', '一是渠道有限。', '二是培训有待加强;', '三是水平仍需提升。']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from nlp_reports.structure.patterns import CLOSING_QUOTES, ITEM_MARKER, TABLE_WORDS, TERMINATORS
from nlp_reports.structure.regions import in_regions, table_regions
from nlp_reports.types import OffsetMap, Section, Sentence

MAX_UNIT_CHARS = 600
_BLANK = " \t\u3000"  # trimmed from both ends of a unit
_HAN = re.compile(r"[\u3400-\u9fff]")
_TERM = re.compile(f"[{re.escape(TERMINATORS)}][{re.escape(CLOSING_QUOTES)}]*")
# Cut before an enumerated item (一是 / 其一是 / （一） / ① / 1.) that follows punctuation or a
# space, and before a circled number that follows a Han character. Each pattern consumes the
# character on one side of the cut: a leading character class lets the regex engine skip ahead
# by that class, where a leading look-behind is tried at every position (twice the time).
_ITEM_AFTER_PUNCT = re.compile(
    r"[，,：:；;。！？\s](?=[一二三四五六七八九十]是|其[一二三四五六七八九十]是|[（(][一二三四五六七八九十]{1,3}[）)]|[①-⑳])"
    r"|[：:；;。！？\s](?=\d{1,2}[、．](?!\d))"
)
_CIRCLED_AFTER_HAN = re.compile(r"[①-⑳](?<=[\u4e00-\u9fff].)")
_DIGITS = re.compile(r"[\d.%,，]")


def _pieces(line: str) -> list[int]:
    """Cut points inside one line (exclusive of 0 and len)."""
    cuts = {m.end() for m in _TERM.finditer(line)}
    cuts.update(m.end() for m in _ITEM_AFTER_PUNCT.finditer(line))
    cuts.update(m.start() for m in _CIRCLED_AFTER_HAN.finditer(line))
    return sorted(c for c in cuts if 0 < c < len(line))


def _cap(a: int, b: int, line: str) -> Iterator[tuple[int, int]]:
    """Cut an over-long unit at commas (or hard) so every later step stays linear."""
    while b - a > MAX_UNIT_CHARS:
        window = line[a + MAX_UNIT_CHARS // 2 : a + MAX_UNIT_CHARS]
        k = max(window.rfind("，"), window.rfind(","))
        cut = a + MAX_UNIT_CHARS // 2 + k + 1 if k >= 0 else a + MAX_UNIT_CHARS
        yield a, cut
        a = cut
    yield a, b


def split_line(line: str, offset: int) -> list[tuple[int, int, str]]:
    """Units of one line as (start, end, text), offsets shifted by ``offset``; spaces trimmed."""
    out = []
    bounds = [0, *_pieces(line), len(line)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        # the generator only for the rare over-long piece
        for x, y in _cap(a, b, line) if b - a > MAX_UNIT_CHARS else ((a, b),):
            seg = line[x:y]
            t = seg.strip(_BLANK)
            if t:
                first = offset + x + len(seg) - len(seg.lstrip(_BLANK))
                out.append((first, first + len(t), t))
    return out


def is_table_like(text: str) -> bool:
    """Table rows, runs of cells and lone numbers are not sentence units."""
    if not _HAN.search(text):
        return True
    if len(TABLE_WORDS.findall(text)) >= 3:
        return True
    digits = len(_DIGITS.findall(text))
    return digits >= 6 and digits / max(len(text), 1) > 0.35


def _marker(text: str) -> str | None:
    m = ITEM_MARKER.match(text)
    return m.group(0) if m else None


def _innermost(sections: Sequence[Section], pos: int) -> Section | None:
    best = None
    for s in sections:
        if s.start <= pos < s.end and (best is None or s.level > best.level or (s.synthetic and s.level >= best.level)):
            best = s
    return best


class _SectionIndex:
    """:func:`_innermost` per position, computed once per stretch between section boundaries
    (the answer only changes there; a report has a few dozen sections and hundreds of units)."""

    def __init__(self, sections: Sequence[Section]) -> None:
        self._sections = sections
        self._bounds = sorted({p for s in sections for p in (s.start, s.end)})
        self._memo: dict[int, Section | None] = {}

    def innermost(self, pos: int) -> Section | None:
        k = bisect.bisect_right(self._bounds, pos)
        if k not in self._memo:
            self._memo[k] = _innermost(self._sections, pos)
        return self._memo[k]


def split_units(
    text: str,
    sections: Sequence[Section],
    offsets: OffsetMap,
    critique: Section | None = None,
    doc_type: str = "other",
) -> tuple[Sentence, ...]:
    """All sentence units of a normalized report text, with section context and offsets."""
    heading_at = {s.start: s for s in sections if not s.synthetic}
    # headings by start (stable: ties keep section order), found per line by bisection
    headings = sorted((s for s in sections if not s.synthetic), key=lambda s: s.start)
    heading_starts = [h.start for h in headings]
    regions = table_regions(text)
    raw: list[tuple[int, int, str, str]] = []
    pos = 0
    in_table = False  # the previous non-empty line was a tab-separated table row
    for line in text.split("\n"):
        if not line.strip():
            pos += len(line) + 1
            continue
        end = pos + len(line)
        lo, hi = bisect.bisect_left(heading_starts, pos), bisect.bisect_left(heading_starts, end)
        inline = headings[lo:hi]  # headings starting on this line
        first_after = bisect.bisect_right(heading_starts, pos)  # the first starting after its first char
        table_line = (in_regions(pos, regions) and pos not in heading_at) or "\t" in line or (
            in_table and len(line.strip()) <= 12)
        if table_line and first_after >= hi:
            # a table row, or the wrapped rest of a table cell ("商业\n企业")
            in_table = True
            pos = end + 1
            continue
        in_table = False
        start = pos
        if table_line:
            # a one-line web page: the table runs into the next part's heading ("…总计0 0五、存在的…")
            start = heading_starts[first_after]
        for h in inline:
            head_end = min(h.body_start, end)
            # text before an inline heading, then the heading itself
            for a, b, t in split_line(text[start : h.start], start):
                raw.append((a, b, t, "sentence"))
            ht = text[h.start : head_end].strip()
            if ht:
                raw.append((h.start, h.start + len(text[h.start : head_end].rstrip()), ht, "heading"))
            start = max(start, head_end)
        for a, b, t in split_line(text[start:end], start):
            raw.append((a, b, t, "heading" if a in heading_at else "sentence"))
        pos = end + 1

    out: list[Sentence] = []
    crit_span = (critique.start, critique.end) if critique is not None else (-1, -1)
    index = _SectionIndex(sections)
    for a, b, t, kind in raw:
        if kind != "heading" and is_table_like(t):
            continue
        sec = index.innermost(a)
        marker = _marker(t)
        if kind == "sentence" and marker:
            kind = "item"
        canon = sec.canonical if sec else None
        if canon is None and doc_type == "government_work_report" and critique is not None:
            canon = "回顾" if a < critique.start else "部署"
        oa, ob = offsets.span_to_original(a, b)
        out.append(
            Sentence(
                idx=len(out),
                text=t,
                start=a,
                end=b,
                orig_start=oa,
                orig_end=ob,
                section=sec.idx if sec else None,
                section_path=sec.path if sec else (),
                canonical_section=canon,
                marker=marker,
                kind=kind,
                in_self_critique=crit_span[0] <= a < crit_span[1],
            )
        )
    return tuple(out)
