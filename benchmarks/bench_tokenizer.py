"""Side-by-side speed of the rjieba and jieba backends on the real corpus (one run each).

    python benchmarks/bench_tokenizer.py [--corpus DIR] [--tag]

Prints dictionary load time, cut (and optionally tag) characters/s and the token-boundary
disagreement of rjieba against jieba. The machines are noisy: differences under ~30% mean nothing.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from nlp_reports.nlp.tokenizer import Tokenizer, boundary_disagreement

DEFAULT_CORPUS = Path(
    os.environ.get("NLP_REPORTS_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpora")
)


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def _run(fn, texts):
    return [fn(t) for t in texts]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--tag", action="store_true", help="also time POS tagging (jieba.posseg is slow)")
    args = ap.parse_args()
    files = sorted((args.corpus / "texts").glob("*.txt"))
    if not files:
        raise SystemExit(f"{args.corpus}: no texts/*.txt found")
    texts = [p.read_text(encoding="utf-8") for p in files]
    n = sum(map(len, texts))
    print(f"corpus: {len(texts)} reports, {n:,} characters")

    cuts: dict[str, list[list[str]]] = {}
    for backend in ("rjieba", "jieba"):
        tok = Tokenizer(backend)
        _, load_s = _timed(tok.load)
        cuts[backend], cut_s = _timed(_run, tok.cut, texts)
        line = f"{backend:7s} load {load_s:6.3f} s   cut {n / cut_s:>12,.0f} chars/s ({cut_s:.2f} s)"
        if args.tag:
            _, tag_s = _timed(_run, tok.tag, texts)
            line += f"   tag {n / tag_s:>12,.0f} chars/s"
        print(line)

    diff = union = 0
    for ref, fast in zip(cuts["jieba"], cuts["rjieba"], strict=True):
        d, u = boundary_disagreement(ref, fast)
        diff, union = diff + d, union + u
    print(f"token-boundary disagreement rjieba vs jieba: {diff}/{union} = {diff / union:.4%}")


if __name__ == "__main__":
    main()
