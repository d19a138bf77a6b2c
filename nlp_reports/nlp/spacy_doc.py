"""spaCy view of a report: ``spacy.blank("zh")`` with the project's tokenizer, sentence and section spans.

No model is downloaded: the pipeline is blank and only its tokenizer is replaced, so every token comes
from :class:`nlp_reports.nlp.tokenizer.Tokenizer` and ``doc.text == report.text`` exactly (whitespace and
newlines are tokens of their own, ``spaces`` are all False).

>>> doc = report_to_doc(report)                       # doctest: +SKIP
>>> [s._.sentence_idx for s in doc.spans["sentences"]][:3]   # doctest: +SKIP
[0, 1, 2]

Extensions (registered once, on import):

- ``Doc._.doc_id``, ``Doc._.metadata`` (dict of :class:`~nlp_reports.types.Metadata` fields),
  ``Doc._.report`` (the :class:`~nlp_reports.types.Report`; kept in ``doc.user_hooks`` so that
  ``Doc.to_bytes``/``DocBin`` still serialise the rest — pickling keeps it, ``to_bytes`` drops it);
- ``Span._.sentence_idx``, ``Span._.section_idx``, ``Span._.canonical_section``, ``Span._.in_self_critique``,
  ``Span._.label`` (None until a tagger sets it), ``Span._.probas`` (a dict on sentence spans).

spaCy keys span extension values by character offsets, so a section span with exactly the offsets of a
sentence (a heading-only section) shares its values; sentence values are written last and win.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry
from spacy.vocab import Vocab

from nlp_reports.nlp.tokenizer import Tokenizer, default_tokenizer
from nlp_reports.types import Report

__all__ = ["ReportTokenizer", "make_nlp", "register_extensions", "report_to_doc"]

_REPORT_HOOK = "nlp_reports.report"


class ReportTokenizer:
    """spaCy tokenizer wrapping :class:`Tokenizer`; tokens reproduce the text exactly."""

    def __init__(self, vocab: Vocab, tokenizer: Tokenizer | None = None):
        self.vocab = vocab
        self.tokenizer = tokenizer if tokenizer is not None else default_tokenizer()

    def __call__(self, text: str) -> Doc:
        words = self.tokenizer.cut(text)
        return Doc(self.vocab, words=words, spaces=[False] * len(words))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReportTokenizer, (self.vocab, self.tokenizer))

    # Serialisation: only the settings; the engine is rebuilt lazily on first use.
    def to_bytes(self, **kwargs: Any) -> bytes:
        import srsly

        return srsly.msgpack_dumps(_settings(self.tokenizer))

    def from_bytes(self, data: bytes, **kwargs: Any) -> ReportTokenizer:
        import srsly

        self.tokenizer = Tokenizer(**srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        from pathlib import Path

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path: Any, **kwargs: Any) -> ReportTokenizer:
        from pathlib import Path

        return self.from_bytes(Path(path).read_bytes())


def _settings(tok: Tokenizer) -> dict[str, Any]:
    return {
        "backend": tok.backend,
        "userdict": None if tok.userdict is None else str(tok.userdict),
        "hmm": tok.hmm,
    }


@registry.tokenizers("nlp_reports.Tokenizer.v1")
def create_report_tokenizer(
    backend: str = "rjieba", userdict: str | None = None, hmm: bool = True, segmenter: str | None = None
) -> Callable[[Language], ReportTokenizer]:
    """Config entry point; ``segmenter`` is accepted (and ignored) because zh's default config sets it."""
    tok = Tokenizer(backend=backend, userdict=userdict, hmm=hmm)

    def make(nlp: Language) -> ReportTokenizer:
        return ReportTokenizer(nlp.vocab, tok)

    return make


def register_extensions() -> None:
    """Declare the Doc/Span extensions (idempotent)."""
    doc_ext: dict[str, dict[str, Any]] = {
        "doc_id": {"default": None},
        "metadata": {"default": None},
        "report": {"getter": _get_report, "setter": _set_report},
    }
    span_ext: dict[str, dict[str, Any]] = {
        "sentence_idx": {"default": None},
        "section_idx": {"default": None},
        "canonical_section": {"default": None},
        "in_self_critique": {"default": False},
        "label": {"default": None},
        # None, not {}: a mutable default would be one dict shared by every span.
        "probas": {"default": None},
    }
    for name, kw in doc_ext.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, **kw)
    for name, kw in span_ext.items():
        if not Span.has_extension(name):
            Span.set_extension(name, **kw)


def _get_report(doc: Doc) -> Report | None:
    return doc.user_hooks.get(_REPORT_HOOK)


def _set_report(doc: Doc, report: Report | None) -> None:
    doc.user_hooks[_REPORT_HOOK] = report


def make_nlp(tokenizer: Tokenizer | None = None) -> Language:
    """``spacy.blank("zh")`` whose tokenizer is ours (the shared default rjieba one when None).

    The tokenizer's settings go into ``nlp.config`` (``@tokenizers = "nlp_reports.Tokenizer.v1"``), so
    ``nlp.to_disk``/``spacy.load`` rebuild it; the given instance itself is reused, not copied.
    """
    tok = tokenizer if tokenizer is not None else default_tokenizer()
    config = {"nlp": {"tokenizer": {"@tokenizers": "nlp_reports.Tokenizer.v1", **_settings(tok)}}}
    nlp = spacy.blank("zh", config=config)
    nlp.tokenizer = ReportTokenizer(nlp.vocab, tok)
    return nlp


@functools.lru_cache(maxsize=1)
def _default_nlp() -> Language:
    return make_nlp()


def _split_at(doc: Doc, offsets: Iterable[int]) -> Doc:
    """Copy of ``doc`` whose tokens are split so every offset is a token boundary.

    Needed because a sentence or section boundary from the structure layer can fall inside a jieba
    token (e.g. a numbered item glued to the previous word); spans must start and end on tokens.
    """
    text = doc.text  # Doc.text is rebuilt from the tokens on every access
    cuts = sorted({o for o in offsets if 0 < o < len(text)})
    starts = {t.idx for t in doc}
    if all(c in starts for c in cuts):
        return doc
    words: list[str] = []
    spaces: list[bool] = []
    ci = 0
    for tok in doc:
        start, end = tok.idx, tok.idx + len(tok.text)
        while ci < len(cuts) and cuts[ci] <= start:
            ci += 1
        pos = start
        while ci < len(cuts) and cuts[ci] < end:
            words.append(text[pos : cuts[ci]])
            spaces.append(False)
            pos = cuts[ci]
            ci += 1
        words.append(text[pos:end])
        spaces.append(bool(tok.whitespace_))
    return Doc(doc.vocab, words=words, spaces=spaces)


def _span(doc: Doc, start: int, end: int, label: str) -> Span:
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    if span is None:  # empty range: a zero-length span at the next token
        i = next((t.i for t in doc if t.idx >= start), len(doc))
        span = Span(doc, i, i, label=label)
    return span


def report_to_doc(report: Report, nlp: Language | None = None) -> Doc:
    """Doc of ``report.text`` with sentence starts, ``doc.spans["sentences"]`` and ``doc.spans["sections"]``.

    Tokens that straddle a sentence or section boundary are split there, so every span covers exactly
    its offsets. Sentence starts follow ``report.sentences`` (text before the first sentence joins it),
    so ``len(list(doc.sents)) == len(report.sentences)``; the pipeline's components then run on the Doc.
    """
    register_extensions()
    nlp = nlp if nlp is not None else _default_nlp()
    text = report.text
    n = len(text)
    for s in report.sentences:
        if not 0 <= s.start <= s.end <= n:
            raise ValueError(
                f"{report.doc_id}: sentence {s.idx} offsets {s.start}-{s.end} outside text of {n}"
            )
    for sec in report.sections:
        if not 0 <= sec.start <= sec.end <= n:
            raise ValueError(
                f"{report.doc_id}: section {sec.idx} offsets {sec.start}-{sec.end} outside text of {n}"
            )

    doc = nlp.make_doc(text)
    bounds = [o for s in report.sentences for o in (s.start, s.end)]
    doc = _split_at(doc, bounds + [o for sec in report.sections for o in (sec.start, sec.end)])

    sections = []
    for sec in report.sections:
        span = _span(doc, sec.start, sec.end, sec.canonical or "section")
        span._.section_idx = sec.idx
        span._.canonical_section = sec.canonical
        span._.in_self_critique = report.self_critique_idx == sec.idx
        sections.append(span)
    sentences = []
    for s in report.sentences:
        span = _span(doc, s.start, s.end, s.kind)
        span._.sentence_idx = s.idx
        span._.section_idx = s.section
        span._.canonical_section = s.canonical_section
        span._.in_self_critique = s.in_self_critique
        span._.probas = {}
        sentences.append(span)
    doc.spans["sections"] = sections
    doc.spans["sentences"] = sentences

    if len(doc):
        starts = {span.start for span in sentences if span.start < len(doc)}
        # doc[0] always starts a sentence: text before the first sentence joins it, not a sentence of its own
        starts.discard(min(starts, default=0))
        # one from_array call: setting Token.is_sent_start token by token rescans the doc each time
        flags = numpy.full((len(doc), 1), -1, dtype="int32")
        flags[[0, *starts], 0] = 1
        doc.from_array([SENT_START], flags.astype("uint64"))

    doc._.doc_id = report.doc_id
    doc._.metadata = dataclasses.asdict(report.metadata)
    doc._.report = report
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


register_extensions()
