"""Consistency rules of report-format.md §6 over parsed standard tables and the report text.

Rule ids follow §6: T3-1…T3-4, T4-1, T4-2, T2-1…T2-3, X-1, X-2, T2-X1, F-1, S-1, S-2, plus
N-1 (a number quoted in the text against its cell, §6.5) and N-2 (a total quoted in the text
against the parts quoted with it, e.g. 「共计…854条…820条…33条…1条…1条」). Hard rules ([O], [S],
[F], X-1 on 总计, narrative contradictions) give errors; soft ones ([D], other [X]) warnings.

Blank/「/」 cells are T3-4/T4-2 defects; for the arithmetic they count as 0, and a blank 总计
cell is taken as the sum of its row (T3-2) so that one defect is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nlp_reports.structure.tables import TableSet, t3_columns, t3_rows, t4_columns, table_regions

ERROR, WARNING = "error", "warning"
FINDING_COLUMNS = ("rule", "severity", "message", "cells", "expected", "found", "sentence")
FEE_WAN_IMPLAUSIBLE = 1e6  # 万元: above this the figure was probably entered in 元 (§6.3 T2-1)
EXCERPT = 60


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" | "warning"
    message: str
    cells: tuple[str, ...]
    expected: float | None
    found: float | None
    sentence: str | None = None


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame (one row each; ``cells`` joined by ", ")."""
    rows = [
        {
            "rule": f.rule,
            "severity": f.severity,
            "message": f.message,
            "cells": ", ".join(f.cells),
            "expected": f.expected,
            "found": f.found,
            "sentence": f.sentence,
        }
        for f in findings
    ]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _cid(table: str, row: str, col: str) -> str:
    return f"{table}/{row}/{col}"


# ----------------------------------------------------------------------------- 表三 grid

APPL = ("np", "biz", "sci", "npo", "law", "oth")


def _raw(ts: TableSet, table: str, row: str, col: str) -> float | None:
    """Cell value with blank/defect as 0; None when the cell was not read."""
    if not ts.has(table, row, col):
        return None
    v = ts.value(table, row, col)
    return 0.0 if v is None else v


def _t3(ts: TableSet, row: str, col: str) -> float | None:
    """表三 value for arithmetic: blank -> 0, blank 总计 -> sum of its row."""
    if col == "tot" and ts.has("T3", row, "tot") and ts.value("T3", row, "tot") is None:
        parts = [_raw(ts, "T3", row, c) for c in APPL]
        return None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]
    return _raw(ts, "T3", row, col)


def _result_rows(ts: TableSet) -> tuple[str, ...]:
    """Result rows (三、（一）…（六）) as read: the version's rows, or the single 2019
    「（六）其他处理」 row when a 2021 table kept it."""
    keys = [k for k in t3_rows(ts.version or "2021") if k.startswith("r.") and k != "r.total"]
    if not any(ts.has("T3", k, "np") for k in keys if k.startswith("r.other")) and ts.has(
        "T3", "r.other", "np"
    ):
        keys = [k for k in keys if not k.startswith("r.other.")] + ["r.other"]
    return tuple(keys)


def _sum_rows(ts: TableSet, rows: Iterable[str], col: str) -> float | None:
    vals = [_t3(ts, r, col) for r in rows]
    return None if any(v is None for v in vals) else float(sum(vals))  # type: ignore[arg-type]


def _cell_rows(ts: TableSet, table: str) -> list[tuple[str, str, float, Any, bool]]:
    """(row, col, value, defect, inferred) of one table's cells, in order, as Python values:
    boolean masks over the Arrow-backed cell frame cost ~0.2 ms each, a report checks dozens."""
    df = ts.cells
    if df.empty:
        return []
    cols = (df[c].tolist() for c in ("table", "row", "col", "value", "defect", "inferred"))
    return [(r, c, v, d, inf) for t, r, c, v, d, inf in zip(*cols, strict=True) if t == table]


def _inferred_note(ts: TableSet, table: str, cells: Iterable[str]) -> str:
    ids = set(cells)
    hit = any(inf and _cid(table, r, c) in ids for r, c, _, _, inf in _cell_rows(ts, table))
    return "（含推断单元格）" if hit else ""


def _defect_findings(ts: TableSet, table: str, rule: str) -> list[Finding]:
    rows = _cell_rows(ts, table)
    out: list[Finding] = []
    bad = [(r, c, d) for r, c, _, d, _ in rows if isinstance(d, str)]
    for part, what in (([x for x in bad if x[1] == "tot"], "总计"), ([x for x in bad if x[1] != "tot"], "数据")):
        if not part:
            continue
        kinds = "/".join(sorted({d for _, _, d in part}))
        cells = tuple(_cid(table, r, c) for r, c, _ in part)
        out.append(
            Finding(
                rule,
                ERROR,
                f"{table} {len(cells)} 个{what}单元格为空或非数字（{kinds}）",
                cells,
                None,
                None,
            )
        )
    for r, c, v, d, _ in rows:
        # NaN % 1 != 0 holds: a value that is missing without a defect mark is reported too
        if not isinstance(d, str) and (v < 0 or v % 1 != 0):
            out.append(
                Finding(
                    rule, ERROR, f"{table} {r}/{c} 应为非负整数，实为 {_fmt(v)}", (_cid(table, r, c),), None, v
                )
            )
    return out


def check_t3(ts: TableSet) -> list[Finding]:
    """T3-1 (per column), T3-2 (row totals), T3-3 (results subtotal), T3-4 (domain)."""
    if ts.version is None or ts.status.get("T3") == "absent":
        return []
    cols = t3_columns()
    out = _defect_findings(ts, "T3", "T3-4")
    for row in t3_rows(ts.version):
        if not ts.has("T3", row, "tot") or ts.value("T3", row, "tot") is None:
            continue  # blank 总计: reported by T3-4
        parts = [_raw(ts, "T3", row, c) for c in APPL]
        if any(p is None for p in parts):
            continue
        exp, found = float(sum(parts)), ts.value("T3", row, "tot")  # type: ignore[arg-type]
        if abs(exp - found) > 1e-9:  # type: ignore[operator]
            cells = tuple(_cid("T3", row, c) for c in cols)
            out.append(
                Finding(
                    "T3-2",
                    ERROR,
                    f"表三 {row} 行：六类申请人之和 {_fmt(exp)} ≠ 总计 {_fmt(found)}"
                    + _inferred_note(ts, "T3", cells),
                    cells,
                    exp,
                    found,
                )
            )
    results = _result_rows(ts)
    for c in cols:
        new, cin, tot, cout = (_t3(ts, r, c) for r in ("new", "cin", "r.total", "cout"))
        if None not in (new, cin, tot, cout):
            exp, found = new + cin, tot + cout  # type: ignore[operator]
            if abs(exp - found) > 1e-9:
                cells = tuple(_cid("T3", r, c) for r in ("new", "cin", "r.total", "cout"))
                out.append(
                    Finding(
                        "T3-1",
                        ERROR,
                        f"表三 {c} 列：新收+上年结转 {_fmt(exp)} ≠ 办理总计+结转下年 {_fmt(found)}"
                        + _inferred_note(ts, "T3", cells),
                        cells,
                        exp,
                        found,
                    )
                )
        sub = _sum_rows(ts, results, c)
        if sub is not None and tot is not None and abs(sub - tot) > 1e-9:
            cells = (_cid("T3", "r.total", c), *(_cid("T3", r, c) for r in results))
            out.append(
                Finding(
                    "T3-3",
                    ERROR,
                    f"表三 {c} 列：各办理结果之和 {_fmt(sub)} ≠ （七）总计 {_fmt(tot)}"
                    + _inferred_note(ts, "T3", cells),
                    cells,
                    sub,
                    tot,
                )
            )
    return out


def check_t4(ts: TableSet) -> list[Finding]:
    """T4-1 (block totals), T4-2 (domain)."""
    if ts.status.get("T4") == "absent" or ts.version is None:
        return []
    out = _defect_findings(ts, "T4", "T4-2")
    names = {"rev": "行政复议", "litd": "行政诉讼（未经复议直接起诉）", "lita": "行政诉讼（复议后起诉）"}
    for b in ("rev", "litd", "lita"):
        vals = [_raw(ts, "T4", b, c) for c in t4_columns()]
        if any(v is None for v in vals) or ts.value("T4", b, "tot") is None:
            continue
        exp, found = float(sum(vals[:4])), vals[4]  # type: ignore[arg-type]
        if abs(exp - found) > 1e-9:  # type: ignore[operator]
            cells = tuple(_cid("T4", b, c) for c in t4_columns())
            out.append(
                Finding(
                    "T4-1",
                    ERROR,
                    f"表四 {names[b]}：四项之和 {_fmt(exp)} ≠ 总计 {_fmt(found)}"
                    + _inferred_note(ts, "T4", cells),
                    cells,
                    exp,
                    found,
                )
            )
    return out


def check_t2(ts: TableSet) -> list[Finding]:
    """T2-1 (domain; 万元 plausibility), T2-2 (v2021 stock), T2-3 (v2019 pub ≤ total_pub)."""
    if ts.status.get("T2") == "absent" or ts.version is None:
        return []
    out: list[Finding] = []
    for r, c, v, d, _ in _cell_rows(ts, "T2"):
        cid = _cid("T2", r, c)
        if isinstance(d, str):
            out.append(Finding("T2-1", ERROR, f"表二 {r}/{c} 单元格为空或非数字（{d}）", (cid,), None, None))
        elif c == "delta":
            if v % 1:
                out.append(Finding("T2-1", ERROR, f"表二 {r}/{c} 应为整数，实为 {_fmt(v)}", (cid,), None, v))
        elif c in ("amount", "amount_wan"):
            if v < 0:
                out.append(Finding("T2-1", ERROR, f"表二 {r}/{c} 金额为负 {_fmt(v)}", (cid,), None, v))
            elif c == "amount_wan" and v > FEE_WAN_IMPLAUSIBLE:
                out.append(
                    Finding(
                        "T2-1",
                        WARNING,
                        f"表二 行政事业性收费 {_fmt(v)} 万元过大，疑似以元填报",
                        (cid,),
                        None,
                        v,
                    )
                )
        elif v < 0 or v % 1:
            out.append(Finding("T2-1", ERROR, f"表二 {r}/{c} 应为非负整数，实为 {_fmt(v)}", (cid,), None, v))
    for r in ("reg", "nd"):
        if ts.version == "2021":
            made, rep, valid = (ts.value("T2", r, c) for c in ("made", "repealed", "valid"))
            if None not in (made, rep, valid) and valid < made - rep:  # type: ignore[operator]
                cells = tuple(_cid("T2", r, c) for c in ("made", "repealed", "valid"))
                out.append(
                    Finding(
                        "T2-2",
                        WARNING,
                        f"表二 {r}：现行有效 {_fmt(valid)} < 制发 {_fmt(made)} − 废止 {_fmt(rep)}",
                        cells,
                        made - rep,
                        valid,
                    )
                )  # type: ignore[operator]
        else:
            pub, total = ts.value("T2", r, "pub"), ts.value("T2", r, "total_pub")
            if pub is not None and total is not None and pub > total:
                out.append(
                    Finding(
                        "T2-3",
                        WARNING,
                        f"表二 {r}：本年新公开 {_fmt(pub)} > 对外公开总数 {_fmt(total)}",
                        (_cid("T2", r, "pub"), _cid("T2", r, "total_pub")),
                        pub,
                        total,
                    )
                )
    return out


def check_version(ts: TableSet, year: int | None) -> list[Finding]:
    """X-2: reports for ≤2020 use the 2019 tables, for ≥2021 the 2021 tables."""
    if ts.version is None or year is None or year < 2019:
        return []
    want = "2019" if year <= 2020 else "2021"
    if ts.version != want:
        return [
            Finding(
                "X-2", ERROR, f"{year} 年度报告应使用 {want} 版表格，实为 {ts.version} 版", (), None, None
            )
        ]
    return []


def check_cross_year(ts: TableSet, prev: TableSet) -> list[Finding]:
    """X-1 (上年结转 = 上年报告的结转下年度) and T2-X1 (现行有效件数 stock flow, soft)."""
    out: list[Finding] = []
    for c in t3_columns():
        cin, cout_prev = _t3(ts, "cin", c), _t3(prev, "cout", c)
        if cin is None or cout_prev is None or abs(cin - cout_prev) < 1e-9:
            continue
        sev = ERROR if c == "tot" else WARNING
        out.append(
            Finding(
                "X-1",
                sev,
                f"表三 {c} 列：本年上年结转 {_fmt(cin)} ≠ 上年报告结转下年度 {_fmt(cout_prev)}",
                (_cid("T3", "cin", c), "prev:" + _cid("T3", "cout", c)),
                cout_prev,
                cin,
            )
        )
    if ts.version == "2021" and prev.version == "2021":
        for r in ("reg", "nd"):
            made, rep, valid = (ts.value("T2", r, c) for c in ("made", "repealed", "valid"))
            pv = prev.value("T2", r, "valid")
            if None in (made, rep, valid, pv):
                continue
            exp = pv + made - rep  # type: ignore[operator]
            if abs(exp - valid) > 1e-9:  # type: ignore[operator]
                out.append(
                    Finding(
                        "T2-X1",
                        WARNING,
                        f"表二 {r}：上年现行有效 {_fmt(pv)} + 制发 {_fmt(made)} − 废止 {_fmt(rep)} = {_fmt(exp)} ≠ 现行有效 {_fmt(valid)}",
                        (_cid("T2", r, "valid"), "prev:" + _cid("T2", r, "valid")),
                        exp,
                        valid,
                    )
                )
    return out


# ----------------------------------------------------------------------------- narrative [N]

_GAP = r"[^。；;，,\d%％]{0,8}?"
_CATS = ("open_part", "open", "part", "deny", "unable", "noproc", "other")
# (name, pattern); group 1 = the quoted number. Order matters: 予以公开及部分公开 before 予以公开.
_NARRATIVE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "recv",
        re.compile(
            r"(新收|收到|受理|接收)[^。；;，,\d]{0,16}?申请(?:数量|总数|共计|共|合计)?(?:为)?\s*(\d+)\s*件"
        ),
    ),
    # 「公开答复1件」「不予公开答复3件」 are outcome counts, not the number answered
    (
        "answered",
        re.compile(
            r"(?:(?<=[，,。；;：:\s（(共已均并])|^)(答复|办结)(?:政府信息公开申请|申请)?(?:共|总计)?\s*(\d+)\s*件"
        ),
    ),
    ("cin", re.compile(r"(上一?年度?结转)" + r"[^。；;，,\d]{0,12}?" + r"(\d+)\s*件")),
    ("cout", re.compile(r"()(\d+)\s*件[^。；;，,\d]{0,12}?(?:顺延|结转)(?:到|至)?下一?年度?")),
    ("cout", re.compile(r"(结转(?:到|至)?下一?年度?(?:继续)?(?:办理|答复)?)" + _GAP + r"(\d+)\s*件")),
    ("open_part", re.compile(r"(予以公开(?:及|和|与|、)部分公开)" + _GAP + r"(\d+)\s*件")),
    ("open", re.compile(r"((?<!不)予以公开)(?!及|和|与|、)" + _GAP + r"(\d+)\s*件")),
    ("part", re.compile(r"((?<!及|和|与|、)部分公开)" + _GAP + r"(\d+)\s*件")),
    ("deny", re.compile(r"(不予公开)" + _GAP + r"(\d+)\s*件")),
    ("unable", re.compile(r"(无法提供)" + _GAP + r"(\d+)\s*件")),
    ("noproc", re.compile(r"(不予处理)" + _GAP + r"(\d+)\s*件")),
    ("other", re.compile(r"(其他处理)" + _GAP + r"(\d+)\s*件")),
    ("rev", re.compile(r"(行政复议)(?:案件)?" + _GAP + r"(\d+)\s*(?:件|起|宗)")),
    ("lit", re.compile(r"((?<!复议、)(?<!复议和)(?:行政)?诉讼)(?:案件)?" + _GAP + r"(\d+)\s*(?:件|起|宗)")),
)
_SUB = re.compile(r"(结果维持|维持|结果纠正|纠正|其他结果|尚未审结)\s*(\d+)\s*件")
_SUB_COL = {
    "结果维持": "keep",
    "维持": "keep",
    "结果纠正": "fix",
    "纠正": "fix",
    "其他结果": "other",
    "尚未审结": "pend",
}


def _expected(ts: TableSet, name: str) -> tuple[float | None, tuple[str, ...], str]:
    """Cell value a narrative pattern refers to (§6.5 table), with the cells and a label."""
    if ts.version is None:
        return None, (), ""
    res = _result_rows(ts)
    groups = {
        "open": ("r.open",),
        "part": ("r.part",),
        "open_part": ("r.open", "r.part"),
        "deny": tuple(k for k in res if k.startswith("r.deny")),
        "unable": tuple(k for k in res if k.startswith("r.unable")),
        "noproc": tuple(k for k in res if k.startswith("r.noproc")),
        "other": tuple(k for k in res if k.startswith("r.other")),
        "recv": ("new",),
        "answered": ("r.total",),
        "cin": ("cin",),
        "cout": ("cout",),
    }
    if name in groups:
        rows = groups[name]
        return _sum_rows(ts, rows, "tot"), tuple(_cid("T3", r, "tot") for r in rows), name
    if name == "rev":
        return _raw(ts, "T4", "rev", "tot"), ("T4/rev/tot",), name
    if name == "lit":
        a, b = _raw(ts, "T4", "litd", "tot"), _raw(ts, "T4", "lita", "tot")
        return (None if a is None or b is None else a + b), ("T4/litd/tot", "T4/lita/tot"), name
    return None, (), name


def _sentence_at(text: str, pos: int) -> str:
    a = max(text.rfind(p, 0, pos) for p in "。！？\n") + 1
    b = min([x for x in (text.find(p, pos) for p in "。！？\n") if x >= 0] or [len(text)])
    s = text[a:b].strip()
    if len(s) > EXCERPT:
        rel = pos - a
        lo = max(0, rel - EXCERPT // 2)
        s = s[lo : lo + EXCERPT]
    return s


_LABELS = {
    "recv": "收到/受理申请",
    "answered": "答复/办结",
    "cin": "上年结转",
    "cout": "结转下年度",
    "open_part": "予以公开及部分公开",
    "open": "予以公开",
    "part": "部分公开",
    "deny": "不予公开",
    "unable": "无法提供",
    "noproc": "不予处理",
    "other": "其他处理",
    "rev": "行政复议",
    "lit": "行政诉讼",
}


def check_narrative_cells(ts: TableSet, narrative: str) -> list[Finding]:
    """N-1: numbers quoted in the text against their cells (§6.5)."""
    out: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    if ts.status.get("T3") == "absent" and ts.status.get("T4") == "absent":
        return out
    for name, pat in _NARRATIVE:
        for m in pat.finditer(narrative):
            key = (name, m.start(2))
            if key in seen or any(k[1] == m.start(2) for k in seen):
                continue
            seen.add(key)
            found = float(m.group(2))
            exp, cells, _ = _expected(ts, name)
            table = "T4" if name in ("rev", "lit") else "T3"
            if exp is None or ts.status.get(table) == "unparseable":
                continue  # partly read tables are not trusted for the narrative
            ok = abs(found - exp) < 1e-9
            if not ok and name == "recv" and m.group(1) != "新收":
                # 收到/受理 may include the carried-over applications (§6.5)
                cin = _t3(ts, "cin", "tot")
                ok = cin is not None and abs(found - exp - cin) < 1e-9
            if not ok:
                out.append(
                    Finding(
                        "N-1",
                        ERROR,
                        f"正文「{_LABELS[name]}」{_fmt(found)} 件 ≠ 表格 {_fmt(exp)}",
                        cells,
                        exp,
                        found,
                        _sentence_at(narrative, m.start()),
                    )
                )
            if name in ("rev", "lit"):
                out.extend(_sub_counts(ts, narrative, m, name))
    return out


def _sub_counts(ts: TableSet, narrative: str, m: re.Match[str], name: str) -> list[Finding]:
    """其中结果维持 a 件、结果纠正 b 件… after a 复议/诉讼 count."""
    end = len(narrative)
    for stop in ("。", "诉讼" if name == "rev" else "复议"):
        k = narrative.find(stop, m.end())
        if k >= 0:
            end = min(end, k)
    out = []
    for s in _SUB.finditer(narrative, m.end(), end):
        col = _SUB_COL[s.group(1)]
        blocks = ("rev",) if name == "rev" else ("litd", "lita")
        vals = [_raw(ts, "T4", b, col) for b in blocks]
        if any(v is None for v in vals):
            continue
        exp, found = float(sum(vals)), float(s.group(2))  # type: ignore[arg-type]
        if abs(exp - found) > 1e-9:
            out.append(
                Finding(
                    "N-1",
                    ERROR,
                    f"正文「{_LABELS[name]}·{s.group(1)}」{_fmt(found)} 件 ≠ 表格 {_fmt(exp)}",
                    tuple(_cid("T4", b, col) for b in blocks),
                    exp,
                    found,
                    _sentence_at(narrative, s.start()),
                )
            )
    return out


_TOTAL = re.compile(r"共(?:计)?[^。；;，,\d]{0,24}?(\d+)\s*(条|件|个|篇|项)(?![余多])")
# the breakdown must open right after the total: 「…854条，在主动公开的信息中，…」「…2602条(其中…」
_BREAKDOWN_CUE = re.compile(
    r"^(?:[（(]|[，,：:]?\s*(?:其中|包括|分别|涉及)|[，,]?[^，,。；;（(]{0,12}中[，,：:])"
)
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(条|件|个|篇|项)(?![余多])")


def check_narrative_sums(narrative: str) -> list[Finding]:
    """N-2: a total quoted in the text against the parts listed with it in the same sentence."""
    out: list[Finding] = []
    for m in _TOTAL.finditer(narrative):
        stop = min(
            [x for x in (narrative.find(p, m.end()) for p in "。！？\n") if x >= 0] or [len(narrative)]
        )
        rest = narrative[m.end() : stop]
        cue = _BREAKDOWN_CUE.match(rest)
        if not cue:
            continue
        if rest[:1] in "（(":
            close = re.search(r"[）)]", rest)
            rest = rest[: close.start()] if close else rest
        nested = re.search(r"共|总数|合计|总计|累计", rest)
        if nested:
            rest = rest[: nested.start()]
        unit = m.group(2)
        parts = [float(p.group(1)) for p in _PART.finditer(rest) if p.group(2) == unit]
        if len(parts) < 2:
            continue
        total, s = float(m.group(1)), float(sum(parts))
        sentence = _sentence_at(narrative, m.start())
        if s > total:
            out.append(
                Finding(
                    "N-2",
                    ERROR,
                    f"正文所列分项之和 {'+'.join(_fmt(p) for p in parts)} = {_fmt(s)} ≠ 所述总数 {_fmt(total)}",
                    (),
                    total,
                    s,
                    sentence,
                )
            )
        elif s < total and "其他" in rest:
            out.append(
                Finding(
                    "N-2",
                    WARNING,
                    f"正文所列分项（含「其他」）之和 {_fmt(s)} < 所述总数 {_fmt(total)}",
                    (),
                    total,
                    s,
                    sentence,
                )
            )
    return out


def check_outcome_sum(narrative: str) -> list[Finding]:
    """N-2: the outcome categories quoted in the text against the quoted number answered."""
    out: list[Finding] = []
    pats = dict(_NARRATIVE[5:12])  # the outcome patterns
    for m in _NARRATIVE[1][1].finditer(narrative):
        window = narrative[m.end() : m.end() + 300]
        vals: dict[str, float] = {}
        for name in _CATS:
            p = pats[name]
            mm = p.search(window)
            if mm and not (name in ("open", "part") and "open_part" in vals):
                vals[name] = float(mm.group(2))
        if len(vals) >= 4 and "other" in vals:
            total, s = float(m.group(2)), float(sum(vals.values()))
            if abs(total - s) > 1e-9:
                out.append(
                    Finding(
                        "N-2",
                        ERROR,
                        f"正文各办理结果之和 {'+'.join(_fmt(v) for v in vals.values())} = {_fmt(s)} ≠ 答复总数 {_fmt(total)}",
                        (),
                        total,
                        s,
                        _sentence_at(narrative, m.start()),
                    )
                )
    return out


# ----------------------------------------------------------------------------- structure [F]

_NUM = "一二三四五六七八九十"
HEADINGS: tuple[tuple[str, str], ...] = (
    ("总体情况", r"(?:总体情况|概述)"),
    ("主动公开", r"(?:政府信息)?主动公开(?:政府信息)?(?:的)?(?:工作)?情况"),
    (
        "依申请公开",
        r"(?:收到和处理政府信息公开申请(?:的)?情况|(?:政府信息)?依申请公开(?:政府信息)?(?:工作)?(?:的)?情况)",
    ),
    (
        "复议诉讼",
        r"(?:因)?(?:政府信息公开)?(?:工作)?(?:被)?(?:申请)?行政(?:法)?复议[、和及与](?:提起)?行政诉讼(?:的)?情况",
    ),
    (
        "问题与改进",
        r"(?:政府信息公开工作)?存在的?(?:主要)?问题[及和与]?改进(?:情况|措施)|主要问题[及和与]改进措施",
    ),
    ("其他事项", r"(?:其他需要报告的事项|其他报告事项|其它需要报告的事项)"),
)
_HEADING_RES = tuple((name, re.compile(rf"([{_NUM}])\s*[、．]?\s*(?:{pat})")) for name, pat in HEADINGS)


def find_headings(text: str) -> dict[str, tuple[int, str]]:
    """First numbered heading of each canonical part: name -> (offset, numeral)."""
    out: dict[str, tuple[int, str]] = {}
    for name, rx in _HEADING_RES:
        m = rx.search(text)
        if m:
            out[name] = (m.start(), m.group(1))
    return out


def _part_texts(text: str, heads: dict[str, tuple[int, str]]) -> dict[str, str]:
    order = sorted((pos, name) for name, (pos, _) in heads.items())
    out = {}
    for i, (pos, name) in enumerate(order):
        end = order[i + 1][0] if i + 1 < len(order) else len(text)
        out[name] = text[pos:end]
    return out


_PROBLEM_CUES = re.compile(r"不足|问题|有待|不够|仍需|还需|差距|短板|薄弱|欠缺|滞后|单一")
_MEASURE_CUES = re.compile(r"下一步|将|改进措施|整改|进一步|加强|完善|提升|推进")
_FEE = re.compile(r"信息处理费|处理费|收费通知")


def check_structure(
    text: str, ts: TableSet, sections: dict[str, str] | None, year: int | None
) -> list[Finding]:
    """S-1 (six parts, in order, tables under 二/三/四), S-2 (五 has substance), F-1 (fee statement in 六)."""
    out: list[Finding] = []
    names = [n for n, _ in HEADINGS]
    heads = find_headings(text)
    modern = ts.version is not None or (year is not None and year >= 2019)
    parts = dict(sections) if sections is not None else _part_texts(text, heads)
    if not modern and len(heads) < 2:
        return out
    if modern:
        missing = [n for n in names if not (parts.get(n) or "").strip()]
        if missing:
            out.append(Finding("S-1", ERROR, "缺少部分：" + "、".join(missing), (), None, None))
        if sections is None:
            pos = [heads[n][0] for n in names if n in heads]
            if pos != sorted(pos):
                seq = "→".join(n for _, n in sorted((heads[n][0], n) for n in heads))
                out.append(Finding("S-1", ERROR, f"部分顺序不符：{seq}", (), None, None))
            wrong = [
                f"{heads[n][1]}、{n}" for i, n in enumerate(names) if n in heads and heads[n][1] != _NUM[i]
            ]
            if wrong:
                out.append(Finding("S-1", WARNING, "部分编号不符：" + "，".join(wrong), (), None, None))
            reg = table_regions(text)
            for tname, span, part in (
                ("表二", reg.t2, "主动公开"),
                ("表三", reg.t3, "依申请公开"),
                ("表四", reg.t4, "复议诉讼"),
            ):
                if span is None or part not in heads:
                    continue
                later = [
                    heads[n][0]
                    for n in names[names.index(part) + 1 :]
                    if n in heads and heads[n][0] > heads[part][0]
                ]
                if span[0] < heads[part][0] or (later and span[0] > min(later)):
                    out.append(Finding("S-1", WARNING, f"{tname} 不在「{part}」部分之下", (), None, None))
    body = parts.get("问题与改进")
    if body is not None:
        content = re.sub(
            rf"^\s*[{_NUM}]?\s*[、．]?\s*[^。\n]{{0,30}}?(?:情况|措施)", "", body, count=1
        ).strip()
        if len(re.sub(r"[\s。无]", "", content)) < 4:
            out.append(Finding("S-2", ERROR, "「存在的主要问题及改进情况」为空或仅写「无」", (), None, None))
        else:
            if not _PROBLEM_CUES.search(content):
                out.append(Finding("S-2", WARNING, "「存在的主要问题及改进情况」未写问题", (), None, None))
            if not _MEASURE_CUES.search(content):
                out.append(
                    Finding("S-2", WARNING, "「存在的主要问题及改进情况」未写改进措施", (), None, None)
                )
    if ts.version == "2021":
        six = parts.get("其他事项") or ""
        if not _FEE.search(six):
            if _FEE.search(_narrative(text, None)):  # not the 表三 label 「…收费通知…」
                out.append(
                    Finding("F-1", WARNING, "信息处理费情况未在「其他需要报告的事项」中报告", (), None, None)
                )
            else:
                out.append(
                    Finding(
                        "F-1",
                        ERROR,
                        "未报告信息处理费收取情况（2021 版格式要求在第六部分报告）",
                        (),
                        None,
                        None,
                    )
                )
    return out


# ----------------------------------------------------------------------------- entry point


def _narrative(text: str, sections: dict[str, str] | None) -> str:
    if sections is not None:
        keep = ("总体情况", "主动公开", "依申请公开", "复议诉讼")
        body = "\n".join(sections.get(k, "") for k in keep)
    else:
        reg = table_regions(text)
        chars = list(text)
        for span in (reg.t2, reg.t3, reg.t4):
            if span:
                chars[span[0] : span[1]] = " " * (span[1] - span[0])
        body = "".join(chars)
    # pdf line breaks split words and numbers from their measure word
    return re.sub(r"[ \t\u3000]*\n[ \t\u3000]*", "", body.replace("\r", ""))


def check_tables(
    tables: TableSet,
    text: str,
    *,
    year: int | None = None,
    sections: dict[str, str] | None = None,
    previous: TableSet | None = None,
    previous_year: int | None = None,
) -> list[Finding]:
    """All §6 rules the data allows, for one disclosure report.

    ``previous``/``previous_year``: the same body's report for the year before (X-1, T2-X1);
    ignored when both years are known and are not consecutive.
    """
    out: list[Finding] = []
    out += check_t3(tables)
    out += check_t4(tables)
    out += check_t2(tables)
    out += check_version(tables, year)
    narrative = _narrative(text, sections)
    out += check_narrative_cells(tables, narrative)
    out += check_narrative_sums(narrative)
    out += check_outcome_sum(narrative)
    out += check_structure(text, tables, sections, year)
    if previous is not None and previous.version is not None and tables.version is not None:
        if year is None or previous_year is None or previous_year == year - 1:
            out += check_cross_year(tables, previous)
    return out
