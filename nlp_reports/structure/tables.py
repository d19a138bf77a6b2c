"""Parse the standard tables (表二/表三/表四) of a 政府信息公开工作年度报告, v2019 and v2021.

The layouts (row keys, stub labels, column keys) are data: ``table_layouts.json``.
Input forms handled: one cell per line, tab-separated rows (docx/html loaders), pipe rows
(``规章 | 13 | 13 | 524``), pdf text (cells separated by spaces or lines, labels sometimes
displaced) and web-page one-liners whose cells ran together (``规章007``).

Flattened digits are split only when the split is certain: one digit per cell, or a single
segmentation that is valid as numbers (no leading zeros: ``0000000`` is seven zeros). Otherwise
the row total (表三: 总计 = sum of six applicant cells; 表四: 总计 = sum of four results) and, if
needed, the column rules of 表三 must leave exactly one segmentation; the cells are then marked
``inferred``. Anything else is reported as ``unparseable: cells run together`` rather than guessed.

>>> ts = parse_tables("一、本年新收政府信息公开申请数量" + "150 000217")
>>> ts.version, ts.value("T3", "new", "np"), ts.value("T3", "new", "tot")
('2019', 15.0, 17.0)
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

CELL_COLUMNS = ("table", "row", "col", "value", "raw", "unit", "inferred", "defect")
STATUSES = ("parsed", "inferred", "unparseable", "absent")
DEFECT_MARKS = {"/": "/", "／": "/", "—": "—", "——": "—", "-": "—", "－": "—", "–": "—", "无": "无"}
MAX_SEGMENTATIONS = 200_000  # enumeration cap per row / joint search
_WS = "[\\s\u3000\xa0]*"


# ----------------------------------------------------------------------------- layouts (data)


@lru_cache(maxsize=1)
def layouts() -> dict[str, Any]:
    """The table layouts (``table_layouts.json``), loaded once."""
    return json.loads(
        resources.files("nlp_reports.structure").joinpath("table_layouts.json").read_text("utf-8")
    )


def t3_columns() -> tuple[str, ...]:
    return tuple(layouts()["columns"]["T3"])


def t4_columns() -> tuple[str, ...]:
    return tuple(layouts()["columns"]["T4"])


def t3_rows(version: str) -> tuple[str, ...]:
    return tuple(r["key"] for r in layouts()["versions"][version]["T3"])


def stub_label(row: dict[str, Any]) -> str:
    """The stub text as printed: label + optional note + tail (stored apart in the layout)."""
    return row["label"] + row.get("note", "") + row.get("tail", "")


def t2_rows(version: str) -> tuple[dict[str, Any], ...]:
    return tuple(layouts()["versions"][version]["T2"])


# ----------------------------------------------------------------------------- result type


@dataclass(frozen=True, eq=False)
class TableSet:
    """Parsed standard tables of one report.

    ``status[t]``: parsed (cells read with certainty), inferred (some cells recovered from
    flattened digits with the totals as constraints), unparseable (some rows could not be
    recovered: ``reasons[t]`` says which; the rows that could are still in ``cells``), absent.
    """

    version: str | None
    status: dict[str, str]
    reasons: dict[str, str]
    cells: pd.DataFrame
    _index: dict[tuple[str, str, str], float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self._index and len(self.cells):
            idx = {
                (t, r, c): float(v)
                for t, r, c, v in zip(
                    # lists: iterating the Arrow-backed columns boxes value by value
                    self.cells["table"].tolist(),
                    self.cells["row"].tolist(),
                    self.cells["col"].tolist(),
                    self.cells["value"].tolist(),
                    strict=True,
                )
            }
            object.__setattr__(self, "_index", idx)

    def value(self, table: str, row: str, col: str) -> float | None:
        """The cell's value; None when the cell is missing or blank."""
        v = self._index.get((table, row, col))
        return None if v is None or math.isnan(v) else v

    def has(self, table: str, row: str, col: str) -> bool:
        """True when the cell was read (even if blank)."""
        return (table, row, col) in self._index

    def defect(self, table: str, row: str, col: str) -> str | None:
        m = self.cells[
            (self.cells["table"] == table) & (self.cells["row"] == row) & (self.cells["col"] == col)
        ]
        return None if m.empty else m["defect"].iloc[0]


@dataclass(frozen=True)
class Cell:
    value: float
    raw: str
    unit: str | None = None
    defect: str | None = None


# ----------------------------------------------------------------------------- text helpers

_PAGE_LINE = re.compile(
    r"(?m)^[ \t\u3000]*(?:[-—–－]{1,2}[ \t\u3000]*\d{1,4}[ \t\u3000]*[-—–－]{1,2}|第\s*\d{1,4}\s*页)[ \t\u3000]*$"
)
_FULLWIDTH = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    0xFF0E: 0x2E,
    0xFF0D: 0x2D,
    0xFF0B: 0x2B,
    0x2212: 0x2D,
}
# runs of the characters above: translating only them gives the same text without a dict
# lookup per character of a mostly-Han report
_FULLWIDTH_RUN = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(_FULLWIDTH)) + "]+")
_UNIT = r"(?:万元|元|笔|件|条|个|项)"
# a value as written in a cell or a run of run-together cells: sign, digits, decimals, unit
_VALUE_RUN = re.compile(r"[+\-]?\d+(?:,\d{3})*(?:\.\d+)?(?:" + _UNIT + r")?")
_VALUE_CELL = re.compile(r"^\s*([+\-]?)\s*(\d+(?:,\d{3})*(?:\.\d+)?)\s*(" + _UNIT + r")?\s*$")


def _prep(text: str) -> str:
    """Same-length cleanup (full-width digits/minus, CR) and page-number lines blanked."""
    t = _FULLWIDTH_RUN.sub(lambda m: m.group(0).translate(_FULLWIDTH), text).replace("\r", "\n")
    return _PAGE_LINE.sub(lambda m: " " * len(m.group(0)), t)


def _loose(s: str) -> str:
    """Regex for ``s`` tolerant of whitespace between characters and of quote variants."""
    out = []
    for ch in s:
        if ch in '“”"':
            out.append('[“”"]?')
        elif ch in "（(":
            out.append("[（(]")
        elif ch in "）)":
            out.append("[）)]")
        elif ch in "、,，":
            out.append("[、,，]?")
        else:
            out.append(re.escape(ch))
    return _WS.join(out)


_MARKER = re.compile(r"^(\d{1,2})[.、．]|^[（(][一二三四五六七八九十][）)]|^[一二三四五六七八九十][、．]")


@lru_cache(maxsize=256)
def _label_re(label: str, tolerant: bool = False) -> re.Pattern[str]:
    """Pattern for a stub label. The marker (``1.``/``（一）``/``一、``) is optional unless the
    text after it is too short to be specific (``3.其他``); a parenthetical note is optional.

    ``tolerant``: match the first four characters and run on to the next digit or cell break,
    so that wording variants (「其他法律和行政法规…」「…不再受理其…」) still match."""
    m = _MARKER.match(label)
    marker, core = (label[: m.end()], label[m.end() :]) if m else ("", label)
    note = ""
    nm = re.search(r"（[^）]*）$", core)
    if nm and nm.start() > 0:
        note, core = core[nm.start() :], core[: nm.start()]
    if tolerant and len(core) > 4:
        core_re = _loose(core[:4]) + r"[^\d|\t\n]*"
    else:
        core_re = _loose(core) + (f"(?:{_WS}{_loose(note)})?" if note else "")
    if marker:
        if marker[0].isdigit():
            mk = re.escape(marker[:-1]) + f"{_WS}[.、．]{_WS}"
        else:
            mk = _loose(marker) + _WS
        if len(core) <= 2:
            return re.compile(mk + core_re)
        return re.compile(f"(?:{mk})?" + core_re)
    return re.compile(core_re)


def _find_label(text: str, label: str, start: int, end: int, tolerant: bool = False) -> re.Match[str] | None:
    return _label_re(label, tolerant).search(text, start, end)


# ----------------------------------------------------------------------------- cells


def _parse_cell(raw: str, default_unit: str | None) -> Cell | None:
    """A single cell's text -> Cell; None when it is not a value (e.g. a label)."""
    s = raw.strip(" \t\u3000\xa0\n")
    if s == "":
        return Cell(math.nan, "", default_unit, "blank")
    if s in DEFECT_MARKS:
        return Cell(math.nan, s, default_unit, DEFECT_MARKS[s])
    m = _VALUE_CELL.match(s)
    if not m:
        return None
    sign, num, unit = m.groups()
    v = float(num.replace(",", ""))
    return Cell(-v if sign == "-" else v, s, unit or default_unit)


_INT_PIECE = re.compile(r"0|[1-9]\d*")
_DEC_PIECE = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


def _valid_piece(p: str, decimal: bool) -> bool:
    return (_DEC_PIECE if decimal else _INT_PIECE).fullmatch(p) is not None


def _split_run(run: str, k: int, decimal_last: bool) -> list[list[str]]:
    """All splits of a digit run (no sign/unit) into k valid pieces, in order."""
    n = len(run)
    out: list[list[str]] = []

    def rec(pos: int, left: int, acc: list[str]) -> None:
        if len(out) > MAX_SEGMENTATIONS:
            return
        if left == 1:
            p = run[pos:]
            if p and _valid_piece(p, decimal_last):
                out.append([*acc, p])
            return
        for cut in range(pos + 1, n - left + 2):
            p = run[pos:cut]
            if "." in p:
                break  # a decimal point only in the run's last piece
            if not _valid_piece(p, False):
                if p.startswith("0"):
                    break  # a piece starting with 0 can only be "0"
                continue
            rec(cut, left - 1, [*acc, p])

    rec(0, k, [])
    return out


def _segmentations(
    runs: list[str], n: int, units: list[str | None], decimal: set[int], signed: set[int]
) -> list[list[Cell]]:
    """Ways to read run-together ``runs`` as exactly ``n`` cells (syntax only)."""
    parts: list[tuple[str, str, str | None]] = []  # (sign, digits, unit)
    for r in runs:
        m = re.fullmatch(r"([+\-]?)(\d+(?:\.\d+)?)(" + _UNIT + r")?", r.replace(",", ""))
        if not m:
            return []
        parts.append((m.group(1), m.group(2), m.group(3)))
    results: list[list[Cell]] = []

    def rec(i: int, col: int, acc: list[Cell]) -> None:
        if len(results) > MAX_SEGMENTATIONS:
            return
        if i == len(parts):
            if col == n:
                results.append(list(acc))
            return
        sign, digits, unit = parts[i]
        remaining_runs = len(parts) - i - 1
        max_k = min(len(digits), n - col - remaining_runs)
        min_k = max(1, n - col - sum(len(p[1]) for p in parts[i + 1 :]))
        for k in range(min_k, max_k + 1):
            last_col = col + k - 1
            if sign and col not in signed:
                continue
            if "." in digits and last_col not in decimal:
                continue
            for split in _split_run(digits, k, last_col in decimal):
                cells = []
                for j, p in enumerate(split):
                    v = float(p)
                    if j == 0 and sign == "-":
                        v = -v
                    raw = (sign if j == 0 else "") + p + (unit or "" if j == k - 1 else "")
                    u = unit if (j == k - 1 and unit) else units[col + j]
                    cells.append(Cell(v, raw, u))
                rec(i + 1, col + k, [*acc, *cells])

    rec(0, 0, [])
    return results


_HAN_NOT_UNIT = re.compile(r"[\u4e00-\u9fff](?<![万元笔件条个项])")
_GLUED_YEAR = re.compile(r"(?<=\d)(?:19|20)\d{2}\s*年")


def _value_zone(chunk: str) -> str:
    """The values right after a label: up to the next text (a following heading or paragraph in
    one-line web text), without a year glued to the last cell (「…20000022025年，我局…」)."""
    d = re.search(r"\d", chunk)
    if not d:
        return chunk
    h = _HAN_NOT_UNIT.search(chunk, d.start())
    zone = chunk[: h.start()] if h else chunk
    y = _GLUED_YEAR.search(chunk, d.start())
    if y and y.start() <= len(zone):
        zone = chunk[: y.start()]
    return zone


def _runs(chunk: str) -> list[str]:
    return _VALUE_RUN.findall(chunk)


def _explicit_cells(chunk: str, n: int, units: list[str | None], extra_ok: bool = False) -> list[Cell] | None:
    """Cells when the form gives boundaries: a tab/pipe row, or one cell per line.

    ``extra_ok``: a trailing unlabelled column is noise (0026's 表二 (八)/(九), §3.1)."""
    first, _, rest = chunk.partition("\n")
    pieces: list[str] | None = None
    if re.search(r"[|\t]", first):
        pieces = re.split(r"\s*[|\t]\s*", first)[1:]
        while len(pieces) > n and pieces[-1].strip() == "":
            pieces.pop()
    elif first.strip() == "" and rest and rest.split("\n", 1)[0].strip(" \u3000") != "":
        # one cell per line (docx paragraphs): the row ends at the first empty line
        block = re.split(r"\n[ \u3000]*\n", rest, maxsplit=1)[0]
        pieces = block.split("\n")
        if not any(ln.strip() for ln in pieces):
            pieces = None
    if pieces is None:
        return None
    if extra_ok and len(pieces) == n + 1:
        pieces = pieces[:n]
    if len(pieces) != n:
        return None
    cells = [_parse_cell(p, u) for p, u in zip(pieces, units, strict=True)]
    return cells if all(c is not None for c in cells) else None  # type: ignore[return-value]


@dataclass
class RowRead:
    """How one row was read: fixed cells, or candidate segmentations still to decide."""

    key: str
    candidates: list[list[Cell]]
    inferred: bool = False
    note: str = ""


def _read_row(
    chunk: str,
    key: str,
    n: int,
    units: list[str | None],
    decimal: set[int],
    signed: set[int],
    total_rule: Any,
    extra_ok: bool = False,
    empty_ok: bool = False,
) -> RowRead:
    explicit = _explicit_cells(chunk, n, units, extra_ok)
    if explicit is not None:
        return RowRead(key, [explicit])
    runs = _runs(_value_zone(chunk))
    if not runs:
        if empty_ok:
            # an empty row in flattened text: empty cells, a T3-4 defect rather than a guess
            return RowRead(
                key, [[Cell(math.nan, "", u, "blank") for u in units[:n]]], note=f"{key}: empty row"
            )
        return RowRead(key, [], note=f"{key}: no values")
    cells_direct = [_parse_cell(r, units[i]) if i < n else None for i, r in enumerate(runs)]
    if len(runs) == n and all(c is not None for c in cells_direct):
        # runs are separated by whitespace or text: each run is one cell unless it is invalid
        if all(_valid_piece(r.lstrip("+-").rstrip("万元笔件条个项").replace(",", ""), True) for r in runs):
            return RowRead(key, [cells_direct])  # type: ignore[list-item]
    segs = _segmentations(runs, n, units, decimal, signed)
    shown = " ".join(runs)
    if len(segs) == 1:
        return RowRead(key, segs)
    if not segs:
        return RowRead(key, [], note=f"{key}: '{shown}' cannot be read as {n} cells")
    if total_rule is not None:
        ok = [s for s in segs if total_rule([c.value for c in s])]
        if len(ok) == 1:
            return RowRead(key, ok, inferred=True, note=f"{key}: '{shown}' split by the row total")
        if not ok:
            return RowRead(key, [], note=f"{key}: '{shown}': no split satisfies the row total")
        return RowRead(
            key, ok, inferred=True, note=f"{key}: '{shown}' has {len(ok)} splits satisfying the row total"
        )
    return RowRead(key, segs, inferred=True, note=f"{key}: '{shown}' has {len(segs)} possible splits")


def _t3_row_total(vals: list[float]) -> bool:
    return abs(sum(vals[:6]) - vals[6]) < 1e-9


def _t4_block_totals(vals: list[float]) -> bool:
    return all(abs(sum(vals[b : b + 4]) - vals[b + 4]) < 1e-9 for b in (0, 5, 10))


# ----------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class Regions:
    t2: tuple[int, int] | None
    t3: tuple[int, int] | None
    t4: tuple[int, int] | None


_T2_START = re.compile(f"第{_WS}二{_WS}十{_WS}条{_WS}第?{_WS}[（(]{_WS}[一五六八九]{_WS}[）)]{_WS}项")
_T3_START = re.compile(
    "|".join(_loose(s) for s in ("本列数据的勾稽关系", "申请人情况", "本年新收政府信息公开申请数量"))
)
_T4_START = re.compile(f"行{_WS}政{_WS}复{_WS}议")
_T4_HEADER = re.compile(
    f"结{_WS}果{_WS}维{_WS}持|尚{_WS}未{_WS}审{_WS}结|未{_WS}经{_WS}复{_WS}议|复{_WS}议{_WS}后{_WS}起{_WS}诉"
)
_T4_END = re.compile(f"(?<![（(])五{_WS}[、．]|存在的?主要问题|其他需要报告的事项|(?<![（(])[六七]{_WS}、")


def find_regions(t: str) -> Regions:
    """Character spans of 表二, 表三 and 表四 in prepared text ``t``."""
    m2 = _T2_START.search(t)
    m3 = _T3_START.search(t, m2.start() if m2 else 0)
    t2 = t3 = t4 = None
    if m3:
        cout = _label_re("四、结转下年度继续办理").search(t, m3.end())
        after = cout.end() if cout else m3.end()
        m4 = _T4_START.search(t, after)
        t3_end = m4.start() if m4 else len(t)
        t3 = (m3.start(), t3_end)
        if m4 and _T4_HEADER.search(t, m4.start(), m4.start() + 400):
            e = _T4_END.search(t, m4.end())
            t4 = (m4.start(), e.start() if e else len(t))
    if m2:
        t2 = (m2.start(), t3[0] if t3 else min(len(t), m2.start() + 2000))
    if t3 is None and t2 is None:
        return Regions(None, None, None)
    return Regions(t2, t3, t4)


def table_regions(text: str) -> Regions:
    """Spans of 表二/表三/表四 in ``text`` (offsets valid in ``text`` itself)."""
    return find_regions(_prep(text))


def detect_version(t: str, regions: Regions | None = None) -> str | None:
    """ "2019" / "2021" from the table labels (report-format.md §3.3), None without tables."""
    regions = regions or find_regions(t)
    spans = [s for s in (regions.t2, regions.t3) if s]
    if not spans:
        return None
    scope = "".join(t[a:b] for a, b in spans)
    scope = re.sub(r"\s+", "", scope)
    score = {v: sum(scope.count(m) for m in spec["markers"]) for v, spec in layouts()["versions"].items()}
    if score["2021"] > score["2019"]:
        return "2021"
    if score["2019"] > 0 or regions.t3:
        return "2019"
    return None


# ----------------------------------------------------------------------------- 表二


def _header_unit(header: str) -> str | None:
    m = re.search(r"[（(](?:单位[:：])?(万元|元)[）)]", header)
    return m.group(1) if m else None


def parse_t2(
    t: str, span: tuple[int, int], version: str
) -> tuple[list[tuple[str, str, Cell, bool]], str, str]:
    a, b = span
    rows = t2_rows(version)
    found: list[tuple[dict[str, Any], re.Match[str]]] = []
    pos = a
    for row in rows:
        pat = _label_re(row["label"])
        if row["key"] == "nd" and version == "2021":
            pat = re.compile("(?:" + _loose("行政") + ")?" + _loose("规范性文件"))
        m = pat.search(t, pos, b)
        if m:
            found.append((row, m))
            pos = m.end()
    stops = [m.start() for m in re.finditer(f"第{_WS}二{_WS}十{_WS}条|信{_WS}息{_WS}内{_WS}容", t[a:b])]
    out: list[tuple[str, str, Cell, bool]] = []
    problems: list[str] = []
    any_inferred = False
    for i, (row, m) in enumerate(found):
        end = found[i + 1][1].start() if i + 1 < len(found) else b
        nxt_stop = next((a + s for s in stops if a + s >= m.end()), b)
        chunk = t[m.end() : min(end, nxt_stop)]
        cols = row["cols"]
        units = list(row["units"])
        dec = {j for j, c in enumerate(cols) if c in row.get("decimal", [])}
        sig = {j for j, c in enumerate(cols) if c in row.get("signed", [])}
        if dec:
            hu = _header_unit(t[max(a, m.start() - 60) : m.start()])
            units = [hu if (j in dec and hu) else u for j, u in enumerate(units)]
        rr = _read_row(chunk, row["key"], len(cols), units, dec, sig, None, extra_ok=True)
        if len(rr.candidates) != 1:
            problems.append(rr.note or f"{row['key']}: unreadable")
            continue
        any_inferred |= rr.inferred
        out.extend((row["key"], c, cell, rr.inferred) for c, cell in zip(cols, rr.candidates[0], strict=True))
    missing = [r["key"] for r in rows if r["key"] not in {f[0]["key"] for f in found}]
    reason_parts = []
    if problems:
        reason_parts.append("unparseable: cells run together (" + "; ".join(problems) + ")")
    if missing:
        reason_parts.append("rows not found: " + ", ".join(missing))
    if not out:
        return out, "unparseable", "; ".join(reason_parts) or "no rows"
    status = "unparseable" if problems else ("inferred" if any_inferred else "parsed")
    return out, status, "; ".join(reason_parts)


# ----------------------------------------------------------------------------- 表三


def _t3_column_ok(values: dict[str, list[float]], version: str) -> bool:
    """T3-1 and T3-3 for every column (used to choose between segmentations)."""
    keys = t3_rows(version)
    results = [k for k in keys if k.startswith("r.") and k != "r.total"]
    for c in range(7):
        if any(k not in values for k in ("new", "cin", "r.total", "cout")):
            return False
        if abs(values["new"][c] + values["cin"][c] - values["r.total"][c] - values["cout"][c]) > 1e-9:
            return False
        if all(k in values for k in results):
            if abs(sum(values[k][c] for k in results) - values["r.total"][c]) > 1e-9:
                return False
    return True


def _t3_stream(t: str, span: tuple[int, int], version: str) -> list[RowRead] | None:
    """pdf text whose labels drifted away from their numbers: numbers in document order."""
    keys = t3_rows(version)
    toks = [x for x in re.split(r"[\s|]+", t[span[0] : span[1]]) if x]
    vals = [x for x in toks if re.fullmatch(r"[+\-]?\d+", x)]
    if len(vals) != 7 * len(keys):
        return None
    return [
        RowRead(k, [[Cell(float(v), v, "件") for v in vals[7 * i : 7 * i + 7]]]) for i, k in enumerate(keys)
    ]


def parse_t3(
    t: str, span: tuple[int, int], version: str
) -> tuple[list[tuple[str, str, Cell, bool]], str, str]:
    a, b = span
    spec = layouts()["versions"][version]["T3"]
    cols = list(t3_columns())
    units: list[str | None] = ["件"] * 7
    found: list[tuple[str, re.Match[str]]] = []
    pos = a
    for row in spec:
        m = _find_label(t, stub_label(row), pos, b, tolerant=True)
        if m:
            found.append((row["key"], m))
            pos = m.end()
    keys = [k for k, _ in found]
    if version == "2021" and not any(k.startswith("r.other.") for k in keys) and "r.total" in keys:
        # a 2021 table that kept the single 2019 row 「（六）其他处理」
        i = keys.index("r.total")
        lo = found[i - 1][1].end() if i else a
        m = _find_label(t, "（六）其他处理", lo, found[i][1].start())
        if m:
            found.insert(i, ("r.other", m))
    reads: list[RowRead] = []
    for i, (key, m) in enumerate(found):
        end = found[i + 1][1].start() if i + 1 < len(found) else b
        reads.append(_read_row(t[m.end() : end], key, 7, units, set(), set(), _t3_row_total, empty_ok=True))
    empty = [r for r in reads if r.note.endswith("empty row")]
    if len(empty) > 3:  # many empty rows: the layout was not understood, not a sparse table
        reads = [RowRead(r.key, [], note=f"{r.key}: no values") if r in empty else r for r in reads]
    note = ""
    clean = len(found) == len(spec) and all(len(r.candidates) == 1 and not r.inferred for r in reads)
    if not clean:
        stream = _t3_stream(t, span, version)
        if stream is not None and (len(found) < len(spec) or sum(len(r.candidates) != 1 for r in reads) > 2):
            reads, note = stream, "labels displaced from their cells: cells read in document order"
    reads, joint_note = _resolve_t3(reads, version)
    out: list[tuple[str, str, Cell, bool]] = []
    problems = []
    inferred = False
    for r in reads:
        if len(r.candidates) != 1:
            problems.append(r.note or f"{r.key}: unreadable")
            continue
        inferred |= r.inferred
        out.extend((r.key, c, cell, r.inferred) for c, cell in zip(cols, r.candidates[0], strict=True))
    keys_read = {r.key for r in reads}
    missing = [k for k in t3_rows(version) if k not in keys_read]
    reasons = [x for x in (note, joint_note) if x]
    if problems:
        reasons.insert(0, "unparseable: cells run together (" + "; ".join(problems) + ")")
    if missing:
        reasons.append("rows not found: " + ", ".join(missing))
    if inferred:
        reasons.append(
            "inferred rows: " + "; ".join(r.note for r in reads if r.inferred and len(r.candidates) == 1)
        )
    if not out:
        return out, "unparseable", "; ".join(reasons) or "no rows"
    status = "unparseable" if problems else ("inferred" if inferred else "parsed")
    return out, status, "; ".join(reasons)


def _resolve_t3(reads: list[RowRead], version: str) -> tuple[list[RowRead], str]:
    """Choose among several row-total-consistent splits with the column rules (T3-1, T3-3)."""
    amb = [i for i, r in enumerate(reads) if len(r.candidates) > 1]
    if not amb:
        return reads, ""
    size = math.prod(len(reads[i].candidates) for i in amb)
    if size > MAX_SEGMENTATIONS:
        return reads, f"joint search skipped ({size} combinations)"
    fixed = {r.key: [c.value for c in r.candidates[0]] for r in reads if len(r.candidates) == 1}
    sols = []
    for combo in itertools.product(*(reads[i].candidates for i in amb)):
        vals = dict(fixed)
        for i, cand in zip(amb, combo, strict=True):
            vals[reads[i].key] = [c.value for c in cand]
        if _t3_column_ok(vals, version):
            sols.append(combo)
            if len(sols) > 1:
                break
    if len(sols) != 1:
        why = "no combination satisfies" if not sols else "several combinations satisfy"
        for i in amb:
            reads[i] = RowRead(
                reads[i].key, reads[i].candidates, True, reads[i].note + f"; {why} the column rules"
            )
        return reads, ""
    out = list(reads)
    for i, cand in zip(amb, sols[0], strict=True):
        out[i] = RowRead(reads[i].key, [cand], True, reads[i].note + "; chosen by the column rules")
    return out, ""


# ----------------------------------------------------------------------------- 表四


def _t4_groups(region: str) -> list[list[str]]:
    """Runs of value tokens separated only by whitespace (groups stay together in pdf text)."""
    groups: list[list[str]] = []
    cur: list[str] = []
    last_end = 0
    for m in _VALUE_RUN.finditer(region):
        between = region[last_end : m.start()]
        if cur and between.strip():
            groups.append(cur)
            cur = []
        cur.append(m.group(0))
        last_end = m.end()
    if cur:
        groups.append(cur)
    return groups


def _t4_arrange(groups: list[list[str]]) -> list[list[float]]:
    """Place token groups (each contiguous within one block) into the 3x5 layout so that every
    block total holds; blocks ordered by the first appearance of their cells."""
    vals = [[float(x) for x in g] for g in groups]
    sols: list[list[float]] = []
    seen: set[tuple[float, ...]] = set()

    def rec(i: int, slots: list[float | None], owner: list[int | None]) -> None:
        if i == len(vals):
            if all(s is not None for s in slots) and _t4_block_totals(slots):  # type: ignore[arg-type]
                # order blocks by first group index, so rev = the block seen first
                blocks = sorted(
                    range(3), key=lambda bb: min(o for o in owner[bb * 5 : bb * 5 + 5] if o is not None)
                )
                arranged = [slots[bb * 5 + j] for bb in blocks for j in range(5)]
                k = tuple(arranged)  # type: ignore[arg-type]
                if k not in seen:
                    seen.add(k)
                    sols.append(arranged)  # type: ignore[arg-type]
            return
        g = vals[i]
        for bb in range(3):
            for st in range(0, 6 - len(g)):
                idx = range(bb * 5 + st, bb * 5 + st + len(g))
                if all(slots[j] is None for j in idx):
                    s2, o2 = list(slots), list(owner)
                    for j, v in zip(idx, g, strict=True):
                        s2[j], o2[j] = v, i
                    rec(i + 1, s2, o2)

    if all(len(g) <= 5 for g in vals):
        rec(0, [None] * 15, [None] * 15)
    return sols


def parse_t4(t: str, span: tuple[int, int]) -> tuple[list[tuple[str, str, Cell, bool]], str, str]:
    a, b = span
    region = t[a:b]
    blocks = [r["key"] for r in layouts()["T4"]]
    cols = list(t4_columns())
    units: list[str | None] = ["件"] * 15

    def emit(cells: list[Cell], inferred: bool) -> list[tuple[str, str, Cell, bool]]:
        return [(blocks[i // 5], cols[i % 5], c, inferred) for i, c in enumerate(cells)]

    for line in region.split("\n"):
        # the data row, possibly glued to the header line by line-joining normalization
        han = list(re.finditer(r"[\u4e00-\u9fff]", line))
        line = line[han[-1].end() :] if han else line
        if re.search(r"[|\t]", line):
            pieces = re.split(r"[|\t]", line)
            while len(pieces) > 15 and pieces[-1].strip() == "":
                pieces.pop()
            while len(pieces) > 15 and pieces[0].strip() == "":
                pieces.pop(0)
            cells = [_parse_cell(p, "件") for p in pieces]
            if (
                len(pieces) == 15
                and all(c is not None for c in cells)
                and any(c.defect is None for c in cells)
            ):
                return emit(cells, False), "parsed", ""  # type: ignore[arg-type]
    # values after the last header word
    hdr = list(_T4_HEADER.finditer(region)) + list(re.finditer(f"总{_WS}计", region))
    start = max((m.end() for m in hdr), default=0)
    groups = _t4_groups(region)
    runs = [x for g in groups for x in g]
    if not runs:
        return [], "unparseable", "no values found"
    if len(runs) == 15:
        cells = [_parse_cell(r, "件") for r in runs]
        if all(c is not None for c in cells):
            vals = [c.value for c in cells]  # type: ignore[union-attr]
            if len(groups) == 1 or _t4_block_totals(vals):
                return emit(cells, False), "parsed", ""  # type: ignore[arg-type]
            sols = _t4_arrange(groups)
            if len(sols) == 1:
                cells2 = [Cell(v, str(int(v)), "件") for v in sols[0]]
                note = (
                    "cells out of order in the extracted text; arranged by the block totals "
                    "(the two 行政诉讼 blocks are told apart only by text order)"
                )
                return emit(cells2, True), "inferred", note
            return [], "unparseable", f"cells out of order: {len(sols)} arrangements satisfy the block totals"
    tail_runs = _runs(_value_zone(region[start:])) or runs
    segs = _segmentations(tail_runs, 15, units, set(), set())
    shown = " ".join(tail_runs)
    if len(segs) == 1:
        return emit(segs[0], False), "parsed", ""
    ok = [s for s in segs if _t4_block_totals([c.value for c in s])]
    if len(ok) == 1:
        return emit(ok[0], True), "inferred", f"'{shown}' split by the block totals"
    if not segs:
        return [], "unparseable", f"unparseable: '{shown}' cannot be read as 15 cells"
    return (
        [],
        "unparseable",
        f"unparseable: cells run together ('{shown}': {len(ok)} of {len(segs)} splits satisfy the block totals)",
    )


# ----------------------------------------------------------------------------- entry point


def _frame(rows: list[tuple[str, str, str, Cell, bool]]) -> pd.DataFrame:
    """The cells as a table (``CELL_COLUMNS``), every column built with its final dtype in one
    constructor call (casting and replacing columns afterwards cost ~1 ms a report)."""
    cells = [r[3] for r in rows]
    return pd.DataFrame(
        {
            "table": [r[0] for r in rows],
            "row": [r[1] for r in rows],
            "col": [r[2] for r in rows],
            "value": np.array([c.value for c in cells], dtype=float),
            "raw": [c.raw for c in cells],
            # object Series: a list or an object array would be inferred as Arrow strings
            "unit": pd.Series([c.unit for c in cells], dtype=object),
            "inferred": np.array([r[4] for r in rows], dtype=bool),
            "defect": pd.Series([c.defect for c in cells], dtype=object),
        },
        columns=list(CELL_COLUMNS),
    )


def parse_tables(text: str) -> TableSet:
    """Find and read 表二/表三/表四 in a report text (original or normalized).

    >>> parse_tables("没有表格的报告。").status
    {'T2': 'absent', 'T3': 'absent', 'T4': 'absent'}
    """
    t = _prep(text)
    reg = find_regions(t)
    version = detect_version(t, reg)
    status = {"T2": "absent", "T3": "absent", "T4": "absent"}
    reasons: dict[str, str] = {}
    rows: list[tuple[str, str, str, Cell, bool]] = []
    if version is None:
        return TableSet(None, status, {k: "no standard table found" for k in status}, _frame([]))
    parts: list[tuple[str, tuple[int, int] | None]] = [("T2", reg.t2), ("T3", reg.t3), ("T4", reg.t4)]
    for name, span in parts:
        if span is None:
            reasons[name] = "table not found"
            continue
        if name == "T2":
            got, st, why = parse_t2(t, span, version)
        elif name == "T3":
            got, st, why = parse_t3(t, span, version)
        else:
            got, st, why = parse_t4(t, span)
        status[name] = st
        if why:
            reasons[name] = why
        rows.extend((name, r, c, cell, inf) for r, c, cell, inf in got)
    return TableSet(version, status, reasons, _frame(rows))
