"""Dump the sentence units of reports for annotation (to a scratch folder, never the repository).

python tools/annotation_units.py OUT_DIR DOC_ID[:FIRST-LAST] ...

Writes OUT_DIR/<doc_id>.jsonl: one unit per line with doc_id, sha256, i, start, end (offsets into
the original file text), section, in_self_critique, kind, text.  Ranges select unit indices.
"""

import json
import sys
from pathlib import Path

from nlp_reports.structure.report import build_report, text_source

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def main(out: str, specs: list[str]) -> None:
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        doc, _, rng = spec.partition(":")
        p = CORPUS / "texts" / f"{doc}.txt"
        rep = build_report(text_source(p.read_text(encoding="utf-8"), p.name), doc)
        import hashlib

        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        ranges = [tuple(int(x) for x in r.split("-")) for r in rng.split(",")] if rng else [(0, len(rep.sentences) - 1)]
        chosen = [s for lo, hi in ranges for s in rep.sentences[lo : hi + 1]]
        with open(outdir / f"{doc}.jsonl", "w", encoding="utf-8") as f:
            for s in chosen:
                f.write(json.dumps({
                    "doc_id": doc, "sha256": sha, "i": s.idx, "start": s.orig_start, "end": s.orig_end,
                    "section": s.canonical_section, "in_self_critique": s.in_self_critique, "kind": s.kind,
                    "text": s.text,
                }, ensure_ascii=False) + "\n")
        print(doc, ranges, len(chosen))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
