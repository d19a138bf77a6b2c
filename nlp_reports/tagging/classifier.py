"""``SentenceTagger``: a scikit-learn estimator over characters, jieba tokens, rule votes and section.

Follows the estimator contract (``__init__`` only stores parameters; ``fit`` learns attributes
ending in ``_``), so ``clone``, ``Pipeline`` and ``GridSearchCV`` work.

``X`` is a pandas DataFrame with a ``text`` column and optional ``section`` and
``in_self_critique`` columns, or a plain sequence of strings (no context).

>>> tagger = SentenceTagger(C=0.5)  # doctest: +SKIP
>>> tagger.fit(X_train, y_train).predict(["政务公开队伍建设有待加强。"])  # doctest: +SKIP
array(['problem'], dtype=object)
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from nlp_reports.nlp.tokenizer import Tokenizer
from nlp_reports.tagging.features import CharNgramTfidf, WordNgramTfidf
from nlp_reports.tagging.rules import LABEL_INDEX, LABELS, Unit, apply_rules, load_rules, unit_kind

_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_ANY_DIGIT = re.compile(r"\d")
SECTIONS = ("总体情况", "主动公开", "依申请公开", "复议诉讼", "问题与改进", "其他事项", "回顾", "问题与不足", "部署")
KINDS = ("heading", "item", "sentence")


def as_frame(X) -> pd.DataFrame:
    """Accept a DataFrame (text, section, in_self_critique) or a sequence of strings."""
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
    return df


def to_units(df: pd.DataFrame) -> list[Unit]:
    out = []
    for t, s, c in zip(df["text"].tolist(), df["section"].tolist(), df["in_self_critique"].tolist(), strict=True):
        sec = s if isinstance(s, str) and s else None
        crit = None if c is None or (isinstance(c, float) and np.isnan(c)) else bool(c)
        out.append(Unit(t, sec, crit))
    return out


@lru_cache(maxsize=4)
def _tokenizer_for(backend: str) -> Tokenizer:
    # one loaded dictionary per process and backend: building it costs ~60 ms
    return Tokenizer(backend=backend).load()


def _calibrated_proba(model, X) -> np.ndarray:
    """``CalibratedClassifierCV.predict_proba`` for linear SVMs with sigmoid calibration, computed
    directly (same arithmetic; sklearn's per-call validation cost more than the maths on short
    reports). Any other model goes through its own ``predict_proba``."""
    ccs = getattr(model, "calibrated_classifiers_", None)
    if not ccs or not all(hasattr(c.estimator, "coef_") and all(hasattr(k, "a_") for k in c.calibrators) for c in ccs):
        return model.predict_proba(X)
    classes = list(model.classes_)
    total = np.zeros((X.shape[0], len(classes)))
    for cc in ccs:
        est = cc.estimator
        dec = np.asarray(X @ est.coef_.T) + est.intercept_
        if dec.ndim == 1 or dec.shape[1] == 1:
            return model.predict_proba(X)  # binary problems: let sklearn handle the layout
        proba = np.zeros_like(total)
        for col, cls, cal in zip(range(dec.shape[1]), est.classes_, cc.calibrators, strict=True):
            proba[:, classes.index(cls)] = 1.0 / (1.0 + np.exp(cal.a_ * dec[:, col] + cal.b_))
        den = proba.sum(axis=1, keepdims=True)
        proba = np.divide(proba, den, out=np.full_like(proba, 1 / len(classes)), where=den != 0)
        total += proba
    return total / len(ccs)


class SentenceTagger(ClassifierMixin, BaseEstimator):
    """Five-way sentence classifier (problem / measure / commitment / boilerplate / other).

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the linear model.
    classifier : {"svm", "logreg"}
        LinearSVC (with sigmoid calibration) or multinomial logistic regression.
    char_ngram_max : int
        Character n-grams 1..char_ngram_max (TF-IDF, sublinear).
    use_words : bool
        Add jieba word uni/bigrams.
    use_rules : bool
        Add the labeling functions' votes as features.
    use_context : bool
        Add the canonical section, the self-critique flag and the unit kind.
    rules_path : str or None
        Labeling functions to use (default: the packaged rules).
    tokenizer_backend : {"rjieba", "jieba"}
    class_weight : "balanced" or None
    random_state : int
    rule_weight : float
        Scale of the rule-vote features relative to the TF-IDF blocks.
    max_char_features, max_word_features : int
        Vocabulary caps (most frequent n-grams); they bound the model file's size and load time.
    """

    def __init__(
        self,
        C: float = 1.0,
        classifier: str = "svm",
        char_ngram_max: int = 3,
        use_words: bool = True,
        use_rules: bool = True,
        use_context: bool = True,
        rules_path: str | None = None,
        tokenizer_backend: str = "rjieba",
        class_weight: str | None = "balanced",
        random_state: int = 0,
        rule_weight: float = 1.0,
        max_char_features: int = 30000,
        max_word_features: int = 15000,
    ):
        self.C = C
        self.classifier = classifier
        self.char_ngram_max = char_ngram_max
        self.use_words = use_words
        self.use_rules = use_rules
        self.use_context = use_context
        self.rules_path = rules_path
        self.tokenizer_backend = tokenizer_backend
        self.class_weight = class_weight
        self.random_state = random_state
        self.rule_weight = rule_weight
        self.max_char_features = max_char_features
        self.max_word_features = max_word_features

    # -- features -------------------------------------------------------------------------
    def _tokenizer(self) -> Tokenizer:
        return _tokenizer_for(self.tokenizer_backend)

    def rule_votes(self, X) -> np.ndarray:
        df = as_frame(X)
        return apply_rules(load_rules(self.rules_path), to_units(df))

    def _dense_features(self, df: pd.DataFrame, votes: np.ndarray | None) -> sp.csr_matrix:
        blocks = []
        if self.use_rules and votes is not None:
            onehot = np.zeros((len(df), votes.shape[1] + len(LABELS)), dtype=np.float64)
            onehot[:, : votes.shape[1]] = votes >= 0
            for i, row in enumerate(votes):
                for v in row[row >= 0]:
                    onehot[i, votes.shape[1] + v] += 1.0
            blocks.append(onehot * self.rule_weight)
        if self.use_context:
            n = len(df)
            texts = df["text"].tolist()
            ctx = np.zeros((n, len(SECTIONS) + 1 + 2 + len(KINDS) + 2), dtype=np.float64)
            sec_col = [SECTIONS.index(s) if s in SECTIONS else len(SECTIONS) for s in df["section"].tolist()]
            ctx[np.arange(n), sec_col] = 1
            for i, c in enumerate(df["in_self_critique"].tolist()):
                if c is not None and not (isinstance(c, float) and np.isnan(c)):
                    ctx[i, len(SECTIONS) + 1 + (1 if c else 0)] = 1
            kind_col = [len(SECTIONS) + 3 + KINDS.index(unit_kind(t) if t.strip() else "sentence") for t in texts]
            ctx[np.arange(n), kind_col] = 1
            ctx[:, -2] = np.minimum([len(t) for t in texts], 200) / 200
            ctx[:, -1] = [_ANY_DIGIT.search(t) is not None for t in texts]
            blocks.append(ctx)
        if not blocks:
            return sp.csr_matrix((len(df), 0))
        return sp.csr_matrix(np.hstack(blocks))

    def _features(self, df: pd.DataFrame, fit: bool, votes: np.ndarray | None = None) -> sp.csr_matrix:
        # numbers generalise by shape: "854条" and "33条" share the n-gram "#条"
        texts = [_DIGITS.sub("#", t) for t in df["text"].tolist()]
        if fit:
            self.char_vectorizer_ = CharNgramTfidf(self.char_ngram_max, min_df=2, max_features=self.max_char_features)
            mats = [self.char_vectorizer_.fit_transform(texts)]
        else:
            mats = [self.char_vectorizer_.transform(texts)]
        if self.use_words:
            tok = self._tokenizer()
            docs = [[w for w in tok.cut(t) if w.strip()] for t in texts]
            if fit:
                self.word_vectorizer_ = WordNgramTfidf(min_df=2, max_features=self.max_word_features)
                mats.append(self.word_vectorizer_.fit_transform(docs))
            else:
                mats.append(self.word_vectorizer_.transform(docs))
        if self.use_rules and votes is None:
            votes = self.rule_votes(df)
        mats.append(self._dense_features(df, votes if self.use_rules else None))
        return sp.hstack(mats, format="csr")

    # -- estimator API --------------------------------------------------------------------
    def fit(self, X, y):
        df = as_frame(X)
        y = np.asarray(y, dtype=object)
        if len(y) != len(df):
            raise ValueError(f"X has {len(df)} rows but y has {len(y)}")
        bad = sorted({v for v in y if v not in LABEL_INDEX})
        if bad:
            raise ValueError(f"unknown labels {bad}; expected {LABELS}")
        self.classes_ = np.array([lab for lab in LABELS if lab in set(y)], dtype=object)
        feats = self._features(df, fit=True)
        if self.classifier == "svm":
            base = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
            n_min = min(np.bincount([list(self.classes_).index(v) for v in y]))
            cv = max(2, min(5, int(n_min)))
            model = CalibratedClassifierCV(base, method="sigmoid", cv=cv)
        elif self.classifier == "logreg":
            model = LogisticRegression(C=self.C * 10, class_weight=self.class_weight, max_iter=3000)
        else:
            raise ValueError(f"classifier must be 'svm' or 'logreg', not {self.classifier!r}")
        model.fit(feats, y)
        self.model_ = model
        # rules precise enough on the training data to decide on their own (see tagger.tag_frame)
        votes = self.rule_votes(df)
        acc: dict[str, float] = {}
        precise: list[str] = []
        for j, r in enumerate(load_rules(self.rules_path).rules):
            fired = votes[:, j] >= 0
            if fired.sum():
                a = float(np.mean(y[fired] == r.label))
                acc[r.name] = a
                if a >= 0.95 and fired.sum() >= 8:
                    precise.append(r.name)
        self.rule_accuracy_ = acc
        self.precise_rules_ = precise
        self.n_features_ = feats.shape[1]
        rs = load_rules(self.rules_path)
        self.rules_version_ = rs.version
        self.rules_checksum_ = rs.checksum
        return self

    def predict_proba(self, X, votes: np.ndarray | None = None) -> np.ndarray:
        """Probabilities in the order of ``classes_`` (rows sum to 1).

        ``votes``: the rule vote matrix when the caller already has it (saves a second pass).
        """
        check_is_fitted(self, "model_")
        df = as_frame(X)
        if len(df) == 0:
            return np.zeros((0, len(self.classes_)))
        p = _calibrated_proba(self.model_, self._features(df, fit=False, votes=votes))
        order = [list(self.model_.classes_).index(c) for c in self.classes_]
        p = p[:, order]
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        p = self.predict_proba(X)
        return self.classes_[np.argmax(p, axis=1)] if len(p) else np.array([], dtype=object)
