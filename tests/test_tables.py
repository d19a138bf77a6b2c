"""Standard tables: parsing (all input forms) and the §6 consistency rules.

Fixtures below are written for these tests (synthetic numbers); the real-corpus cases read the
reports at run time and skip when the corpus is absent.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest

from nlp_reports.scoring.table_checks import Finding, check_tables, findings_frame
from nlp_reports.structure.tables import CELL_COLUMNS, layouts, parse_tables, stub_label, t3_rows

CORPUS = Path(
    os.environ.get("NLP_REPORTS_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpora")
)

T3_LABELS_2019 = [stub_label(r) for r in layouts()["versions"]["2019"]["T3"]]
T3_LABELS_2021 = [stub_label(r) for r in layouts()["versions"]["2021"]["T3"]]
# row labels and headers, kept apart so that fixtures are built, not copied
NEW, CIN = "一、本年新收" + "政府信息公开申请数量", "二、上年结转" + "政府信息公开申请数量"
ART = "第二十条第（{}）项" + "信息内容"


def _corpus_text(doc_id: str) -> str:
    p = CORPUS / "texts" / f"{doc_id}.txt"
    if not p.exists():
        pytest.skip(f"corpus not found at {CORPUS} (set NLP_REPORTS_CORPUS)")
    return p.read_text("utf-8")


def _rules(findings: list[Finding], severity: str | None = None) -> set[str]:
    return {f.rule for f in findings if severity is None or f.severity == severity}


def _t3_values(version: str) -> dict[str, list[int]]:
    """A consistent 表三: 5 new + 1 carried = 4 answered + 2 carried on."""
    rows = {k: [0] * 7 for k in t3_rows(version)}
    rows["new"] = [4, 1, 0, 0, 0, 0, 5]
    rows["cin"] = [1, 0, 0, 0, 0, 0, 1]
    rows["r.open"] = [2, 1, 0, 0, 0, 0, 3]
    rows["r.unable.1"] = [1, 0, 0, 0, 0, 0, 1]
    rows["r.total"] = [3, 1, 0, 0, 0, 0, 4]
    rows["cout"] = [2, 0, 0, 0, 0, 0, 2]
    return rows


def _t2_tab(version: str) -> str:
    if version == "2019":
        return (
            "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
            "规章\t0\t0\t3\n规范性文件\t2\t2\t14\n第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
            "行政许可\t10\t+2\t120\n其他对外管理服务事项\t0\t0\t0\n第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额\n"
            "政府集中采购\t2\t98000元\n"
        )
    return (
        "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
        "规章\t0\t0\t3\n行政规范性文件\t2\t1\t14\n第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t120\n"
        "第二十条第（六）项\n信息内容\t本年处理决定数量\n行政处罚\t35\n行政强制\t0\n"
        "第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n行政事业性收费\t12.5\n"
    )


def _t4_tab(vals: list[int]) -> str:
    return (
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"
        + "\t".join(str(v) for v in vals)
        + "\n五、存在的主要问题及改进情况\n"
    )


def tab_report(
    version: str = "2021", rows: dict[str, list[int]] | None = None, t4: list[int] | None = None
) -> str:
    rows = rows or _t3_values(version)
    labels = T3_LABELS_2021 if version == "2021" else T3_LABELS_2019
    t3 = "三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系）\t申请人情况\n"
    t3 += "".join(
        lab + "\t" + "\t".join(str(v) for v in rows[k]) + "\n"
        for lab, k in zip(labels, t3_rows(version), strict=True)
    )
    return _t2_tab(version) + t3 + _t4_tab(t4 or [1, 0, 0, 0, 1] + [0] * 10)


# ----------------------------------------------------------------------------- parsing: forms


def test_tab_separated_rows_parse_and_pass():
    ts = parse_tables(tab_report())
    assert ts.version == "2021"
    assert ts.status == {"T2": "parsed", "T3": "parsed", "T4": "parsed"}
    assert list(ts.cells.columns) == list(CELL_COLUMNS)
    assert ts.value("T3", "new", "tot") == 5
    assert ts.value("T3", "r.total", "biz") == 1
    assert ts.value("T4", "rev", "tot") == 1
    assert ts.value("T2", "fee", "amount_wan") == 12.5
    assert ts.cells.query("table == 'T2' and row == 'fee'")["unit"].iloc[0] == "万元"
    arithmetic = {"T3-1", "T3-2", "T3-3", "T3-4", "T4-1", "T4-2", "T2-1", "T2-2", "X-2"}
    assert not _rules(check_tables(ts, tab_report(), year=2022)) & arithmetic


def test_pipe_rows_with_blank_cells_and_units():
    text = (
        "第二十条第（五）项\n"
        + " | ".join(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"])
        + "\n"
        "行政许可 | 12 | -3 | 40\n"
        "第二十条第（九）项\n信息内容 | 采购项目数量 | 采购总金额\n政府集中采购 | 3 | 4500.5元\n"
        "三、收到和处理政府信息公开申请情况\n" + NEW + " | 6 |  | / |  |  |  | 6\n"
    )
    ts = parse_tables(text)
    assert ts.version == "2019"
    assert ts.value("T2", "proc", "amount") == 4500.5
    assert ts.cells.query("row == 'proc' and col == 'amount'")["unit"].iloc[0] == "元"
    assert ts.value("T2", "lic", "delta") == -3  # signed 本年增/减
    assert ts.value("T3", "new", "biz") is None
    defects = dict(
        zip(
            ts.cells.query("table == 'T3' and row == 'new'")["col"],
            ts.cells.query("table == 'T3' and row == 'new'")["defect"],
            strict=True,
        )
    )
    assert defects["biz"] == "blank" and defects["sci"] == "/" and defects["np"] is None


def test_one_cell_per_line():
    lines = [NEW, *[str(v) for v in [3, 0, 0, 0, 0, 1, 4]], "", CIN]
    lines += ["0"] * 7
    ts = parse_tables("\t" + "\n\t".join(lines) + "\n")
    assert [ts.value("T3", "new", c) for c in ("np", "oth", "tot")] == [3, 1, 4]
    assert ts.value("T3", "cin", "tot") == 0


def test_html_like_rows_from_the_html_loader():
    # the html/docx loaders emit one line per table row, cells joined by tabs
    text = "<table>\n" + tab_report("2019") + "</table>\n"
    ts = parse_tables(text)
    assert ts.version == "2019"
    assert ts.status["T3"] == "parsed"
    assert ts.value("T3", "r.other", "tot") == 0


def test_version_detection():
    assert parse_tables(tab_report("2021")).version == "2021"
    assert parse_tables(tab_report("2019")).version == "2019"
    assert parse_tables("2020年，本机关未收到申请。").version is None
    assert (
        parse_tables(ART.format("一") + "本年新制作数量" + "本年新公开数量对外公开总数量规章000").version
        == "2019"
    )


# ----------------------------------------------------------------------------- flattened digits


def test_flattened_single_digit_cells_are_certain():
    ts = parse_tables(NEW + "3000003" + CIN + "0000000")
    assert ts.status["T3"] == "parsed"
    assert ts.value("T3", "new", "np") == 3 and ts.value("T3", "new", "tot") == 3
    assert not ts.cells["inferred"].any()


def test_flattened_recoverable_by_row_total_is_inferred():
    ts = parse_tables(NEW + "120000012" + CIN + "0000000")
    assert ts.status["T3"] == "inferred"
    assert ts.value("T3", "new", "np") == 12 and ts.value("T3", "new", "tot") == 12
    assert ts.cells.query("row == 'new'")["inferred"].all()


def test_flattened_ambiguous_is_unparseable():
    # 11 digits, 7 cells: 10,1,0,0,0,0,11 and 1,10,0,0,0,0,11 both satisfy the row total
    ts = parse_tables(NEW + "11000011" + CIN + "0000000")
    assert ts.status["T3"] == "unparseable"
    assert "cells run together" in ts.reasons["T3"]
    assert not ts.has("T3", "new", "np")
    # 表二 has no totals: several splits -> unparseable, never a guess
    t2 = parse_tables(
        ART.format("一") + "本年制发件数" + "本年废止件数现行有效件数" + "规章000行政规范性文件12345"
    )
    assert t2.status["T2"] == "unparseable" and "nd" in t2.reasons["T2"]
    assert t2.value("T2", "reg", "valid") == 0


def test_flattened_signed_value_splits_at_sign():
    ts = parse_tables(ART.format("八") + "上一年项目数量" + "本年增/减行政事业性收费47-12三、")
    assert ts.value("T2", "fee", "prev") == 47 and ts.value("T2", "fee", "delta") == -12


# ----------------------------------------------------------------------------- rules on fixtures


def test_t3_rules_fire_on_broken_fixture():
    rows = _t3_values("2021")
    rows["r.total"] = [2, 1, 0, 0, 0, 0, 3]  # T3-1 and T3-3 broken in np and tot
    rows["r.open"] = [2, 1, 0, 0, 0, 0, 4]  # T3-2 broken
    text = tab_report("2021", rows)
    f = check_tables(parse_tables(text), text)
    errs = {(x.rule, x.cells[0]) for x in f if x.severity == "error" and x.cells}
    assert ("T3-2", "T3/r.open/np") in errs
    assert ("T3-1", "T3/new/np") in errs
    t33 = [x for x in f if x.rule == "T3-3" and "T3/r.total/np" in x.cells]
    assert t33 and t33[0].expected == 3 and t33[0].found == 2


def test_t4_rule_and_cross_year():
    text = tab_report("2021", t4=[1, 1, 0, 0, 3] + [0] * 10)
    ts = parse_tables(text)
    f = check_tables(ts, text)
    assert any(x.rule == "T4-1" and x.expected == 2 and x.found == 3 for x in f)
    prev_rows = _t3_values("2021")
    prev_rows["cout"] = [2, 0, 0, 0, 0, 0, 2]
    prev_rows["cin"] = [2, 0, 0, 0, 0, 0, 2]
    prev_rows["r.total"] = [4, 1, 0, 0, 0, 0, 5]
    prev = parse_tables(tab_report("2021", prev_rows))
    f2 = check_tables(ts, text, year=2022, previous=prev, previous_year=2021)
    x1 = {x.cells[0]: x for x in f2 if x.rule == "X-1"}
    assert set(x1) == {"T3/cin/np", "T3/cin/tot"}
    assert x1["T3/cin/tot"].severity == "error" and x1["T3/cin/np"].severity == "warning"
    assert x1["T3/cin/tot"].expected == 2 and x1["T3/cin/tot"].found == 1
    assert not [
        x for x in check_tables(ts, text, year=2022, previous=prev, previous_year=2019) if x.rule == "X-1"
    ]


def test_narrative_rules_and_findings_frame():
    narrative = (
        "一、总体情况\n全年新收政府信息公开申请6件，答复4件。全年共发布信息10条，其中动态7条，公告4条。\n"
    )
    text = narrative + tab_report()
    f = check_tables(parse_tables(text), text)
    n1 = [x for x in f if x.rule == "N-1"]
    assert len(n1) == 1 and n1[0].expected == 5 and n1[0].found == 6 and "新收" in (n1[0].sentence or "")
    n2 = [x for x in f if x.rule == "N-2"]
    assert n2 and n2[0].expected == 10 and n2[0].found == 11
    df = findings_frame(f)
    assert list(df.columns) == ["rule", "severity", "message", "cells", "expected", "found", "sentence"]
    assert len(df) == len(f)


def test_structure_rules():
    body = "一、总体情况\n本年工作。\n二、主动公开政府信息情况\n" + tab_report().replace(
        "五、存在的主要问题及改进情况\n", ""
    )
    text = body + "五、存在的主要问题及改进情况\n无。\n"
    f = check_tables(parse_tables(text), text, year=2022)
    assert "S-2" in _rules(f, "error")
    s1 = [x for x in f if x.rule == "S-1" and x.severity == "error"]
    assert s1 and "其他事项" in s1[0].message
    assert "F-1" in _rules(f, "error")
    ok = (
        body
        + "五、存在的主要问题及改进情况\n培训不足。下一步将加强培训。\n六、其他需要报告的事项\n未收取信息处理费。\n"
    )
    assert not (_rules(check_tables(parse_tables(ok), ok, year=2022), "error") & {"S-1", "S-2", "F-1"})


def test_version_rule_x2():
    text = tab_report("2019")
    assert "X-2" in _rules(check_tables(parse_tables(text), text, year=2022), "error")
    assert "X-2" not in _rules(check_tables(parse_tables(text), text, year=2020))


# ----------------------------------------------------------------------------- real corpus


@pytest.mark.corpus
def test_0026_narrative_sum_855_vs_854():
    text = _corpus_text("0026")
    ts = parse_tables(text)
    assert ts.version == "2019" and ts.status == {"T2": "parsed", "T3": "parsed", "T4": "parsed"}
    n2 = [f for f in check_tables(ts, text, year=2020) if f.rule == "N-2"]
    assert any(f.expected == 854 and f.found == 855 and f.severity == "error" for f in n2)
    assert "S-1" in _rules(check_tables(ts, text, year=2020), "error")


@pytest.mark.corpus
def test_0014_results_subtotal_fails_while_identity_holds():
    text = _corpus_text("0014")
    ts = parse_tables(text)
    assert ts.version == "2019"
    assert ts.status["T3"] == "inferred"  # flattened cells recovered with the row totals
    f = check_tables(ts, text, year=2020)
    t33 = {(x.cells[0], x.expected, x.found) for x in f if x.rule == "T3-3"}
    assert ("T3/r.total/tot", 27, 21) in t33 and ("T3/r.total/np", 26, 20) in t33
    assert "T3-1" not in _rules(f)
    assert ts.status["T2"] == "unparseable" and "cells run together" in ts.reasons["T2"]


@pytest.mark.corpus
def test_0025_narrative_mismatch_and_blank_totals():
    text = _corpus_text("0025")
    ts = parse_tables(text)
    assert ts.version == "2019" and ts.status["T3"] == "parsed"
    assert ts.value("T3", "new", "tot") == 859 and ts.value("T3", "r.open", "tot") is None
    f = check_tables(ts, text, year=2019)
    n1 = {(x.expected, x.found) for x in f if x.rule == "N-1"}
    assert (275, 258) in n1 and (337, 265) in n1
    blanks = [x for x in f if x.rule == "T3-4" and "总计" in x.message]
    assert blanks and "T3/r.open/tot" in blanks[0].cells
    assert not (_rules(f) & {"T3-1", "T3-3"})  # the table itself adds up


@pytest.mark.corpus
def test_0022_no_error():
    text = _corpus_text("0022")
    ts = parse_tables(text)
    assert ts.version == "2021"
    assert ts.value("T3", "new", "tot") == 3119 and ts.value("T3", "cout", "tot") == 103
    assert ts.value("T4", "rev", "tot") == 351
    f = check_tables(ts, text, year=2024)
    assert [x for x in f if x.severity == "error"] == []


@pytest.mark.corpus
def test_original_and_normalized_text_agree():
    from nlp_reports.io.normalize import normalize

    for doc_id in ("0014", "0022", "0025", "0026"):
        text = _corpus_text(doc_id)
        a, b = parse_tables(text), parse_tables(normalize(text).text)
        assert a.version == b.version and a.status == b.status, doc_id
        for t in ("T3", "T4"):
            va = a.cells[a.cells.table == t]["value"].tolist()
            vb = b.cells[b.cells.table == t]["value"].tolist()
            assert len(va) == len(vb) and all(
                (x == y) or (math.isnan(x) and math.isnan(y)) for x, y in zip(va, vb, strict=True)
            ), doc_id


@pytest.mark.corpus
def test_speed_typical_report():
    text = _corpus_text("0016")
    parse_tables(text)
    t0 = time.perf_counter()
    for _ in range(5):
        check_tables(parse_tables(text), text, year=2022)
    assert (time.perf_counter() - t0) / 5 < 0.05
