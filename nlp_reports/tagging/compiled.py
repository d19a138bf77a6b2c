"""The trained sentence tagger in inference form: numpy arrays and plain values, no scikit-learn.

A fitted :class:`~nlp_reports.tagging.classifier.SentenceTagger` is exported with ``.compile()``
to a :class:`CompiledTagger`: the vectorizers' vocabularies and IDF weights, the linear models'
coefficients, the calibration sigmoids, the precise rules and the rules' version. Its
``predict_proba`` equals the estimator's (same feature code, same arithmetic; tested to 1e-12).

The model file is written with ``skops.io.dump`` as a dict of arrays and plain values, so that
``skops.io.load`` reads it with no trusted type at all. The tagger reads it back with
:func:`read_state`, a reader for exactly that subset of the skops format (a JSON schema plus
``.npy`` members read with ``allow_pickle=False``) that refuses every other node: importing
``skops.io`` itself costs about a second, because it imports every scikit-learn estimator to build
its list of trusted types, and the pipeline's cold start must stay well under 1.5 s.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nlp_reports.errors import ModelError
from nlp_reports.tagging.features import (
    CharNgramTfidf,
    EdgeVocabulary,
    FeatureSpec,
    WordNgramTfidf,
    as_frame,
    feature_matrix,
    to_units,
)
from nlp_reports.tagging.rules import apply_rules, load_rules

FORMAT = "nlp_reports.compiled_tagger/1"


def linear_proba(lin: Mapping[str, Any], X) -> np.ndarray:
    """Class probabilities (columns in ``lin["classes"]`` order) of a linear model state.

    ``kind == "svm_sigmoid"``: one-vs-rest SVMs per calibration fold, each decision passed through
    its fold's sigmoid ``1 / (1 + exp(a·d + b))``, normalised per fold, averaged over folds (what
    ``CalibratedClassifierCV(method="sigmoid").predict_proba`` computes). ``kind == "softmax"``:
    multinomial logistic regression.
    """
    coef, intercept = lin["coef"], lin["intercept"]  # (folds, outputs, features), (folds, outputs)
    n_folds, n_out, _ = coef.shape
    n_classes = len(lin["classes"])
    if "_W" not in lin:
        # all folds in one contiguous (features, folds * outputs) matrix: one sparse product per call
        # instead of one per fold on a transposed view, which scipy copies every time
        lin["_W"] = np.ascontiguousarray(coef.transpose(2, 0, 1).reshape(coef.shape[2], n_folds * n_out))
    dec_all = np.asarray(X @ lin["_W"]).reshape(X.shape[0], n_folds, n_out) + intercept[None]
    if lin["kind"] == "softmax":
        dec = dec_all[:, 0, :]
        if n_out == 1:  # binary logistic regression: one logit for classes[1]
            p1 = 1.0 / (1.0 + np.exp(-dec[:, 0]))
            return np.column_stack([1 - p1, p1])
        e = np.exp(dec - dec.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    total = np.zeros((X.shape[0], n_classes))
    for k in range(n_folds):
        sig = 1.0 / (1.0 + np.exp(lin["cal_a"][k] * dec_all[:, k, :] + lin["cal_b"][k]))
        if n_out == 1:  # binary: the calibrated column is the positive class
            proba = np.column_stack([1 - sig[:, 0], sig[:, 0]])
        else:
            den = sig.sum(axis=1, keepdims=True)
            proba = np.divide(sig, den, out=np.full_like(sig, 1 / n_classes), where=den != 0)
        total += proba
    return total / n_folds


def class_proba(lin: Mapping[str, Any], X, classes) -> np.ndarray:
    """:func:`linear_proba` with columns in ``classes`` order, rows renormalised to sum to 1."""
    p = linear_proba(lin, X)[:, [lin["classes"].index(c) for c in classes]]
    return p / p.sum(axis=1, keepdims=True)


def argmax_labels(classes: np.ndarray, p: np.ndarray) -> np.ndarray:
    return classes[np.argmax(p, axis=1)] if len(p) else np.array([], dtype=object)


class CompiledTagger:
    """A fitted sentence tagger reduced to arrays; same ``predict``/``predict_proba`` as the estimator.

    >>> m = load_model()  # doctest: +SKIP
    >>> m.predict(["政务公开队伍建设有待加强。"])  # doctest: +SKIP
    array(['problem'], dtype=object)
    """

    def __init__(self, state: Mapping[str, Any]):
        if state.get("format") != FORMAT:
            raise ValueError(f"not a compiled tagger state (format {state.get('format')!r}, expected {FORMAT!r})")
        self.state = dict(state)
        self.params = dict(state["params"])
        self.spec = FeatureSpec(**state["spec"])
        self.classes_ = np.array(state["classes"], dtype=object)
        self.precise_rules_ = list(state["precise_rules"])
        self.rule_accuracy_ = dict(state["rule_accuracy"])
        self.rules_version_ = state["rules_version"]
        self.rules_checksum_ = state["rules_checksum"]
        self.rules_path = self.params.get("rules_path")  # None: the packaged rules
        char = CharNgramTfidf(int(state["char_ngram_max"]))
        char.codes_, char.idf_ = state["char_codes"], state["char_idf"]
        self.char_vectorizer_ = char
        self.word_vectorizer_ = None
        if self.spec.use_words:
            word = WordNgramTfidf()
            word.terms_, word.idf_, word._index = state["word_terms"], state["word_idf"], None
            self.word_vectorizer_ = word
        self.edge_vectorizer_ = None
        if self.spec.use_edges:
            edge = EdgeVocabulary()
            edge.terms_ = state["edge_terms"]
            self.edge_vectorizer_ = edge
        self.linear_ = {k: state[k] for k in ("kind", "coef", "intercept", "cal_a", "cal_b")}
        self.linear_["classes"] = list(state["model_classes"])
        self.n_features_ = int(state["coef"].shape[2])

    @property
    def use_rules(self) -> bool:
        return self.spec.use_rules

    def get_params(self, deep: bool = True) -> dict:
        """The estimator parameters it was trained with (``SentenceTagger(**m.get_params())`` refits it)."""
        return dict(self.params)

    def predict_proba(self, X, votes: np.ndarray | None = None) -> np.ndarray:
        """Probabilities in the order of ``classes_`` (rows sum to 1); ``votes``: the rule votes
        when the caller already has them."""
        df = as_frame(X)
        if len(df) == 0:
            return np.zeros((0, len(self.classes_)))
        if self.spec.use_rules and votes is None:
            votes = apply_rules(load_rules(self.rules_path), to_units(df))
        feats = feature_matrix(self.spec, df, self.char_vectorizer_, self.word_vectorizer_, votes, self.edge_vectorizer_)
        return class_proba(self.linear_, feats, self.classes_)

    def predict(self, X) -> np.ndarray:
        p = self.predict_proba(X)  # first: it raises NotFittedError on an unfitted estimator
        return argmax_labels(self.classes_, p)

    def __repr__(self) -> str:
        return (f"CompiledTagger({', '.join(f'{k}={v!r}' for k, v in self.params.items())}; "
                f"{self.n_features_} features, rules {self.rules_version_})")


# ----------------------------------------------------------------------------- reading the file


def _node(node: Mapping[str, Any], zf: zipfile.ZipFile, path: Path) -> Any:
    loader = node.get("__loader__")
    if loader == "DictNode":
        keys = node.get("key_types", {}).get("content", [])
        if any(k.get("__class__") != "str" or k.get("__module__") != "builtins" for k in keys):
            raise ModelError(path, "model state has a dict with non-string keys; refusing to load")
        return {k: _node(v, zf, path) for k, v in node["content"].items()}
    if loader == "ListNode":
        return [_node(v, zf, path) for v in node["content"]]
    if loader == "JsonNode":
        return json.loads(node["content"])
    if loader == "NdArrayNode" and node.get("type") == "numpy":
        with zf.open(node["file"]) as f:
            return np.load(io.BytesIO(f.read()), allow_pickle=False)
    raise ModelError(path, f"model file holds a {node.get('__module__')}.{node.get('__class__')} "
                           f"({loader}); only arrays and plain values are accepted")


def read_state(path: str | Path) -> dict:
    """Read a compiled tagger written by :func:`write_state` (a skops file of arrays and plain values).

    Raises :class:`ModelError` naming the file for anything else: not a zip, no schema, an object
    node of any class (which only ``skops.io.load`` with trusted types could build).
    """
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as zf:
            schema = json.loads(zf.read("schema.json"))
            state = _node(schema, zf, p)
    except ModelError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ModelError(p, f"not a readable skops model: {e}") from e
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ModelError(p, f"not a compiled sentence tagger (expected format {FORMAT})")
    return state


def write_state(state: Mapping[str, Any], path: str | Path) -> None:
    """Write the state with ``skops.io.dump`` (atomically: temp file, then rename)."""
    import skops.io as sio

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(p.suffix + ".tmp")
    sio.dump(dict(state), tmp)
    _make_reproducible(tmp)
    tmp.replace(p)


def _make_reproducible(path: Path) -> None:
    """Rewrite the skops zip so that the same model gives the same bytes, and the model card's
    checksum is reproducible (``nlp-reports train`` twice -> one sha256): skops names the array
    files after ``id()`` of the arrays and stamps the time; here they become arr0.npy, arr1.npy, …
    in the order the schema names them, node ids are renumbered, and the date is fixed."""
    with zipfile.ZipFile(path) as z:
        entries = {info.filename: (info, z.read(info.filename)) for info in z.infolist()}
    schema = entries["schema.json"][1].decode("utf-8")
    order = list(dict.fromkeys(re.findall(r'"([^"/]+\.npy)"', schema)))
    rename = {old: f"arr{k}.npy" for k, old in enumerate(order)}
    schema = re.sub(r'"([^"/]+\.npy)"', lambda m: f'"{rename.get(m.group(1), m.group(1))}"', schema)
    # node ids are id() values too; renumbered consistently, shared references stay shared
    ids: dict[str, int] = {}
    schema = re.sub(r'"__id__": (\d+)', lambda m: f'"__id__": {ids.setdefault(m.group(1), len(ids))}', schema)
    entries["schema.json"] = (entries["schema.json"][0], schema.encode("utf-8"))
    with zipfile.ZipFile(path, "w") as out:
        for name in sorted(entries, key=lambda n: (n == "schema.json", rename.get(n, n))):
            info, data = entries[name]
            fixed = zipfile.ZipInfo(rename.get(name, name), date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            out.writestr(fixed, data)


def linear_state(model) -> dict:
    """Arrays of a fitted ``CalibratedClassifierCV(LinearSVC, method="sigmoid")`` or
    ``LogisticRegression`` (duck-typed: no scikit-learn import here), for :func:`linear_proba`."""
    ccs = getattr(model, "calibrated_classifiers_", None)
    if ccs is not None:
        ests = [c.estimator for c in ccs]
        coef = np.stack([np.atleast_2d(e.coef_) for e in ests])
        intercept = np.stack([np.atleast_1d(e.intercept_) for e in ests])
        cal_a = np.stack([np.array([c.a_ for c in cc.calibrators], dtype=float) for cc in ccs])
        cal_b = np.stack([np.array([c.b_ for c in cc.calibrators], dtype=float) for cc in ccs])
        kind = "svm_sigmoid"
        if any(list(e.classes_) != list(model.classes_) for e in ests):
            raise ValueError("calibration folds saw different classes; cannot compile")
    else:
        coef, intercept = np.atleast_2d(model.coef_)[None], np.atleast_1d(model.intercept_)[None]
        cal_a = cal_b = np.zeros((1, coef.shape[1]))
        kind = "softmax"
    return {"kind": kind, "classes": [str(c) for c in model.classes_],
            "coef": np.ascontiguousarray(coef, dtype=np.float64),
            "intercept": np.ascontiguousarray(intercept, dtype=np.float64),
            "cal_a": np.ascontiguousarray(cal_a, dtype=np.float64),
            "cal_b": np.ascontiguousarray(cal_b, dtype=np.float64)}


def compile_state(est) -> dict:
    """The inference state of a fitted ``SentenceTagger``."""
    lin = est.linear_
    params = est.get_params()
    return {
        "format": FORMAT,
        "params": {k: v for k, v in params.items() if isinstance(v, (str, int, float, bool)) or v is None},
        "spec": {"use_words": bool(est.use_words), "use_rules": bool(est.use_rules),
                 "use_context": bool(est.use_context), "rule_weight": float(est.rule_weight),
                 "tokenizer_backend": str(est.tokenizer_backend), "use_edges": bool(est.use_edges),
                 "edge_weight": float(est.edge_weight)},
        "classes": [str(c) for c in est.classes_],
        "model_classes": list(lin["classes"]),
        "precise_rules": list(est.precise_rules_),
        "rule_accuracy": {str(k): float(v) for k, v in est.rule_accuracy_.items()},
        "rules_version": str(est.rules_version_),
        "rules_checksum": str(est.rules_checksum_),
        "char_ngram_max": int(est.char_vectorizer_.ngram_max),
        "char_codes": np.asarray(est.char_vectorizer_.codes_, dtype=np.int64),
        "char_idf": np.asarray(est.char_vectorizer_.idf_, dtype=np.float64),
        "word_terms": np.asarray(getattr(est, "word_vectorizer_", None).terms_ if est.use_words else [], dtype=str),
        "word_idf": np.asarray(getattr(est, "word_vectorizer_", None).idf_ if est.use_words else [], dtype=np.float64),
        "edge_terms": np.asarray(est.edge_vectorizer_.terms_ if est.use_edges else [], dtype=str),
        **{k: lin[k] for k in ("kind", "coef", "intercept", "cal_a", "cal_b")},
    }
