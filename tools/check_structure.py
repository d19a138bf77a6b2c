"""Check metadata and self-critique detection against the corpus manifest, and the extent of the
work-report passages against the audit in corpora/annotations/audit_work_passages.csv.

python tools/check_structure.py [CORPUS_DIR]
"""

import csv
import sys
import time
from pathlib import Path

from nlp_reports.structure.report import build_report, text_source

corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora")
rows = {r["doc_id"]: r for r in csv.DictReader(open(corpus / "manifest.csv", encoding="utf-8"))}
t0 = time.time()
reports = {}
for d in rows:
    p = corpus / "texts" / f"{d}.txt"
    reports[d] = build_report(text_source(p.read_text(encoding="utf-8"), p.name), d)
elapsed = time.time() - t0
year_bad = [d for d, r in rows.items() if str(reports[d].metadata.year) != r["year"]]
type_bad = [d for d, r in rows.items() if reports[d].metadata.doc_type != r["doc_type"]]
crit = [d for d, r in rows.items() if r["has_self_critique"] == "yes"]
miss = [d for d in crit if reports[d].self_critique is None]
n = len(rows)
print(f"{n} reports built in {elapsed:.2f} s; {sum(len(r.sentences) for r in reports.values())} sentence units")
print(f"year agrees: {n - len(year_bad)}/{n} = {(n - len(year_bad)) / n:.1%}; mismatches: {year_bad}")
for d in year_bad:
    m = reports[d].metadata
    print(f"   {d}: found {m.year} ({m.evidence.get('year')}), manifest {rows[d]['year']}")
print(f"doc_type agrees: {n - len(type_bad)}/{n} = {(n - len(type_bad)) / n:.1%}; mismatches: {type_bad}")
print(f"self-critique found: {len(crit) - len(miss)}/{len(crit)} = {(len(crit) - len(miss)) / len(crit):.1%}; misses: {miss}")
for d in miss:
    print(f"   {d}: {reports[d].self_critique_reason}")

audit_path = Path(__file__).resolve().parents[1] / "corpora" / "annotations" / "audit_work_passages.csv"
if audit_path.is_file():
    audit = list(csv.DictReader(open(audit_path, encoding="utf-8")))
    off = []
    for a in audit:
        rep, sec = reports[a["doc_id"]], reports[a["doc_id"]].self_critique
        units = [s for s in rep.sentences if s.in_self_critique]
        found = (units[0].orig_start, units[-1].orig_end) if sec is not None and units else None
        truth = (int(a["start"]), int(a["end"])) if a["start"] else None
        if found != truth:
            off.append((a["doc_id"], found, truth))
    print(f"work-report passage extent agrees with the audit: {len(audit) - len(off)}/{len(audit)}; "
          f"differing (found vs audited original offsets): {off}")
