"""Tag sentence units: rules + the trained model, combined, with the evidence for each label.

Output columns (one row per unit): text, label, proba_<label> for the five labels, rules (names
of the rules that fired), decided_by ("model", "rules" or "rules-only"), why (the fired rules'
reasons).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from nlp_reports.errors import ModelError
from nlp_reports.tagging.compiled import CompiledTagger, read_state, write_state
from nlp_reports.tagging.features import as_frame, to_units
from nlp_reports.tagging.rules import LABELS, apply_rules, explain, fired_rules, load_rules, majority_vote

MODEL_DIR = Path(__file__).resolve().parents[2] / "models"
MODEL_NAME = "sentence_tagger.skops"
PROBA_COLUMNS = [f"proba_{lab}" for lab in LABELS]


def default_model_path() -> Path:
    return MODEL_DIR / MODEL_NAME


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_model(model, path: Path) -> str:
    """Write a fitted ``SentenceTagger`` (or a ``CompiledTagger``) in its compiled form with skops
    (never pickle); returns the file's sha256."""
    compiled = model if isinstance(model, CompiledTagger) else model.compile()
    write_state(compiled.state, path)
    return file_sha256(path)


def load_model(path: str | Path | None = None, *, verify: bool = True) -> CompiledTagger:
    """Load the trained tagger (a :class:`CompiledTagger`: arrays only, no scikit-learn needed).

    With ``verify``, the file's sha256 must match the checksum recorded in the model card beside
    it: a tampered or truncated model is refused with a clear error. The file is a skops file of
    arrays and plain values; any object node in it is refused (see ``compiled.read_state``).
    """
    p = Path(path) if path else default_model_path()
    return _load_model_cached(str(p), verify)


@lru_cache(maxsize=4)
def _load_model_cached(path: str, verify: bool) -> CompiledTagger:
    p = Path(path)
    if not p.is_file():
        raise ModelError(p, "model file not found; run `nlp-reports train` to build it")
    card = p.with_name("model_card.json")
    if verify and card.is_file():
        expected = json.loads(card.read_text(encoding="utf-8")).get("sha256")
        actual = file_sha256(p)
        if expected and expected != actual:
            raise ModelError(p, f"checksum mismatch (expected {expected[:12]}…, got {actual[:12]}…): file altered")
    state = read_state(p)
    try:
        return CompiledTagger(state)
    except (KeyError, ValueError, TypeError) as e:
        raise ModelError(p, f"incomplete model state: {e}") from e


def rules_only(frame: pd.DataFrame, rules_path: str | None = None) -> pd.DataFrame:
    """Label by majority vote of the rules; 'other' where every rule abstains."""
    rs = load_rules(rules_path)
    votes = apply_rules(rs, to_units(frame))
    mv = majority_vote(votes)
    out = pd.DataFrame({"text": frame["text"].to_numpy()})
    labels = [LABELS[v] if v >= 0 else "other" for v in mv]
    out["label"] = labels
    for j, lab in enumerate(LABELS):
        out[f"proba_{lab}"] = [
            (np.sum(row == j) / max(np.sum(row >= 0), 1)) if np.any(row >= 0) else (1.0 if lab == "other" else 0.0)
            for row in votes
        ]
    out["rules"] = [fired_rules(rs, row) for row in votes]
    out["decided_by"] = "rules-only"
    out["why"] = [explain(rs, r) for r in out["rules"]]
    return out


def _evidence(rs, votes: np.ndarray) -> tuple[list[list[str]], list[list[str]]]:
    """Names and reasons of the fired rules per row; rows with the same vote pattern share them
    (a report has a few dozen distinct patterns for hundreds of units)."""
    cache: dict[bytes, tuple[list[str], list[str]]] = {}
    names, whys = [], []
    for row in votes:
        key = row.tobytes()
        hit = cache.get(key)
        if hit is None:
            n = fired_rules(rs, row)
            hit = cache[key] = (n, explain(rs, n))
        names.append(list(hit[0]))
        whys.append(list(hit[1]))
    return names, whys


def tag_frame(frame, model=None, *, use_model: bool = True) -> pd.DataFrame:
    """Tag units given as a DataFrame (text, section, in_self_critique) or strings.

    The model decides; where every firing rule is one of the model's *precise* rules (empirical
    accuracy >= 0.95 on its training data) and they agree, the rules decide. Without a model,
    the rules' majority vote decides.
    """
    df = as_frame(frame)
    if not use_model:
        return rules_only(df)
    m = model if model is not None else load_model()
    rs = load_rules(m.rules_path)
    if m.rules_checksum_ != rs.checksum:
        raise ModelError(default_model_path(), "model was trained with other rules (checksum differs); retrain it")
    votes = apply_rules(rs, to_units(df))
    n = len(df)
    proba = m.predict_proba(df, votes=votes) if n else np.zeros((0, len(m.classes_)))
    full = np.zeros((n, len(LABELS)))
    for k, c in enumerate(m.classes_):
        full[:, LABELS.index(c)] = proba[:, k]
    label_idx = np.argmax(full, axis=1) if n else np.zeros(0, dtype=np.int64)
    names, whys = _evidence(rs, votes)
    decided = np.full(n, "model", dtype=object)
    if n:
        fired = votes >= 0
        precise = np.array([r.name in set(getattr(m, "precise_rules_", ())) for r in rs.rules], dtype=bool)
        hi = np.where(fired, votes, -1).max(axis=1)
        lo = np.where(fired, votes, len(LABELS)).min(axis=1)
        # every fired rule precise, at least one fired, all agreeing, and they disagree with the model
        rule_decides = fired.any(axis=1) & ~(fired & ~precise).any(axis=1) & (hi == lo) & (hi != label_idx)
        acc = getattr(m, "rule_accuracy_", {})
        for i in np.flatnonzero(rule_decides):
            # the rule's empirical accuracy stands in for its probability
            p = min(max(acc.get(nm, 0.95) for nm in names[i]), 0.99)
            full[i] = (1 - p) / (len(LABELS) - 1)
            full[i, hi[i]] = p
            label_idx[i] = hi[i]
            decided[i] = "rules"
    # one constructor call with plain object columns: column-by-column inserts and pandas'
    # Arrow string inference cost more than the tagging of a short report
    cols: dict[str, object] = {
        "text": pd.Series(df["text"].to_numpy(), dtype=object),
        "label": pd.Series(np.array(LABELS, dtype=object)[label_idx] if n else [], dtype=object),
    }
    for j, lab in enumerate(LABELS):
        cols[f"proba_{lab}"] = full[:, j]
    cols["rules"] = pd.Series(names, dtype=object)
    cols["decided_by"] = pd.Series(decided, dtype=object)
    cols["why"] = pd.Series(whys, dtype=object)
    out = pd.DataFrame(cols)
    return out
