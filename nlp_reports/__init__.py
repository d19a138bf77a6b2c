"""nlp_reports: text-as-data toolkit for Chinese government reports.

Pipeline: io (load, decode, normalize) -> structure (sections, sentences, tables) -> nlp (tokens,
spaCy) -> tagging (rules, classifier) -> scoring (self-critique, tables, corpus measures) ->
corpus (batch, export, Dask) -> interfaces (API, CLI, notebook display).

>>> import nlp_reports as nr  # doctest: +SKIP
>>> a = nr.analyze("corpora/examples/示例镇2024年政府信息公开工作年度报告.txt")  # doctest: +SKIP
>>> a.critique.score  # doctest: +SKIP
"""

__version__ = "0.1.0"

__all__ = ["analyze", "load", "tag_sentences", "score_corpus", "__version__"]


def __getattr__(name: str):
    # lazy: `import nlp_reports` stays cheap (cold start), heavy modules load on first use
    if name in ("analyze", "load", "tag_sentences"):
        from nlp_reports.interfaces import api

        return getattr(api, name)
    if name == "score_corpus":
        from nlp_reports.corpus.batch import score_corpus

        return score_corpus
    raise AttributeError(f"module 'nlp_reports' has no attribute {name!r}")
