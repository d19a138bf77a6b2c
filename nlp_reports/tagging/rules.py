"""Labeling functions loaded from data (``rules/rules.toml``), applied like Snorkel LFs.

>>> rs = load_rules()
>>> units = [Unit("政府信息公开培训工作还有待加强。"), Unit("全年共主动公开政府信息854条。")]
>>> [fired_rules(rs, row) for row in apply_rules(rs, units)]
[['problem.youdai'], ['other.statistic']]
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

LABELS: tuple[str, ...] = ("problem", "measure", "commitment", "boilerplate", "other")
LABEL_INDEX = {lab: i for i, lab in enumerate(LABELS)}
ABSTAIN = -1
RULES_PATH = Path(__file__).with_name("rules") / "rules.toml"

_HEADING_MARK = re.compile(r"^([一二三四五六七八九十]{1,2}、|[（(][一二三四五六七八九十]{1,2}[）)]|\d{1,2}[、.．]|[①-⑳])")


@dataclass(frozen=True, slots=True)
class Unit:
    """What a rule sees: the unit text and the context every entry point can supply."""

    text: str
    section: str | None = None
    in_self_critique: bool | None = None


def unit_kind(text: str) -> str:
    """heading / item / sentence, from the text alone (so every entry point agrees)."""
    t = text.strip()
    if _HEADING_MARK.match(t) and len(t) <= 40 and not any(c in t[:-1] for c in "。；;！？"):
        return "heading"
    if re.match(r"^([一二三四五六七八九十]是|其[一二三四五六七八九十]是)", t) or _HEADING_MARK.match(t):
        return "item"
    if len(t) <= 30 and t[-1:] not in "。；;！？!?":
        return "heading"
    return "sentence"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    label: str
    pattern: re.Pattern[str]
    why: str
    unless: re.Pattern[str] | None = None
    kinds: tuple[str, ...] | None = None
    in_self_critique: bool | None = None
    sections: tuple[str, ...] | None = None
    max_chars: int | None = None

    def applies(self, u: Unit, kind: str) -> bool:
        if self.max_chars is not None and len(u.text) > self.max_chars:
            return False
        if self.kinds is not None and kind not in self.kinds:
            return False
        # unknown context (None) never satisfies a context condition: a rule that needs the
        # self-critique section only fires where the caller says the unit is in it
        if self.in_self_critique is not None and u.in_self_critique is not self.in_self_critique:
            return False
        if self.sections is not None and u.section not in self.sections:
            return False
        if not self.pattern.search(u.text):
            return False
        return not (self.unless is not None and self.unless.search(u.text))


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    checksum: str
    path: str

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.rules]


def _compile(p: str | None) -> re.Pattern[str] | None:
    return re.compile(p) if p else None


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load labeling functions from a TOML file (default: the packaged rules)."""
    return _load_rules_cached(str(Path(path) if path else RULES_PATH))


@lru_cache(maxsize=8)
def _load_rules_cached(path: str) -> RuleSet:
    raw = Path(path).read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    rules = []
    seen = set()
    for r in data["rule"]:
        if r["label"] not in LABEL_INDEX:
            raise ValueError(f"{path}: rule {r['name']} has unknown label {r['label']!r}")
        if r["name"] in seen:
            raise ValueError(f"{path}: duplicate rule name {r['name']}")
        seen.add(r["name"])
        rules.append(
            Rule(
                name=r["name"],
                label=r["label"],
                pattern=re.compile(r["pattern"]),
                why=r.get("why", ""),
                unless=_compile(r.get("unless")),
                kinds=tuple(r["kinds"]) if "kinds" in r else None,
                in_self_critique=r.get("in_self_critique"),
                sections=tuple(r["sections"]) if "sections" in r else None,
                max_chars=r.get("max_chars"),
            )
        )
    return RuleSet(str(data["version"]), tuple(rules), hashlib.sha256(raw).hexdigest(), path)


def _line_safe(p: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern made unable to cross a line break, with ^/$ at line boundaries."""
    src = p.pattern.replace("[^", "[^\n").replace("\\s", "[^\\S\n]")
    return re.compile(src, re.M)


@lru_cache(maxsize=512)
def _scan_pattern(p: re.Pattern[str]) -> re.Pattern[str]:
    return _line_safe(p)


def apply_rules(rs: RuleSet, units: Sequence[Unit]) -> np.ndarray:
    """Vote matrix (n_units x n_rules): label index, or -1 where the rule abstains.

    Each rule's pattern is first run once over all units joined by line breaks (one C-level scan
    instead of one call per unit); the units it hits are then checked exactly, one by one.
    """
    out = np.full((len(units), len(rs.rules)), ABSTAIN, dtype=np.int8)
    if not units:
        return out
    texts = [u.text.replace("\n", " ") for u in units]
    joined = "\n".join(texts)
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    kinds: dict[int, str] = {}
    for j, r in enumerate(rs.rules):
        pos = [m.start() for m in _scan_pattern(r.pattern).finditer(joined)]
        if not pos:
            continue
        hits = np.unique(np.searchsorted(starts, pos, side="right") - 1)
        for i in hits.tolist():
            u = units[i]
            if i not in kinds:
                kinds[i] = unit_kind(u.text)
            if r.applies(u, kinds[i]):
                out[i, j] = LABEL_INDEX[r.label]
    return out


def apply_rules_slow(rs: RuleSet, units: Sequence[Unit]) -> np.ndarray:
    """Reference implementation of :func:`apply_rules`: every rule on every unit."""
    out = np.full((len(units), len(rs.rules)), ABSTAIN, dtype=np.int8)
    for i, u in enumerate(units):
        kind = unit_kind(u.text)
        for j, r in enumerate(rs.rules):
            if r.applies(u, kind):
                out[i, j] = LABEL_INDEX[r.label]
    return out


def fired_rules(rs: RuleSet, row: np.ndarray) -> list[str]:
    return [rs.rules[j].name for j in np.flatnonzero(row >= 0)]


def explain(rs: RuleSet, names: Sequence[str]) -> list[str]:
    """The ``why`` of each named rule: "problem.youdai: 有待 family …"."""
    by = {r.name: r for r in rs.rules}
    return [f"{n}: {by[n].why}" for n in names if n in by]


def majority_vote(votes: np.ndarray, n_labels: int = len(LABELS)) -> np.ndarray:
    """Majority label per unit; -1 where all rules abstain. Ties go to the rarer-in-order label
    (problem < measure < commitment < boilerplate < other), the order of the label contract."""
    out = np.full(votes.shape[0], ABSTAIN, dtype=np.int64)
    for i, row in enumerate(votes):
        v = row[row >= 0]
        if v.size:
            counts = np.bincount(v, minlength=n_labels)
            out[i] = int(np.argmax(counts))
    return out


def lf_analysis(rs: RuleSet, votes: np.ndarray, y: Sequence[int] | None = None) -> pd.DataFrame:
    """Per rule: coverage, overlaps, conflicts and (with gold ``y``) empirical accuracy."""
    fired = votes >= 0
    n = max(votes.shape[0], 1)
    rows = []
    for j, r in enumerate(rs.rules):
        f = fired[:, j]
        others = np.delete(fired, j, axis=1).any(axis=1) if votes.shape[1] > 1 else np.zeros_like(f)
        other_votes = np.delete(votes, j, axis=1)
        conflict = np.array([
            f[i] and bool(((other_votes[i] >= 0) & (other_votes[i] != votes[i, j])).any()) for i in range(votes.shape[0])
        ], dtype=bool) if votes.shape[0] else np.zeros(0, bool)
        row = {
            "rule": r.name,
            "label": r.label,
            "coverage": f.sum() / n,
            "n_fired": int(f.sum()),
            "overlaps": (f & others).sum() / n,
            "conflicts": conflict.sum() / n,
        }
        if y is not None:
            ya = np.asarray(y)
            row["n_correct"] = int((f & (ya == LABEL_INDEX[r.label])).sum())
            row["accuracy"] = row["n_correct"] / f.sum() if f.sum() else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)
