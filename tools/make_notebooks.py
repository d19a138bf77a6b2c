"""Build the tutorial notebooks in ``notebooks/`` (outputs stripped) and optionally time them.

    python tools/make_notebooks.py            # write notebooks/0[123]-*.ipynb
    python tools/make_notebooks.py --execute  # also run each with nbclient and print its wall time

The notebooks are generated so that they stay reproducible and reviewable as code: edit this file,
not the .ipynb files. They locate the repository from their working directory and the research
corpus from ``$NLP_REPORTS_CORPUS`` or ``../shared/corpora``; without the corpus they fall back to
``corpora/examples`` and say so. No report text of the corpus is written into a cell.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"

SETUP = """\
import os
from pathlib import Path

import pandas as pd

import nlp_reports as nr

# the repository root, whatever folder the notebook is run from (nbmake runs it in notebooks/)
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "pyproject.toml").is_file())
CORPUS = Path(os.environ.get("NLP_REPORTS_CORPUS", ROOT.parent / "shared" / "corpora"))
HAVE_CORPUS = (CORPUS / "texts").is_dir()
pd.set_option("display.max_colwidth", 60)
print("repository:", ROOT)
print("research corpus:", CORPUS if HAVE_CORPUS else f"absent ({CORPUS}); using corpora/examples only")"""


def md(text: str):  # noqa: ANN201
    return new_markdown_cell(text.strip("\n"))


def code(text: str):  # noqa: ANN201
    return new_code_cell(text.strip("\n"))


# --------------------------------------------------------------------------- 01 quickstart


def quickstart() -> list:
    return [
        md("""
# 01 · Quick start: one report end to end

`nr.analyze(path)` loads a report (txt in any Chinese encoding, docx, pdf, html), finds its structure,
tags every sentence unit as **problem / measure / commitment / boilerplate / other**, checks the standard
tables and scores the self-critique section. This notebook walks through the result for the invented
example report shipped in `corpora/examples/` and, when the research corpus is present, for report 0026
(陡水镇 2020, a report that departs from the official template).

The methods behind each step are described in [docs/methods.md](../docs/methods.md).
"""),
        code(SETUP),
        md("## Analyse one report"),
        code("""
example = next((ROOT / "corpora" / "examples").glob("0900_*.txt"))
a = nr.analyze(example)
a.report.metadata  # title, agency, year, level, doc_type, template, and the evidence for each
"""),
        md("""
### Section tree

Top-level sections with their canonical name (the six statutory parts of a disclosure report map to
`总体情况`, `主动公开`, `依申请公开`, `复议诉讼`, `问题与改进`, `其他事项`); the self-critique section is marked.
"""),
        code('''
def section_tree(report) -> pd.DataFrame:
    """One row per section, indented by level."""
    crit = report.self_critique
    return pd.DataFrame(
        {
            "section": ["    " * (s.level - 1) + s.title for s in report.sections],
            "canonical": [s.canonical for s in report.sections],
            "self_critique": [crit is not None and s.idx == crit.idx for s in report.sections],
            "units": [sum(u.section == s.idx for u in report.sentences) for s in report.sections],
        }
    )


print("self-critique:", a.report.self_critique_reason)
section_tree(a.report)
'''),
        md("""
### The sentence table

One row per unit: where it is (section, kind, self-critique flag, offsets into the normalized and the
original text), its label, the five probabilities, the rules that fired and which layer decided
(`model`, or `rules` where only precise rules fired and agreed).
"""),
        code("""
cols = ["idx", "section", "kind", "in_self_critique", "text", "label",
        "proba_problem", "proba_measure", "proba_commitment", "proba_boilerplate", "proba_other",
        "rules", "decided_by"]
a.sentences[cols].head(12)
"""),
        code("""
a.sentences.groupby(["section", "label"], observed=True).size().unstack(fill_value=0)
"""),
        md("""
### The rendered analysis

An analysis renders itself in Jupyter: a legend, the score card, the table findings, then every
top-level section as a collapsible block (the self-critique section open). Hover over a sentence for its
label, probabilities and rules.
"""),
        code("a"),
        md("""
### Self-critique score card

`a.critique` is a `CritiqueResult`: the score (0–100), its components (each 0–1), the problem–measure
pairs and the reasons that moved it most. Analysed alone, a report has no corpus around it, so the
corpus components (`boilerplate_lsl`, `stickiness_prev`, `cross_body_similarity`, `follow_through`) are
NaN; `score_corpus` computes them (see notebook 02). Formulas and weights: [docs/critique-score.md](../docs/critique-score.md).
"""),
        code("""
c = a.critique
print(f"score {c.score:.1f} / 100; problems {c.n_problems}, measures {c.n_measures}, "
      f"commitments {c.n_commitments}, boilerplate {c.n_boilerplate}")
for r in c.reasons:
    print(" -", r)
pd.Series(c.components, name="component").to_frame()
"""),
        code("""
c.pairs  # each problem with its most similar measure (overlap of content-word bigrams)
"""),
        md("""
### Table findings

The standard tables (表二/表三/表四) are parsed and checked against the consistency rules of the
official format (rule ids T3-1 … S-2, N-1, N-2). The invented example is consistent, so the list may be
empty.
"""),
        code("""
from nlp_reports.scoring.table_checks import findings_frame

print("template:", a.tables.version if a.tables is not None else None)
findings_frame(a.table_findings)
"""),
        md("""
## A real report: 0026 (when the corpus is present)

Only counts and short excerpts are shown; the report text stays in the corpus folder.
"""),
        code("""
from IPython.display import display

if HAVE_CORPUS:
    b = nr.analyze(CORPUS / "texts" / "0026.txt")
    display(b.report.metadata)
    display(section_tree(b.report))
    short = b.sentences[cols].assign(text=b.sentences["text"].str.slice(0, 16) + "…")
    display(short.head(8))
    display(b.sentences["label"].value_counts().to_frame())
    print(f"critique score {b.critique.score:.1f}; reasons: {b.critique.reasons}")
    display(findings_frame(b.table_findings)[["rule", "severity", "cells", "expected", "found"]].head(10))
else:
    print(f"research corpus not found at {CORPUS}: set NLP_REPORTS_CORPUS to run this part")
"""),
        code("""
if HAVE_CORPUS:
    display(b)  # the rendered report: sections collapsed, the self-critique open
"""),
        md("""
## Tagging sentences without a report

`nr.tag_sentences` tags strings directly; the section and the self-critique flag are optional context
features. The sentences below are invented.
"""),
        code("""
sentences = [
    "部分村居公开栏更新不及时，个别栏目内容长期未调整。",
    "下一步，我镇将每季度开展一次公开栏巡查并通报结果。",
    "我们将进一步提高政务公开工作水平。",
    "现将本年度政府信息公开工作情况报告如下：",
    "全年共主动公开政府信息215条。",
]
nr.tag_sentences(
    sentences,
    sections=["问题与改进", "问题与改进", "问题与改进", None, "主动公开"],
    in_self_critique=[True, True, True, False, False],
)
"""),
    ]


# --------------------------------------------------------------------------- 02 corpus study


def corpus_study() -> list:
    return [
        md("""
# 02 · A corpus study

Score every report of the research corpus with `score_corpus` (two worker processes, output in a
temporary folder), then look at the self-critique score by document type, administrative level and year,
at how labels are spread over the canonical sections, at the copying in the 平潭综合实验区 series, and at
the self-critique sections that are most often copied.

If the research corpus is absent (`$NLP_REPORTS_CORPUS` or `../shared/corpora`), the notebook falls back
to the two invented reports in `corpora/examples/` so that it still runs; the figures are then trivial.
No report text is printed.
"""),
        code(
            SETUP
            + """
import io
import tempfile

import matplotlib

matplotlib.use("Agg")  # no display needed (CI); figures are shown as PNG images
import matplotlib.pyplot as plt
from IPython.display import Image, display

# plot labels in English: CI machines rarely have a CJK font
SECTION_EN = {"总体情况": "overview", "主动公开": "proactive", "依申请公开": "requests", "复议诉讼": "review/litigation",
              "问题与改进": "problems+improvement", "其他事项": "other matters", "回顾": "WR: review",
              "问题与不足": "WR: shortcomings", "部署": "WR: plan"}
DOC_TYPE_EN = {"disclosure_annual_report": "disclosure", "government_work_report": "work report"}


def show(fig) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    display(Image(buf.getvalue()))
"""
        ),
        md("## Score the corpus"),
        code("""
SOURCE = CORPUS / "texts" if HAVE_CORPUS else ROOT / "corpora" / "examples"
tmp = tempfile.TemporaryDirectory(prefix="nlp_reports_study_")
out = Path(tmp.name) / "scores.parquet"
scores = nr.score_corpus(SOURCE, out, n_jobs=2, progress=False)
sentences = pd.read_parquet(out.with_name("scores_sentences.parquet"))
print(f"{len(scores)} reports ({scores['error'].notna().sum()} errors), {len(sentences)} sentence units")
print("written:", sorted(p.name for p in out.parent.iterdir()))
"""),
        md("""
The level extracted from the text is often missing (many reports never state it); where the corpus
manifest is available, its curated `level` and `agency` are joined for comparison.
"""),
        code("""
if HAVE_CORPUS:
    manifest = pd.read_csv(CORPUS / "manifest.csv", dtype={"doc_id": str})
    scores = scores.merge(
        manifest[["doc_id", "level", "agency", "split"]].rename(
            columns={"level": "manifest_level", "agency": "manifest_agency"}),
        on="doc_id", how="left")
else:
    scores["manifest_level"] = scores["level"]
    scores["manifest_agency"] = scores["agency"]
    scores["split"] = None
print("level found in the text:", int(scores["level"].notna().sum()), "of", len(scores))
scores[["doc_id", "doc_type", "year", "level", "manifest_level", "critique_score",
        "n_problems", "n_measures", "table_errors"]].head(10)
"""),
        md("## Critique score by document type, level and year"),
        code("""
ok = scores[scores["error"].isna() & scores["section_found"].fillna(False).astype(bool)]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, col, title in [(axes[0], "doc_type", "by doc_type"), (axes[1], "manifest_level", "by level (manifest)")]:
    groups = {DOC_TYPE_EN.get(k, k): g["critique_score"].dropna().to_numpy() for k, g in ok.groupby(col, dropna=True)}
    ax.boxplot(list(groups.values()), tick_labels=[f"{k}\\n(n={len(v)})" for k, v in groups.items()])
    ax.set_title(f"critique score {title}")
    ax.set_ylabel("critique_score (0-100)")
    ax.tick_params(axis="x", labelsize=8)
show(fig)
ok.groupby("doc_type")["critique_score"].describe().round(1)
"""),
        code("""
fig, ax = plt.subplots(figsize=(11, 3.8))
for dt, g in ok.groupby("doc_type"):
    ax.scatter(g["year"], g["critique_score"], s=14, alpha=0.6, label=DOC_TYPE_EN.get(dt, dt))
    yearly = g.groupby("year")["critique_score"].median()
    ax.plot(yearly.index, yearly.to_numpy(), lw=1)
ax.set_xlabel("year")
ax.set_ylabel("critique_score")
ax.set_title("critique score by year (points: reports; lines: yearly median)")
ax.legend(fontsize=8)
show(fig)
"""),
        md("""
## Label shares per canonical section

From the sentence table: the share of each label among the units of each canonical section
(`回顾`, `问题与不足`, `部署` are the parts of a 政府工作报告).
"""),
        code("""
shares = (sentences.dropna(subset=["section"])
          .groupby(["section", "label"]).size().unstack(fill_value=0))
shares = shares.div(shares.sum(axis=1), axis=0)
labels = [lab for lab in ["problem", "measure", "commitment", "boilerplate", "other"] if lab in shares]
colours = {"problem": "#d9534f", "measure": "#5cb85c", "commitment": "#428bca",
           "boilerplate": "#999999", "other": "#f0ad4e"}
fig, ax = plt.subplots(figsize=(11, 3.8))
shares[labels].rename(index=SECTION_EN).plot.bar(stacked=True, ax=ax, color=[colours[x] for x in labels], width=0.8)
ax.set_ylabel("share of units")
ax.set_xlabel("")
ax.set_title("label shares per canonical section")
ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
show(fig)
shares[labels].round(2)
"""),
        md("""
## Stickiness of the 平潭综合实验区 series, 2011–2025

`critique_stickiness_prev` is the share of the self-critique section's character 8-grams found in the
previous report of the same body (the body is the normalized extracted `agency`);
`critique_recycling` also compares with every earlier section of the doc_type (and half the same-year
cross-body similarity), so it does not depend on the agency. The zone's own reports (管委会) form the
main series; its departments and districts (财政, 市场监管, the four 片区 …) are shown as a second panel.
The series is selected on the extracted agency and title, falling back to the manifest's agency where
the extraction found none (`agency_extracted` counts the reports where it did). Where the extracted
agency is missing, `stickiness_prev` is NaN: the scorer only uses the extracted metadata (a known gap,
see [docs/critique-score.md](../docs/critique-score.md)).
"""),
        code("""
key = "平潭综合实验区"
# the extracted agency/title, falling back to the manifest's curated agency where extraction found none
agency = scores["agency"].fillna(scores["manifest_agency"]).fillna("")
title = scores["title"].fillna("")
pingtan = scores[(agency.str.contains("平潭") | title.str.contains("平潭"))
                 & scores["year"].between(2011, 2025)
                 & (scores["doc_type"] == "disclosure_annual_report")].copy()
# the zone itself: agency 平潭综合实验区(管委会), or a title that starts with the zone name and the year
zone_agency = agency[pingtan.index].str.fullmatch(key + "(管委会|管理委员会)?")
zone_title = pingtan["title"].fillna("").str.match(key + r"(管委会|管理委员会)?\\s*\\d{4}\\s*年")
pingtan["series"] = (zone_agency | zone_title).map({True: "zone (管委会)", False: "departments/districts"})
print(pingtan.groupby("series").agg(reports=("doc_id", "size"), first=("year", "min"), last=("year", "max"),
                                    agency_extracted=("agency", lambda s: int(s.notna().sum()))))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), sharey=True)
for ax, (series, g) in zip(axes, pingtan.groupby("series", sort=False), strict=False):
    per_year = g.groupby("year")[["critique_recycling", "critique_stickiness_prev"]].mean()
    ax.plot(per_year.index, per_year["critique_recycling"], marker="o", label="recycling (mean)")
    ax.plot(per_year.index, per_year["critique_stickiness_prev"], marker="s", label="stickiness_prev (mean)")
    ax.set_title("zone (guanweihui)" if series.startswith("zone") else "departments and districts")
    ax.set_xlabel("year")
    ax.set_ylim(-0.05, 1.05)
axes[0].set_ylabel("share of section 8-grams")
axes[0].legend(fontsize=8)
show(fig)
zone = pingtan[pingtan["series"].str.startswith("zone")].sort_values("year")
zone[["doc_id", "year", "critique_score", "critique_stickiness_prev", "critique_recycling", "recycled_from"]].round(2)
"""),
        md("""
## The most copied self-critique sections

`recycled_from` names the source of a section whose 8-gram overlap with an earlier (or same-year) section
is at least 0.5; `critique_cross_body_similarity` is the highest overlap with another body's section of
the same doc_type and year.
"""),
        code("""
copied = (scores.dropna(subset=["recycled_from"]).groupby("recycled_from")
          .agg(copies=("doc_id", "size"), copied_by=("doc_id", lambda s: ", ".join(sorted(s))))
          .sort_values("copies", ascending=False))
print(f"{int(scores['recycled_from'].notna().sum())} reports name a source; {len(copied)} distinct sources")
display(copied.head(10))
scores.sort_values("critique_cross_body_similarity", ascending=False)[
    ["doc_id", "year", "doc_type", "critique_cross_body_similarity", "critique_recycling", "recycled_from"]
].head(10).round(2)
"""),
        code("""
tmp.cleanup()
"""),
    ]


# --------------------------------------------------------------------------- 03 train your own


INVENTED = [  # (text, section, in_self_critique, label): written for this notebook, after docs/annotation.md
    ("部分科室对公开时限把握不准，有3件答复超过法定期限。", "问题与改进", True, "problem"),
    ("村级公开栏内容更新慢，个别村半年未更新。", "问题与改进", True, "problem"),
    ("政策解读形式较为单一，图解和视频运用较少。", "问题与改进", True, "problem"),
    ("基层工作人员业务能力有待提升，对新条例理解不深。", "问题与改进", True, "problem"),
    ("网站检索功能不完善，群众查找文件仍有困难。", "问题与改进", True, "problem"),
    ("依申请公开答复文书格式不统一。", "问题与改进", True, "problem"),
    ("一是建立公开时限台账，由办公室每周跟踪办理进度。", "问题与改进", True, "measure"),
    ("二是每月组织一次村级公开栏检查并通报结果。", "问题与改进", True, "measure"),
    ("本年度通过镇政府网站专栏发布预决算信息。", "主动公开", False, "measure"),
    ("召开政务公开业务培训会2次，培训人员80人次。", "总体情况", False, "measure"),
    ("利用微信公众号推送政策解读图文。", "主动公开", False, "measure"),
    ("印发《依申请公开办理规程》，统一答复文书模板。", "总体情况", False, "measure"),
    ("下一步，我们将进一步提升政务公开工作质量。", "问题与改进", True, "commitment"),
    ("确保各项公开任务按时落实到位。", "问题与改进", True, "commitment"),
    ("今后要持续加强政务公开队伍建设。", "问题与改进", True, "commitment"),
    ("力争公开满意度继续提高。", "问题与改进", True, "commitment"),
    ("切实增强公开工作的实效性。", "问题与改进", True, "commitment"),
    ("我们一定正视不足，努力把公开工作做得更好。", "问题与改进", True, "commitment"),
    ("现将本镇本年度政务公开工作情况报告如下：", None, False, "boilerplate"),
    ("取得了较好的社会效果。", "总体情况", False, "boilerplate"),
    ("虽然取得了一些成绩，但也还存在一些不足：", "问题与改进", True, "boilerplate"),
    ("五、存在的主要问题及改进情况", "问题与改进", True, "boilerplate"),
    ("打印本页 关闭窗口", None, False, "boilerplate"),
    ("本报告数据统计期限为当年1月1日至12月31日。", None, False, "boilerplate"),
    ("全年共主动公开政府信息186条。", "主动公开", False, "other"),
    ("本年度未收到政府信息公开申请。", "依申请公开", False, "other"),
    ("本年度未发生政府信息公开行政复议案件。", "复议诉讼", False, "other"),
    ("领导小组由镇长任组长，分管副镇长任副组长。", "总体情况", False, "other"),
    ("网站共有栏目24个，访问量约3万人次。", "主动公开", False, "other"),
    ("本年度未收取信息处理费。", "其他事项", False, "other"),
]


def train_your_own() -> list:
    rows = "\n".join(f"    ({t!r}, {s!r}, {c!r}, {lab!r})," for t, s, c, lab in INVENTED)
    return [
        md("""
# 03 · Train your own sentence tagger

Annotate a few sentences, add them to the shipped stand-off annotations (`corpora/annotations/`,
joined with the corpus text at run time), retrain a `SentenceTagger` with small, fast settings, and
compare it with the shipped model on the same held-out dev units.

The labels and the decision procedure are in [docs/annotation.md](../docs/annotation.md). The 30
sentences below are invented for this notebook; they are not corpus text. Annotations of your own
corpus should be stand-off as well (doc_id, sha256, offsets, label): see
`nlp_reports.tagging.training.attach_units`.
"""),
        code(
            SETUP
            + """
from nlp_reports.tagging.classifier import SentenceTagger
from nlp_reports.tagging.tagger import load_model, tag_frame
from nlp_reports.tagging.training import score, training_data
"""
        ),
        md("## 1. Annotate"),
        code(
            "mine = pd.DataFrame(\n    [\n"
            + rows
            + """
    ],
    columns=["text", "section", "in_self_critique", "label"],
)
mine["doc_id"], mine["split"] = "mine", "train"
mine["label"].value_counts()
"""
        ),
        md("""
## 2. Combine with the shipped annotations

`training_data(corpus)` reads the stand-off labels, checks each report's sha256, attaches every label to
the toolkit's unit (text, canonical section, self-critique flag) and adds the document-level split
(`train` / `dev`). Without the corpus the notebook trains on the invented sentences alone and evaluates
on every third of them (a toy check of the mechanics, not a measurement).
"""),
        code("""
if HAVE_CORPUS:
    shipped_units = training_data(CORPUS)
    train = pd.concat([shipped_units[shipped_units["split"] == "train"], mine], ignore_index=True)
    dev = shipped_units[shipped_units["split"] == "dev"].reset_index(drop=True)
else:
    is_dev = mine.index % 3 == 2
    train, dev = mine[~is_dev].reset_index(drop=True), mine[is_dev].reset_index(drop=True)
print(f"train: {len(train)} units ({train['doc_id'].nunique()} sources); "
      f"dev: {len(dev)} units ({dev['doc_id'].nunique()} reports)")
pd.crosstab(train["label"], train["doc_id"] == "mine", margins=True).rename(
    columns={False: "shipped", True: "mine"})
"""),
        md("""
## 3. Retrain

Small, fast settings: character 1–2-grams without word n-grams, capped vocabulary, the rule votes and the
section context as features. (The shipped model uses character 1–3-grams, word 1–2-grams and parameters
chosen by cross-validation: `nlp-reports train`.)
"""),
        code("""
import time

t0 = time.perf_counter()
mine_model = SentenceTagger(C=1.0, char_ngram_max=2, use_words=False, max_char_features=8000,
                            use_rules=True, rule_weight=0.3)
mine_model.fit(train, train["label"])
print(f"fitted in {time.perf_counter() - t0:.1f} s; {mine_model.n_features_} features; "
      f"rules precise enough to decide alone: {mine_model.precise_rules_}")
"""),
        md("""
## 4. Evaluate on the dev split, next to the shipped model

Both taggers are run through `tag_frame`, i.e. with the same rule/model combination as the pipeline, on
the same dev units. The shipped model never saw the dev reports either (document-level split).
"""),
        code("""
shipped = load_model()
y = dev["label"].to_numpy()
results = {
    "retrained (this notebook)": score("retrained", y, tag_frame(dev, mine_model)["label"].to_numpy()),
    "shipped model": score("shipped", y, tag_frame(dev, shipped)["label"].to_numpy()),
}
pd.DataFrame({name: s.report["f1"] for name, s in results.items()}).assign(
    support=results["shipped model"].report["support"]).round(3)
"""),
        code("""
print({name: round(s.macro_f1, 3) for name, s in results.items()})
results["retrained (this notebook)"].confusion  # rows gold, columns predicted
"""),
        md("""
## 5. Use it

A retrained model can be passed wherever a model is accepted (`nr.analyze(..., model=...)`,
`nr.tag_sentences(..., model=...)`), or saved with `nlp_reports.tagging.tagger.save_model` (skops, never
pickle) and given to `score_corpus(..., model_path=...)`. Record the model's sha256 with your results:
the run manifest of `score_corpus` does this for you.
"""),
        code("""
nr.tag_sentences(["个别村公开栏长期未更新。", "每季度开展一次网站巡查。"],
                 sections=["问题与改进"] * 2, in_self_critique=[True, True], model=mine_model)
"""),
    ]


# --------------------------------------------------------------------------- build / run

NOTEBOOKS = {
    "01-quickstart.ipynb": quickstart,
    "02-corpus-study.ipynb": corpus_study,
    "03-train-your-own.ipynb": train_your_own,
}


def build(name: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=NOTEBOOKS[name]())
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids: a rebuild gives an identical file
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
    return nb


def execute(path: Path, timeout: int = 600, save: Path | None = None) -> float:
    """Run one notebook in its folder with nbclient; wall time in seconds.

    The executed copy (with outputs) goes to ``save`` when given, never over the committed file.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    elapsed = time.perf_counter() - t0
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save / path.name)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--execute", action="store_true", help="run each notebook with nbclient and time it")
    ap.add_argument(
        "--save-executed",
        type=Path,
        default=None,
        metavar="DIR",
        help="with --execute: write the executed notebooks (with outputs) to DIR",
    )
    args = ap.parse_args(argv)
    NB_DIR.mkdir(exist_ok=True)
    for name in NOTEBOOKS:
        path = NB_DIR / name
        nbformat.write(build(name), path)
        print("wrote", path.relative_to(ROOT))
    if args.execute:
        for name in NOTEBOOKS:
            print(f"{name}: executed in {execute(NB_DIR / name, save=args.save_executed):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
