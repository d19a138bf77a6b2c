"""Corpus runs: error rows, resume after a kill, n_jobs invariance, export formats, Dask.

Real reports are copied at run time from the research corpus into a temp folder (nothing from them
is stored in the repository) and mixed with bad files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from nlp_reports.corpus import batch
from nlp_reports.corpus.batch import discover, iter_jsonl, repair_jsonl, score_corpus
from nlp_reports.corpus.export import read_table, sibling
from tests.fixture_factory import make_docx

BAD = ("zz_empty.txt", "zz_random.pdf", "zz_truncated.docx")


@pytest.fixture(scope="module")
def tagger_ready() -> None:
    """The packaged model must match the packaged rules, else every report is (rightly) an error row."""
    from nlp_reports.errors import ModelError
    from nlp_reports.tagging.tagger import tag_frame

    try:
        tag_frame(["一是渠道有限。"])
    except ModelError as e:
        pytest.skip(f"tagger not usable, retrain the model first: {e}")


@pytest.fixture(scope="module")
def mixed_dir(tagger_ready, corpus_dir, manifest, tmp_path_factory) -> Path:
    ids = sorted(d for d, r in manifest.items() if r["split"] != "eval")
    pick = ids[:: max(1, len(ids) // 8)][:8]
    d = tmp_path_factory.mktemp("mixed")
    for i in pick:
        shutil.copy(corpus_dir / "texts" / f"{i}.txt", d / f"{i}.txt")
    (d / BAD[0]).write_bytes(b"")
    (d / BAD[1]).write_bytes(os.urandom(4096))
    full = make_docx(d / "full.docx", ["某县2020年政府信息公开工作年度报告", "一、总体情况"] * 20)
    data = full.read_bytes()
    full.unlink()
    (d / BAD[2]).write_bytes(data[: len(data) // 2])
    return d


@pytest.fixture(scope="module")
def first_run(mixed_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run1") / "scores.parquet"
    df = score_corpus(mixed_dir, out, n_jobs=1, progress=False)
    return out, df


def _real(df: pd.DataFrame) -> pd.DataFrame:
    return df[~df["doc_id"].str.startswith("zz_")]


def test_every_real_report_scored_and_bad_files_are_error_rows(first_run, mixed_dir):
    out, df = first_run
    assert list(df["doc_id"]) == sorted(df["doc_id"])
    assert len(df) == 8 + len(BAD)
    real = _real(df)
    assert real["error"].isna().all(), real["error"].tolist()
    assert real["critique_score"].notna().all()
    assert real["doc_type"].notna().all()
    for name in BAD:
        row = df[df["doc_id"] == Path(name).stem].iloc[0]
        assert name in row["error"]  # names the file
        assert len(row["error"]) > len(str(mixed_dir / name)) + 5  # and a cause
        assert pd.isna(row["critique_score"])
    sents = pd.read_parquet(sibling(out, "_sentences"))
    assert set(sents["doc_id"]) == set(real["doc_id"])
    assert not sents.duplicated(["doc_id", "idx"]).any()
    assert list(sents["doc_id"]) == sorted(sents["doc_id"])
    manifest = pd.read_json(sibling(out, "_manifest", ".json"), typ="series")
    assert manifest["rules"]["sha256"] and manifest["model"]["sha256"]
    assert len(manifest["inputs"]) == len(df)


def test_resume_skips_done_and_recovers_torn_line(first_run, mixed_dir, tmp_path):
    src, df1 = first_run
    out = tmp_path / src.name
    shutil.copytree(src.parent, tmp_path, dirs_exist_ok=True)
    records = out.parent / (out.name + ".parts") / "records.jsonl"
    n_lines = len(records.read_bytes().splitlines())

    calls: list[str] = []
    real_item = batch.analyze_item

    def counting(doc_id, path, model_path=None):
        calls.append(doc_id)
        return real_item(doc_id, path, model_path)

    mp = pytest.MonkeyPatch()
    mp.setattr(batch, "analyze_item", counting)
    try:
        df2 = score_corpus(mixed_dir, out, progress=False)
        assert calls == []  # nothing rescored
        pd.testing.assert_frame_equal(df1, df2)

        # a kill -9 in the middle of writing the last record: the line is torn
        lines = records.read_bytes().splitlines(keepends=True)
        last = lines[-1]
        records.write_bytes(b"".join(lines[:-1]) + last[: len(last) // 2])
        df3 = score_corpus(mixed_dir, out, progress=False)
    finally:
        mp.undo()
    assert len(calls) == 1  # only the torn report
    assert len(records.read_bytes().splitlines()) == n_lines
    pd.testing.assert_frame_equal(df1, df3)
    assert out.read_bytes() == src.read_bytes()
    sents = pd.read_parquet(sibling(out, "_sentences"))
    assert not sents.duplicated(["doc_id", "idx"]).any()
    assert sibling(out, "_sentences").read_bytes() == sibling(src, "_sentences").read_bytes()


def test_repair_jsonl_cuts_torn_tail(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a":1}\n{"a":2}\n{"a":')
    assert [r for _, r in iter_jsonl(p)] == [{"a": 1}, {"a": 2}]
    repair_jsonl(p)
    assert p.read_bytes() == b'{"a":1}\n{"a":2}\n'


def test_n_jobs_1_and_2_byte_identical(first_run, mixed_dir, tmp_path):
    src, df1 = first_run
    out = tmp_path / "scores.parquet"
    df2 = score_corpus(mixed_dir, out, n_jobs=2, progress=False, formats=("parquet", "csv"))
    pd.testing.assert_frame_equal(df1, df2)
    assert out.read_bytes() == src.read_bytes()
    assert sibling(out, "_sentences").read_bytes() == sibling(src, "_sentences").read_bytes()


def test_worker_death_is_an_error_row_and_run_goes_on(mixed_dir, tmp_path, monkeypatch):
    import multiprocessing as mpc

    if mpc.get_start_method() != "fork":
        pytest.skip("needs fork so that the patched worker function reaches the pool")
    victim = sorted(p.stem for p in mixed_dir.glob("0*.txt"))[1]
    real_item = batch.analyze_item

    def crashing(doc_id, path, model_path=None):
        if doc_id == victim:
            os._exit(3)  # a segfaulting extension, an OOM kill
        return real_item(doc_id, path, model_path)

    monkeypatch.setattr(batch, "analyze_item", crashing)
    items = sorted(mixed_dir.glob("0*.txt"))[:4]
    df = score_corpus(items, tmp_path / "s.csv", n_jobs=2, progress=False)
    assert len(df) == 4
    row = df[df["doc_id"] == victim].iloc[0]
    assert "worker process died" in row["error"] and victim in row["error"]
    assert df[df["doc_id"] != victim]["error"].isna().all()


def test_export_formats_read_back(first_run, mixed_dir, tmp_path):
    _, df1 = first_run
    out = tmp_path / "scores.parquet"
    score_corpus(mixed_dir, out, progress=False, formats=("parquet", "csv", "dta", "jsonl"))
    for suf in (".parquet", ".csv", ".dta", ".jsonl"):
        t = read_table(out.with_suffix(suf))
        assert list(t["doc_id"].astype(str)) == list(df1["doc_id"]), suf
        assert t["critique_score"].round(6).equals(df1["critique_score"].round(6)), suf
        s = read_table(sibling(out.with_suffix(suf), "_sentences"))
        assert len(s) > 8 and {"doc_id", "idx", "label", "proba_problem"} <= set(s.columns), suf
    dta = read_table(sibling(out.with_suffix(".dta"), "_sentences"))
    assert all(len(c) <= 32 for c in dta.columns) and "end_" in dta.columns


def test_discover_manifest_and_glob(corpus_dir):
    items = discover(corpus_dir / "manifest.csv")
    assert items[0].doc_id == items[0].path.stem and items[0].path.is_file()
    g = discover(str(corpus_dir / "texts" / "000*.txt"))
    assert [i.doc_id for i in g] == sorted(i.doc_id for i in g) and len(g) >= 1


@pytest.mark.slow
def test_dask_local_cluster_matches_score_corpus(first_run, mixed_dir, tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    from nlp_reports.corpus.distributed import score_corpus_dask

    _, df1 = first_run
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        df2 = score_corpus_dask(mixed_dir, client, tmp_path / "d.parquet", npartitions=3)
    pd.testing.assert_frame_equal(df1, df2)


def test_reference_corpus_feeds_context_but_adds_no_rows(
    first_run, mixed_dir, corpus_dir, manifest, tmp_path
):
    ref_ids = sorted(d for d, r in manifest.items() if r["split"] != "eval")[-2:]
    ref = [corpus_dir / "texts" / f"{d}.txt" for d in ref_ids]
    src = sorted(mixed_dir.glob("0*.txt"))[:2]
    out = tmp_path / "r.csv"
    df = score_corpus(src, out, reference=ref, progress=False)
    assert list(df["doc_id"]) == [p.stem for p in src]
    refs = list(iter_jsonl(out.parent / (out.name + ".parts") / "reference.jsonl"))
    assert sorted(r["doc_id"] for _, r in refs) == ref_ids
    assert df["critique_score"].notna().all()


def test_direct_sentence_columns_equal_the_table_conversion(corpus_reports):
    from nlp_reports.corpus.batch import sentence_columns
    from nlp_reports.scoring.analysis import analyze_report, sentence_table

    for d in ("0014", "0026", "1052"):
        a = analyze_report(corpus_reports[d], tables=False)
        direct = a.sentence_columns()
        ref = sentence_columns(sentence_table(a.report, a.tags))
        assert list(direct) == list(ref)
        for k in ref:
            assert direct[k] == ref[k] and [type(x) for x in direct[k]] == [type(x) for x in ref[k]], k
        assert a.sentences.equals(sentence_table(a.report, a.tags))
