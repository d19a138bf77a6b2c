"""Score a whole corpus: streaming, resumable, parallel over processes.

Pass 1 (per report, in worker processes): load -> build_report -> analyze_report -> critique_input.
Each result is appended to two append-only JSONL part files beside the output (one flushed line per
report, fsync'd every second and at the end): the sentence rows and a compact record holding the metadata, table finding counts and the
``CritiqueInput`` as JSON. Pass 2 (in the parent): ``build_context`` over every input (plus the
reference corpus), then ``score_critique`` each one -> one row per report.

A rerun with the same output skips reports already in the part files (keyed by doc_id + sha256 of
the file); a run killed mid-way loses at most the report in flight (a torn last line is dropped).

>>> df = score_corpus("corpus/texts", "out/scores.parquet", n_jobs=2)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import glob as globmod
import hashlib
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nlp_reports.errors import ReportError

REPORT_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
META_COLUMNS = ["doc_id", "title", "agency", "year", "level", "doc_type"]
CRITIQUE_COUNT_COLUMNS = ["n_problems", "n_measures", "n_commitments", "n_boilerplate", "recycled_from"]
TAIL_COLUMNS = ["table_errors", "table_warnings", "sha256", "error"]
CRITIQUE_UNAVAILABLE = "critique module unavailable"


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """One input file to score."""

    doc_id: str
    path: Path


# --------------------------------------------------------------------------- discovery


def _from_manifest(csv: Path) -> list[Item]:
    m = pd.read_csv(csv, dtype=str, keep_default_na=False)
    if "doc_id" not in m.columns:
        raise ValueError(f"{csv}: manifest has no doc_id column")
    items = []
    texts = csv.parent / "texts"
    for _, row in m.iterrows():
        doc_id = row["doc_id"]
        if "path" in m.columns and row["path"]:
            p = Path(row["path"])
            items.append(Item(doc_id, p if p.is_absolute() else csv.parent / p))
            continue
        hits = sorted(
            p for p in texts.glob(f"{globmod.escape(doc_id)}.*") if p.suffix.lower() in REPORT_SUFFIXES
        )
        # a missing file still gets a row: the loader names it as not found
        items.append(Item(doc_id, hits[0] if hits else texts / f"{doc_id}.txt"))
    return items


def discover(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Item]:
    """The files a source names: a folder, a glob, a manifest CSV, or a list of paths.

    doc_id is the file stem (or the manifest's doc_id); duplicates get a ``~2`` suffix so that
    every input keeps its own row.
    """
    if isinstance(source, (str, os.PathLike)):
        s = Path(source)
        if s.is_dir():
            paths = sorted(p for p in s.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
            items = [Item(p.stem, p) for p in paths]
        elif s.suffix.lower() == ".csv" and s.is_file():
            items = _from_manifest(s)
        elif any(ch in str(source) for ch in "*?["):
            items = [Item(Path(p).stem, Path(p)) for p in sorted(globmod.glob(str(source), recursive=True))]
        else:
            items = [Item(s.stem, s)]
    else:
        items = [Item(Path(p).stem, Path(p)) for p in source]
    seen: dict[str, int] = {}
    out = []
    for it in items:
        n = seen.get(it.doc_id, 0) + 1
        seen[it.doc_id] = n
        out.append(it if n == 1 else Item(f"{it.doc_id}~{n}", it.path))
    return out


def file_sha256(path: Path) -> str | None:
    """sha256 of the file bytes, None when it cannot be read (the loader then reports why)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


# --------------------------------------------------------------------------- pass 1 (workers)


def _critique_api() -> tuple[Callable, Callable, Callable] | None:
    try:
        from nlp_reports.scoring.critique import build_context, critique_input, score_critique
    except ImportError:
        return None
    return critique_input, build_context, score_critique


def _init_worker(model_path: str | None) -> None:
    """Load the model once per worker process (load_model caches it per process)."""
    from nlp_reports.tagging.tagger import load_model

    load_model(model_path)


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_jsonable(x) for x in v]
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def _plain(v: Any) -> Any:
    """:func:`_jsonable`, short-cut for the common cell of an object column: a list of str."""
    if type(v) is list and all(type(x) is str for x in v):
        return list(v)
    return _jsonable(v)


def _column_values(s: pd.Series) -> list:
    """One column as JSON-ready Python values, converted column-wise by dtype (a per-value
    :func:`_jsonable` call was most of this step's cost); other dtypes go value by value."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cat = s.array
        # code -1 (missing) indexes the trailing None
        lookup = [_jsonable(c) for c in cat.categories.tolist()] + [None]
        return [lookup[k] for k in cat.codes.tolist()]
    if isinstance(dtype, pd.StringDtype):
        return s.to_numpy(dtype=object, na_value=None).tolist()
    if dtype.kind in "biu":
        return s.tolist()
    if dtype.kind == "f":
        values = s.tolist()
        return [None if math.isnan(v) else v for v in values] if s.hasnans else values
    return [_plain(v) for v in s.tolist()]


def sentence_columns(df: pd.DataFrame) -> dict[str, list]:
    """A report's sentence table as JSON-ready columns (categoricals to str, NaN to None)."""
    return {c: _column_values(df[c]) for c in df.columns}


def _plain_fields(obj: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` for a dataclass of plain values and (nested) tuples of them, such as
    ``CritiqueInput``: the same dict, sharing the immutable tuples instead of rebuilding one per
    sentence (asdict's recursion was ~1 ms a report)."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _analyze(report, model):  # noqa: ANN001, ANN202
    from nlp_reports.scoring.analysis import analyze_report

    try:
        return analyze_report(report, model, tables=True), True
    except ImportError:  # table checks not installed: tag without them, counts stay NaN
        return analyze_report(report, model, tables=False), False


def analyze_item(doc_id: str, path: str | Path, model_path: str | None = None) -> dict[str, Any]:
    """Pass 1 for one file -> a record (metadata, table counts, pickled CritiqueInput, sentences).

    Never raises for a bad report: the record's ``error`` names the file and the cause.
    """
    from nlp_reports.errors import ReportError
    from nlp_reports.io.loaders import load_text
    from nlp_reports.structure.report import build_report
    from nlp_reports.tagging.tagger import load_model

    p = Path(path)
    rec: dict[str, Any] = {"doc_id": doc_id, "path": str(p), "sha256": file_sha256(p), "error": None}
    try:
        loaded = load_text(p)
        rec["sha256"] = loaded.sha256
        report = build_report(loaded, doc_id)
        analysis, tables_ok = _analyze(report, load_model(model_path))
    except ReportError as e:
        rec["error"] = str(e)
        return rec
    except Exception as e:  # a pipeline bug must not stop a corpus run; keep the cause
        rec["error"] = f"{p}: {type(e).__name__}: {e}"
        return rec
    md = report.metadata
    rec.update(title=md.title, agency=md.agency, year=md.year, level=md.level, doc_type=md.doc_type)
    sev = [getattr(f, "severity", None) for f in analysis.table_findings]
    rec["table_errors"] = sev.count("error") if tables_ok else None
    rec["table_warnings"] = sev.count("warning") if tables_ok else None
    api = _critique_api()
    rec["critique_input"] = None
    if api is not None:
        try:
            rec["critique_input"] = _plain_fields(api[0](analysis))
        except Exception as e:
            rec["error"] = f"{p}: critique input failed: {type(e).__name__}: {e}"
    cols = analysis.sentence_columns()
    rec["sentences"] = cols if cols is not None else sentence_columns(analysis.sentences)
    return rec


def encode_line(obj: dict) -> bytes:
    """One part-file line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode() + b"\n"


def encoded_record(rec: dict[str, Any]) -> dict[str, Any]:
    """The record reduced to its two part-file lines, already encoded (``_lines``: sentences,
    record), plus doc_id and error: a worker process, not the parent, pays for the JSON of its
    reports, and only bytes cross the process boundary."""
    sentences = rec.pop("sentences", None)
    sen = None if sentences is None else encode_line(
        {"doc_id": rec["doc_id"], "sha256": rec["sha256"], "sentences": sentences})
    return {"doc_id": rec["doc_id"], "error": rec.get("error"), "_lines": (sen, encode_line(rec))}


def analyze_chunk(items: list[tuple[str, str]], model_path: str | None) -> list[dict[str, Any]]:
    return [encoded_record(analyze_item(d, p, model_path)) for d, p in items]


# --------------------------------------------------------------------------- append-only parts


def repair_jsonl(path: Path) -> None:
    """Cut a torn last line (a run killed mid-write) so that appends start on a fresh line."""
    if not path.exists():
        return
    with open(path, "rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size == 0:
            return
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        pos = size
        while pos > 0:  # scan back in blocks for the last newline
            step = min(1 << 16, pos)
            f.seek(pos - step)
            block = f.read(step)
            i = block.rfind(b"\n")
            if i >= 0:
                f.truncate(pos - step + i + 1)
                return
            pos -= step
        f.truncate(0)


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """(byte offset, record) for each complete line; a torn or garbled line is skipped."""
    if not path.exists():
        return
    with open(path, "rb") as f:
        off = 0
        for line in f:
            start, off = off, off + len(line)
            if not line.endswith(b"\n"):
                break
            try:
                yield start, json.loads(line)
            except ValueError:
                continue


# Each line is flushed to the OS at once, which is all a killed process needs (kill -9 loses only the
# report in flight). fsync only matters if the machine itself goes down; it runs at most once per this
# many seconds and at the end: one fsync per line cost a second of serial time per 185 reports.
FSYNC_INTERVAL = 1.0


class PartWriter:
    """Appends one flushed JSON line per report; :meth:`sync` makes the lines durable, and on a
    failed write or sync the file goes back to its last durable length, so a kill or a full disk
    never leaves a torn or half-synced tail."""

    def __init__(self, path: Path):
        repair_jsonl(path)
        self.f = open(path, "ab")  # noqa: SIM115 - closed in close()
        self.synced = self.f.tell()

    def _fail(self, e: OSError, pos: int) -> ReportError:
        try:
            self.f.truncate(pos)
        except OSError:
            pass
        return ReportError(self.f.name, f"cannot write results ({e.strerror or e}); the reports already "
                           "written are kept: free space and rerun to resume")

    def write_line(self, data: bytes) -> None:
        pos = self.f.tell()
        try:
            self.f.write(data)
            self.f.flush()
        except OSError as e:
            # disk full or device gone: drop the partial line so earlier records stay intact
            raise self._fail(e, pos) from e

    def sync(self) -> None:
        try:
            self.f.flush()
            os.fsync(self.f.fileno())
        except OSError as e:
            raise self._fail(e, self.synced) from e
        self.synced = self.f.tell()

    def rollback(self) -> None:
        """Drop the lines written since the last successful :meth:`sync`."""
        try:
            self.f.truncate(self.synced)
        except OSError:
            pass

    def close(self) -> None:
        self.f.close()


@dataclasses.dataclass
class Parts:
    """The part files of one run: ``<out>.parts/{records,sentences,reference}.jsonl``."""

    dir: Path

    @property
    def records(self) -> Path:
        return self.dir / "records.jsonl"

    @property
    def sentences(self) -> Path:
        return self.dir / "sentences.jsonl"

    @property
    def reference(self) -> Path:
        return self.dir / "reference.jsonl"

    @property
    def fingerprint(self) -> Path:
        return self.dir / "fingerprint.json"


def done_keys(path: Path) -> dict[tuple[str, str | None], int]:
    """(doc_id, sha256) -> byte offset of the last complete record."""
    # a report whose worker died is tried again on the next run (the crash may have been the machine's)
    return {(r["doc_id"], r.get("sha256")): off for off, r in iter_jsonl(path) if not r.get("retry")}


# --------------------------------------------------------------------------- pass 1 runners


Runner = Callable[[list[Item], str | None], Iterator[dict[str, Any]]]


def run_serial(items: list[Item], model_path: str | None) -> Iterator[dict[str, Any]]:
    _init_worker(model_path)
    for it in items:
        yield encoded_record(analyze_item(it.doc_id, str(it.path), model_path))


def _isolated(it: Item, model_path: str | None) -> dict[str, Any]:
    """Retry one report in a fresh one-worker pool, so a crash cannot take the parent down."""
    try:
        with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(model_path,)) as ex:
            return ex.submit(analyze_chunk, [(it.doc_id, str(it.path))], model_path).result()[0]
    except BrokenProcessPool:
        return {
            "doc_id": it.doc_id,
            "path": str(it.path),
            "sha256": file_sha256(it.path),
            "error": f"{it.path}: worker process died while processing this file",
            "retry": True,
        }


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _prefork(model_path: str | None) -> None:
    """With the fork start method, build what every worker needs and the parent needs anyway
    (the tokenizer, for pass 2) before the pool exists: the workers inherit it instead of each
    building it again (0.2 s)."""
    import multiprocessing

    if multiprocessing.get_start_method(allow_none=False) == "fork":
        from nlp_reports.nlp.tokenizer import default_tokenizer

        default_tokenizer().load()
        _init_worker(model_path)


def process_runner(n_jobs: int, chunk: int = 2) -> Runner:
    """Pass 1 over a process pool: chunks of ``chunk`` reports, at most 2 chunks per worker in flight."""

    def run(items: list[Item], model_path: str | None) -> Iterator[dict[str, Any]]:
        # largest files first: a big report started last would keep one worker busy while the
        # other idles (the part files are unordered; the tables are sorted by doc_id)
        items = sorted(items, key=lambda it: -_size(it.path))
        chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
        _prefork(model_path)
        pos = 0
        while pos < len(chunks):
            ex = ProcessPoolExecutor(n_jobs, initializer=_init_worker, initargs=(model_path,))
            inflight: dict[Any, list[Item]] = {}
            broken: list[list[Item]] = []
            try:
                while pos < len(chunks) or inflight:
                    while pos < len(chunks) and len(inflight) < 2 * n_jobs:
                        c = chunks[pos]
                        pos += 1
                        inflight[
                            ex.submit(analyze_chunk, [(i.doc_id, str(i.path)) for i in c], model_path)
                        ] = c
                    finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        c = inflight.pop(fut)
                        try:
                            yield from fut.result()
                        except BrokenProcessPool:
                            broken.append(c)
                    if broken:
                        broken.extend(inflight.values())
                        inflight.clear()
                        break
            finally:
                ex.shutdown(wait=not broken, cancel_futures=True)
            for c in broken:  # the chunks that were in flight when a worker died
                for it in c:
                    yield _isolated(it, model_path)

    return run


# --------------------------------------------------------------------------- pass 2


def _load_input(rec: dict) -> Any:
    d = rec.get("critique_input")
    if not d:
        return None
    # plain JSON, never pickle: a part file is data, safe to read whatever wrote it
    from nlp_reports.scoring.critique import CritiqueInput

    d = dict(d)
    d["sentences"] = tuple((str(t), str(lab), bool(c)) for t, lab, c in d["sentences"])
    return CritiqueInput(**d)


def _inputs(path: Path) -> Iterator[Any]:
    """Every critique input of a part file (the reference corpus)."""
    for _, rec in iter_jsonl(path):
        inp = _load_input(rec)
        if inp is not None:
            yield inp


def _latest(path: Path, keys: set[tuple[str, str | None]]) -> dict[tuple[str, str | None], tuple[dict, Any]]:
    """The last record of each wanted key with its critique input (read once), the input
    taken out of the record."""
    out = {}
    for _, rec in iter_jsonl(path):
        k = (rec["doc_id"], rec.get("sha256"))
        if k in keys:
            inp = _load_input(rec)
            rec.pop("critique_input", None)
            out[k] = (rec, inp)
    return out


def _write_sentence_tables(parts_dir: str | Path, keys: list[tuple[str, str | None]], targets: list) -> None:
    """Each target sentence table from the part files (here, or in the side process)."""
    from nlp_reports.corpus import export

    for t in targets:
        export.write_sentences(sentence_lines(Parts(Path(parts_dir)), keys), Path(t))


def _start_sentence_writer(parts: Parts, keys: list[tuple[str, str | None]], targets: list[Path]) -> Any:
    """Write the sentence tables in a one-process pool; returns the future (``.result()`` re-raises)."""
    ex = ProcessPoolExecutor(1)
    try:
        return ex.submit(_write_sentence_tables, str(parts.dir), keys, [str(t) for t in targets])
    finally:
        ex.shutdown(wait=False)


def _report_row(api: Any, context: Any, rec: dict[str, Any], inp: Any) -> dict[str, Any]:
    """One row of the report table: metadata, critique columns (``inp`` scored against
    ``context``), error."""
    row = {c: rec.get(c) for c in META_COLUMNS}
    crit: dict[str, Any] = {}
    err = rec.get("error")
    if err is None and api is None:
        err = CRITIQUE_UNAVAILABLE
    elif err is None and context is not None:
        try:
            crit = api[2](inp, context).to_row()
        except Exception as e:
            err = f"{rec.get('path')}: critique scoring failed: {type(e).__name__}: {e}"
    row.update(crit)
    for c in ["critique_score", *CRITIQUE_COUNT_COLUMNS]:
        row.setdefault(c, None)
    row.update(
        table_errors=rec.get("table_errors"),
        table_warnings=rec.get("table_warnings"),
        sha256=rec.get("sha256"),
        error=err,
    )
    return row


def report_table(parts: Parts, keys: list[tuple[str, str | None]]) -> pd.DataFrame:
    """Pass 2: corpus context over every input (and the reference), one scored row per report."""
    recs = _latest(parts.records, set(keys))
    api = _critique_api()
    context = None
    if api is not None:
        _, build_context, _ = api
        # in input order, not arrival order: ties between candidate reports break the same way
        # whatever the number of processes
        inputs = [recs[k][1] for k in keys if k in recs and recs[k][1] is not None]
        context = build_context(inputs, _inputs(parts.reference))
    todo = [recs.get(k, ({"doc_id": k[0], "sha256": k[1], "error": "not processed"}, None)) for k in keys]
    rows = [_report_row(api, context, r, inp) for r, inp in todo]
    df = pd.DataFrame(rows)
    if df.empty:
        df = pd.DataFrame(columns=[*META_COLUMNS, "critique_score", *CRITIQUE_COUNT_COLUMNS, *TAIL_COLUMNS])
    front = [*META_COLUMNS, "critique_score"]
    middle = [c for c in df.columns if c not in front + CRITIQUE_COUNT_COLUMNS + TAIL_COLUMNS]
    df = df[front + middle + CRITIQUE_COUNT_COLUMNS + TAIL_COLUMNS]
    df = df.sort_values("doc_id", kind="stable").reset_index(drop=True)
    for c in (
        "year",
        "table_errors",
        "table_warnings",
        "n_problems",
        "n_measures",
        "n_commitments",
        "n_boilerplate",
    ):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    df["critique_score"] = pd.to_numeric(df["critique_score"], errors="coerce").astype("float64")
    for c in ("title", "agency", "level", "doc_type", "recycled_from", "sha256", "error"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def sentence_lines(parts: Parts, keys: list[tuple[str, str | None]]) -> Iterator[dict[str, list]]:
    """Each wanted report's sentence columns once, in doc_id order, read by offset (flat memory)."""
    offsets: dict[tuple[str, str | None], int] = {}
    want = set(keys)
    with open(parts.sentences, "rb") if parts.sentences.exists() else open(os.devnull, "rb") as f:
        off = 0
        for line in f:
            start, off = off, off + len(line)
            if not line.endswith(b"\n"):
                break
            head = line[:400].decode("utf-8", "ignore")
            try:  # the key is written first, so it can be read without parsing the rest
                k = json.loads(head[: head.index(',"sentences":')] + "}")
            except ValueError:
                continue
            key = (k["doc_id"], k.get("sha256"))
            if key in want and key not in offsets:
                offsets[key] = start
        for key in sorted(offsets, key=lambda k: k[0]):
            f.seek(offsets[key])
            try:
                yield json.loads(f.readline())["sentences"]
            except ValueError:
                continue


# --------------------------------------------------------------------------- manifest


def run_manifest(
    params: dict[str, Any], inputs: dict[str, str | None], started: str, model_path: str | None
) -> dict:
    """Versions and checksums that pin down how a table was produced."""
    import tomllib
    from importlib import resources

    import nlp_reports
    from nlp_reports.nlp.tokenizer import Tokenizer
    from nlp_reports.tagging.rules import load_rules
    from nlp_reports.tagging.tagger import default_model_path

    mp = Path(model_path) if model_path else default_model_path()
    card = mp.with_name("model_card.json")
    card_data = json.loads(card.read_text(encoding="utf-8")) if card.is_file() else {}
    rules = load_rules()
    crit_raw = resources.files("nlp_reports.scoring").joinpath("data/critique.toml").read_bytes()
    return {
        "package": "nlp_reports",
        "package_version": nlp_reports.__version__,
        # the file's own checksum (the card's is what it should be; they differ only if altered)
        "model": {"path": str(mp), "sha256": file_sha256(mp), "card": card_data},
        "rules": {"version": rules.version, "sha256": rules.checksum},
        "critique_config": {"version": tomllib.loads(crit_raw.decode("utf-8")).get("version"),
                            "sha256": hashlib.sha256(crit_raw).hexdigest()},
        "dictionary_sha256": Tokenizer().dictionary_checksum,
        "critique_available": _critique_api() is not None,
        "parameters": params,
        "inputs": inputs,
        "started": started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _fingerprint(model_path: str | None) -> dict[str, Any]:
    from nlp_reports.tagging.rules import load_rules
    from nlp_reports.tagging.tagger import default_model_path

    mp = Path(model_path) if model_path else default_model_path()
    return {"model_sha256": file_sha256(mp), "rules_sha256": load_rules().checksum}


# --------------------------------------------------------------------------- driver


def _progress(total: int, enabled: bool):  # noqa: ANN202
    from contextlib import nullcontext

    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} reports/s"),
        TimeRemainingColumn(),
    )


def _pass1(
    items: list[Item],
    parts_path: Path,
    sentences_path: Path | None,
    runner: Runner,
    model_path: str | None,
    progress: bool,
    label: str,
) -> None:
    """Run pass 1 on the items not yet in ``parts_path``, appending as results arrive."""
    done = done_keys(parts_path)
    todo = [it for it in items if (it.doc_id, file_sha256(it.path)) not in done]
    if not todo:
        return
    recw = PartWriter(parts_path)
    senw = PartWriter(sentences_path) if sentences_path else None
    writers = [w for w in (senw, recw) if w is not None]  # sentences first, in writing and in syncing
    t0 = last_sync = time.perf_counter()
    try:
        with _progress(len(todo), progress) as bar:
            task = bar.add_task(label, total=len(todo), rate="-") if bar else None
            for n, rec in enumerate(runner(todo, model_path), 1):
                if "_lines" not in rec:  # a record made here (a worker died): encode it now
                    rec = encoded_record(rec)
                sen_line, rec_line = rec.pop("_lines")
                # sentences first: a record line means its sentences are already on disk
                if senw is not None and sen_line is not None:
                    senw.write_line(sen_line)
                recw.write_line(rec_line)
                if time.perf_counter() - last_sync >= FSYNC_INTERVAL:
                    for w in writers:
                        w.sync()
                    last_sync = time.perf_counter()
                if bar is not None:
                    rate = n / max(time.perf_counter() - t0, 1e-9)
                    bar.update(task, advance=1, rate=f"{rate:.1f}")
            for w in writers:
                w.sync()
    except ReportError:
        # a write or sync failed: keep exactly the reports whose lines were made durable
        for w in writers:
            w.rollback()
        raise
    finally:
        for w in writers:
            w.close()


def score_items(
    items: list[Item],
    out: str | os.PathLike[str] | None = None,
    *,
    runner: Runner,
    reference: list[Item] | None = None,
    sentences_out: str | os.PathLike[str] | None = None,
    formats: Sequence[str] | None = None,
    progress: bool = True,
    model_path: str | None = None,
    params: dict[str, Any] | None = None,
    pass2_jobs: int = 1,
) -> pd.DataFrame:
    """Both passes over resolved items with a given pass-1 runner (processes, serial or Dask);
    with ``pass2_jobs`` > 1 the sentence tables are written by another process during pass 2."""
    from nlp_reports.corpus import export

    started = datetime.now(UTC).isoformat(timespec="seconds")
    tmp = None
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="nlp_reports_")
        parts = Parts(Path(tmp.name))
    else:
        out = Path(out)
        parts = Parts(out.parent / (out.name + ".parts"))
    try:
        try:
            parts.dir.mkdir(parents=True, exist_ok=True)
            probe = parts.dir / ".write-test"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as e:
            raise ReportError(out if out is not None else parts.dir,
                              f"output location is not writable ({e.strerror or e}); nothing was scored") from e
        fp = _fingerprint(model_path)
        if parts.fingerprint.exists() and json.loads(parts.fingerprint.read_text()) != fp:
            # another model or rule set: cached results would mix two taggers
            for p in (parts.records, parts.sentences, parts.reference):
                p.unlink(missing_ok=True)
        parts.fingerprint.write_text(json.dumps(fp))
        _pass1(items, parts.records, parts.sentences, runner, model_path, progress, "pass 1")
        if reference:
            _pass1(reference, parts.reference, None, runner, model_path, progress, "reference")
        keys = [(it.doc_id, file_sha256(it.path)) for it in items]
        suffixes = [f".{f.lstrip('.')}" for f in formats] if formats else [(out.suffix if out else "") or ".parquet"]
        sent_targets = [] if out is None else [
            Path(sentences_out) if sentences_out and len(suffixes) == 1
            else export.sibling(out.with_suffix(suf), "_sentences") for suf in suffixes
        ]
        # the sentence tables need only the part files: with processes to spare they are written by
        # another process while this one runs pass 2
        side = _start_sentence_writer(parts, keys, sent_targets) if pass2_jobs > 1 and sent_targets else None
        df = report_table(parts, keys)
        if out is not None:
            for suf in suffixes:
                export.write_table(df, out.with_suffix(suf))
            written = False
            if side is not None:
                try:
                    side.result()
                    written = True
                except BrokenProcessPool:  # the side process died: write the same files here
                    pass
            if not written:
                _write_sentence_tables(parts.dir, keys, sent_targets)
            manifest = run_manifest(params or {}, {d: s for d, s in keys}, started, model_path)
            export.atomic_write_text(
                export.sibling(out, "_manifest", ".json"), json.dumps(manifest, ensure_ascii=False, indent=2)
            )
        elif sentences_out is not None:
            export.write_sentences(sentence_lines(parts, keys), Path(sentences_out))
        return df
    finally:
        if tmp is not None:
            tmp.cleanup()


def score_corpus(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    n_jobs: int = 1,
    reference: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    sentences_out: str | os.PathLike[str] | None = None,
    formats: Sequence[str] | None = None,
    progress: bool = True,
    model_path: str | os.PathLike[str] | None = None,
    chunk: int = 2,
) -> pd.DataFrame:
    """Score every report of ``source``; one row per report (errors as rows), sorted by doc_id.

    ``out`` (.parquet/.csv/.jsonl/.dta) also gets ``<stem>_sentences<suffix>`` and
    ``<stem>_manifest.json``; ``formats`` (e.g. ``("parquet", "dta")``) writes several at once.
    A rerun with the same ``out`` only scores new or changed files.
    """
    items = discover(source)
    ref = discover(reference) if reference is not None else None
    mp = str(model_path) if model_path else None
    runner = run_serial if n_jobs <= 1 else process_runner(n_jobs, chunk)
    params = {
        "source": [str(s) for s in source] if isinstance(source, (list, tuple)) else str(source),
        "n_jobs": n_jobs,
        "reference": None
        if reference is None
        else str(reference)
        if isinstance(reference, (str, os.PathLike))
        else [str(r) for r in reference],
        "model_path": mp,
        "formats": list(formats) if formats else None,
    }
    return score_items(
        items,
        out,
        runner=runner,
        reference=ref,
        sentences_out=sentences_out,
        formats=formats,
        progress=progress,
        model_path=mp,
        params=params,
        pass2_jobs=n_jobs,
    )
