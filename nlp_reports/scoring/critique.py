"""The self-critique score (0-100) of a report, with components, pairs and reasons.

Two passes: :func:`critique_input` reduces an Analysis to a small picklable record; a corpus of
records gives a :class:`CorpusContext` (previous reports, same-year sections, boilerplate n-grams);
:func:`score_critique` scores one record against it. Weights and lexicons are in data/critique.toml.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from nlp_reports.scoring import corpus_measures as cm

MEASURE_LABELS = ("measure", "commitment")
COMPONENTS = (
    "problem_specificity", "measure_specificity", "alignment", "boilerplate_tagged", "boilerplate_lsl",
    "originality", "stickiness_prev", "cross_body_similarity", "recycling", "follow_through", "coverage",
)
PAIR_COLUMNS = ["problem_idx", "problem", "measure_idx", "measure", "similarity"]
FOLLOW_COLUMNS = ["prev_doc_id", "prev_idx", "prev_text", "prev_label", "idx", "text", "label", "similarity", "kind"]


@lru_cache(maxsize=1)
def load_config() -> dict[str, Any]:
    """The versioned weights, thresholds and lexicons (nlp_reports/scoring/data/critique.toml)."""
    with resources.files("nlp_reports.scoring").joinpath("data/critique.toml").open("rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=8)
def _patterns(key: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in load_config()["lexicon"][key]))


@dataclass(frozen=True)
class CritiqueInput:
    """What the corpus second pass needs from one report (compact, picklable)."""

    doc_id: str
    agency: str | None
    year: int | None
    level: str | None
    doc_type: str
    sentences: tuple[tuple[str, str, bool], ...]  # (text, label, in_self_critique) for every unit
    has_section: bool
    section_reason: str

    def section(self) -> list[tuple[int, str, str]]:
        """(unit index, text, label) of the self-critique units."""
        return [(i, t, lab) for i, (t, lab, s) in enumerate(self.sentences) if s]

    def section_text(self) -> str:
        return "".join(t for _, t, _ in self.section())


def critique_input(analysis: Any) -> CritiqueInput:
    """Reduce an :class:`~nlp_reports.scoring.analysis.Analysis` to a :class:`CritiqueInput`."""
    r, df = analysis.report, analysis.sentences
    m = r.metadata
    sents = tuple(
        (str(t), str(lab), bool(s)) for t, lab, s in zip(df["text"], df["label"], df["in_self_critique"], strict=True)
    )
    return CritiqueInput(
        doc_id=r.doc_id, agency=m.agency, year=m.year, level=m.level, doc_type=m.doc_type, sentences=sents,
        has_section=r.self_critique is not None, section_reason=r.self_critique_reason or "",
    )


@dataclass
class _Doc:
    inp: CritiqueInput
    body: str | None
    grams: list[str]
    gram_set: frozenset[str]


@dataclass
class CorpusContext:
    """Reference data for the cross-report components, built by :func:`build_context`."""

    docs: dict[str, _Doc]
    by_body: dict[str, list[str]]               # normalized agency -> doc_ids
    by_year: dict[tuple[str, int], list[str]]   # (doc_type, year) -> doc_ids with a section
    boilerplate: dict[str, frozenset]           # doc_id -> its reference group's boilerplate 4-grams
    groups: dict[str, str] = field(default_factory=dict)  # doc_id -> reference group description


def _reference_group(inp: CritiqueInput, pool: list[CritiqueInput], cfg: dict) -> tuple[list[CritiqueInput], str]:
    same = [p for p in pool if p.doc_type == inp.doc_type]
    if inp.year is not None:
        w = cfg["year_window"]
        near = [p for p in same if p.year is not None and abs(p.year - inp.year) <= w]
        if len(near) >= cfg["min_group"]:
            return near, f"{inp.doc_type}, {inp.year - w}-{inp.year + w}"
    return same, f"{inp.doc_type}, all years"


def build_context(inputs: Iterable[CritiqueInput], reference: Iterable[CritiqueInput] = ()) -> CorpusContext:
    """Index a corpus: bodies, years, 8-grams of sections, boilerplate n-grams per reference group.

    ``reference`` adds reports used only as reference (boilerplate group, earlier years).
    """
    cfg = load_config()
    lex, n = cfg["lexicon"], cfg["recycling"]["ngram"]
    all_inputs = {i.doc_id: i for i in (*reference, *inputs)}
    docs: dict[str, _Doc] = {}
    by_body: dict[str, list[str]] = defaultdict(list)
    by_year: dict[tuple[str, int], list[str]] = defaultdict(list)
    for d, inp in all_inputs.items():
        g = cm.char_ngrams(inp.section_text(), n)
        body = cm.normalize_agency(inp.agency, lex["agency_noise"], lex["agency_suffixes"])
        docs[d] = _Doc(inp, body, g, frozenset(g))
        if body:
            by_body[body].append(d)
        if inp.year is not None and g:
            by_year[(inp.doc_type, inp.year)].append(d)
    pool = [i for i in all_inputs.values() if i.has_section]
    bcfg = cfg["boilerplate"]
    cache: dict[str, frozenset] = {}
    boiler: dict[str, frozenset] = {}
    groups: dict[str, str] = {}
    for d, inp in all_inputs.items():
        grp, desc = _reference_group(inp, pool, bcfg)
        if desc not in cache:
            cache[desc] = cm.boilerplate_ngrams(
                ([t for _, t, _ in p.section()] for p in grp), bcfg["ngram"], bcfg["min_doc_share"], bcfg["max_doc_share"]
            )
        boiler[d], groups[d] = cache[desc], f"{desc} ({len(grp)} reports)"
    return CorpusContext(docs, dict(by_body), dict(by_year), boiler, groups)


@dataclass
class CritiqueResult:
    score: float
    components: dict[str, float]
    pairs: pd.DataFrame
    reasons: list[str]
    n_problems: int
    n_measures: int
    n_commitments: int
    n_boilerplate: int
    recycled_from: str | None
    follow_through: pd.DataFrame
    section_found: bool
    reason: str
    version: str = ""

    def to_row(self) -> dict[str, Any]:
        """Flat record: critique_score, one column per component, counts, recycled_from."""
        row: dict[str, Any] = {"critique_score": self.score}
        row.update({f"critique_{k}": v for k, v in self.components.items()})
        row.update(
            n_problems=self.n_problems, n_measures=self.n_measures, n_commitments=self.n_commitments,
            n_boilerplate=self.n_boilerplate, recycled_from=self.recycled_from, section_found=self.section_found,
            critique_reasons="; ".join(self.reasons),
        )
        return row


# ---------------------------------------------------------------- sentence-level specificity


def problem_anchor(text: str) -> bool:
    """A checkable anchor in a problem: 依申请公开答复超期3件 -> True; 队伍建设有待加强 -> False."""
    return bool(_patterns("problem_anchors").search(text))


def measure_anchor(text: str) -> bool:
    """Instrument/owner/deadline/frequency/quantity: 每季度抽查一次 -> True; 进一步加强培训 -> False."""
    return bool(_patterns("measure_anchors").search(text))


def is_vague(text: str) -> bool:
    """Vague predicate over a generic subject or a slogan: 业务能力有待提高 -> True."""
    lex = load_config()["lexicon"]
    if any(s in text for s in lex["slogans"]):
        return True
    return any(v in text for v in lex["vague_predicates"]) and any(g in text for g in lex["generic_subjects"])


def _specificity(texts: list[str], anchor) -> float:
    """Anchored = 1, vague-only = 0, neither = 0.5 (a plain statement, neither checkable nor stock)."""
    if not texts:
        return float("nan")
    return sum(1.0 if anchor(t) else (0.0 if is_vague(t) else 0.5) for t in texts) / len(texts)


def align(problems: list[tuple[int, str]], measures: list[tuple[int, str]], threshold: float) -> pd.DataFrame:
    """Many-to-one matching: each problem to its most similar measure (content-token Jaccard)."""
    rows = []
    mt = [(j, m, cm.content_tokens(m)) for j, m in measures]
    for i, p in problems:
        pt = cm.content_tokens(p)
        best = max(((cm.jaccard(pt, t), j, m) for j, m, t in mt), default=None)
        if best and best[0] >= threshold:
            rows.append((i, p, best[1], best[2], round(best[0], 3)))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


# ---------------------------------------------------------------- corpus components


def previous_report(inp: CritiqueInput, ctx: CorpusContext) -> str | None:
    """Same normalized agency, latest earlier year (≤ max_gap_years back) with a section."""
    me = ctx.docs.get(inp.doc_id)
    if me is None or me.body is None or inp.year is None:
        return None
    gap = load_config()["follow_through"]["max_gap_years"]
    cands = [
        ctx.docs[d].inp for d in ctx.by_body.get(me.body, [])
        if d != inp.doc_id and ctx.docs[d].inp.year is not None and 0 < inp.year - ctx.docs[d].inp.year <= gap
        and ctx.docs[d].grams
    ]
    return max(cands, key=lambda c: c.year).doc_id if cands else None


def _overlaps(inp: CritiqueInput, grams: list[str], ctx: CorpusContext) -> tuple[float, str | None, float, str | None]:
    """(best stickiness vs any earlier report of the doc_type, its id, best vs same-year others, its id)."""
    best_e, id_e, best_s, id_s = 0.0, None, 0.0, None
    if inp.year is None or not grams:
        return best_e, id_e, best_s, id_s
    for (dt, y), ids in ctx.by_year.items():
        if dt != inp.doc_type or y > inp.year:
            continue
        for d in ids:
            if d == inp.doc_id:
                continue
            v = cm.stickiness(grams, ctx.docs[d].gram_set)
            if y < inp.year and v > best_e:
                best_e, id_e = v, d
            elif y == inp.year and v > best_s:
                best_s, id_s = v, d
    return best_e, id_e, best_s, id_s


def follow_through(inp: CritiqueInput, prev: CritiqueInput) -> pd.DataFrame:
    """Last year's measures/commitments that return as this year's problems or verbatim measures."""
    cfg, n = load_config()["follow_through"], load_config()["recycling"]["ngram"]
    sec = inp.section()
    now_p = [(i, t, cm.content_tokens(t)) for i, t, lab in sec if lab == "problem"]
    now_m = [(i, t, lab, frozenset(cm.char_ngrams(t, n))) for i, t, lab in sec if lab in MEASURE_LABELS]
    rows = []
    for j, pt, plab in prev.section():
        if plab not in MEASURE_LABELS:
            continue
        grams = cm.char_ngrams(pt, n)
        rep = max(((cm.stickiness(grams, g) if grams else 0.0, i, t, lab) for i, t, lab, g in now_m), default=None)
        if rep and rep[0] >= cfg["repeated_overlap"]:
            rows.append((prev.doc_id, j, pt, plab, rep[1], rep[2], rep[3], round(rep[0], 3), "promise repeated"))
            continue
        toks = cm.content_tokens(pt)
        nk = max(((cm.jaccard(toks, t), i, p) for i, p, t in now_p), default=None)
        if nk and nk[0] >= cfg["not_kept_similarity"]:
            rows.append((prev.doc_id, j, pt, plab, nk[1], nk[2], "problem", round(nk[0], 3), "promise not kept"))
    return pd.DataFrame(rows, columns=FOLLOW_COLUMNS)


def _nanmean(xs: list[float]) -> float:
    v = [x for x in xs if not math.isnan(x)]
    return sum(v) / len(v) if v else float("nan")


def _reasons(inp, comps, counts, recycled, prev_id, ft, cfg) -> list[str]:
    """The few reasons that moved the score most: weighted loss per component, in words."""
    w = cfg["weights"]
    n_p, n_m = counts["problem"], counts["measure"] + counts["commitment"]
    cand: list[tuple[float, str]] = []
    if comps["recycling"] > 0:
        cand.append((comps["recycling"] * 2, f"section repeats {comps['recycling']:.0%} of the 8-grams of report {recycled}"))
    ps = comps["problem_specificity"]
    if not math.isnan(ps):
        k = round(ps * n_p) if ps in (0.0, 1.0) else None
        txt = f"{n_p} problems, none with a concrete anchor" if k == 0 else f"problem specificity {ps:.2f} over {n_p} problems"
        cand.append((w["problem_specificity"] * (1 - ps), txt))
    else:
        cand.append((w["problem_specificity"], "no problem sentence in the section"))
    ms = comps["measure_specificity"]
    if not math.isnan(ms):
        txt = f"{n_m} measures, none with instrument/owner/deadline/quantity" if ms == 0 else f"measure specificity {ms:.2f} over {n_m} measures"
        cand.append((w["measure_specificity"] * (1 - ms), txt))
    else:
        cand.append((w["measure_specificity"], "no measure or commitment in the section"))
    al = comps["alignment"]
    if not math.isnan(al):
        cand.append((w["alignment"] * (1 - al), f"{round(al * n_p)} of {n_p} problems matched by a measure"))
    if not math.isnan(comps["follow_through"]) and len(ft):
        r = ft.iloc[0]
        yr = "earlier"
        cand.append((
            w["follow_through"] * (1 - comps["follow_through"]),
            f"{len(ft)} promise(s) of report {prev_id} come back ({r['kind']}: unit {r['idx']} vs unit {r['prev_idx']} of the {yr} report)",
        ))
    cand.append((w["originality"] * (1 - comps["originality"]), f"boilerplate share {1 - comps['originality']:.0%}"))
    cand.sort(key=lambda x: -x[0])
    return [t for s, t in cand[:3] if s > 0.02]


def score_critique(inp: CritiqueInput, context: CorpusContext | None = None) -> CritiqueResult:
    """Score one report's self-critique section (0-100); cross-report components need ``context``."""
    cfg = load_config()
    nan = float("nan")
    sec = inp.section()
    counts = {k: sum(lab == k for _, _, lab in sec) for k in ("problem", "measure", "commitment", "boilerplate")}
    empty_pairs = pd.DataFrame(columns=PAIR_COLUMNS)
    empty_ft = pd.DataFrame(columns=FOLLOW_COLUMNS)
    if not inp.has_section or not sec:
        reason = inp.section_reason or "no self-critique section found"
        return CritiqueResult(
            0.0, {c: nan for c in COMPONENTS}, empty_pairs, [f"no self-critique section: {reason}"],
            0, 0, 0, 0, None, empty_ft, False, reason, cfg["version"],
        )
    problems = [(i, t) for i, t, lab in sec if lab == "problem"]
    measures = [(i, t) for i, t, lab in sec if lab in MEASURE_LABELS]
    comps: dict[str, float] = dict.fromkeys(COMPONENTS, nan)
    comps["problem_specificity"] = _specificity([t for _, t in problems], problem_anchor)
    comps["measure_specificity"] = _specificity([t for _, t in measures], measure_anchor)
    pairs = align(problems, measures, cfg["alignment"]["min_similarity"])
    comps["alignment"] = pairs["problem_idx"].nunique() / len(problems) if problems and measures else (0.0 if problems else nan)
    comps["boilerplate_tagged"] = counts["boilerplate"] / len(sec)
    cc = cfg["coverage"]
    comps["coverage"] = 0.5 * min(1.0, counts["problem"] / cc["full_problems"]) + 0.5 * min(
        1.0, (counts["measure"] + counts["commitment"]) / cc["full_measures"]
    )
    recycled, ft, prev_id = None, empty_ft, None
    rc = cfg["recycling"]
    if context is not None:
        texts = [t for _, t, _ in sec]
        comps["boilerplate_lsl"] = cm.lsl_boilerplate(texts, context.boilerplate.get(inp.doc_id, frozenset()))
        grams = cm.char_ngrams(inp.section_text(), rc["ngram"])
        prev_id = previous_report(inp, context)
        if prev_id:
            comps["stickiness_prev"] = cm.stickiness(grams, context.docs[prev_id].gram_set)
        best_e, id_e, best_s, id_s = _overlaps(inp, grams, context)
        comps["cross_body_similarity"] = best_s
        weighted_s = best_s * rc["same_year_discount"]
        sp = comps["stickiness_prev"] if prev_id else 0.0
        comps["recycling"] = max(best_e, sp, weighted_s)
        src = id_e if best_e >= max(sp, weighted_s) else (prev_id if sp >= weighted_s else id_s)
        if max(best_e, sp, best_s) >= rc["report_threshold"]:
            recycled = src if max(best_e, sp) >= rc["report_threshold"] else id_s
        if prev_id:
            ft = follow_through(inp, context.docs[prev_id].inp)
            n_prev = sum(lab in MEASURE_LABELS for _, _, lab in context.docs[prev_id].inp.section())
            comps["follow_through"] = 1 - len(ft) / n_prev if n_prev else nan
    else:
        comps["recycling"] = 0.0
    comps["originality"] = 1 - _nanmean([comps["boilerplate_tagged"], comps["boilerplate_lsl"]])
    w = cfg["weights"]
    passage_only = set(cfg["passage_only"]["skip"]) if inp.doc_type in cfg["passage_only"]["doc_types"] else set()
    num = den = 0.0
    for k, wk in w.items():
        v = comps[k]
        if k in passage_only:
            continue  # work reports: remedies are spread over the report by design (rating protocol)
        if k in ("problem_specificity", "measure_specificity") and math.isnan(v):
            v = 0.0  # a section without problems (or measures) earns nothing for them
        if not math.isnan(v):
            num, den = num + wk * v, den + wk
    base = num / den if den else 0.0
    ramp = min(1.0, max(0.0, (comps["recycling"] - rc["start"]) / (rc["full"] - rc["start"])))
    score = round(100 * base * (1 - rc["penalty"] * ramp), 2)
    reasons = _reasons(inp, comps, counts, recycled, prev_id, ft, cfg)
    return CritiqueResult(
        score, comps, pairs, reasons, counts["problem"], counts["measure"], counts["commitment"],
        counts["boilerplate"], recycled, ft, True, "", cfg["version"],
    )


def score_corpus(inputs: Iterable[CritiqueInput], reference: Iterable[CritiqueInput] = ()) -> pd.DataFrame:
    """Score every input against the context they form: one row per report (``to_row`` columns)."""
    inputs = list(inputs)
    ctx = build_context(inputs, reference)
    return pd.DataFrame([{"doc_id": i.doc_id, **score_critique(i, ctx).to_row()} for i in inputs])
