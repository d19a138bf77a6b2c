"""Normalization, metadata, sections and sentence units on real reports and small fixtures."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_reports.io.metadata import extract_metadata, npc_session_year
from nlp_reports.io.normalize import normalize
from nlp_reports.structure.report import build_report, text_source
from nlp_reports.structure.sentences import split_line


def test_normalize_keeps_offsets_back_to_original():
    raw = "[bookmark: _GoBack]政 府信息公开\r\n工作２０２０年，全年公开信息８５４条，\n较上年有所增加。\n- 4 -\n"
    n = normalize(raw)
    assert "bookmark" not in n.text and "\r" not in n.text and "- 4 -" not in n.text
    assert "2020" in n.text and "854" in n.text and "政府信息" in n.text
    assert "信息8" in n.text.replace("信息８", "信息8")
    for i, ch in enumerate(n.text):
        o = n.offsets.to_original(i)
        assert 0 <= o < len(raw)
        if ch.isdigit():
            assert raw[o] in "0123456789０１２３４５６７８９" and int(raw[o].translate({0xFF10 + k: 48 + k for k in range(10)})) == int(ch)


def test_broken_pdf_line_is_joined_but_heading_is_not():
    raw = "一、总体情况\n2024年，我局认真贯彻落实政府信息公开条例，持续推进决策、执行、管理\n、服务和结果公开，全年公开信息120条。\n二、主动公开政府信息情况\n"
    n = normalize(raw)
    assert "管理、服务" in n.text
    assert "一、总体情况\n" in n.text and "\n二、主动公开" in n.text


def test_traditional_text_is_simplified():
    n = normalize("我們第一屆全國人民代表大會第一次會議，在聽了關於憲法草案的報告以後，已經光榮地完成了歷史性的工作。")
    assert n.traditional and "我们第一届全国人民代表大会" in n.text


def test_metadata_from_title_line():
    m = extract_metadata("示例县人民政府2021年政府信息公开工作年度报告\n一、总体情况\n", None)
    assert (m.year, m.doc_type, m.agency, m.level, m.template) == (2021, "disclosure_annual_report", "示例县人民政府", "county", "2021")
    assert npc_session_year("五", "一") == 1978 and npc_session_year("十四", "三") == 2025


def test_enumerated_items_are_units():
    units = [t for _, _, t in split_line("但也存在不足,一是渠道有限。二是培训有待加强;三是水平仍需提升。", 0)]
    assert units == ["但也存在不足,", "一是渠道有限。", "二是培训有待加强;", "三是水平仍需提升。"]


def test_example_report_structure():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "corpora" / "examples" / "0900_示例镇2024年政府信息公开工作年度报告.txt"
    r = build_report(text_source(path.read_text(encoding="utf-8"), path.name))
    canon = [s.canonical for s in r.sections if s.parent is None]
    assert canon == ["总体情况", "主动公开", "依申请公开", "复议诉讼", "问题与改进", "其他事项"]
    crit = [s for s in r.sentences if s.in_self_critique]
    assert [s.marker for s in crit if s.marker] == ["一是", "二是", "三是", "一是", "二是", "三是"]
    # table rows are not units
    assert not any("\t" in s.text or s.text.startswith("规章") for s in r.sentences)


def test_work_report_self_critique_passage():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "corpora" / "examples" / "0901_示例市2026年政府工作报告.txt"
    r = build_report(text_source(path.read_text(encoding="utf-8"), path.name))
    assert r.metadata.doc_type == "government_work_report" and r.metadata.year == 2026
    c = r.self_critique
    assert c is not None and r.text[c.start :].startswith("我们也清醒看到")
    assert "努力把工作做得更好" in r.text[c.start : c.end] and "主要任务" not in r.text[c.start : c.end]


def test_no_self_critique_gives_reason():
    r = build_report(text_source("某局2020年政府信息公开工作年度报告\n一、总体情况\n全年公开信息10条。\n"))
    assert r.self_critique is None and r.self_critique_reason


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("政府信息公开。，；！？一二三是（）1.、 \n\t\r０９工作报告有待加强") + ["[bookmark: x]", "\n- 3 -\n"]), max_size=150).map("".join) | st.text(max_size=200))
def test_units_map_into_original_and_do_not_overlap(raw):
    r = build_report(text_source(raw))
    prev = -1
    for s in r.sentences:
        assert 0 <= s.orig_start <= s.orig_end <= len(raw)
        assert s.start >= prev and s.start < s.end <= len(r.text)
        assert r.text[s.start : s.end] == s.text
        prev = s.end


# ---------------------------------------------------------------- real corpus


def test_every_corpus_report_builds(corpus_reports):
    assert len(corpus_reports) == 185
    assert all(len(r.sentences) > 0 for r in corpus_reports.values())


def test_metadata_agrees_with_manifest(corpus_reports, manifest):
    n = len(manifest)
    year_ok = sum(str(corpus_reports[d].metadata.year) == r["year"] for d, r in manifest.items())
    type_ok = sum(corpus_reports[d].metadata.doc_type == r["doc_type"] for d, r in manifest.items())
    assert year_ok / n >= 0.95 and type_ok / n >= 0.95


def test_self_critique_found_for_95_percent(corpus_reports, manifest):
    yes = [d for d, r in manifest.items() if r["has_self_critique"] == "yes"]
    found = [d for d in yes if corpus_reports[d].self_critique is not None]
    assert len(found) / len(yes) >= 0.95


def test_0026_self_critique_and_units(corpus_reports):
    r = corpus_reports["0026"]
    c = r.self_critique
    assert r.text[c.body_start :].startswith("虽然我镇政府信息公开工作取得了一定成效")
    assert r.text[c.end :].lstrip().startswith("附件1")
    items = [s for s in r.sentences if s.in_self_critique and s.marker in ("一是", "二是", "三是")]
    assert len(items) == 6  # three problems, three measures, each its own unit
    assert "不够积极主动" in items[0].text and "获取渠道有限" in items[1].text and "有待加强" in items[2].text
    assert items[3].text.startswith("一是完善公开制度") and items[5].text.startswith("三是加强")
    # original offsets point at the same text in the file (normalization only dropped artefacts)
    s = items[1]
    assert r.original_text[s.orig_start : s.orig_end] == s.text


def test_0026_two_sections_numbered_three_are_both_found(corpus_reports):
    r = corpus_reports["0026"]
    threes = [s for s in r.sections if s.marker == "三、" and s.parent is None]
    assert len(threes) == 2 and threes[1].canonical == "问题与改进"


def test_traditional_reports_are_simplified(corpus_reports):
    r = corpus_reports["1001"]
    assert r.normalized.traditional and "人民代表大会" in r.text


def test_1979_passage_opening_with_main_problems_is_found(corpus_reports):
    # 1011 names its problems as "目前，我们面临的突出问题是……" with no 清醒看到-style opener
    r = corpus_reports["1011"]
    sec = r.self_critique
    assert sec is not None and sec.canonical == "问题与不足"
    body = r.text[sec.start:sec.end]
    # … and it opens two sentences earlier, at the 但是 turn that admits the damage was underestimated
    assert body.startswith("但是") and "目前" in body and "百分之" in body and "亏损" in body
    assert sum(s.in_self_critique for s in r.sentences) >= 5


def test_work_passage_follows_its_enumeration_and_takes_a_missed_target_admission(corpus_reports):
    # 1035 lists its problems as 一是 … 二是 … in separate paragraphs: the passage runs to the last item
    r = corpus_reports["1035"]
    body = r.text[r.self_critique.start:r.self_critique.end]
    assert "一是" in body and "二是" in body and "没有实现" in body
    # 1079 admits missed plan indicators in the sentence just before 我们清醒认识到
    r = corpus_reports["1079"]
    body = r.text[r.self_critique.start:r.self_critique.end]
    assert "未能如期完成" in body.split("清醒认识到")[0]


def test_work_passage_items_with_markers_on_their_own_lines(corpus_reports):
    # 1024 (1995) sets 二是 / 三是 / 四是 on lines of their own; the passage takes every item, then the
    # paragraph of further problems up to "上述这些问题……加以解决", and not the thanks after it
    r = corpus_reports["1024"]
    body = r.text[r.self_critique.start:r.self_critique.end]
    assert all(m in body for m in ("一是", "二是", "三是", "四是"))
    assert "国有企业" in body and body.rstrip().endswith("加以解决。")
    assert "感谢" not in body


def test_work_passage_extent_matches_the_audit(corpus_reports):
    # an audit of all 67 train work-report passages (docs/methods.md) found these extents wrong
    def body(doc):
        r = corpus_reports[doc]
        return r.text[r.self_critique.start:r.self_critique.end]

    # openers worded 在充分肯定成绩的同时 / 既要看到成绩，更要看到: the problem list before 政府工作存在不足
    assert body("1047").startswith("在充分肯定成绩的同时") and "融资难融资贵" in body("1047")
    assert body("1043").startswith("我们既要看到成绩") and "产能过剩" in body("1043")
    # a 但是 turn that already names problems opens the passage
    assert body("1014").startswith("但是") and "积压滞销" in body("1014")
    # 对以上问题… closes the list in a paragraph of its own
    assert "对以上问题" in body("1033") and "工作总体部署" not in body("1033")
    # four "——" headed items: the last one (the government's own shortcomings) and the pledge belong too
    assert body("1036").count("——") == 4 and "办事效率低下" in body("1036") and "各位代表" not in body("1036")


def test_work_report_plan_parts_after_a_five_year_review(corpus_reports):
    # 2026 provincial reports: 一、2025年工作回顾 / 二、“十五五”时期主要目标任务 / 三、2026年主要工作
    r = corpus_reports["1072"]
    top = [s for s in r.sections if s.level == 1 and not s.synthetic]
    assert [s.canonical for s in top] == ["回顾", "部署", "部署", "部署"]
    # a heading naming both the review and the plan opens with the review; what follows is the plan
    r = corpus_reports["1065"]
    assert [s.canonical for s in r.sections if s.level == 1 and not s.synthetic] == ["回顾", "回顾", "部署"]
