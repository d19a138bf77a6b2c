"""Fault, fuzz and determinism checks at every entry point (corpus-level runs: test_corpus.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from fault_corpus import EITHER, LOADABLE, build_fault_corpus
from hypothesis import assume, given, settings
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
    # analyze() reads a string that names an existing file or folder ("/", ".") as a path
    assume(not os.path.exists(raw))
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


# ---------------------------------------------------------------- faults during a corpus run


def _copy_reports(corpus_dir, dest, ids):
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for d in ids:
        shutil.copy(corpus_dir / "texts" / f"{d}.txt", dest / f"{d}.txt")
    return dest


RUN_IDS = ["0001", "0002", "0014", "0022", "0026", "0030", "1049", "1060"]


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(corpus_dir, tmp_path):
    import os
    import random
    import signal

    import pandas as pd

    src = _copy_reports(corpus_dir, tmp_path / "in", RUN_IDS)
    (src / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    clean = tmp_path / "clean" / "out.parquet"
    nr.score_corpus(src, clean, progress=False)
    out = tmp_path / "killed" / "out.parquet"
    records = out.parent / "out.parquet.parts" / "records.jsonl"
    cmd = [sys.executable, "-m", "nlp_reports.interfaces.cli", "score", str(src), "-o", str(out), "--no-progress"]
    rng = random.Random(11)
    for _ in range(3):
        target = rng.randint(1, len(RUN_IDS) - 1)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while p.poll() is None and time.time() < deadline:
            n = sum(1 for _ in open(records, "rb")) if records.exists() else 0
            if n >= target:
                os.kill(p.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        p.wait()
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = pd.read_parquet(out)
    assert sorted(got.doc_id) == sorted([*RUN_IDS, "broken"])
    assert got.doc_id.is_unique
    assert got.set_index("doc_id").loc["broken", "error"]
    assert got.drop(columns=[]).equals(pd.read_parquet(clean))
    sent = pd.read_parquet(out.with_name("out_sentences.parquet"))
    assert not sent.duplicated(["doc_id", "idx"]).any()
    assert sent.equals(pd.read_parquet(clean.with_name("out_sentences.parquet")))


def test_disk_full_during_run_keeps_what_was_written(corpus_dir, tmp_path, monkeypatch):
    import errno
    import os

    import pandas as pd

    import nlp_reports.corpus.batch as batch

    src = _copy_reports(corpus_dir, tmp_path / "in", RUN_IDS[:4])
    out = tmp_path / "out" / "out.csv"
    real_fsync, calls = os.fsync, {"n": 0}

    def full(fd):
        calls["n"] += 1
        if calls["n"] > 4:  # two reports (records + sentences) fit, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(batch.os, "fsync", full)
    monkeypatch.setattr(batch, "FSYNC_INTERVAL", 0.0)  # every line synced: the failure hits line 3
    with pytest.raises(ReportError, match="cannot write results.*No space left.*rerun to resume"):
        nr.score_corpus(src, out, progress=False)
    monkeypatch.setattr(batch.os, "fsync", real_fsync)
    recs = [line for line in open(out.parent / "out.csv.parts" / "records.jsonl", "rb")]
    assert len(recs) >= 2 and all(x.endswith(b"\n") for x in recs)
    df = nr.score_corpus(src, out, progress=False)
    assert sorted(df.doc_id) == sorted(RUN_IDS[:4]) and df.error.isna().all()
    assert pd.read_csv(out, dtype={"doc_id": str}).doc_id.is_unique


def test_unwritable_output_is_a_clear_error_before_any_work(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    r = subprocess.run([sys.executable, "-m", "nlp_reports.interfaces.cli", "score", str(tmp_path), "-o",
                        str(blocker / "out.csv"), "--no-progress"], capture_output=True, text=True)
    assert r.returncode == 2 and "not writable" in r.stderr and "nothing was scored" in r.stderr


@pytest.mark.slow
def test_fault_corpus_mixed_with_real_reports_in_one_batch(faults, corpus_dir, tmp_path):
    import shutil

    import pandas as pd

    src = _copy_reports(corpus_dir, tmp_path / "mix", RUN_IDS[:3])
    for p in faults.values():
        if p.is_symlink() or p.is_dir() or p.stat().st_size > 20_000_000:
            continue
        shutil.copy(p, src / p.name)
    df = nr.score_corpus(src, tmp_path / "out.parquet", n_jobs=2, progress=False)
    assert set(RUN_IDS[:3]) <= set(df.doc_id)
    real = df[df.doc_id.isin(RUN_IDS[:3])]
    assert real.error.isna().all() and real.critique_score.notna().all()
    bad = df[~df.doc_id.isin(RUN_IDS[:3])]
    assert bad.error.notna().sum() >= 10
    assert pd.read_parquet(tmp_path / "out.parquet").shape[0] == len(df)
