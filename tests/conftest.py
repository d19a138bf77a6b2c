"""Shared fixtures: the research corpus (skipped with a reason when absent) and the examples."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("NLP_REPORTS_CORPUS", ROOT.parent / "shared" / "corpora"))
EXAMPLES = ROOT / "corpora" / "examples"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "texts").is_dir():
        pytest.skip(f"research corpus not found at {CORPUS} (set NLP_REPORTS_CORPUS)")
    return CORPUS


@pytest.fixture(scope="session")
def manifest(corpus_dir) -> dict[str, dict[str, str]]:
    with open(corpus_dir / "manifest.csv", encoding="utf-8") as f:
        return {r["doc_id"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="session")
def corpus_reports(corpus_dir, manifest):
    from nlp_reports.io.loaders import load_text
    from nlp_reports.structure.report import build_report

    return {d: build_report(load_text(corpus_dir / "texts" / f"{d}.txt"), d) for d in manifest}
