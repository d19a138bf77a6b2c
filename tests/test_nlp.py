"""Tests for nlp_reports.nlp: the jieba-compatible tokenizer and the spaCy view of a report."""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin

from nlp_reports.errors import ModelError
from nlp_reports.nlp.spacy_doc import make_nlp, report_to_doc
from nlp_reports.nlp.tokenizer import (
    USERDICT_PATH,
    Tokenizer,
    boundary_disagreement,
    default_tokenizer,
    read_userdict,
    token_boundaries,
)
from nlp_reports.types import (
    LoadedText,
    Metadata,
    NormalizedText,
    OffsetMap,
    Report,
    Section,
    Sentence,
)

CORPUS = Path(
    os.environ.get("NLP_REPORTS_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpora")
)
DOMAIN_WORDS = ("依申请公开", "政府信息公开条例", "政务新媒体", "行政复议")
# Written for these tests (not from the corpus): the domain words in ordinary report prose.
PROSE = (
    "根据政府信息公开条例，本机关认真做好依申请公开工作，"
    "加强政务新媒体管理，全年因政府信息公开被申请行政复议2件，依法办理行政复议和行政诉讼案件。"
)
# Measured 2026 on the train split: 0.087 % (all differences are inside digit/latin runs such as
# URLs and phone numbers, which jieba's HMM splits at '.', '-' and jieba-rs keeps whole).
MAX_DISAGREEMENT = 0.005


@pytest.fixture(scope="module")
def rj() -> Tokenizer:
    return Tokenizer("rjieba").load()


@pytest.fixture(scope="module")
def jb() -> Tokenizer:
    return Tokenizer("jieba").load()


@pytest.fixture(scope="module", params=["rjieba", "jieba"])
def tok(request: pytest.FixtureRequest, rj: Tokenizer, jb: Tokenizer) -> Tokenizer:
    return rj if request.param == "rjieba" else jb


# ---------------------------------------------------------------- tokenizer


def test_domain_words_kept_whole(tok: Tokenizer) -> None:
    tokens = tok.cut(PROSE)
    for word in DOMAIN_WORDS:
        assert word in tokens, (tok.backend, word, tokens)
    assert "".join(tokens) == PROSE


def test_domain_words_whole_without_user_dict_they_split(tmp_path: Path) -> None:
    """The user dictionary is what keeps the words whole (the base dictionary splits them)."""
    dict_file = tmp_path / "tiny.txt"
    dict_file.write_text("无关词语 10 n\n", encoding="utf-8")
    tokens = Tokenizer(userdict=dict_file).cut(PROSE)
    assert "依申请公开" not in tokens and "政务新媒体" not in tokens


def test_backends_agree_on_prose(rj: Tokenizer, jb: Tokenizer) -> None:
    assert rj.cut(PROSE) == jb.cut(PROSE)


def test_pos_tags(tok: Tokenizer) -> None:
    pairs = tok.tag(PROSE)
    assert "".join(w for w, _ in pairs) == PROSE
    assert all(isinstance(t, str) and t for _, t in pairs)
    tags = dict(pairs)
    assert tags["依申请公开"] == "n"
    assert tags["政府信息公开条例"] == "nz"
    assert tags["根据"] == "p"  # from jieba's own dictionary
    assert tags["，"] == "x"


def test_rjieba_tag_words_match_cut(rj: Tokenizer) -> None:
    assert [w for w, _ in rj.tag(PROSE)] == rj.cut(PROSE)


def test_whitespace_and_punctuation_are_tokens(tok: Tokenizer) -> None:
    text = "一、总体情况\r\n  （一）主动公开\t情况\u3000。"
    tokens = tok.cut(text)
    assert "".join(tokens) == text
    assert "\r\n" in tokens and "\u3000" in tokens and "\t" in tokens
    assert tok.cut("") == [] and tok.tag("") == []


_ALPHABET = st.sampled_from(
    list("政府信息公开依申请行政复议的了年月日一二三，。、；：（）“”《》 \n\t\u3000ab1.-%")
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_tokens_reproduce_any_text(text: str) -> None:
    for tokenizer in (default_tokenizer(), _jieba_tokenizer()):
        tokens = tokenizer.cut(text)
        assert "".join(tokens) == text
        assert all(tokens)


def _jieba_tokenizer() -> Tokenizer:
    # module-level cache so hypothesis examples do not rebuild jieba's dictionary
    global _JB
    try:
        return _JB
    except NameError:
        _JB = Tokenizer("jieba").load()
        return _JB


def test_bad_input_errors(rj: Tokenizer) -> None:
    with pytest.raises(ValueError, match="unknown tokenizer backend"):
        Tokenizer("pkuseg")
    with pytest.raises(TypeError, match="expects str"):
        rj.cut(b"bytes")  # type: ignore[arg-type]


def test_userdict_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("政务公开 100 n\n依申请公开 many n\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"bad\.txt: line 2"):
        Tokenizer(userdict=bad).cut("政务公开")
    dup = tmp_path / "dup.txt"
    dup.write_text("政务公开 100 n\n政务公开 10 n\n", encoding="utf-8")
    with pytest.raises(ModelError, match="duplicate"):
        read_userdict(dup)
    missing = tmp_path / "missing.txt"
    with pytest.raises(ModelError, match="missing.txt"):
        Tokenizer(userdict=missing).cut("政务公开")
    with pytest.raises(ModelError, match="missing.txt"):
        _ = Tokenizer(userdict=missing).dictionary_checksum


def test_packaged_userdict() -> None:
    words = read_userdict(USERDICT_PATH)
    assert 150 <= len(words) <= 400
    assert {w.word for w in words} >= set(DOMAIN_WORDS)
    assert {w.tag for w in words} <= {"n", "nz", "nt", "l", "j", "vn", "v"}


def test_custom_userdict_and_checksum(tmp_path: Path) -> None:
    custom = tmp_path / "u.txt"
    custom.write_text("政务新媒体矩阵 3000 n\n", encoding="utf-8")
    tok = Tokenizer(userdict=custom)
    assert "政务新媒体矩阵" in tok.cut("建设政务新媒体矩阵")
    assert tok.dictionary_checksum == hashlib.sha256(custom.read_bytes()).hexdigest()
    assert Tokenizer().dictionary_checksum == hashlib.sha256(USERDICT_PATH.read_bytes()).hexdigest()


def test_user_frequency_never_splits_a_word_worse(tmp_path: Path) -> None:
    """A tiny file frequency is raised to the least one that keeps the word whole (jieba's overwrite trap)."""
    low = tmp_path / "low.txt"
    low.write_text("公开工作年度 1 n\n", encoding="utf-8")
    for backend in ("rjieba", "jieba"):
        assert "公开工作年度" in Tokenizer(backend, userdict=low).cut("信息公开工作年度")


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_pickle_round_trip(backend: str) -> None:
    fresh = Tokenizer(backend, hmm=False)
    loaded = Tokenizer(backend).load()
    for original in (fresh, loaded):
        blob = pickle.dumps(original)
        assert len(blob) < 1000  # settings only, never the dictionary
        copy = pickle.loads(blob)
        assert copy == original and copy._engine is None
        assert copy.cut(PROSE) == original.cut(PROSE)
        assert copy.dictionary_checksum == original.dictionary_checksum


def test_default_tokenizer() -> None:
    tok = default_tokenizer()
    assert tok is default_tokenizer()
    assert tok.backend == "rjieba" and tok.userdict is None


def test_jieba_globals_untouched_and_no_shared_cache(tmp_path: Path) -> None:
    """Run in a fresh interpreter with its own TMPDIR: jieba.dt stays uninitialised and no file appears."""
    script = textwrap.dedent(
        """
        import os, tempfile, jieba, jieba.posseg
        from nlp_reports.nlp.tokenizer import Tokenizer
        for backend in ("rjieba", "jieba"):
            t = Tokenizer(backend)
            assert "依申请公开" in t.cut("依申请公开"), backend
            assert t.tag("政务新媒体") == [("政务新媒体", "n")], backend
        assert jieba.dt.initialized is False
        assert "依申请公开" not in jieba.dt.FREQ and not jieba.dt.user_word_tag_tab
        assert "依申请公开" not in jieba.posseg.dt.word_tag_tab
        print(tempfile.gettempdir(), sorted(os.listdir(tempfile.gettempdir())))
        """
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == str(tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert "Building prefix dict" not in out.stderr  # jieba.initialize() was never called


def test_boundary_disagreement() -> None:
    assert token_boundaries(["政务", "公开"]) == {2, 4}
    assert boundary_disagreement(["政务公开"], ["政务", "公开"]) == (1, 2)
    assert boundary_disagreement(["ab"], ["a", "b"]) == (1, 2)
    with pytest.raises(ValueError):
        boundary_disagreement(["ab"], ["abc"])


# ---------------------------------------------------------------- corpus agreement


def _corpus_texts(split: str | None) -> list[tuple[str, str]]:
    manifest = CORPUS / "manifest.csv"
    if not manifest.is_file():
        pytest.skip(f"corpus not found at {CORPUS} (set NLP_REPORTS_CORPUS)")
    with manifest.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if split is None or r["split"] == split]
    return [
        (r["doc_id"], (CORPUS / "texts" / f"{r['doc_id']}.txt").read_text(encoding="utf-8")) for r in rows
    ]


def _disagreement(rj: Tokenizer, jb: Tokenizer, texts: list[str]) -> tuple[float, int, float, float]:
    diff = union = 0
    t_rj = t_jb = 0.0
    for text in texts:
        t0 = time.perf_counter()
        a = rj.cut(text)
        t1 = time.perf_counter()
        b = jb.cut(text)
        t_rj += t1 - t0
        t_jb += time.perf_counter() - t1
        d, u = boundary_disagreement(b, a)
        diff, union = diff + d, union + u
    n = sum(map(len, texts))
    return diff / max(union, 1), n, n / max(t_rj, 1e-9), n / max(t_jb, 1e-9)


@pytest.mark.corpus
def test_backend_agreement_sampled(rj: Tokenizer, jb: Tokenizer) -> None:
    """Deterministic ~400k-character sample: the first 2,400 characters of every train report."""
    texts = [text[:2400] for _, text in _corpus_texts("train")]
    rate, n, rj_speed, jb_speed = _disagreement(rj, jb, texts)
    print(
        f"\nsampled {n} chars: disagreement {rate:.4%}; rjieba {rj_speed:,.0f} c/s, jieba {jb_speed:,.0f} c/s"
    )
    assert n > 300_000
    assert rate < MAX_DISAGREEMENT


@pytest.mark.corpus
@pytest.mark.slow
def test_backend_agreement_whole_corpus(rj: Tokenizer, jb: Tokenizer) -> None:
    texts = [text for _, text in _corpus_texts(None)]
    rate, n, rj_speed, jb_speed = _disagreement(rj, jb, texts)
    print(
        f"\nwhole corpus {n} chars: disagreement {rate:.4%}; rjieba {rj_speed:,.0f} c/s, jieba {jb_speed:,.0f} c/s"
    )
    assert rate < MAX_DISAGREEMENT


# ---------------------------------------------------------------- spaCy


def _report(text: str, sections: list[tuple[int, int, str | None]], critique: int | None = None) -> Report:
    """A Report built by hand: sentences end at 。 or a newline; sections as (start, end, canonical)."""
    secs = tuple(
        Section(
            idx=i,
            title=text[s:e].split("\n")[0],
            marker=None,
            level=1,
            start=s,
            body_start=text.find("\n", s, e) + 1 or e,
            end=e,
            parent=None,
            canonical=c,
        )
        for i, (s, e, c) in enumerate(sections)
    )
    sentences: list[Sentence] = []
    for m in re.finditer(r"[^。\s][^。\n]*。?", text):
        sec = next((x for x in secs if x.start <= m.start() < x.end), None)
        sentences.append(
            Sentence(
                idx=len(sentences),
                text=m.group(),
                start=m.start(),
                end=m.end(),
                orig_start=m.start(),
                orig_end=m.end(),
                section=sec.idx if sec else None,
                section_path=(sec.title,) if sec else (),
                canonical_section=sec.canonical if sec else None,
                marker=None,
                kind="heading" if sec and m.start() == sec.start else "sentence",
                in_self_critique=sec is not None and sec.idx == critique,
            )
        )
    raw = text.encode("utf-8")
    return Report(
        doc_id="T001",
        source=LoadedText(None, text, "string", None, hashlib.sha256(raw).hexdigest(), len(raw)),
        normalized=NormalizedText(text, OffsetMap.identity(len(text))),
        metadata=Metadata(
            title="测试报告",
            agency="测试县人民政府",
            year=2024,
            level="county",
            doc_type="disclosure_annual_report",
        ),
        sections=secs,
        sentences=tuple(sentences),
        self_critique_idx=critique,
    )


SYNTH = (
    "  一、总体情况\n本年度依申请公开工作平稳有序。政务新媒体运行规范。\n"
    "五、存在的主要问题及改进情况\n一是政策解读形式单一。二是行政复议答复不够及时。\n"
)


@pytest.fixture(scope="module")
def synth_report() -> Report:
    cut = SYNTH.index("五、")
    return _report(SYNTH, [(2, cut, "总体情况"), (cut, len(SYNTH), "问题与改进")], critique=1)


def test_spacy_doc_round_trip(synth_report: Report) -> None:
    doc = report_to_doc(synth_report)
    assert doc.text == synth_report.text
    assert all(not t.whitespace_ for t in doc)
    sents = list(doc.sents)
    assert len(sents) == len(synth_report.sentences) == 6
    spans = doc.spans["sentences"]
    assert [s.text for s in spans] == [s.text for s in synth_report.sentences]
    assert [s._.sentence_idx for s in spans] == list(range(6))
    assert [s._.in_self_critique for s in spans] == [False] * 3 + [True] * 3
    assert (
        spans[4]._.canonical_section == "问题与改进" and spans[4]._.label is None and spans[4]._.probas == {}
    )
    assert spans[0].label_ == "heading" and spans[1].label_ == "sentence"
    assert "依申请公开" in [t.text for t in doc] and "\n" in [t.text for t in doc]


def test_spacy_sections_and_doc_extensions(synth_report: Report) -> None:
    doc = report_to_doc(synth_report)
    sections = doc.spans["sections"]
    assert [s.label_ for s in sections] == ["总体情况", "问题与改进"]
    assert [s.text for s in sections] == [synth_report.section_text(x) for x in synth_report.sections]
    assert [s._.in_self_critique for s in sections] == [False, True]
    assert doc._.doc_id == "T001" and doc._.report is synth_report
    assert doc._.metadata["year"] == 2024 and doc._.metadata["doc_type"] == "disclosure_annual_report"
    # user_data stays serialisable (the Report is not in it); pickling keeps the Report
    doc.to_bytes(exclude=["user_hooks"])
    again = pickle.loads(pickle.dumps(doc))
    assert again._.report == synth_report and again._.doc_id == "T001"
    bin_ = DocBin(store_user_data=True)
    bin_.add(doc)
    (restored,) = DocBin().from_bytes(bin_.to_bytes()).get_docs(doc.vocab)
    assert restored.text == doc.text and restored._.doc_id == "T001" and restored._.report is None
    assert [s._.sentence_idx for s in restored.spans["sentences"]] == list(range(6))


def test_sentence_boundary_inside_a_token_splits_it() -> None:
    text = "依申请公开工作"
    base = _report(text, [(0, len(text), None)])
    one = Sentence(0, "依申请", 0, 3, 0, 3, 0, (), None, None, "sentence", False)
    two = Sentence(1, "公开工作", 3, 7, 3, 7, 0, (), None, None, "sentence", False)
    report = Report(base.doc_id, base.source, base.normalized, base.metadata, base.sections, (one, two))
    doc = report_to_doc(report)
    assert doc.text == text
    assert [s.text for s in doc.sents] == ["依申请", "公开工作"]
    assert doc.spans["sections"][0].label_ == "section"
    # a section starting inside a token ("公开|工作") is exact too, not expanded to the whole token
    inner = Section(1, "工作", None, 2, 5, 5, 7, 0, synthetic=True)
    report = Report(
        base.doc_id, base.source, base.normalized, base.metadata, (*base.sections, inner), (one, two)
    )
    doc = report_to_doc(report)
    assert [s.text for s in doc.spans["sections"]] == [text, "工作"]


def test_bad_offsets_are_reported(synth_report: Report) -> None:
    bad = Sentence(0, "x", 0, 10_000, 0, 10_000, None, (), None, None, "sentence", False)
    report = Report(
        synth_report.doc_id, synth_report.source, synth_report.normalized, synth_report.metadata, (), (bad,)
    )
    with pytest.raises(ValueError, match="T001: sentence 0"):
        report_to_doc(report)


def test_make_nlp_with_given_tokenizer(jb: Tokenizer) -> None:
    nlp = make_nlp(jb)
    assert nlp.tokenizer.tokenizer is jb
    assert nlp.config["nlp"]["tokenizer"]["backend"] == "jieba"
    assert [t.text for t in nlp("政务新媒体和行政复议")] == ["政务新媒体", "和", "行政复议"]
    assert nlp.pipe_names == []


@pytest.mark.corpus
def test_spacy_doc_on_a_real_report() -> None:
    doc_id, text = _corpus_texts("train")[0]
    report = _report(text, [(0, len(text), None)])
    doc = report_to_doc(report)
    assert doc.text == text, doc_id
    assert len(list(doc.sents)) == len(report.sentences)
