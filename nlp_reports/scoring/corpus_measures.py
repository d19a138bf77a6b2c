"""Corpus-level text measures used by the self-critique score.

Stickiness (Dyer, Lang & Stice-Lawrence 2017), Lang & Stice-Lawrence boilerplate and token
similarity, on plain strings so that the corpus second pass needs no report objects.
See /work/shared/reference/measures.md §3.1 and §3.3.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from functools import lru_cache

from nlp_reports.nlp.tokenizer import Tokenizer, default_tokenizer

# Digits and years change every year even in a verbatim copy ("2023年" -> "2024年"): drop them.
_NOISE = re.compile(r"[\s0-9０-９一二三四五六七八九十〇零、，。；：！？,.;:!?()（）“”\"'《》【】\[\]—\-·…]+")
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_STOP = frozenset("的 了 和 与 及 等 在 对 是 为 将 把 被 中 上 下 有 也 并 还 仍 要 以 从 进一步 加强 工作 存在 一是 二是 三是 四是 五是 我 我们 我县 我区 我局 方面 问题 情况 一些 部分".split())


def tokenizer() -> Tokenizer:
    """The process's shared rjieba tokenizer, the one the tagger uses (never jieba's global instance)."""
    return default_tokenizer()


def squeeze(text: str) -> str:
    """Text without digits, punctuation and whitespace: 2023年加强 -> 年加强."""
    return _NOISE.sub("", text)


def char_ngrams(text: str, n: int) -> list[str]:
    """Character n-grams of the squeezed text (occurrences, in order)."""
    s = squeeze(text)
    return [s[i : i + n] for i in range(len(s) - n + 1)]


def stickiness(grams: Sequence[str], other: set[str] | frozenset[str]) -> float:
    """Share of n-gram occurrences of a text that also occur in ``other`` (DLS 2017); NaN if empty."""
    if not grams:
        return float("nan")
    return sum(g in other for g in grams) / len(grams)


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Word tokens with content (punctuation and digits dropped)."""
    return tuple(w for w in tokenizer().cut(text) if _CONTENT.search(w))


def content_tokens(text: str) -> frozenset[str]:
    """Content words for matching: 公开目录更新不及时 -> {公开, 目录, 更新, 及时}."""
    return frozenset(w for w in words(text) if w not in _STOP and (len(w) > 1 or not w.isascii()) and len(w) > 1)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def word_ngrams(text: str, n: int) -> list[tuple[str, ...]]:
    w = words(text)
    return [w[i : i + n] for i in range(len(w) - n + 1)]


def boilerplate_ngrams(
    docs: Iterable[Sequence[str]], n: int = 4, min_share: float = 0.30, max_share: float = 0.75
) -> frozenset[tuple[str, ...]]:
    """The Lang & Stice-Lawrence candidate set: word n-grams in ≥ min_share and < max_share of docs.

    ``docs`` is one sequence of sentences per document of the reference group.
    """
    return boilerplate_from_sets([{g for s in sents for g in word_ngrams(s, n)} for sents in docs], min_share, max_share)


def boilerplate_from_sets(
    doc_grams: Sequence[Set[tuple[str, ...]]], min_share: float = 0.30, max_share: float = 0.75
) -> frozenset[tuple[str, ...]]:
    """:func:`boilerplate_ngrams` from each document's n-gram set, computed once per document
    however many reference groups it belongs to."""
    df: Counter[tuple[str, ...]] = Counter()
    for grams in doc_grams:
        df.update(grams)
    n_docs = len(doc_grams)
    if n_docs == 0:
        return frozenset()
    return frozenset(g for g, c in df.items() if min_share <= c / n_docs < max_share)


def lsl_boilerplate(sentences: Sequence[str], grams: frozenset[tuple[str, ...]], n: int = 4) -> float:
    """Σ words of sentences containing a boilerplate n-gram / Σ words; NaN when there are no words."""
    total = hit = 0
    for s in sentences:
        w = len(words(s))
        total += w
        if grams and any(g in grams for g in word_ngrams(s, n)):
            hit += w
    return hit / total if total else float("nan")


def normalize_agency(agency: str | None, noise: Sequence[str], suffixes: Sequence[str]) -> str | None:
    """A comparable body name, or None when the metadata string is page furniture.

    平潭县人民政府 -> 平潭县人民政府; 首页政务公开 -> None; ' 平潭县 人民政府 ' -> 平潭县人民政府.
    """
    if not agency:
        return None
    a = re.sub(r"\s+", "", agency)
    if len(a) < 2 or len(a) > 40 or any(t in a for t in noise):
        return None
    if not any(a.endswith(s) for s in suffixes):
        return None
    return a


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient |a∩b| / min(|a|, |b|); 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
