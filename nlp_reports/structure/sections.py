"""Headings into a section tree; canonical parts; the self-critique section.

>>> secs, crit, why = build_sections("标题\\n一、总体情况\\n正文。\\n五、存在的主要问题及改进情况\\n问题有待加强。\\n",
...                                  "disclosure_annual_report")
>>> [(s.title, s.canonical) for s in secs]
[('一、总体情况', '总体情况'), ('五、存在的主要问题及改进情况', '问题与改进')]
>>> secs[crit].title
'五、存在的主要问题及改进情况'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nlp_reports.structure.patterns import (
    ADMISSION,
    ADMISSION_TURN,
    ANY_MARKER,
    BARE_ENUM_MARKER,
    CLOSER_INSIDE,
    CRITIQUE_CLOSER,
    CRITIQUE_CONTINUE,
    CRITIQUE_OPENERS,
    DISCLOSURE_HEADINGS,
    ENUM_ANYWHERE,
    ENUM_ITEM,
    INLINE_CANONICAL,
    MARKER_RE,
    MISSED_TARGET,
    ORDINALS,
    TERMINATORS,
    WORK_PLAN,
    WORK_REVIEW,
)
from nlp_reports.structure.regions import in_regions, is_part_heading, table_regions
from nlp_reports.types import Section

MAX_HEADING_CHARS = 60


@dataclass(frozen=True, slots=True)
class Heading:
    start: int
    end: int  # end of the heading text (body starts after it)
    marker: str | None
    mtype: str
    title: str


def _marker_of(line: str) -> tuple[str, str] | None:
    # ANY_MARKER is the union of the markers: one match rules out most lines for all of them
    if ANY_MARKER.match(line) is None:
        return None
    for mtype, rx in MARKER_RE.items():
        m = rx.match(line)
        if m:
            return mtype, m.group(1)
    return None


def _is_heading_line(line: str, mtype: str) -> bool:
    s = line.strip()
    if mtype == "annex":
        return len(s) <= MAX_HEADING_CHARS
    if len(s) > MAX_HEADING_CHARS:
        return False
    # a heading has no sentence terminator inside, at most one at its very end
    inner = s[:-1]
    if any(ch in inner for ch in TERMINATORS):
        return False
    if "\t" in s or re.search(r"\d\s+\d|\d{5,}", s):
        return False  # a table row, not a heading
    return True


def find_headings(text: str) -> list[Heading]:
    """Line headings ("一、总体情况", "（二）改进措施", "1.加强培训", "附件2：") and canonical
    headings standing inline in one-line web text; table stubs are not headings."""
    out: list[Heading] = []
    pos = 0
    regions = table_regions(text)
    for line in text.split("\n"):
        in_table = in_regions(pos, regions) and not is_part_heading(line)
        # a tab marks a table cell or row: its stub labels (（一）予以公开) are not headings
        mk = _marker_of(line) if "\t" not in line and not in_table else None
        line_head = mk is not None and _is_heading_line(line, mk[0])
        if line_head:
            lead = len(line) - len(line.lstrip(" \t\u3000"))
            out.append(Heading(pos + lead, pos + len(line.rstrip()), mk[1], mk[0], line.strip()))
        if not line_head or len(line) > MAX_HEADING_CHARS:
            for m in INLINE_CANONICAL.finditer(line):
                # inside a table only the report's own parts count ("…总计0 0五、存在的主要问题…")
                if in_table and not re.match(r"[二三四五六]、", m.group(1)):
                    continue
                if in_table and re.search(r"数量|情况$", m.group(1)) and "问题" not in m.group(1):
                    continue
                if m.start(1) > len(line) - len(line.lstrip(" \t\u3000")):
                    out.append(Heading(pos + m.start(1), pos + m.end(1), m.group(1)[:2], "cn", m.group(1)))
        pos += len(line) + 1
    return out


def canonical_disclosure(title: str) -> str | None:
    t = re.sub(r"\s+", "", title)
    for name, rx in DISCLOSURE_HEADINGS:
        if rx.search(t):
            return name
    return None


def _tree(text: str, heads: list[Heading]) -> list[Section]:
    """Nest headings by marker type in order of appearance (the Word-outline convention)."""
    secs: list[Section] = []
    stack: list[tuple[str, int]] = []  # (mtype, section idx)
    for h in heads:
        if h.mtype == "annex":
            stack = []
        else:
            types = [t for t, _ in stack]
            if h.mtype in types:
                stack = stack[: types.index(h.mtype)]
        parent = stack[-1][1] if stack else None
        idx = len(secs)
        path = (secs[parent].path if parent is not None else ()) + (h.title,)
        body = h.end
        while body < len(text) and text[body] in " \t\u3000\n":
            body += 1
        secs.append(Section(idx, h.title, h.marker, len(stack) + 1, h.start, body, len(text), parent, path=path))
        stack.append((h.mtype, idx))
    # a section ends where the next heading at the same or a higher level starts
    for i, s in enumerate(secs):
        end = len(text)
        for t in secs[i + 1 :]:
            if t.level <= s.level:
                end = t.start
                break
        secs[i] = replace(s, end=end)
    return secs


def _assign_disclosure(secs: list[Section]) -> list[Section]:
    out = []
    for s in secs:
        canon = None
        if s.parent is None or out[s.parent].canonical is None:
            canon = canonical_disclosure(s.title)
            # a 问题与改进 heading such as "（一）存在的问题" below another canonical part stays a child
        if canon is None and s.parent is not None:
            canon = out[s.parent].canonical
        out.append(replace(s, canonical=canon))
    return out


def _disclosure_critique(text: str, secs: list[Section]) -> tuple[int | None, str, list[Section]]:
    tops = [s for s in secs if s.canonical == "问题与改进" and (s.parent is None or secs[s.parent].canonical != "问题与改进")]
    if tops:
        return tops[0].idx, "heading: " + tops[0].title, secs
    # heading lost (PDF extraction, web one-liners): start at the hedge that opens the part
    m = re.search(r"[^。\n]{0,40}(存在(?:着)?(?:一些|以下|的)?(?:问题|不足)|不足之处|有待(?:加强|提高|完善))", text)
    if not m:
        return None, "no 存在的主要问题及改进情况 heading and no problem statement found", secs
    start = m.start()
    nxt = [s.start for s in secs if s.start > start and s.canonical in ("其他事项", "主动公开", "依申请公开", "复议诉讼")]
    annex = re.search(r"\n\s*附(件|表)", text[start:])
    end = min([*nxt, start + annex.start() if annex else len(text), len(text)])
    syn = Section(len(secs), "存在的主要问题及改进情况", None, 1, start, start, end, None, "问题与改进", True,
                  ("存在的主要问题及改进情况",))
    return syn.idx, "no heading; passage found by its problem statement", [*secs, syn]


def _paragraphs(text: str, start: int, limit: int) -> list[tuple[int, int]]:
    out, pos = [], start
    while pos < limit:
        nl = text.find("\n", pos)
        end = limit if nl == -1 or nl > limit else nl
        if text[pos:end].strip():
            out.append((pos, end))
        pos = end + 1
    return out


def _join_bare_markers(text: str, paras: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a paragraph that is only an item marker (a line 「二是」) with the paragraph it opens:
    older reports set the marker on a line of its own, and the item is the two together."""
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(paras):
        a, b = paras[k]
        if k + 1 < len(paras) and BARE_ENUM_MARKER.fullmatch(text[a:b].strip()):
            b = paras[k + 1][1]
            k += 1
        out.append((a, b))
        k += 1
    return out


def _last_ordinal(s: str) -> int:
    """Index of the last 一是/二是 … item opened in ``s`` (一 -> 0), -1 when none."""
    found = ENUM_ANYWHERE.findall(s)
    return ORDINALS.index(found[-1]) if found else -1


def _admission_before(text: str, start: int, secs: list[Section]) -> int:
    """Move ``start`` back over the sentences just before it that already admit: a missed own target
    (…指标未能如期完成。我们清醒认识到…, also at the end of the previous paragraph), or, in the same
    paragraph, an own shortcoming (…估计不足，…不够稳妥。) and the turn that opens the admission
    (但是，…问题还有许多没有解决。), where it stops."""
    admitted = False
    for _ in range(3):
        i = start
        while i > 0 and text[i - 1] in " \t\u3000\n":
            i -= 1
        if i == 0 or text[i - 1] not in "。！？":
            return start
        same_para = "\n" not in text[i:start]
        prev = max(text.rfind(ch, 0, i - 1) for ch in "。！？\n") + 1
        if any(prev <= s.start < start for s in secs):
            return start
        sentence = text[prev:i].strip()
        turn = same_para and bool(ADMISSION_TURN.match(sentence)) and bool(
            admitted or CRITIQUE_CONTINUE.search(sentence) or ADMISSION.search(sentence))
        if not (turn or MISSED_TARGET.search(sentence) or (same_para and ADMISSION.search(sentence))):
            return start
        while prev < i and text[prev] in " \t\u3000\n":
            prev += 1
        start, admitted = prev, True
        if turn:
            return start
    return start


def _work_critique(text: str, secs: list[Section]) -> tuple[int | None, str, list[Section]]:
    skip = int(len(text) * 0.03)
    m = None
    for cand in CRITIQUE_OPENERS.finditer(text, skip):
        m = cand
        break
    if m is None:
        return None, "no self-critique opener (我们也清醒看到 / 在肯定成绩的同时 …) found", secs
    # the passage starts at the sentence (or line) holding the opener
    line_start = text.rfind("\n", 0, m.start()) + 1
    sent = max(text.rfind(ch, line_start, m.start()) for ch in "。！？")
    start = sent + 1 if sent >= line_start else line_start
    while start < m.start() and text[start] in " \t\u3000\n":
        start += 1
    start = _admission_before(text, start, secs)
    heads_after = [s.start for s in secs if s.start > m.start()]
    limit = min(heads_after) if heads_after else len(text)
    paras = _join_bare_markers(text, _paragraphs(text, line_start, limit))
    end = paras[0][1] if paras else limit
    last = _last_ordinal(text[start:end])
    dashed = bool(paras) and text[paras[0][0]:paras[0][1]].lstrip().startswith("——")
    plain = 0  # paragraphs that are not items of the passage's enumeration
    for a, b in paras[1:12]:
        para = text[a:b].strip()
        item = ENUM_ITEM.match(para)
        if item and ORDINALS.index(item.group(1) or item.group(2)) == last + 1:
            # the next item of the passage's own enumeration (一是 … 二是 …), however long
            end, last = b, max(last + 1, _last_ordinal(para))
            continue
        if dashed and para.startswith("——"):
            end = b  # the next item of a list of "——" headed paragraphs
            continue
        plain += 1
        if plain > 3:
            break
        if CRITIQUE_CLOSER.match(para) and len(para) < 300:
            end = b  # "我们一定直面问题…" closes the passage
            break
        if len(CRITIQUE_CONTINUE.findall(para)) >= 2 and not WORK_PLAN.match(para):
            close = CLOSER_INSIDE.search(text, a, b)
            if close and close.end() < b and text[close.end():b].strip():
                end = close.end()
                break
            end = b
            dashed = dashed or para.startswith("——")
        else:
            break
    parent = None
    for s in secs:
        if s.start <= start < s.end and s.level == 1:
            parent = s.idx
    path = ((secs[parent].path if parent is not None else ()) + ("问题与不足",))
    syn = Section(len(secs), "问题与不足", None, 2 if parent is not None else 1, start, start, end, parent,
                  "问题与不足", True, path)
    return syn.idx, "passage opening: " + m.group(0), [*secs, syn]


def _assign_work(secs: list[Section]) -> list[Section]:
    out: list[Section] = []
    seen_plan = False
    for s in secs:
        canon = out[s.parent].canonical if s.parent is not None and s.parent < len(out) else None
        if s.level == 1 and not s.synthetic:
            plan, review = WORK_PLAN.search(s.title), WORK_REVIEW.search(s.title)
            if plan and not review:
                canon, seen_plan = "部署", True
            elif plan and review and not seen_plan:
                # a heading naming the past five years' results and the next five years' goals: the part opens with the review;
                # the parts after it are the plan
                canon, seen_plan = "回顾", True
            elif review and not seen_plan:
                canon = "回顾"
            else:
                canon = "部署" if seen_plan else None
        out.append(replace(s, canonical=canon if not s.synthetic else s.canonical))
    return out


def build_sections(text: str, doc_type: str) -> tuple[tuple[Section, ...], int | None, str]:
    """Section tree of ``text`` and the index of its self-critique section (or None, reason)."""
    secs = _tree(text, find_headings(text))
    if doc_type == "disclosure_annual_report":
        secs = _assign_disclosure(secs)
        crit, why, secs = _disclosure_critique(text, secs)
    elif doc_type == "government_work_report":
        crit, why, secs = _work_critique(text, secs)
        secs = _assign_work(secs)
    else:
        secs = _assign_disclosure(secs)
        crit, why, secs = _disclosure_critique(text, secs)
        if crit is None or secs[crit].synthetic:
            crit, why = None, "not a disclosure or work report; no 存在的主要问题 heading"
            secs = [s for s in secs if not s.synthetic]
    return tuple(secs), crit, why
