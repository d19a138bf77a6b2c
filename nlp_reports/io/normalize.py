"""Offset-preserving normalization of report text.

Each step is a small pure function ``str -> list[Edit]`` (or a length-preserving translation),
so every normalized offset maps back into the original text: stand-off annotations are made
against the *original* text and survive any change of these rules.

>>> n = normalize("[bookmark: _GoBack]政 府信息公开工作２０２０年。")
>>> n.text
'政府信息公开工作2020年。'
>>> n.offsets.to_original(n.text.index("2020"))
28
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from nlp_reports.types import NormalizedText, OffsetMap


class Edit(NamedTuple):
    start: int
    end: int
    replacement: str


HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE = " \t\u3000\xa0\u2002\u2003\u2009"

# Full-width digits and Latin letters to half-width (length-preserving). Punctuation stays
# full-width: it carries sentence boundaries (。；：) in Chinese text.
_FULLWIDTH = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
    0xFF0E: 0x2E,  # ． inside numbers such as ９６．０２
    0xFF05: 0x25,  # ％
    0x0C: 0x0A,  # form feed (pdf page break) -> line break
    0x0B: 0x0A,
}
# The characters above in runs: str.translate with a dict looks up every character of a text
# that is mostly Han (~1 ms a report); translating only the runs gives the same text.
_FULLWIDTH_RUN = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(_FULLWIDTH)) + "]+")

# Characters that close a sentence or a line of its own: a line ending in one of them is not
# continued on the next line.
_CLOSERS = "。！？；：:;!?…”’」』）)】>》"
HEADING_START = re.compile(
    r"^[ \t\u3000]*(?:"
    r"[一二三四五六七八九十]{1,3}[、．.]"  # 一、
    r"|[（(][一二三四五六七八九十]{1,3}[）)]"  # （一）
    r"|\d{1,2}(?:[、．.](?!\d)|[）)])"  # 1、 1. 1）
    r"|[（(]\d{1,2}[）)]"  # （1）
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十]{1,3}[，、章部分节条]"
    r"|[一二三四五六七八九十]是"
    r"|附件|附表"
    r")"
)
_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]{0,80}\]")
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]+")
_PAGE_NUMBER_LINE = re.compile(
    r"(?m)^[ \t\u3000]*(?:[-—–－]{1,2}[ \t\u3000]*\d{1,4}[ \t\u3000]*[-—–－]{1,2}|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?)[ \t\u3000]*\n?"
)
_CR = re.compile(r"\r\n?")
_SPACES_BETWEEN_HAN = re.compile(rf"(?<=[{HAN}，。、；：“”（）])[{_SPACE}]+(?=[{HAN}“（])")
_HAN_RE = re.compile(f"[{HAN}]")
_BARE_MARKER = re.compile(r"(?:^|[\s。；：])(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)$", re.M)

# Lines longer than this are web-page one-liners or paragraphs where a space separates
# blocks (heading and body, menu items) rather than splitting a word.
LONG_LINE = 200


def _regex_edits(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Callable[[str], list[Edit]]:
    def step(text: str) -> list[Edit]:
        out = []
        for m in pattern.finditer(text):
            r = repl(m) if callable(repl) else repl
            if m.group(0) != r:
                out.append(Edit(m.start(), m.end(), r))
        return out

    return step


def line_feeds(text: str) -> list[Edit]:
    """\\r\\n and \\r to \\n."""
    return _regex_edits(_CR, "\n")(text)


def word_artefacts(text: str) -> list[Edit]:
    """Word bookmarks such as "[bookmark: _GoBack]" and zero-width characters."""
    # substring tests are memchr-fast; most texts have neither and skip both regex scans
    edits = _regex_edits(_BOOKMARK, "")(text) if "[bookmark:" in text else []
    if any(c in text for c in _ZERO_WIDTH_CHARS):
        edits += _regex_edits(_ZERO_WIDTH, "")(text)
    return edits


def page_numbers(text: str) -> list[Edit]:
    """Lines holding only a page number ("-4-", "— 4 —", "第4页").

    >>> page_numbers("结束。\\n- 4 -\\n下一页")
    [Edit(start=4, end=10, replacement='')]
    """
    return _regex_edits(_PAGE_NUMBER_LINE, "")(text)


def _is_heading_like(line: str, fresh: bool) -> bool:
    s = line.strip(_SPACE)
    if not s:
        return True
    if HEADING_START.match(s):
        return True
    # a short line that starts afresh and has no comma is a title, heading or page furniture
    return fresh and len(s) < 25 and "，" not in s and "," not in s


def broken_lines(text: str) -> list[Edit]:
    """Join lines broken in the middle of a sentence (PDF and web conversions).

    A line is continued when it does not end in closing punctuation, is not heading-like,
    and the next line does not start a heading or enumeration. A long open line also continues
    across blank lines (a PDF page break that fell mid-sentence).

    >>> broken_lines("我们第一届全国人民代表大会第一次会议，在听了刘少奇同志\\n关于宪法草案的报告\\n，完成了工作。")
    [Edit(start=27, end=28, replacement=''), Edit(start=37, end=38, replacement='')]
    >>> broken_lines("认真实施《\\n计划生育工作纲要\\n》，把重点放在农村。")
    [Edit(start=5, end=6, replacement=''), Edit(start=14, end=15, replacement='')]
    """
    edits: list[Edit] = []
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    fresh = True  # the current line starts a new unit
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        s = line.rstrip(_SPACE)
        j = i + 1
        if len(s) >= 20:
            while j < len(lines) - 1 and not lines[j].strip(_SPACE) and j - i <= 3:
                j += 1
        nxt = lines[j]
        n = nxt.lstrip(_SPACE)
        # a title set on a line of its own between 《 and 》 (web conversions of work reports)
        in_title = bool(s) and bool(n) and (s[-1] == "《" or n[0] == "》")
        join = (
            bool(s)
            and bool(n)
            and (in_title or (
                s[-1] not in _CLOSERS
                and not _is_heading_like(line, fresh)
                and not HEADING_START.match(n)
                and (_HAN_RE.match(n[0]) is not None or n[0] in "“（《0123456789，、。；：）”")
            ))
            and "\t" not in line
            and "\t" not in nxt
        )
        if join:
            # drop trailing/leading spaces (and blank lines) around the break as well
            edits.append(Edit(starts[i] + len(s), starts[j] + (len(nxt) - len(n)), ""))
            fresh = False
            i = j
        else:
            fresh = True
            i += 1
    return edits


def stray_spaces(text: str) -> list[Edit]:
    """Spaces between Chinese characters.

    Inside ordinary lines they are conversion debris ("政 府 信 息" -> "政府信息") and go; in very
    long lines (one-line web pages) they separate blocks and become line breaks.

    A space before a heading marker mid-line is not made a line break: the check for one
    (``HEADING_START.match(line, pos)``, anchored with ``^`` and so never matching at pos > 0)
    was dead, and was dropped rather than fixed to keep normalized texts unchanged.
    """
    edits: list[Edit] = []
    # one scan of the whole text (the pattern cannot match a line break); the line of a match
    # is looked up only when a match falls past the current one
    line_start, line_end = 0, -1
    for m in _SPACES_BETWEEN_HAN.finditer(text):
        a, b = m.span()
        if a > line_end:
            line_start = text.rfind("\n", 0, a) + 1
            line_end = text.find("\n", b)
            if line_end < 0:
                line_end = len(text)
        long_line = line_end - line_start > LONG_LINE
        # "（一） 公开形式": a space right after a bare marker belongs to the heading
        # bounded look-back: a marker is a few characters long (keeps this linear)
        window = text[line_start:a] if a - line_start <= 8 else "\n" + text[a - 7 : a]
        after_marker = _BARE_MARKER.search(window) is not None
        sep = long_line and not after_marker
        edits.append(Edit(a, b, "\n" if sep else ""))
    return edits


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _code_points(s: str) -> np.ndarray:
    # surrogatepass: a lone surrogate (undecodable input) is a code point like any other here
    return np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _count_han(cp: np.ndarray) -> int:
    """Characters in ``HAN`` (the ranges of ``_HAN_RE``), counted on code points."""
    return int(np.count_nonzero(
        ((cp >= 0x3400) & (cp <= 0x4DBF)) | ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0xF900) & (cp <= 0xFAFF))
    ))


def looks_traditional(text: str, sample: int = 20000) -> bool:
    """True when a noticeable share of Han characters change under traditional->simplified."""
    s = text[:sample]
    cp = _code_points(s)
    # counted on arrays: a findall and a zip over the sample cost ~1 ms a report
    han = _count_han(cp)
    if han < 20:
        return False
    conv = _code_points(_t2s().convert(s))
    k = min(len(cp), len(conv))  # zip() semantics: compare the common prefix
    changed = int(np.count_nonzero(cp[:k] != conv[:k]))
    return changed / han > 0.04


def to_simplified(text: str) -> tuple[str, np.ndarray | None]:
    """Traditional to simplified; returns the text and, if lengths differ, a per-char map."""
    conv = _t2s()
    out = conv.convert(text)
    if len(out) == len(text):
        return out, None
    # OpenCC phrase rules changed a length: convert line by line and map each line's chars
    # proportionally (rare; keeps offsets inside the right line).
    parts, idx, pos = [], [], 0
    for line in text.split("\n"):
        c = conv.convert(line)
        parts.append(c)
        if len(c) == len(line):
            idx.append(np.arange(pos, pos + len(c), dtype=np.int64))
        else:
            idx.append(pos + (np.arange(len(c)) * max(len(line), 1) // max(len(c), 1)).astype(np.int64))
        idx.append(np.array([pos + len(line)], dtype=np.int64))  # the newline
        pos += len(line) + 1
    return "\n".join(parts), np.concatenate(idx)[:-1]


def apply_edits(text: str, edits: Iterable[Edit], index: np.ndarray) -> tuple[str, np.ndarray]:
    """Apply non-overlapping edits; ``index`` maps current chars to original offsets."""
    out: list[str] = []
    maps: list[np.ndarray] = []
    pos = 0
    for e in sorted(edits):
        if e.start < pos:  # overlapping edit: the earlier one wins
            continue
        out.append(text[pos : e.start])
        maps.append(index[pos : e.start])
        if e.replacement:
            out.append(e.replacement)
            anchor = index[e.start] if e.start < len(index) else (index[-1] + 1 if len(index) else 0)
            maps.append(np.full(len(e.replacement), anchor, dtype=np.int64))
        pos = e.end
    out.append(text[pos:])
    maps.append(index[pos:])
    return "".join(out), (np.concatenate(maps) if maps else index[:0])


def _compress(index: np.ndarray, orig_len: int) -> OffsetMap:
    n = len(index)
    if n == 0:
        return OffsetMap((0,), (0,), 0, orig_len)
    brk = np.flatnonzero(np.diff(index) != 1) + 1
    starts = np.concatenate(([0], brk))
    return OffsetMap(tuple(int(x) for x in starts), tuple(int(index[x]) for x in starts), n, orig_len)


def _halfwidth(m: re.Match[str]) -> str:
    return m.group(0).translate(_FULLWIDTH)


Step = Callable[[str], list[Edit]]
DEFAULT_STEPS: tuple[tuple[str, Step], ...] = (
    ("line_feeds", line_feeds),
    ("word_artefacts", word_artefacts),
    ("page_numbers", page_numbers),
    ("broken_lines", broken_lines),
    ("stray_spaces", stray_spaces),
)


def normalize(text: str, *, simplify: bool | None = None, steps=DEFAULT_STEPS) -> NormalizedText:
    """Normalize ``text``, keeping a map from every normalized offset to the original.

    ``simplify``: convert traditional to simplified characters; None = when the text looks
    traditional (the national reports of the 1950s–1980s are).
    """
    index = np.arange(len(text), dtype=np.int64)
    cur = _FULLWIDTH_RUN.sub(_halfwidth, text)
    done = ["fullwidth"]
    traditional = looks_traditional(cur) if simplify is None else simplify
    if traditional:
        cur, m = to_simplified(cur)
        if m is not None:
            index = index[m]
        done.append("t2s")
    for name, step in steps:
        edits = step(cur)
        if edits:
            cur, index = apply_edits(cur, edits, index)
            done.append(name)
    return NormalizedText(cur, _compress(index, len(text)), traditional, tuple(done))
