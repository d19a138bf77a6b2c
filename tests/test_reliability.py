"""Fault, fuzz and determinism checks at every entry point (corpus-level runs: test_corpus.py)."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
from fault_corpus import EITHER, LOADABLE, build_fault_corpus
from hypothesis import given, settings
from hypothesis import strategies as st

import nlp_reports as nr
from nlp_reports.errors import ReportError
from nlp_reports.io.normalize import normalize
from nlp_reports.structure.report import build_report, text_source


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    return build_fault_corpus(tmp_path_factory.mktemp("faults"))


@pytest.mark.slow
def test_every_fault_gives_a_result_or_an_error_naming_the_file(faults):
    for kind, path in faults.items():
        try:
            a = nr.analyze(path)
        except ReportError as e:
            assert kind not in LOADABLE, f"{kind}: expected a result, got {e}"
            assert str(path) in str(e) and e.cause, kind
            continue
        assert kind in LOADABLE | EITHER, f"{kind}: loaded but should be refused"
        assert a.critique is not None and 0 <= a.critique.score <= 100


def test_cli_parse_reports_errors_with_exit_code_2(faults):
    r = subprocess.run([sys.executable, "-m", "nlp_reports.interfaces.cli", "parse", str(faults["random_bytes"])],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "random.txt" in r.stderr and "binary" in r.stderr


def test_check_tables_cli_goes_on_after_bad_files(faults, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("某镇2023年政府信息公开工作年度报告\n五、存在的主要问题及改进情况\n培训有待加强。\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "nlp_reports.interfaces.cli", "check-tables", str(faults["empty"]),
                        str(good), "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert '"error"' in r.stdout and "good" in r.stdout


@pytest.mark.slow
def test_pathological_inputs_scale_linearly():
    """Doubling a pathological input at most roughly doubles the time (no regex blow-up)."""

    def cost(n: int, make) -> float:
        text = make(n)
        t = time.perf_counter()
        build_report(text_source(text))
        return time.perf_counter() - t

    makers = {
        "no punctuation": lambda n: "政府信息公开" * n,
        "enumerations": lambda n: "".join(f"{'一二三四五六七八九'[i % 9]}是有待加强，" for i in range(n)),
        "spaces between han": lambda n: "政 府 信 息 " * n,
        "open lines": lambda n: ("政府信息公开工作稳步推进并取得成效" + "\n") * (n // 10),
        "brackets": lambda n: "（一）" * n + "。",
    }
    for name, make in makers.items():
        small, large = cost(20000, make), cost(40000, make)
        assert large < 4 * small + 0.2, f"{name}: {small:.3f}s -> {large:.3f}s"


def test_tag_sentences_on_odd_strings():
    df = nr.tag_sentences(["", " ", "\x00", "A" * 5000, "。。。", "<script>alert(1)</script>"])
    assert len(df) == 6 and np.allclose(df.filter(like="proba_").sum(axis=1), 1)


def test_html_output_escapes_report_text():
    a = nr.analyze("某局2020年政府信息公开工作年度报告\n五、存在的主要问题及改进情况\n<script>alert(1)</script>培训有待加强。")
    html = a._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_normalizer_offsets_always_map_into_the_original(raw):
    n = normalize(raw)
    for i in range(len(n.text)):
        assert 0 <= n.offsets.to_original(i) < max(len(raw), 1)
    a, b = n.offsets.span_to_original(0, len(n.text))
    assert 0 <= a <= b <= len(raw)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_scorer_stays_in_range_on_arbitrary_text(raw):
    if not raw.strip():
        return
    a = nr.analyze(raw)
    c = a.critique
    assert 0 <= c.score <= 100
    for v in c.components.values():
        assert v is None or np.isnan(v) or 0 <= v <= 1
    s = a.sentences
    assert (s["start"].diff().dropna() > 0).all() if len(s) > 1 else True


def test_same_report_twice_gives_identical_tables(corpus_dir):
    a = nr.analyze(corpus_dir / "texts" / "0026.txt")
    b = nr.analyze(corpus_dir / "texts" / "0026.txt")
    assert a.sentences.to_csv() == b.sentences.to_csv()
    ra, rb = a.critique.to_row(), b.critique.to_row()
    assert ra.keys() == rb.keys()
    for k in ra:
        same_nan = isinstance(ra[k], float) and isinstance(rb[k], float) and np.isnan(ra[k]) and np.isnan(rb[k])
        assert same_nan or ra[k] == rb[k], k
