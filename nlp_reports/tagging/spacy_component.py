"""spaCy component ``report_sentence_tagger``: sets ``Span._.label`` and ``Span._.probas``.

>>> from nlp_reports.nlp.spacy_doc import make_nlp, report_to_doc  # doctest: +SKIP
>>> nlp = make_nlp(); nlp.add_pipe("report_sentence_tagger")  # doctest: +SKIP
>>> doc = nlp(report_to_doc(report, nlp))  # doctest: +SKIP
>>> [(s.text, s._.label) for s in doc.spans["sentences"]][:3]  # doctest: +SKIP

Works on the sentence spans of :func:`~nlp_reports.nlp.spacy_doc.report_to_doc` (which carry the
section and self-critique context), or on ``doc.sents`` of any Doc with sentence boundaries, or on
the whole Doc as one sentence. It runs the same tagger as ``tag_sentences`` and ``analyze``.
"""

from __future__ import annotations

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from nlp_reports.nlp.spacy_doc import register_extensions
from nlp_reports.tagging.rules import LABELS
from nlp_reports.tagging.tagger import load_model, tag_frame


class ReportSentenceTagger:
    def __init__(self, nlp: Language, name: str, model_path: str | None):
        register_extensions()
        self.name = name
        self.model_path = model_path

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans["sentences"]) if "sentences" in doc.spans else (
            list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        )
        if not spans:
            return doc
        frame = pd.DataFrame({
            "text": [s.text.strip() for s in spans],
            "section": [s._.canonical_section for s in spans],
            "in_self_critique": [s._.in_self_critique if "sentences" in doc.spans else None for s in spans],
        })
        tags = tag_frame(frame, load_model(self.model_path))
        for span, (_, row) in zip(spans, tags.iterrows(), strict=True):
            span._.label = row["label"]
            span._.probas = {lab: float(row[f"proba_{lab}"]) for lab in LABELS}
        return doc


@Language.factory("report_sentence_tagger", default_config={"model_path": None})
def make_report_sentence_tagger(nlp: Language, name: str, model_path: str | None) -> ReportSentenceTagger:
    return ReportSentenceTagger(nlp, name, model_path)
