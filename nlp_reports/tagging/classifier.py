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

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from nlp_reports.tagging.compiled import (
    CompiledTagger,
    argmax_labels,
    class_proba,
    compile_state,
    linear_state,
)
from nlp_reports.tagging.features import (
    KINDS,
    SECTIONS,
    CharNgramTfidf,
    EdgeVocabulary,
    FeatureSpec,
    WordNgramTfidf,
    as_frame,
    dense_features,
    edge_keys,
    feature_matrix,
    shape_texts,
    to_units,
    word_docs,
)
from nlp_reports.tagging.rules import LABEL_INDEX, LABELS, apply_rules, load_rules

__all__ = ["KINDS", "SECTIONS", "SentenceTagger", "as_frame", "to_units"]


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
    use_edges : bool
        Add what a unit starts and ends with (first word, part-of-speech of the first and last
        words): whether the verb comes first separates actions from states.
    edge_weight : float
        Scale of the edge features.
    context_dropout : float
        Share of the training units (drawn with ``random_state``) whose section and self-critique
        flag are hidden while fitting, so that the model stays good when it is given texts alone
        (``tag_sentences(texts)``), not only units with their context.
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
        use_edges: bool = False,
        edge_weight: float = 0.3,
        context_dropout: float = 0.0,
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
        self.use_edges = use_edges
        self.edge_weight = edge_weight
        self.context_dropout = context_dropout

    # -- features -------------------------------------------------------------------------
    def _spec(self) -> FeatureSpec:
        return FeatureSpec(self.use_words, self.use_rules, self.use_context, float(self.rule_weight),
                           self.tokenizer_backend, bool(self.use_edges), float(self.edge_weight))

    def rule_votes(self, X) -> np.ndarray:
        df = as_frame(X)
        return apply_rules(load_rules(self.rules_path), to_units(df))

    def _fit_features(self, df) -> sp.csr_matrix:
        spec = self._spec()
        texts = shape_texts(df)
        self.char_vectorizer_ = CharNgramTfidf(self.char_ngram_max, min_df=2, max_features=self.max_char_features)
        mats = [self.char_vectorizer_.fit_transform(texts)]
        docs = word_docs(spec, texts) if self.use_words or self.use_edges else None
        if self.use_words:
            self.word_vectorizer_ = WordNgramTfidf(min_df=2, max_features=self.max_word_features)
            mats.append(self.word_vectorizer_.fit_transform(docs))
        if self.use_edges:
            keys = edge_keys(spec, docs)
            self.edge_vectorizer_ = EdgeVocabulary(min_df=2).fit(keys)
            mats.append(self.edge_vectorizer_.transform(keys, spec.edge_weight))
        votes = self.rule_votes(df) if self.use_rules else None
        mats.append(sp.csr_matrix(dense_features(spec, df, votes)))
        return sp.hstack(mats, format="csr")

    def _features(self, df, votes: np.ndarray | None = None) -> sp.csr_matrix:
        if self.use_rules and votes is None:
            votes = self.rule_votes(df)
        return feature_matrix(self._spec(), df, self.char_vectorizer_,
                              getattr(self, "word_vectorizer_", None), votes, getattr(self, "edge_vectorizer_", None))

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
        full = df  # the rules' accuracies are measured with the context the units have
        if self.context_dropout > 0:
            hide = np.random.default_rng(self.random_state).random(len(df)) < self.context_dropout
            df = df.copy()
            df["section"] = [None if h else v for h, v in zip(hide, df["section"].tolist(), strict=True)]
            df["in_self_critique"] = [None if h else v for h, v in zip(hide, df["in_self_critique"].tolist(), strict=True)]
        feats = self._fit_features(df)
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
        self.linear_ = linear_state(model)
        # rules precise enough on the training data to decide on their own (see tagger.tag_frame)
        votes = self.rule_votes(full)
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
        return class_proba(self.linear_, self._features(df, votes=votes), self.classes_)

    def predict(self, X) -> np.ndarray:
        p = self.predict_proba(X)  # first: it raises NotFittedError on an unfitted estimator
        return argmax_labels(self.classes_, p)

    def compile(self) -> CompiledTagger:
        """The inference form (arrays only, no scikit-learn): what ``models/`` ships and the pipeline runs."""
        check_is_fitted(self, "model_")
        return CompiledTagger(compile_state(self))
