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
from functools import cached_property, lru_cache
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
        cached = self.__dict__.get("_section")
        if cached is None:
            # computed once: the second pass asks for it a dozen times per report
            cached = [(i, t, lab) for i, (t, lab, s) in enumerate(self.sentences) if s]
            object.__setattr__(self, "_section", cached)
        return list(cached)

    def section_text(self) -> str:
        return "".join(t for _, t, _ in self.section())


def critique_input(analysis: Any) -> CritiqueInput:
    """Reduce an :class:`~nlp_reports.scoring.analysis.Analysis` to a :class:`CritiqueInput`."""
    r = analysis.report
    m = r.metadata
    texts, labels, flags = analysis.unit_labels()
    sents = tuple((str(t), str(lab), bool(s)) for t, lab, s in zip(texts, labels, flags, strict=True))
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
    overlaps: dict[str, tuple[float, str | None, float, str | None]] = field(default_factory=dict)


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
    doc_grams: dict[str, frozenset] = {}

    def grams_of(p: CritiqueInput) -> frozenset:
        # each report's word n-grams once, however many reference groups (year windows) hold it
        g = doc_grams.get(p.doc_id)
        if g is None:
            g = doc_grams[p.doc_id] = frozenset(x for _, t, _ in p.section() for x in cm.word_ngrams(t, bcfg["ngram"]))
        return g

    for d, inp in all_inputs.items():
        grp, desc = _reference_group(inp, pool, bcfg)
        if desc not in cache:
            cache[desc] = cm.boilerplate_from_sets([grams_of(p) for p in grp], bcfg["min_doc_share"], bcfg["max_doc_share"])
        boiler[d], groups[d] = cache[desc], f"{desc} ({len(grp)} reports)"
    by_year = dict(by_year)
    return CorpusContext(docs, dict(by_body), by_year, boiler, groups, overlap_table(docs, by_year))


def overlap_table(docs: dict[str, _Doc], by_year: dict[tuple[str, int], list[str]],
                  chunk: int = 512) -> dict[str, tuple[float, str | None, float, str | None]]:
    """:func:`_overlaps` for every document at once: the stickiness of every pair is one sparse
    product (8-gram occurrence counts x 8-gram sets), row chunk by row chunk, instead of a Python
    loop over the 8-grams of every pair, which is quadratic in the corpus with a large constant.
    Same candidates, same order and the same first-maximum choice as :func:`_overlaps`."""
    import numpy as np
    import scipy.sparse as sps

    ids = [d for ds in by_year.values() for d in ds]
    if not ids:
        return {}
    pos = {d: k for k, d in enumerate(ids)}
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for r, d in enumerate(ids):
        g = docs[d].grams
        cols.extend(vocab.setdefault(x, len(vocab)) for x in g)
        rows.extend([r] * len(g))
    counts = sps.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(ids), len(vocab)))
    counts.sum_duplicates()
    member = counts.copy()
    member.data[:] = 1.0
    member_t = member.T.tocsc()
    n_grams = np.array([len(docs[d].grams) for d in ids], dtype=float)
    # candidates of each document in _overlaps' order: by_year's order, then the ids within a year
    order = [(key, [pos[d] for d in ds]) for key, ds in by_year.items()]
    out: dict[str, tuple[float, str | None, float, str | None]] = {}
    for lo in range(0, len(ids), chunk):
        shared = np.asarray((counts[lo : lo + chunk] @ member_t).todense())
        for r in range(lo, min(lo + chunk, len(ids))):
            inp = docs[ids[r]].inp
            stick = shared[r - lo] / n_grams[r]
            best = [0.0, None, 0.0, None]
            for (dt, y), cand in order:
                if dt != inp.doc_type or y > inp.year:
                    continue
                c = [k for k in cand if k != r]
                if not c:
                    continue
                v = stick[c]
                j = int(np.argmax(v))
                slot = 0 if y < inp.year else 2
                if v[j] > best[slot]:
                    best[slot], best[slot + 1] = float(v[j]), ids[c[j]]
            out[ids[r]] = (best[0], best[1], best[2], best[3])
    return out


@dataclass
class CritiqueResult:
    """A report's critique score with its components, reasons and sentence pairs.

    ``pairs`` (problem -> measure) and ``follow_through`` (last year's promise -> this year's
    sentence) are DataFrames built on first access: a corpus run only needs the row.
    """

    score: float
    components: dict[str, float]
    pair_rows: list[tuple] = field(repr=False)
    reasons: list[str]
    n_problems: int
    n_measures: int
    n_commitments: int
    n_boilerplate: int
    recycled_from: str | None
    follow_rows: list[tuple] = field(repr=False)
    section_found: bool
    reason: str
    version: str = ""

    @cached_property
    def pairs(self) -> pd.DataFrame:
        return pd.DataFrame(self.pair_rows, columns=PAIR_COLUMNS)

    @cached_property
    def follow_through(self) -> pd.DataFrame:
        return pd.DataFrame(self.follow_rows, columns=FOLLOW_COLUMNS)

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

_CLAUSE_SPLIT = re.compile(r"[；;。！？!?]+")
_LIST_MARK = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十0-9]+[)）]|[一二三四五六七八九十0-9]+[、.．]|[一二三四五六七八九十]是|第[一二三四五六七八九十]+[，、])\s*"
)


@lru_cache(maxsize=8)
def _lex_re(key: str) -> re.Pattern[str]:
    """One regex from a string lexicon entry (framing, cues)."""
    return re.compile(load_config()["lexicon"][key])


def problem_anchor(text: str) -> bool:
    """A checkable anchor in a problem: 依申请公开答复超期3件 -> True; 队伍建设有待加强 -> False."""
    return bool(_patterns("problem_anchors").search(text))


def measure_anchor(text: str) -> bool:
    """Instrument/owner/deadline/frequency/quantity: 每季度抽查一次 -> True; 进一步加强培训 -> False."""
    return bool(_patterns("measure_anchors").search(text))


def identifiable(text: str) -> bool:
    """A locatable process or object, not checkable: 政策解读形式单一 -> True; 工作水平有待提高 -> False."""
    return bool(_patterns("identifiable").search(text))


def is_vague(text: str) -> bool:
    """Vague predicate over a generic subject or a slogan: 业务能力有待提高 -> True."""
    lex = load_config()["lexicon"]
    if any(s in text for s in lex["slogans"]):
        return True
    return any(v in text for v in lex["vague_predicates"]) and any(g in text for g in lex["generic_subjects"])


def clauses(text: str, strip_framing: bool = True) -> list[str]:
    """Content clauses of a unit: split at ；。, list markers and the framing before the list dropped.

    但仍存在一些不足，如：公开不及时；人员流动大。 -> [公开不及时, 人员流动大]
    """
    out = []
    for c in _CLAUSE_SPLIT.split(text):
        if strip_framing:
            c = _lex_re("framing").sub("", c)
        c = _LIST_MARK.sub("", c).strip(" ，,：:")
        if len(c) < 4 or (strip_framing and _is_framing(c)):
            continue
        out.append(c)
    return out


def _is_framing(clause: str) -> bool:
    """虽取得一定成效 / 存在的问题主要有以下几个方面: framing with no problem content of its own."""
    lex = load_config()["lexicon"]
    return bool(_lex_re("framing_only").search(clause)) and not (
        any(v in clause for v in lex["vague_predicates"]) or problem_anchor(clause) or identifiable(clause)
    )


def passage_anchor(text: str) -> bool:
    """A checkable anchor in a work report's problem passage: a figure, or a missed own target.

    粮食产量比上年减少百分之三 -> True; 有6项指标未完成 -> True; 贸易、科技等领域受到冲击 -> False.
    """
    return bool(_patterns("passage_anchors").search(text))


def passage_event(text: str) -> bool:
    """A work-report problem clause that names an adverse event or indicator in substance, without
    the genre's stock frequency or prevention wording (the rubric's "named events", level 3).

    粮食减产较多 -> True; 重大安全事故接连出现 -> True; 重大安全事故时有发生 -> False;
    科技创新能力还不强 -> False.
    """
    return bool(_patterns("passage_events").search(text)) and not _patterns("event_hedges").search(text)


def problem_clause_score(clause: str, tiers: bool = True) -> float:
    """Rubric ladder for one problem clause: checkable 1, identifiable 0.5, generic 0.

    有3个村超过一个季度未更新 -> 1; 政策解读形式单一 -> 0.5; 业务能力有待提高 -> 0.
    ``tiers=False`` (work-report passages) drops the middle step and uses the passage anchors
    (figures, missed own targets) instead of the disclosure ones, whose enumerations and causal
    connectives are the stock wording of work reports' problem lists.
    """
    if not tiers:
        return 1.0 if passage_anchor(clause) else 0.0
    if problem_anchor(clause):
        return 1.0
    return 0.5 if tiers and identifiable(clause) else 0.0


def measure_clause_score(clause: str) -> float:
    """Rubric ladder for one measure clause: instrument/owner/deadline/frequency/quantity 1,
    an identifiable target without instrument 0.5, a slogan (进一步加强培训) 0."""
    if measure_anchor(clause):
        return 1.0
    return 0.5 if identifiable(clause) and not is_vague(clause) else 0.0


def _ladder(texts: list[str], score) -> float:
    cl = [c for t in texts for c in clauses(t)]
    return sum(score(c) for c in cl) / len(cl) if cl else float("nan")


def _measure_items(measures: list[tuple[int, str]], max_heading: int) -> list[str]:
    """Measure texts without item headings (二是提升内容质量。) when longer measures follow them:
    the heading names the item, the next unit carries its content."""
    long_ = [t for _, t in measures if len(_LIST_MARK.sub("", t)) > max_heading or measure_anchor(t)]
    return long_ or [t for _, t in measures]


def split_section(
    sec: list[tuple[int, str, str]], passage: bool = False
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(problems, measures) of a section, robust to tagging errors.

    A unit tagged problem is a problem; so is any other unit carrying a problem cue (有待/不够/滞后 …)
    that does not open like a measure (将/下一步/加强 …). Measures are units tagged measure or
    commitment that are not problems, plus untagged units with a measure anchor and no problem cue.
    ``passage=True`` (work reports): every unit but commitments belongs to the problem account.
    """
    cue, start = _lex_re("problem_cues"), _lex_re("measure_start")
    problems, measures = [], []
    for i, t, lab in sec:
        body = _LIST_MARK.sub("", t)
        opens_measure = bool(start.search(body)) or "将" in body[:12]
        if passage:
            (measures if lab == "commitment" else problems).append((i, t))
        elif lab == "problem" or (cue.search(t) and not opens_measure and clauses(t)):
            problems.append((i, t))
        elif lab in MEASURE_LABELS or (lab == "other" and measure_anchor(t) and not cue.search(t)):
            measures.append((i, t))
    return problems, measures


def align_tokens(text: str) -> frozenset[str]:
    """Character bigrams of the content words minus the genre's stock words, so that 政策解读 and
    解读材料 share 解读: 政策解读形式单一 -> {政策, 策解, 解读, 形式, 单一}."""
    stop = frozenset(load_config()["lexicon"]["align_stop"])
    return frozenset(w[k : k + 2] for w in cm.content_tokens(text) if w not in stop for k in range(len(w) - 1))


def align(problems: list[tuple[int, str]], measures: list[tuple[int, str]], threshold: float) -> pd.DataFrame:
    """Many-to-one matching: each problem to its most similar measure.

    Similarity is the overlap coefficient |P∩M| / min(|P|, |M|) over content words without the stock
    words of the genre (政府信息公开, 加强, 水平 …), so a slogan answering a slogan does not match.
    """
    return pd.DataFrame(_align_rows(problems, measures, threshold), columns=PAIR_COLUMNS)


def _align_rows(problems: list[tuple[int, str]], measures: list[tuple[int, str]], threshold: float) -> list[tuple]:
    rows = []
    mt = [(j, m, align_tokens(m)) for j, m in measures]
    for i, p in problems:
        pt = align_tokens(p)
        best = max(((cm.overlap(pt, t), j, m) for j, m, t in mt), default=None)
        if best and best[0] >= threshold:
            rows.append((i, p, best[1], best[2], round(best[0], 3)))
    return rows


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
    return pd.DataFrame(_follow_rows(inp, prev), columns=FOLLOW_COLUMNS)


def _follow_rows(inp: CritiqueInput, prev: CritiqueInput) -> list[tuple]:
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
    return rows


def _nanmean(xs: list[float]) -> float:
    v = [x for x in xs if not math.isnan(x)]
    return sum(v) / len(v) if v else float("nan")


def _reasons(inp, comps, counts, recycled, prev_id, ft, cfg) -> list[str]:
    """The few reasons that moved the score most: weighted loss per component, in words."""
    w = cfg["weights"]
    n_p, n_m = counts["problem"], counts["measure"] + counts["commitment"]
    po = cfg["passage_only"]
    # components the score does not use for this doc type are not reasons
    skip = set(po["skip"]) if inp.doc_type in po["doc_types"] else set()
    cand: list[tuple[float, str]] = []
    lost = 1 - recycling_gate(comps, cfg)  # share of the level above 1 taken away by recycling
    if lost > 0 and comps["recycling"] > 0:
        src = f"report {recycled}" if recycled else "the closest other report"
        cand.append((lost * 2, f"section repeats {comps['recycling']:.0%} of the 8-grams of {src}"))
    ps = comps["problem_specificity"]
    if not math.isnan(ps):
        txt = f"{n_p} problems, none with a concrete anchor" if ps == 0 else f"problem specificity {ps:.2f} over {n_p} problems"
        if ps == 0 and counts.get("named"):
            txt = (f"{n_p} problems without a figure or a missed target; {counts['named']} name adverse events "
                   "in substance (level 3)")
        cand.append((w["problem_specificity"] * (1 - ps), txt))
    else:
        cand.append((w["problem_specificity"], "no problem sentence in the section"))
    ms = comps["measure_specificity"]
    if "measure_specificity" in skip:
        pass
    elif not math.isnan(ms):
        txt = f"{n_m} measures, none with instrument/owner/deadline/quantity" if ms == 0 else f"measure specificity {ms:.2f} over {n_m} measures"
        cand.append((w["measure_specificity"] * (1 - ms), txt))
    else:
        cand.append((w["measure_specificity"], "no measure or commitment in the section"))
    al = comps["alignment"]
    if not math.isnan(al) and "alignment" not in skip:
        cand.append((w["alignment"] * (1 - al), f"{round(al * n_p)} of {n_p} problems matched by a measure"))
    if not math.isnan(comps["follow_through"]) and len(ft):
        r = dict(zip(FOLLOW_COLUMNS, ft[0], strict=True))
        yr = "earlier"
        cand.append((
            cfg["recycling"]["follow_through_weight"] * (1 - comps["follow_through"]),
            f"{len(ft)} promise(s) of report {prev_id} come back ({r['kind']}: unit {r['idx']} vs unit {r['prev_idx']} of the {yr} report)",
        ))
    cand.append((w["originality"] * (1 - comps["originality"]), f"boilerplate share {1 - comps['originality']:.0%}"))
    cand.sort(key=lambda x: -x[0])
    return [t for s, t in cand[:3] if s > 0.02]


def rubric_level(comps: dict[str, float], has_content: bool, doc_type: str, cfg: dict, n_anchored: int = 0,
                 n_named: int = 0) -> float:
    """Rubric level 1-5 before the recycling gate.

    1 = nothing to score (no problem or measure clause). Otherwise 2 + 3 * quality with
    quality = P^a * M^b (a + b = 1) * (1 - w + w * alignment): the rubric's levels are conjunctions
    (specific problems *and* concrete measures *and* matched), so a weighted geometric mean is used:
    generic problems answered by slogans stay at 2 however long the list. A missing side counts 0.
    Work reports (passage_only) are scored on their problem account alone, as the rubric's
    work-report reading does: a passage with figures or a missed own target is a 4 (its remedies
    lie elsewhere in the report and are not credited), one without is a 2; ``n_anchored`` is the
    number of such clauses and ``anchored_full`` of them reach the cap. A passage without them
    that names adverse events in substance (``n_named`` clauses, :func:`passage_event`) is a 3.
    """
    if not has_content:
        return 1.0
    w, lad, po = cfg["weights"], cfg["ladder"], cfg["passage_only"]
    if doc_type in po["doc_types"]:
        level = lad["floor"] + (po["level_cap"] - lad["floor"]) * min(1.0, n_anchored / po["anchored_full"])
        return max(level, po["named_level"]) if n_named >= po["named_full"] else level

    def val(k: str) -> float:
        v = comps[k]
        return 0.0 if math.isnan(v) else v

    parts = [(k, w[k]) for k in ("problem_specificity", "measure_specificity") if w[k] > 0]
    tot = sum(wk for _, wk in parts)
    quality = math.prod(val(k) ** (wk / tot) for k, wk in parts) if tot else 0.0
    if not math.isnan(comps["alignment"]):
        quality *= 1 - w["alignment"] + w["alignment"] * comps["alignment"]
    return lad["floor"] + (5.0 - lad["floor"]) * quality


def recycling_gate(comps: dict[str, float], cfg: dict) -> float:
    """Share of the level above 1 that survives recycling: 1 for original text, 1 - penalty for a copy.

    The overlap is the larger of the section's 8-gram recycling and the share of last year's
    measures that come back (1 - follow_through, weighted): a largely recycled section drops to ~2.
    """
    rc = cfg["recycling"]
    r = comps["recycling"]
    ft = comps["follow_through"]
    if not math.isnan(ft):
        r = max(r, rc["follow_through_weight"] * (1 - ft))
    ramp = min(1.0, max(0.0, (r - rc["start"]) / (rc["full"] - rc["start"])))
    return 1 - rc["penalty"] * ramp


def _combine(inp: CritiqueInput, comps: dict[str, float], has_content: bool, cfg: dict, n_anchored: int = 0,
             n_named: int = 0) -> float:
    """critique_score = 25 * (gated level - 1): level 1 -> 0, 2 -> 25, 3 -> 50, 4 -> 75, 5 -> 100."""
    level = rubric_level(comps, has_content, inp.doc_type, cfg, n_anchored, n_named)
    gated = 1 + (level - 1) * recycling_gate(comps, cfg)
    return round(25 * (gated - 1), 2)


def score_critique(inp: CritiqueInput, context: CorpusContext | None = None) -> CritiqueResult:
    """Score one report's self-critique section (0-100); cross-report components need ``context``."""
    cfg = load_config()
    nan = float("nan")
    sec = inp.section()
    counts = {k: sum(lab == k for _, _, lab in sec) for k in ("problem", "measure", "commitment", "boilerplate")}
    if not inp.has_section or not sec:
        reason = inp.section_reason or "no self-critique section found"
        return CritiqueResult(
            0.0, {c: nan for c in COMPONENTS}, [], [f"no self-critique section: {reason}"],
            0, 0, 0, 0, None, [], False, reason, cfg["version"],
        )
    po = cfg["passage_only"]
    passage = inp.doc_type in po["doc_types"]
    problems, measures = split_section(sec, passage)
    tiers = not passage or po["identifiable_tier"]
    comps: dict[str, float] = dict.fromkeys(COMPONENTS, nan)
    comps["problem_specificity"] = _ladder([t for _, t in problems], lambda c: problem_clause_score(c, tiers))
    problem_clauses = [c for _, t in problems for c in clauses(t)]
    n_anchored = sum(problem_clause_score(c, tiers) == 1.0 for c in problem_clauses)
    n_named = sum(passage_event(c) for c in problem_clauses) if passage else 0
    comps["measure_specificity"] = _ladder(
        _measure_items(measures, cfg["ladder"]["max_heading_chars"]), measure_clause_score
    )
    pairs = _align_rows(problems, measures, cfg["alignment"]["min_similarity"])
    comps["alignment"] = len({r[0] for r in pairs}) / len(problems) if problems and measures else nan
    labs = dict((i, lab) for i, _, lab in sec)
    counts["problem"] = len(problems)  # after re-tagging (split_section); the tags' own counts differ
    counts["measure"] = sum(labs[i] != "commitment" for i, _ in measures)
    counts["commitment"] = len(measures) - counts["measure"]
    comps["boilerplate_tagged"] = counts["boilerplate"] / len(sec)
    cc = cfg["coverage"]
    comps["coverage"] = 0.5 * min(1.0, counts["problem"] / cc["full_problems"]) + 0.5 * min(
        1.0, (counts["measure"] + counts["commitment"]) / cc["full_measures"]
    )
    recycled, ft, prev_id = None, [], None
    rc = cfg["recycling"]
    if context is not None:
        texts = [t for _, t, _ in sec]
        comps["boilerplate_lsl"] = cm.lsl_boilerplate(texts, context.boilerplate.get(inp.doc_id, frozenset()))
        grams = cm.char_ngrams(inp.section_text(), rc["ngram"])
        prev_id = previous_report(inp, context)
        if prev_id:
            comps["stickiness_prev"] = cm.stickiness(grams, context.docs[prev_id].gram_set)
        hit = context.overlaps.get(inp.doc_id)
        # the table holds the context's own copy of this report (a batch run reloads its inputs)
        same_doc = inp.doc_id in context.docs and context.docs[inp.doc_id].inp == inp
        best_e, id_e, best_s, id_s = hit if hit is not None and same_doc else _overlaps(inp, grams, context)
        comps["cross_body_similarity"] = best_s
        weighted_s = best_s * rc["same_year_discount"]
        sp = comps["stickiness_prev"] if prev_id else 0.0
        comps["recycling"] = max(best_e, sp, weighted_s)
        src = id_e if best_e >= max(sp, weighted_s) else (prev_id if sp >= weighted_s else id_s)
        if max(best_e, sp, best_s) >= rc["report_threshold"]:
            recycled = src if max(best_e, sp) >= rc["report_threshold"] else id_s
        if prev_id:
            ft = _follow_rows(inp, context.docs[prev_id].inp)
            n_prev = sum(lab in MEASURE_LABELS for _, _, lab in context.docs[prev_id].inp.section())
            comps["follow_through"] = 1 - len(ft) / n_prev if n_prev else nan
    else:
        comps["recycling"] = 0.0
    comps["originality"] = 1 - _nanmean([comps["boilerplate_tagged"], comps["boilerplate_lsl"]])
    score = _combine(inp, comps, bool(problems or measures), cfg, n_anchored, n_named)
    reasons = _reasons(inp, comps, {**counts, "named": n_named}, recycled, prev_id, ft, cfg)
    return CritiqueResult(
        score, comps, pairs, reasons, counts["problem"], counts["measure"], counts["commitment"],
        counts["boilerplate"], recycled, ft, True, "", cfg["version"],
    )


def score_corpus(inputs: Iterable[CritiqueInput], reference: Iterable[CritiqueInput] = ()) -> pd.DataFrame:
    """Score every input against the context they form: one row per report (``to_row`` columns)."""
    inputs = list(inputs)
    ctx = build_context(inputs, reference)
    return pd.DataFrame([{"doc_id": i.doc_id, **score_critique(i, ctx).to_row()} for i in inputs])
