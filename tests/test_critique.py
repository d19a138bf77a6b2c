"""Self-critique score: components, pairs, recycling, follow-through (synthetic inputs + corpus)."""

from __future__ import annotations

import math
import os
import pickle
from pathlib import Path

import pytest

from nlp_reports.scoring.corpus_measures import char_ngrams, lsl_boilerplate, normalize_agency, stickiness
from nlp_reports.scoring.critique import (
    CritiqueInput,
    build_context,
    is_vague,
    measure_anchor,
    problem_anchor,
    score_corpus,
    score_critique,
)

CORPUS = Path(os.environ.get("NLP_REPORTS_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpora"))

VAGUE = [
    ("存在的主要问题及改进情况", "other"),
    ("一是工作人员业务能力有待提高。", "problem"),
    ("二是队伍建设不够完善。", "problem"),
    ("下一步，我们将进一步加强学习培训。", "commitment"),
    ("进一步完善工作机制。", "measure"),
]
SPECIFIC = [
    ("一是依申请公开答复超期3件，集中在规划审批科室。", "problem"),
    ("二是公开目录中2019年以前的栏目长期未更新。", "problem"),
    ("针对依申请答复超期，由办公室牵头建立答复台账，每月通报审批科室办理进度。", "measure"),
    ("年底前清理公开目录旧栏目并更新指南。", "measure"),
]


def mk(doc_id, rows, agency="测试县人民政府", year=2020, doc_type="disclosure_annual_report", has=True):
    return CritiqueInput(doc_id, agency, year, "county", doc_type, tuple((t, lab, True) for t, lab in rows), has, "")


def test_lexicon_predicates():
    assert problem_anchor("依申请公开答复超期3件") and not problem_anchor("队伍建设有待加强")
    assert measure_anchor("每季度抽查一次网站") and not measure_anchor("进一步加强培训")
    assert is_vague("业务能力有待提高") and not is_vague("答复超期3件")


def test_specific_beats_vague_and_pairs_are_reported():
    v, s = score_critique(mk("a", VAGUE)), score_critique(mk("b", SPECIFIC))
    assert s.components["problem_specificity"] == 1.0 and v.components["problem_specificity"] == 0.0
    assert s.components["measure_specificity"] == 1.0 and v.components["measure_specificity"] == 0.0
    assert s.score > v.score + 20
    assert list(s.pairs.columns) == ["problem_idx", "problem", "measure_idx", "measure", "similarity"]
    assert set(s.pairs["problem_idx"]) == {0, 1} and s.components["alignment"] == 1.0
    assert dict(zip(s.pairs.problem_idx, s.pairs.measure_idx, strict=False)) == {0: 2, 1: 3}
    assert (v.n_problems, v.n_measures, v.n_commitments) == (2, 1, 1)
    assert any("none with a concrete anchor" in r for r in v.reasons)


def test_missing_section_scores_zero_with_reason():
    inp = CritiqueInput("x", None, 2020, None, "disclosure_annual_report", (("正文。", "other", False),), False, "no heading")
    r = score_critique(inp)
    assert r.score == 0 and not r.section_found and r.reason == "no heading"
    assert math.isnan(r.components["alignment"]) and r.to_row()["critique_score"] == 0


def test_verbatim_copy_is_recycled_and_follow_through():
    prev = mk("p", SPECIFIC, year=2019)
    # this year: last year's first measure repeated word for word; last year's second measure comes back as a problem
    now_rows = [
        ("一是公开目录旧栏目清理未完成，指南未更新。", "problem"),
        (SPECIFIC[2][0], "measure"),
    ]
    copy, now = mk("c", SPECIFIC, year=2020), mk("n", now_rows, year=2020)
    ctx = build_context([prev, copy, now])
    rc = score_critique(copy, ctx)
    assert rc.recycled_from == "p" and rc.components["stickiness_prev"] == 1.0
    assert rc.score < score_critique(prev, ctx).score / 3
    rn = score_critique(now, ctx)
    kinds = dict(zip(rn.follow_through.prev_idx, rn.follow_through.kind, strict=False))
    assert kinds == {2: "promise repeated", 3: "promise not kept"}
    assert rn.components["follow_through"] == 0.0
    assert math.isnan(score_critique(prev, ctx).components["follow_through"])  # no earlier report


def test_agency_normalization_and_measures():
    assert normalize_agency(" 测试县 人民政府", ["首页"], ["政府"]) == "测试县人民政府"
    assert normalize_agency("首页政务公开", ["首页"], ["政府"]) is None
    assert stickiness(char_ngrams("2020年加强网站建设工作", 8), set(char_ngrams("2021年加强网站建设工作", 8))) == 1.0
    assert math.isnan(lsl_boilerplate([], frozenset()))


def test_input_is_picklable_and_rows_are_flat():
    inp = mk("a", SPECIFIC)
    assert pickle.loads(pickle.dumps(inp)) == inp
    df = score_corpus([inp, mk("b", VAGUE, agency="另一县人民政府")])
    assert {"critique_score", "critique_problem_specificity", "n_problems", "recycled_from"} <= set(df.columns)
    assert df["critique_score"].between(0, 100).all()


@pytest.mark.skipif(not (CORPUS / "texts").is_dir(), reason=f"corpus not found at {CORPUS}")
def test_real_series_copy_detected():
    from nlp_reports.io.loaders import load_text
    from nlp_reports.scoring.analysis import analyze_report
    from nlp_reports.scoring.critique import critique_input
    from nlp_reports.structure.report import build_report

    inputs = [critique_input(analyze_report(build_report(load_text(CORPUS / "texts" / f"{d}.txt")), tables=False))
              for d in ("0002", "0003")]
    r = score_critique(inputs[1], build_context(inputs))
    assert r.section_found and r.recycled_from == "0002"  # 平潭县 2012 repeats its 2011 section
    assert r.components["recycling"] > 0.8 and r.score < 20
