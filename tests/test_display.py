"""Jupyter rendering of an analysis (nlp_reports.interfaces.display) and the sentence table's dtypes."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import nlp_reports as nr
from nlp_reports.interfaces import display
from nlp_reports.tagging.rules import LABELS

EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"

# an invented disclosure report with markup in its title and in its self-critique section
HOSTILE = """示例街道<script>alert(1)</script>2024年政府信息公开工作年度报告

一、总体情况
本年度街道办组织政务公开培训2次。

二、主动公开政府信息情况
全年主动公开政府信息96条。

三、收到和处理政府信息公开申请情况
全年未收到政府信息公开申请。

四、政府信息公开行政复议、行政诉讼情况
本年度未发生行政复议和行政诉讼案件。

五、存在的主要问题及改进情况
一是公开栏目<script>document.cookie</script>更新不够及时，有两个栏目超过三个月未更新。
下一步，我街道将每月开展一次栏目巡查并通报结果。

六、其他需要报告的事项
本年度未收取信息处理费。
"""


@pytest.fixture(scope="module")
def example():
    return nr.analyze(next(EXAMPLES.glob("0900_*.txt")))


@pytest.fixture(scope="module")
def example_soup(example):
    return BeautifulSoup(example._repr_html_(), "html.parser")


def _sentence_spans(soup: BeautifulSoup) -> list:
    return [s for s in soup.find_all("span") if s.has_attr("title")]


def test_legend_names_every_label_with_its_colour(example_soup):
    legend = example_soup.find_all("div")[0].find_all("div")[1]  # head, then legend
    spans = legend.find_all("span")
    assert [s.get_text() for s in spans] == [display.NAMES[lab] for lab in LABELS]
    for s, lab in zip(spans, LABELS, strict=True):
        assert f"background:{display.COLOURS[lab]}" in s["style"]


def test_every_unit_is_a_coloured_span_with_label_and_probabilities(example, example_soup):
    spans = _sentence_spans(example_soup)
    df = example.sentences
    assert len(spans) == len(df)
    for span, row in zip(spans, df.to_dict("records"), strict=True):  # units are rendered in order
        assert span.get_text().strip() == row["text"]
        assert f"background:{display.COLOURS[row['label']]}" in span["style"]
        title = span["title"]
        assert title.startswith(f"{row['label']} ({row['decided_by']})")
        for lab in LABELS:
            assert f"{lab} {row[f'proba_{lab}']:.2f}" in title
        rules = ", ".join(row["rules"]) if len(row["rules"]) else "none"
        assert title.endswith(f"rules: {rules}")


def test_self_critique_open_other_sections_collapsed(example, example_soup):
    # top-level section blocks are the <details> carrying a style attribute
    blocks = [d for d in example_soup.find_all("details") if d.has_attr("style")]
    open_blocks = [d for d in blocks if d.has_attr("open")]
    assert len(open_blocks) == 1
    summary = open_blocks[0].find("summary").get_text()
    assert summary.startswith("self-critique: " + example.report.self_critique.title)
    assert "border-left" in open_blocks[0]["style"]
    crit_units = int(example.sentences["in_self_critique"].sum())
    assert len(_sentence_spans(open_blocks[0])) == crit_units > 0
    collapsed = [d for d in blocks if not d.has_attr("open")]
    assert len(collapsed) >= 5  # preamble and the five other statutory parts
    # no other <details> (score card components, pairs, findings) is open either
    assert all(d in open_blocks or not d.has_attr("open") for d in example_soup.find_all("details"))


def test_score_card_shows_score_and_components(example):
    html = example._repr_html_()
    assert f"Self-critique score {example.critique.score:.1f} / 100" in html
    for name in example.critique.components:
        assert f"<td>{name}</td>" in html


def test_markup_in_report_text_is_escaped():
    a = nr.analyze(HOSTILE)
    html = a._repr_html_()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;document.cookie&lt;/script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    # the escaped unit still sits in the open self-critique block
    opened = [d for d in soup.find_all("details") if d.has_attr("open")]
    assert any("document.cookie" in s.get_text() for d in opened for s in _sentence_spans(d))


def test_attribute_quotes_are_escaped():
    row = {
        "text": 'a"b',
        "label": "other",
        "decided_by": "model",
        "rules": ['x" onmouseover="alert(1)'],
        **{f"proba_{lab}": 0.2 for lab in LABELS},
    }
    html = display.sentence_html(row)
    span = BeautifulSoup(html, "html.parser").find("span")
    assert not span.has_attr("onmouseover")
    assert 'x" onmouseover="alert(1)' in span["title"]


def test_missing_section_card_gives_reason():
    text = "示例局2024年政府信息公开工作年度报告\n一、总体情况\n本年度共公开信息12条。\n"
    a = nr.analyze(text)
    assert a.report.self_critique is None
    html = a._repr_html_()
    assert "Self-critique score 0</b>" in html
    soup = BeautifulSoup(html, "html.parser")
    assert not any(d.has_attr("open") for d in soup.find_all("details"))


def test_long_section_is_cut_at_max_section_units(example, monkeypatch):
    monkeypatch.setattr(display, "MAX_SECTION_UNITS", 2)
    soup = BeautifulSoup(example._repr_html_(), "html.parser")
    blocks = [d for d in soup.find_all("details") if d.has_attr("style")]
    for b in blocks:
        n = int(re.search(r"\((\d+) units", b.find("summary").get_text()).group(1))
        assert len(_sentence_spans(b)) == min(n, 2)
        assert (f"… {n - 2} more units" in b.get_text()) == (n > 2)


@pytest.mark.corpus
def test_long_report_stays_within_max_section_units(corpus_dir):
    path = next(
        (
            corpus_dir / "texts" / f"{d}.txt"
            for d in ("1001", "1002")
            if (corpus_dir / "texts" / f"{d}.txt").is_file()
        ),
        None,
    )
    if path is None:
        pytest.skip(f"neither 1001 nor 1002 in {corpus_dir / 'texts'}")
    a = nr.analyze(path)
    html = a._repr_html_()
    soup = BeautifulSoup(html, "html.parser")
    blocks = [d for d in soup.find_all("details") if d.has_attr("style")]
    shown = 0
    for b in blocks:
        n = int(re.search(r"\((\d+) units", b.find("summary").get_text()).group(1))
        k = len(_sentence_spans(b))
        assert k == min(n, display.MAX_SECTION_UNITS)
        shown += k
    assert sum(
        int(re.search(r"\((\d+) units", b.find("summary").get_text()).group(1)) for b in blocks
    ) == len(a.sentences)
    assert shown <= len(blocks) * display.MAX_SECTION_UNITS
    assert len(html) < 3_000_000  # a notebook cell, not a dump


def test_sentences_dtypes(example):
    df = example.sentences
    assert isinstance(df["label"].dtype, pd.CategoricalDtype)
    assert list(df["label"].cat.categories) == list(LABELS)
    assert pd.api.types.is_integer_dtype(df["idx"])
    assert df["idx"].tolist() == list(range(len(df)))
    for lab in LABELS:
        col = df[f"proba_{lab}"]
        assert pd.api.types.is_float_dtype(col)
        assert col.between(0, 1).all()
    assert (df[[f"proba_{lab}" for lab in LABELS]].sum(axis=1) - 1).abs().max() < 1e-6
    assert df["in_self_critique"].dtype == bool
