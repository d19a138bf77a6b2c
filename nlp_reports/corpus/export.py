"""Write report and sentence tables by suffix: .parquet, .csv, .jsonl, .dta.

Every file is written to a temporary sibling and moved into place with ``os.replace``, so a
reader never sees half a table. Floats are written with a fixed format so that two runs of the
same corpus give byte-identical files.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

FLOAT_FORMAT = "%.10g"
STATA_STR_BYTES = 2045  # longest str# in a version-118 .dta
STATA_NAME_LEN = 32
SUFFIXES = (".parquet", ".csv", ".jsonl", ".dta")
LIST_SEP = "|"


def sibling(path: Path, tag: str, suffix: str | None = None) -> Path:
    """``out/scores.parquet`` -> ``out/scores_sentences.parquet``."""
    return path.with_name(path.stem + tag + (suffix if suffix is not None else path.suffix))


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _check_suffix(path: Path) -> str:
    suf = path.suffix.lower()
    if suf not in SUFFIXES:
        raise ValueError(f"{path}: unsupported output format {suf!r}; use one of {', '.join(SUFFIXES)}")
    return suf


def _json_default(v):  # noqa: ANN001, ANN202
    if hasattr(v, "item"):
        return v.item()
    if hasattr(v, "tolist"):
        return v.tolist()
    return str(v)


def _clean(v):  # noqa: ANN001, ANN202
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _jsonl_lines(df: pd.DataFrame) -> Iterator[str]:
    cols = list(df.columns)
    for row in df.itertuples(index=False, name=None):
        rec = {c: _clean(v) if not isinstance(v, list) else v for c, v in zip(cols, row, strict=True)}
        yield json.dumps(rec, ensure_ascii=False, default=_json_default, sort_keys=False) + "\n"


def flat_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Lists to ``a|b`` strings, categoricals to str: what CSV and Stata can hold."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = s.astype(object).where(s.notna(), None)
        elif s.dtype == object and s.map(lambda v: isinstance(v, (list, tuple))).any():
            out[c] = s.map(lambda v: LIST_SEP.join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return out


def _truncate_bytes(s: str, n: int = STATA_STR_BYTES) -> str:
    b = s.encode("utf-8")
    return s if len(b) <= n else b[:n].decode("utf-8", "ignore")


def _stata_reserved() -> frozenset[str]:
    from pandas.io.stata import StataParser

    return frozenset(StataParser().RESERVED_WORDS)


def stata_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Make a frame writable by ``to_stata`` (version 118): names <= 32 chars, str <= 2045 bytes,
    bools to int8, nullable ints to float, None to ""."""
    out = flat_frame(df)
    names: dict[str, str] = {}
    used: set[str] = set()
    for c in out.columns:
        n = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in str(c))[:STATA_NAME_LEN] or "v"
        if n[0].isdigit():
            n = ("v" + n)[:STATA_NAME_LEN]
        if n in _stata_reserved():  # e.g. "end" -> "end_"
            n = (n + "_")[:STATA_NAME_LEN]
        k = 1
        base = n
        while n in used:
            k += 1
            n = f"{base[: STATA_NAME_LEN - len(str(k)) - 1]}_{k}"
        used.add(n)
        names[c] = n
    out = out.rename(columns=names)
    for c in out.columns:
        s = out[c]
        if s.dtype == bool:
            out[c] = s.astype("int8")
        elif isinstance(s.dtype, pd.BooleanDtype):
            out[c] = s.astype("float64")
        elif pd.api.types.is_integer_dtype(s.dtype) and s.dtype.name[0] == "I":  # nullable Int64
            out[c] = s.astype("float64")
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[c] = s.map(
                lambda v: (
                    "" if v is None or (isinstance(v, float) and math.isnan(v)) else _truncate_bytes(str(v))
                )
            )
            out[c] = out[c].astype(object)
    return out


def write_table(df: pd.DataFrame, path: Path) -> Path:
    """Write a whole frame by suffix, atomically."""
    path = Path(path)
    suf = _check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    try:
        if suf == ".parquet":
            df.to_parquet(tmp, index=False)
        elif suf == ".csv":
            flat_frame(df).to_csv(tmp, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        elif suf == ".jsonl":
            with open(tmp, "w", encoding="utf-8") as f:
                f.writelines(_jsonl_lines(df))
        else:
            stata_frame(df).to_stata(tmp, write_index=False, version=118)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------- sentence tables (streamed)


def _sentence_schema():  # noqa: ANN202
    import pyarrow as pa

    from nlp_reports.scoring.analysis import SENTENCE_COLUMNS

    types = {
        "idx": pa.int32(),
        "in_self_critique": pa.bool_(),
        "start": pa.int64(),
        "end": pa.int64(),
        "orig_start": pa.int64(),
        "orig_end": pa.int64(),
        "rules": pa.list_(pa.string()),
    }
    return pa.schema(
        [(c, types.get(c, pa.float64() if c.startswith("proba_") else pa.string())) for c in SENTENCE_COLUMNS]
    )


def _frame(cols: dict[str, list]) -> pd.DataFrame:
    from nlp_reports.scoring.analysis import SENTENCE_COLUMNS

    df = pd.DataFrame({c: cols.get(c, []) for c in SENTENCE_COLUMNS})
    return df.sort_values("idx", kind="stable") if len(df) else df


def _arrow_block(cols: dict[str, list], schema):  # noqa: ANN001, ANN202
    """One report's sentence columns as an Arrow table of ``schema``, rows in ``idx`` order."""
    import pyarrow as pa

    idx = cols.get("idx", [])
    if any(b < a for a, b in zip(idx, idx[1:], strict=False)):
        order = sorted(range(len(idx)), key=idx.__getitem__)
        cols = {c: [v[i] for i in order] for c, v in cols.items()}
    n = len(idx)
    return pa.Table.from_pydict({f.name: cols.get(f.name, [None] * n) for f in schema}, schema=schema)


def write_sentences(blocks: Iterable[dict[str, list]], path: Path, row_group: int = 50_000) -> Path:
    """Stream per-report sentence columns (already in doc_id order) to one table file.

    Parquet, CSV and JSONL are written block by block (memory flat in corpus size); .dta is
    assembled in memory because Stata files are written whole.
    """
    path = Path(path)
    suf = _check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    try:
        if suf == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = _sentence_schema()
            buf: list[pa.Table] = []
            n = 0
            written = False
            with pq.ParquetWriter(tmp, schema) as w:
                for cols in blocks:
                    # straight from the columns: a DataFrame per report was most of this step
                    buf.append(_arrow_block(cols, schema))
                    n += buf[-1].num_rows
                    if n >= row_group:
                        w.write_table(pa.concat_tables(buf))
                        buf, n, written = [], 0, True
                if buf:
                    w.write_table(pa.concat_tables(buf))
                elif not written:  # no sentences at all: an empty table with the same schema
                    w.write_table(schema.empty_table())
        elif suf in (".csv", ".jsonl"):
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                header = True
                for cols in blocks:
                    df = _frame(cols)
                    if suf == ".csv":
                        flat_frame(df).to_csv(
                            f, index=False, header=header, float_format=FLOAT_FORMAT, lineterminator="\n"
                        )
                    else:
                        f.writelines(_jsonl_lines(df))
                    header = False
                if header and suf == ".csv":
                    _frame({}).to_csv(f, index=False, lineterminator="\n")
        else:
            frames = [_frame(c) for c in blocks]
            df = pd.concat(frames, ignore_index=True) if frames else _frame({})
            stata_frame(df).to_stata(tmp, write_index=False, version=118)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_table(path: Path) -> pd.DataFrame:
    """Read back any table this module writes."""
    path = Path(path)
    suf = _check_suffix(path)
    if suf == ".parquet":
        return pd.read_parquet(path)
    if suf == ".csv":
        return pd.read_csv(path, dtype={"doc_id": str})
    if suf == ".jsonl":
        return pd.read_json(path, lines=True, dtype={"doc_id": str})
    return pd.read_stata(path)
