"""The per-report pipeline's fast paths against straightforward references (issue 6).

Each fast path must give exactly what the plain version gives: the references are written out
here (the code they replaced), and compared on generated inputs and on corpus units.
"""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_reports.corpus.batch import sentence_columns
from nlp_reports.io import normalize as nz
from nlp_reports.scoring.analysis import SENTENCE_COLUMNS, analyze_report
from nlp_reports.structure import sentences as sn
from nlp_reports.structure import tables as tb
from nlp_reports.structure.report import build_report, text_source
from nlp_reports.tagging.rules import Unit, _literal_filter, apply_rules, apply_rules_slow, load_rules

# ----------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(有待|亟待)(进一步)?加强", {"加强"}),
        ("(有待|亟待)(进一步)?", {"有待", "亟待"}),
        ("[来去]了", {"了"}),
        ("[来去]", {"来", "去"}),
        ("[^a]b", {"b"}),
        ("a|b?", None),
        ("x{0,3}", None),
        ("(?i)abc", None),
        ("^\\s*$", None),
        ("(?:ab){2,}c?", {"ab"}),
        ("x(?i:ab)", {"x"}),
        ("(?i:ab)", None),
    ],
)
def test_literal_filter_sets(pattern, expected):
    f = _literal_filter(re.compile(pattern))
    got = None if f is None else set(f.pattern.split("|"))
    assert got == expected


def _fragments(p: re.Pattern[str]) -> list[str]:
    f = _literal_filter(p)
    lits = f.pattern.split("|") if f else []
    chars = sorted({c for c in p.pattern if "\u4e00" <= c <= "\u9fff"})
    return [*lits, *chars, "。", "，", "：", " ", "1", "23", "%", "（", "）", "\n"]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_literal_filter_is_necessary_for_every_rule(seed):
    """A text the rule's pattern matches always holds one of its filter's strings."""
    rng = random.Random(seed)
    for r in load_rules().rules:
        f = _literal_filter(r.pattern)
        if f is None:
            continue
        frags = _fragments(r.pattern)
        for _ in range(40):
            s = "".join(rng.choice(frags) for _ in range(rng.randint(0, 14)))
            if r.pattern.search(s):
                assert f.search(s), (r.name, s)


def test_apply_rules_equals_reference_with_context(corpus_reports):
    """Context-restricted scans (length, self-critique, section) and line breaks inside units."""
    rng = random.Random(6)
    pool = [s.text for d in sorted(corpus_reports)[:40] for s in corpus_reports[d].sentences]
    sections = [None, "", "问题与改进", "总体情况", "部署"]
    rs = load_rules()
    for _ in range(60):
        units = []
        for _ in range(rng.randint(0, 40)):
            t = rng.choice(pool)
            if rng.random() < 0.1:
                k = rng.randint(0, len(t))
                t = t[:k] + "\n" + t[k:]
            units.append(Unit(t, rng.choice(sections), rng.choice([None, True, False])))
        assert (apply_rules(rs, units) == apply_rules_slow(rs, units)).all()


# ----------------------------------------------------------------------------- normalize


def _looks_traditional_reference(text: str, sample: int = 20000) -> bool:
    s = text[:sample]
    han = nz._HAN_RE.findall(s)
    if len(han) < 20:
        return False
    conv = nz._t2s().convert(s)
    changed = sum(1 for a, b in zip(s, conv, strict=False) if a != b)
    return changed / len(han) > 0.04


_MIXED = st.text(alphabet=st.sampled_from(list("政府信息公開開發國家这是一个测试㐀䶿鿿豈﫿abc １２Ａｚ．％\x0c\x0b\n\U00020000")))


@settings(max_examples=200, deadline=None)
@given(text=_MIXED)
def test_fullwidth_runs_and_traditional_share_match_references(text):
    assert nz._FULLWIDTH_RUN.sub(nz._halfwidth, text) == text.translate(nz._FULLWIDTH)
    assert tb._prep(text) == tb._PAGE_LINE.sub(
        lambda m: " " * len(m.group(0)), text.translate(tb._FULLWIDTH).replace("\r", "\n")
    )
    for sample in (20000, 30):
        assert nz.looks_traditional(text, sample) == _looks_traditional_reference(text, sample)


def _stray_spaces_reference(text: str) -> list[nz.Edit]:
    edits = []
    pos = 0
    for line in text.split("\n"):
        for m in nz._SPACES_BETWEEN_HAN.finditer(line):
            lo = max(0, m.start() - 8)
            window = line[lo : m.start()] if lo == 0 else "\n" + line[lo : m.start()][-7:]
            after_marker = nz._BARE_MARKER.search(window) is not None
            sep = len(line) > nz.LONG_LINE and not after_marker
            edits.append(nz.Edit(pos + m.start(), pos + m.end(), "\n" if sep else ""))
        pos += len(line) + 1
    return edits


_SPACED = st.lists(
    st.sampled_from(["政", "府", " ", "\u3000", "\n", "（一）", "一、", "。", "“", "，", "x" * 60, "公开" * 40]),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_SPACED)
def test_stray_spaces_one_scan_matches_line_by_line(text):
    assert nz.stray_spaces(text) == _stray_spaces_reference(text)
    assert nz.word_artefacts(text + "[bookmark: _x]\u200b") == [
        nz.Edit(len(text), len(text) + 14, ""), nz.Edit(len(text) + 14, len(text) + 15, "")
    ]


# ----------------------------------------------------------------------------- sentence units

_ITEM_CUT_REFERENCE = re.compile(
    r"(?<=[，,：:；;。！？\s])(?=(?:[一二三四五六七八九十]是|其[一二三四五六七八九十]是|[（(][一二三四五六七八九十]{1,3}[）)]|[①-⑳]))"
    r"|(?<=[：:；;。！？\s])(?=\d{1,2}[、．](?!\d))"
    r"|(?<=[\u4e00-\u9fff])(?=[①-⑳])"
)

_ITEMISH = st.lists(
    st.sampled_from(["一是", "其二是", "（一）", "(十一)", "①", "⑳", "政", "，", "。", " ", "\t", "：", "1、", "12．", "3.",
                     "123、", "٣、", "是", "其", "一", "、"]),
    max_size=14,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(line=_ITEMISH)
def test_item_cuts_match_lookbehind_reference(line):
    cuts = {m.end() for m in sn._TERM.finditer(line)} | {m.start() for m in _ITEM_CUT_REFERENCE.finditer(line)}
    assert sn._pieces(line) == sorted(c for c in cuts if 0 < c < len(line))


# ----------------------------------------------------------------------------- tables and rows


def test_sentence_table_dtypes_as_pandas_infers_them():
    a = analyze_report(build_report(text_source(
        "某镇2020年政府信息公开工作年度报告\n五、存在的主要问题及改进情况\n一是渠道有限。二是培训不足。")))
    df = a.sentences
    assert list(df.columns) == SENTENCE_COLUMNS
    assert [str(t) for t in df.dtypes] == [
        "str", "int32", "category", "str", "str", "category", "bool", "int64", "int64", "int64", "int64", "str",
        "category", "float64", "float64", "float64", "float64", "float64", "object", "category",
    ]
    assert list(df["label"].cat.categories) == ["problem", "measure", "commitment", "boilerplate", "other"]
    sections = df["section"].tolist()
    assert isinstance(sections[0], float) and math.isnan(sections[0])  # the title line: no section
    assert sections[1:] == ["问题与改进"] * (len(df) - 1) and df["idx"].tolist() == list(range(len(df)))
    # a column without any value keeps pandas' choice for it: object categories, object markers
    no_section = analyze_report(build_report(text_source("标题"))).sentences
    assert no_section["section"].cat.categories.dtype == object and no_section["marker"].dtype == object
    empty = analyze_report(build_report(text_source(""))).sentences
    assert list(empty.columns) == SENTENCE_COLUMNS and len(empty) == 0


def test_sentence_columns_are_plain_json_values():
    df = pd.DataFrame({
        "f": [1.5, np.nan], "i": np.array([1, 2], dtype=np.int32), "b": [True, False],
        "c": pd.Categorical(["a", None]), "s": ["x", None], "o": [["r1", "r2"], [1, np.int64(2), np.nan]],
    })
    cols = sentence_columns(df)
    assert cols == {"f": [1.5, None], "i": [1, 2], "b": [True, False], "c": ["a", None], "s": ["x", None],
                    "o": [["r1", "r2"], [1, 2, None]]}
    assert type(cols["i"][0]) is int and type(cols["o"][1][1]) is int


def test_cell_frame_dtypes():
    cell = tb.Cell(math.nan, "", None, "blank")
    df = tb._frame([("T3", "r.total", "np", cell, False), ("T3", "r.total", "tot", tb.Cell(3.0, "3"), True)])
    assert [str(t) for t in df.dtypes] == ["str", "str", "str", "float64", "str", "object", "bool", "object"]
    assert df["defect"].tolist() == ["blank", None] and df["unit"].tolist() == [None, None]
    assert list(tb._frame([]).columns) == list(tb.CELL_COLUMNS)
