"""Table regions: runs of lines that belong to a standard table (labels, cells, wrapped stubs).

Lines inside a region are neither headings nor sentence units (the stub 「一、本年新收政府信息公开申请
数量」 is a row label, not part 一 of the report), except the report's own part headings
(「三、收到和处理政府信息公开申请情况」), which stay headings.

>>> t = "正文。\\n信息内容\\n本年制发件数\\n规章\\n0\\n五、存在的主要问题及改进情况\\n问题很多，有待加强。\\n"
>>> [t[a:b] for a, b in table_regions(t)]
['信息内容\\n本年制发件数\\n规章\\n0\\n']
"""

from __future__ import annotations

import re

from nlp_reports.structure.patterns import TABLE_WORDS

_START = re.compile(
    r"第二十条第[（(][一五六八九][）)]项|信息内容|申请人情况|本列数据的勾稽关系|结果维持|指标名称|"
    r"本年新收政府信息公开申请数量|未经复议直接起诉"
)
_PROSE = re.compile(r"[。！？；]")
_PART_HEADING = re.compile(
    r"^\s*[一二三四五六七八九十]{1,2}、\s*(?:总体情况|概述|.{0,8}主动公开.{0,8}情况|收到和处理.{0,12}申请.{0,4}情况|"
    r".{0,14}行政复议.{0,16}情况|.{0,14}存在的?.{0,4}问题.{0,10}|其他需要报告的事项)\s*$"
)


def is_part_heading(line: str) -> bool:
    """A report part heading (一、总体情况 … 六、其他需要报告的事项), as opposed to a table stub."""
    return bool(_PART_HEADING.match(line)) and "数量" not in line


def _tableish(line: str) -> bool:
    s = line.strip()
    if not s:
        return True
    if "\t" in line or TABLE_WORDS.search(s) or (_START.search(s) and "。" not in s):
        return True
    if re.fullmatch(r"[\d\s.,，%％+\-—/]+", s):
        return True
    if len(s) <= 30 and not _PROSE.search(s[:-1] if s.endswith("。") else s):
        return True
    return False


def table_regions(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of table regions in ``text``."""
    out: list[tuple[int, int]] = []
    pos = 0
    start: int | None = None
    for line in text.splitlines(keepends=True):
        s = line.strip()
        if start is None:
            if s and len(s) <= 60 and _START.search(s) and "。" not in s:
                start = pos
        elif not _tableish(line) or (is_part_heading(s) and "问题" in s):
            out.append((start, pos))
            start = None
        pos += len(line)
    if start is not None:
        out.append((start, pos))
    return out


def in_regions(pos: int, regions: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in regions)
