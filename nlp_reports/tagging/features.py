"""Character n-gram TF-IDF computed with numpy (no Python loop over n-grams).

An n-gram of code points (c1, c2, c3) is packed into one int64 (21 bits per code point, which
covers all of Unicode), so a whole batch of texts turns into arrays of n-gram codes with a few
vectorized operations, and the vocabulary lookup is a ``searchsorted``. Same weighting as
scikit-learn's ``TfidfVectorizer(analyzer="char", sublinear_tf=True, smooth_idf=True, norm="l2")``.

>>> v = CharNgramTfidf(ngram_max=2, min_df=1).fit(["有待加强", "有待提高"])
>>> v.transform(["有待加强"]).shape[1] == len(v.codes_)
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp

from nlp_reports.nlp.tokenizer import Tokenizer, default_tokenizer
from nlp_reports.tagging.rules import LABELS, Unit, unit_kind

_BITS = 21
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_ANY_DIGIT = re.compile(r"\d")
SECTIONS = ("总体情况", "主动公开", "依申请公开", "复议诉讼", "问题与改进", "其他事项", "回顾", "问题与不足", "部署")
KINDS = ("heading", "item", "sentence")


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated code points (0 separates texts) and the text index of each position."""
    # NUL is the separator, so NULs inside a text become spaces; lone surrogates become "?"
    joined = "\x00".join(t.replace("\x00", " ") for t in texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le", errors="replace"), dtype=np.uint32).astype(np.int64)
    sep = cps == 0
    doc = np.cumsum(sep) - sep  # index of the text each position belongs to
    return cps, doc


def ngram_codes(texts: Sequence[str], ngram_max: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes, doc index) of every character n-gram, n = 1..ngram_max, of every text."""
    cps, doc = _codepoints(texts)
    valid = cps != 0
    codes, docs = [], []
    n = len(cps)
    for k in range(1, ngram_max + 1):
        if n < k:
            break
        m = n - k + 1
        ok = np.ones(m, dtype=bool)
        code = np.zeros(m, dtype=np.int64)
        for j in range(k):
            ok &= valid[j : j + m]
            code = (code << _BITS) | cps[j : j + m]
        codes.append(code[ok])
        docs.append(doc[:m][ok])
    if not codes:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(codes), np.concatenate(docs)


def _sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """(1 + log tf) * idf, rows scaled to unit length."""
    m = counts.tocsr()
    m.sum_duplicates()
    m.data = (1.0 + np.log(m.data)) * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def tfidf_from_pairs(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], idf: np.ndarray) -> sp.csr_matrix:
    """:func:`_sublinear_tfidf` of the count matrix of (row, col) occurrences, built directly:
    one sort of packed keys instead of COO -> CSR, duplicate summing, index sorting and two
    sparse products (the same values up to rounding)."""
    n_rows, n_cols = shape
    key = np.sort(rows.astype(np.int64) * max(n_cols, 1) + cols)
    if len(key):
        first = np.concatenate(([True], key[1:] != key[:-1]))
        starts = np.flatnonzero(first)
        uniq, tf = key[starts], np.diff(np.append(starts, len(key)))
    else:
        uniq, tf = key, np.zeros(0, np.int64)
    r, c = uniq // max(n_cols, 1), uniq % max(n_cols, 1)
    data = (1.0 + np.log(tf)) * idf[c]
    norms = np.sqrt(np.bincount(r, weights=data * data, minlength=n_rows))
    norms[norms == 0] = 1.0
    data /= norms[r]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n_rows), out=indptr[1:])
    out = sp.csr_matrix((data, c, indptr), shape=shape)
    out.has_sorted_indices = True
    return out


class _Ids(dict):
    """A lookup that answers -1 for an unknown key, so that ``map(ids.__getitem__, keys)`` runs
    in C instead of a Python generator calling ``get`` once per token."""

    def __missing__(self, key: str) -> int:
        return -1


class CharNgramTfidf:
    """Fit/transform like a vectorizer; learned: ``codes_`` (sorted vocabulary), ``idf_``."""

    def __init__(self, ngram_max: int = 3, min_df: int = 2, max_features: int | None = 30000):
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, texts: Sequence[str]) -> CharNgramTfidf:
        codes, docs = ngram_codes(texts, self.ngram_max)
        uniq, inv, counts = np.unique(codes, return_inverse=True, return_counts=True)
        pairs = np.unique(inv.astype(np.int64) * (len(texts) + 1) + docs)
        df = np.bincount(pairs // (len(texts) + 1), minlength=len(uniq))
        keep = df >= self.min_df
        if self.max_features is not None and keep.sum() > self.max_features:
            # most frequent n-grams over the corpus, ties broken by code for determinism
            order = np.lexsort((uniq, -counts))
            order = order[keep[order]][: self.max_features]
            keep = np.zeros_like(keep)
            keep[order] = True
        self.codes_ = uniq[keep]
        n = len(texts)
        self.idf_ = np.log((1 + n) / (1 + df[keep])) + 1.0
        return self

    def _lookup(self) -> pd.Index:
        # a hash index: 4-5 times faster than searchsorted on the sorted codes for millions of n-grams
        if getattr(self, "_index", None) is None:
            self._index = pd.Index(self.codes_)
        return self._index

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        codes, docs = ngram_codes(texts, self.ngram_max)
        idx = self._lookup().get_indexer(codes) if len(self.codes_) else np.full(len(codes), -1)
        hit = idx >= 0
        return tfidf_from_pairs(docs[hit], idx[hit], (len(texts), len(self.codes_)), self.idf_)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_index", None)  # rebuilt from codes_ on first use
        return state

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)


class WordNgramTfidf:
    """Word uni- and bigram TF-IDF over pre-tokenized texts (lists of tokens).

    Same weighting as :class:`CharNgramTfidf`. The vocabulary is kept as a string array
    (``terms_``, bigrams as "w1 w2") for compact persistence; the lookup dict is rebuilt on load.
    """

    def __init__(self, min_df: int = 2, max_features: int | None = 15000):
        self.min_df = min_df
        self.max_features = max_features

    @staticmethod
    def _grams(tokens: list[str]) -> list[str]:
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    def fit(self, docs: Sequence[list[str]]) -> WordNgramTfidf:
        df: dict[str, int] = {}
        tf: dict[str, int] = {}
        for toks in docs:
            grams = self._grams(toks)
            for g in grams:
                tf[g] = tf.get(g, 0) + 1
            for g in set(grams):
                df[g] = df.get(g, 0) + 1
        terms = [g for g, d in df.items() if d >= self.min_df]
        # most frequent first, ties by the term itself: deterministic across runs
        terms.sort(key=lambda g: (-tf[g], g))
        if self.max_features is not None:
            terms = terms[: self.max_features]
        self.terms_ = np.array(terms, dtype=str)
        n = len(docs)
        self.idf_ = np.log((1 + n) / (1 + np.array([df[g] for g in terms], dtype=float))) + 1.0
        self._index = None
        return self

    def _lookup(self) -> tuple[dict[str, int], np.ndarray, pd.Index, np.ndarray, int]:
        """Token ids, the unigram column of each token id, and bigrams as packed id pairs (a hash
        index over ``id_a * n_tokens + id_b``) with their columns: a report's tokens are then looked
        up once each, and its bigrams with numpy instead of building "w1 w2" strings."""
        if getattr(self, "_index", None) is None:
            tok: dict[str, int] = _Ids()
            uni: list[tuple[int, int]] = []
            big: list[tuple[int, int, int]] = []
            for col, g in enumerate(str(t) for t in self.terms_):
                a, sep, b = g.partition(" ")
                if sep:
                    big.append((tok.setdefault(a, len(tok)), tok.setdefault(b, len(tok)), col))
                else:
                    uni.append((tok.setdefault(g, len(tok)), col))
            n = max(len(tok), 1)
            uni_col = np.full(len(tok) + 1, -1, dtype=np.int64)  # last slot: unknown token
            for tid, col in uni:
                uni_col[tid] = col
            pairs = np.array(big, dtype=np.int64).reshape(-1, 3)
            self._index = (tok, uni_col, pd.Index(pairs[:, 0] * n + pairs[:, 1]), pairs[:, 2], n)
        return self._index

    def transform(self, docs: Sequence[list[str]]) -> sp.csr_matrix:
        tok, uni_col, big_index, big_cols, n = self._lookup()
        flat = [w for d in docs for w in d]
        tid = np.fromiter(map(tok.__getitem__, flat), dtype=np.int64, count=len(flat))
        doc = np.repeat(np.arange(len(docs), dtype=np.int64), [len(d) for d in docs])
        ucol = uni_col[tid]  # tid -1 reads the unknown slot
        u = ucol >= 0
        a, b = tid[:-1], tid[1:]
        ok = (doc[1:] == doc[:-1]) & (a >= 0) & (b >= 0)
        bi = big_index.get_indexer(a[ok] * n + b[ok]) if ok.any() else np.zeros(0, np.int64)
        hit = bi >= 0
        rows = np.concatenate([doc[u], doc[:-1][ok][hit]])
        cols = np.concatenate([ucol[u], big_cols[bi[hit]]])
        return tfidf_from_pairs(rows, cols, (len(docs), len(self.terms_)), self.idf_)

    def fit_transform(self, docs: Sequence[list[str]]) -> sp.csr_matrix:
        return self.fit(docs).transform(docs)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_index", None)  # rebuilt from terms_ on first use
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._index = None


# ----------------------------------------------------------------------------- unit frames


FRAMED = "nlp_reports.framed"


def as_frame(X) -> pd.DataFrame:
    """Accept a DataFrame (text, section, in_self_critique) or a sequence of strings.

    The result is marked, so that passing it on (tagger -> model) does not copy and convert again.
    """
    if isinstance(X, pd.DataFrame) and X.attrs.get(FRAMED):
        return X
    if isinstance(X, pd.DataFrame):
        df = X.copy()
    elif isinstance(X, pd.Series):
        df = pd.DataFrame({"text": X.to_numpy()})
    else:
        df = pd.DataFrame({"text": list(X)})
    if "text" not in df:
        raise ValueError("X needs a 'text' column")
    if "section" not in df:
        df["section"] = None
    if "in_self_critique" not in df:
        df["in_self_critique"] = None
    # plain object columns: pandas' Arrow-backed strings are slow to iterate row by row
    df["text"] = pd.Series([t if isinstance(t, str) else "" for t in df["text"].tolist()], index=df.index, dtype=object)
    df["section"] = df["section"].astype(object)
    df["in_self_critique"] = df["in_self_critique"].astype(object)
    df.attrs[FRAMED] = True
    return df


def _flag(c) -> bool | None:
    return None if c is None or (isinstance(c, float) and np.isnan(c)) else bool(c)


def to_units(df: pd.DataFrame) -> list[Unit]:
    out = []
    for t, s, c in zip(df["text"].tolist(), df["section"].tolist(), df["in_self_critique"].tolist(), strict=True):
        out.append(Unit(t, s if isinstance(s, str) and s else None, _flag(c)))
    return out


@lru_cache(maxsize=4)
def tokenizer_for(backend: str) -> Tokenizer:
    # one loaded dictionary per process and backend (building it costs ~0.2 s); rjieba's is the
    # process's shared tokenizer, which the corpus measures use too
    return (default_tokenizer() if backend == "rjieba" else Tokenizer(backend=backend)).load()


# ----------------------------------------------------------------------------- feature matrix


@dataclass(frozen=True)
class FeatureSpec:
    """Which blocks make up a unit's feature vector (the estimator's featurisation parameters)."""

    use_words: bool = True
    use_rules: bool = True
    use_context: bool = True
    rule_weight: float = 1.0
    tokenizer_backend: str = "rjieba"
    use_edges: bool = False
    edge_weight: float = 0.3


def dense_features(spec: FeatureSpec, df: pd.DataFrame, votes: np.ndarray | None) -> np.ndarray:
    """Rule votes (one column per rule and per label) and context (section, self-critique flag,
    unit kind, length, has a digit)."""
    blocks = []
    n = len(df)
    if spec.use_rules and votes is not None:
        onehot = np.zeros((n, votes.shape[1] + len(LABELS)), dtype=np.float64)
        onehot[:, : votes.shape[1]] = votes >= 0
        rows, cols = np.nonzero(votes >= 0)
        np.add.at(onehot, (rows, votes.shape[1] + votes[rows, cols]), 1.0)
        blocks.append(onehot * spec.rule_weight)
    if spec.use_context:
        texts = df["text"].tolist()
        ctx = np.zeros((n, len(SECTIONS) + 1 + 2 + len(KINDS) + 2), dtype=np.float64)
        sec_col = [SECTIONS.index(s) if s in SECTIONS else len(SECTIONS) for s in df["section"].tolist()]
        ctx[np.arange(n), sec_col] = 1
        for i, c in enumerate(df["in_self_critique"].tolist()):
            f = _flag(c)
            if f is not None:
                ctx[i, len(SECTIONS) + 1 + (1 if f else 0)] = 1
        kind_col = [len(SECTIONS) + 3 + KINDS.index(unit_kind(t) if t.strip() else "sentence") for t in texts]
        ctx[np.arange(n), kind_col] = 1
        ctx[:, -2] = np.minimum([len(t) for t in texts], 200) / 200
        ctx[:, -1] = [_ANY_DIGIT.search(t) is not None for t in texts]
        blocks.append(ctx)
    return np.hstack(blocks) if blocks else np.zeros((n, 0))


def shape_texts(df: pd.DataFrame) -> list[str]:
    # numbers generalise by shape: "854条" and "33条" share the n-gram "#条"
    return [_DIGITS.sub("#", t) for t in df["text"].tolist()]


_SPACE = re.compile(r"\s")


def word_docs(spec: FeatureSpec, texts: Sequence[str]) -> list[list[str]]:
    """Tokens of each text without whitespace tokens (most units have none to drop)."""
    cut = tokenizer_for(spec.tokenizer_backend).cut
    space = _SPACE.search
    return [[w for w in cut(t) if w.strip()] if space(t) else cut(t) for t in texts]


# list markers, connectives and punctuation around a unit's content (digits are already "#")
_EDGE_SKIP = re.compile(r"^(?:[\W_#]+|[一二三四五六七八九十]+|其?[一二三四五六七八九十]+是|首先|其次|同时|此外|另外|最后)$")


@lru_cache(maxsize=200_000)
def _token_info(backend: str, word: str) -> tuple[bool, str]:
    """(is a list marker / punctuation, the word's own part-of-speech tag). Dictionary words keep
    their tag in context; cached because a few thousand distinct words start or end the units."""
    tags = tokenizer_for(backend).tag(word)
    return bool(_EDGE_SKIP.match(word)), (tags[0][1] if tags else "x")


def edge_keys(spec: FeatureSpec, docs: Sequence[list[str]]) -> list[tuple[str, ...]]:
    """What a unit starts and ends with: first word and part-of-speech of the first one or two
    words and of the last one or two, after list markers and punctuation.

    A verb-initial unit is an action of the reporting body ("压降债务规模", measure); a noun-initial one
    with a result predicate is a state ("债务规模有序压降", other): word n-grams do not see where the
    verb stands.

    >>> edge_keys(FeatureSpec(), [["一是", "完善", "公开", "制度", "。"]])[0]
    ('w1=完善', 'p1=v', 'p12=v_ad', 'pl=n', 'pl2=ad_n')
    """
    out: list[tuple[str, ...]] = []
    b = spec.tokenizer_backend
    memo: dict[str, tuple[bool, str]] = {}

    def info(w: str) -> tuple[bool, str]:
        r = memo.get(w)
        if r is None:
            r = memo[w] = _token_info(b, w)
        return r

    for toks in docs:
        i, j = 0, len(toks)
        while i < j and info(toks[i])[0]:
            i += 1
        while j > i and info(toks[j - 1])[0]:
            j -= 1
        if i == j:
            out.append(())
            continue
        p0, ql = info(toks[i])[1], info(toks[j - 1])[1]
        if j - i > 1:
            p1, q0 = info(toks[i + 1])[1], info(toks[j - 2])[1]
            out.append(("w1=" + toks[i], "p1=" + p0, "p12=" + p0 + "_" + p1, "pl=" + ql, "pl2=" + q0 + "_" + ql))
        else:
            out.append(("w1=" + toks[i], "p1=" + p0, "pl=" + ql))
    return out


class EdgeVocabulary:
    """One-hot features of :func:`edge_keys` seen at least ``min_df`` times in training."""

    def __init__(self, min_df: int = 2):
        self.min_df = min_df

    def fit(self, keys: Sequence[Sequence[str]]) -> EdgeVocabulary:
        counts: dict[str, int] = {}
        for ks in keys:
            for k in ks:
                counts[k] = counts.get(k, 0) + 1
        self.terms_ = np.array(sorted(k for k, c in counts.items() if c >= self.min_df), dtype=str)
        self._index = None
        return self

    def transform(self, keys: Sequence[Sequence[str]], weight: float = 1.0) -> sp.csr_matrix:
        if getattr(self, "_index", None) is None:
            self._index = _Ids((str(t), i) for i, t in enumerate(self.terms_))
        cols = np.fromiter(map(self._index.__getitem__, [k for ks in keys for k in ks]), dtype=np.int64)
        rows = np.repeat(np.arange(len(keys), dtype=np.int64), [len(ks) for ks in keys])
        hit = cols >= 0
        return sp.csr_matrix((np.full(int(hit.sum()), weight), (rows[hit], cols[hit])),
                             shape=(len(keys), len(self.terms_)))


def feature_matrix(spec: FeatureSpec, df: pd.DataFrame, char_vec: CharNgramTfidf,
                   word_vec: WordNgramTfidf | None, votes: np.ndarray | None,
                   edge_vec: EdgeVocabulary | None = None) -> sp.csr_matrix:
    """The full feature matrix of fitted vectorizers: [char n-grams | word n-grams | edges | dense]."""
    texts = shape_texts(df)
    mats = [char_vec.transform(texts)]
    docs = word_docs(spec, texts) if spec.use_words or spec.use_edges else None
    if spec.use_words and word_vec is not None:
        mats.append(word_vec.transform(docs))
    if spec.use_edges and edge_vec is not None:
        mats.append(edge_vec.transform(edge_keys(spec, docs), spec.edge_weight))
    mats.append(sp.csr_matrix(dense_features(spec, df, votes if spec.use_rules else None)))
    return sp.hstack(mats, format="csr")
