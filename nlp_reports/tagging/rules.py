"""Labeling functions loaded from data (``rules/rules.toml``), applied like Snorkel LFs.

>>> rs = load_rules()
>>> units = [Unit("政府信息公开培训工作还有待加强。"), Unit("全年共主动公开政府信息854条。")]
>>> [fired_rules(rs, row) for row in apply_rules(rs, units)]
[['problem.youdai'], ['other.statistic']]
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from re import _constants as _sre
from re._parser import parse as _sre_parse
from typing import Any

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


_MAX_CLASS_LITERALS = 10  # a character class of at most this many plain characters counts as literals


def _seq_literals(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    """Strings one of which every match of the parsed sequence ``items`` contains (the most
    selective such set: longest shortest string, then fewest), or None when none is known."""
    sets: list[frozenset[str]] = []
    run: list[str] = []  # consecutive literal characters match as one string
    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            sets.append(frozenset(["".join(run)]))
            run = []
        found = _item_literals(op, av)
        if found is not None:
            sets.append(found)
    if run:
        sets.append(frozenset(["".join(run)]))
    return max(sets, key=lambda x: (min(map(len, x)), -len(x))) if sets else None


def _item_literals(op: Any, av: Any) -> frozenset[str] | None:
    if op is _sre.IN:  # [来去]: each alternative character is a one-character string
        if len(av) <= _MAX_CLASS_LITERALS and all(o is _sre.LITERAL for o, _ in av):
            return frozenset(chr(c) for _, c in av)
        return None
    if op is _sre.SUBPATTERN:  # (group, added flags, removed flags, sequence)
        return None if av[1] & re.IGNORECASE else _seq_literals(av[-1])
    if op is _sre.BRANCH:  # every alternative needs a set; a match contains one of their union
        out: set[str] = set()
        for alt in av[1]:
            found = _seq_literals(alt)
            if found is None:
                return None
            out |= found
        return frozenset(out)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _seq_literals(av[2])
    return None  # anchors, look-arounds, optional parts, negated or ranged classes: no requirement


@lru_cache(maxsize=512)
def _literal_filter(p: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern of plain strings at least one of which every match of ``p`` contains, or None.

    A unit without any of them cannot match ``p``. Scanning for plain strings is several times
    faster than running ``p`` (its alternations, anchors and optional parts defeat the regex
    engine's skipping), and checking the few units that hold one exactly costs less than that.

    >>> _literal_filter(re.compile("(有待|亟待)(进一步)?加强")).pattern
    '加强'
    """
    if p.flags & re.IGNORECASE:
        return None
    try:
        found = _seq_literals(_sre_parse(p.pattern, p.flags))
    except Exception:  # an unfamiliar parse tree only costs the speed-up
        return None
    # units are scanned joined by line breaks, with their own line breaks made spaces
    if not found or any("\n" in x for x in found):
        return None
    return re.compile("|".join(re.escape(x) for x in sorted(found)))


def _context_key(r: Rule) -> tuple[int | None, bool | None, tuple[str, ...] | None]:
    """The cheap context conditions of a rule (its ``kinds`` need the unit kind: left out)."""
    return r.max_chars, r.in_self_critique, r.sections


def _eligible(units: Sequence[Unit], key: tuple[int | None, bool | None, tuple[str, ...] | None]) -> list[int]:
    max_chars, in_crit, sections = key
    return [
        i for i, u in enumerate(units)
        if (max_chars is None or len(u.text) <= max_chars)
        and (in_crit is None or u.in_self_critique is in_crit)
        and (sections is None or u.section in sections)
    ]


def _hit_units(scan: re.Pattern[str], joined: str, starts: list[int]) -> list[int]:
    """Positions (into ``starts``) of the lines of ``joined`` where ``scan`` finds a match: one
    search per hit line, resuming at the next line (a line with many matches is not scanned on)."""
    hits = []
    pos = 0
    while (m := scan.search(joined, pos)) is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        hits.append(k)
        if k + 1 == len(starts):
            break
        pos = starts[k + 1]
    return hits


def apply_rules(rs: RuleSet, units: Sequence[Unit]) -> np.ndarray:
    """Vote matrix (n_units x n_rules): label index, or -1 where the rule abstains.

    Each rule's pattern (or the plain strings one of which every match contains, see
    :func:`_literal_filter`) is first run over the units its context conditions allow (length,
    self-critique flag, section), joined by line breaks: a C-level scan instead of one call per
    unit, and the long units that a short-unit rule can never fire on are not scanned at all.
    The units it hits are then checked exactly, one by one.
    """
    out = np.full((len(units), len(rs.rules)), ABSTAIN, dtype=np.int8)
    if not units:
        return out
    texts = [u.text.replace("\n", " ") for u in units]
    groups: dict[tuple, tuple[list[int], str, list[int]]] = {}  # context key -> units, joined, starts
    kinds: dict[int, str] = {}
    for j, r in enumerate(rs.rules):
        key = _context_key(r)
        if key not in groups:
            idx = _eligible(units, key)
            sel = [texts[i] for i in idx]
            starts = list(itertools.accumulate((len(t) + 1 for t in sel[:-1]), initial=0)) if sel else []
            groups[key] = (idx, "\n".join(sel), starts)
        idx, joined, starts = groups[key]
        if not idx:
            continue
        scan = _literal_filter(r.pattern) or _scan_pattern(r.pattern)
        for k in _hit_units(scan, joined, starts):
            i = idx[k]
            u = units[i]
            if r.kinds is not None and i not in kinds:  # the kind is only read for such rules
                kinds[i] = unit_kind(u.text)
            if r.applies(u, kinds.get(i, "")):
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
