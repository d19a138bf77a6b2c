"""Jupyter rendering of an analysis: sentences coloured by label, score card, table findings.

Plain HTML and inline CSS (no displaCy, no JavaScript); every piece of report text is escaped.
Long reports stay readable: each top-level section is a collapsed ``<details>`` block, except the
self-critique section, which is open.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from nlp_reports.tagging.rules import LABELS

COLOURS = {
    "problem": "#f8c4c4",
    "measure": "#c6e5c3",
    "commitment": "#c9dcf5",
    "boilerplate": "#e3e3e3",
    "other": "#fbeec1",
}
NAMES = {"problem": "problem 问题", "measure": "measure 措施", "commitment": "commitment 承诺",
         "boilerplate": "boilerplate 套话", "other": "other 其他"}
MAX_SECTION_UNITS = 400  # beyond this a section shows its first units and a count


def legend_html() -> str:
    items = "".join(
        f'<span style="background:{COLOURS[lab]};padding:1px 6px;margin-right:6px;border-radius:3px">'
        f"{escape(NAMES[lab])}</span>" for lab in LABELS
    )
    return f'<div style="margin:4px 0 8px 0;font-size:90%">{items}</div>'


def _title(row) -> str:
    probs = ", ".join(f"{lab} {row[f'proba_{lab}']:.2f}" for lab in LABELS)
    rules = ", ".join(row["rules"]) if len(row["rules"]) else "none"
    return f"{row['label']} ({row['decided_by']}); {probs}; rules: {rules}"


def sentence_html(row) -> str:
    lab = str(row["label"])
    return (
        f'<span title="{escape(_title(row), quote=True)}" style="background:{COLOURS.get(lab, "#fff")};'
        f'padding:0 2px;border-radius:2px;line-height:1.9">{escape(str(row["text"]))}</span> '
    )


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.2f}" if isinstance(v, float) else escape(str(v))


def critique_html(c) -> str:
    if c is None:
        return ""
    if not c.section_found:
        return (f'<div style="border:1px solid #ccc;padding:6px;margin:6px 0"><b>Self-critique score 0</b>: '
                f"{escape(c.reason)}</div>")
    comps = "".join(f"<tr><td>{escape(k)}</td><td style='text-align:right'>{_fmt(v)}</td></tr>"
                    for k, v in c.components.items())
    reasons = "".join(f"<li>{escape(r)}</li>" for r in c.reasons)
    pairs = ""
    if isinstance(c.pairs, pd.DataFrame) and len(c.pairs):
        rows = "".join(
            f"<tr><td>{escape(str(r.get('problem', '')))}</td><td>{escape(str(r.get('measure', '')))}</td>"
            f"<td>{_fmt(r.get('similarity'))}</td></tr>" for r in c.pairs.to_dict("records")[:20]
        )
        pairs = f"<details><summary>problem–measure pairs ({len(c.pairs)})</summary><table>{rows}</table></details>"
    recycled = f"<div>recycled from: <b>{escape(c.recycled_from)}</b></div>" if c.recycled_from else ""
    return (
        '<div style="border:1px solid #999;border-radius:4px;padding:6px 10px;margin:6px 0">'
        f"<b>Self-critique score {c.score:.1f} / 100</b> · problems {c.n_problems} · measures {c.n_measures} · "
        f"commitments {c.n_commitments} · boilerplate {c.n_boilerplate}{recycled}"
        f"<ul>{reasons}</ul><details><summary>components</summary><table>{comps}</table></details>{pairs}</div>"
    )


def findings_html(findings) -> str:
    if not findings:
        return ""
    items = "".join(
        f"<li><b>[{escape(f.severity)}] {escape(f.rule)}</b>: {escape(f.message)}</li>" for f in findings[:50]
    )
    more = f"<li>… {len(findings) - 50} more</li>" if len(findings) > 50 else ""
    return f"<details><summary>table findings ({len(findings)})</summary><ul>{items}{more}</ul></details>"


def analysis_html(a) -> str:
    """HTML for an :class:`~nlp_reports.scoring.analysis.Analysis` (used by ``_repr_html_``)."""
    r = a.report
    m = r.metadata
    head = (f"<div><b>{escape(m.title or r.doc_id)}</b><br><span style='font-size:90%'>agency {escape(str(m.agency))}"
            f" · year {escape(str(m.year))} · level {escape(str(m.level))} · {escape(m.doc_type)}"
            f"{' · template ' + escape(m.template) if m.template else ''} · {len(r.sentences)} sentence units</span></div>")
    df = a.sentences
    blocks = []
    crit = r.self_critique
    # group units under their top-level section (units before the first heading form a preamble)
    top_of = {}
    for s in r.sections:
        t = s
        while t.parent is not None:
            t = r.sections[t.parent]
        top_of[s.idx] = t.idx
    groups: dict[int | None, list] = {}
    order: list[int | None] = []
    for s, row in zip(r.sentences, df.to_dict("records"), strict=True):
        key = top_of.get(s.section) if s.section is not None else None
        if s.in_self_critique and crit is not None:
            key = -1
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(row)
    for key in order:
        rows = groups[key]
        if key == -1:
            title, is_open = f"self-critique: {crit.title}", True
        elif key is None:
            title, is_open = "preamble", False
        else:
            title, is_open = r.sections[key].title, False
        body = "".join(sentence_html(x) for x in rows[:MAX_SECTION_UNITS])
        if len(rows) > MAX_SECTION_UNITS:
            body += f"<i>… {len(rows) - MAX_SECTION_UNITS} more units (see .sentences)</i>"
        counts = pd.Series([x["label"] for x in rows]).value_counts().to_dict()
        summary = f"{escape(title[:60])} <span style='font-size:85%;color:#555'>({len(rows)} units; " + ", ".join(
            f"{k} {v}" for k, v in counts.items()) + ")</span>"
        style = "border-left:3px solid #c33;padding-left:6px" if key == -1 else ""
        blocks.append(f"<details{' open' if is_open else ''} style='{style}'><summary>{summary}</summary>"
                      f"<div style='margin:4px 0 8px 0'>{body}</div></details>")
    return (f"<div style='font-family:sans-serif;max-width:980px'>{head}{legend_html()}"
            f"{critique_html(a.critique)}{findings_html(a.table_findings)}{''.join(blocks)}</div>")
