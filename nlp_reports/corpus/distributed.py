"""Score a corpus on a Dask cluster: the same pass 1 per report, the same pass 2 on the gathered inputs.

Pass 1 runs as a ``dask.bag`` over the paths (partitions computed as they finish, so only a
partition's results are held at once); pass 2 (corpus context, scoring) runs in the client
process over all CritiqueInputs, so corpus-level measures (recycling, rarity) see every report
whatever the partitioning. Results and resumability are those of :func:`score_corpus`.

>>> from dask.distributed import Client, LocalCluster   # doctest: +SKIP
>>> with LocalCluster(n_workers=2, processes=True) as c, Client(c) as cl:  # doctest: +SKIP
...     df = score_corpus_dask("corpus/texts", client=cl, out="scores.parquet")
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from nlp_reports.corpus.batch import Item, analyze_chunk, discover, score_items


def _partition(items: list[tuple[str, str]], model_path: str | None) -> list[dict[str, Any]]:
    return analyze_chunk(list(items), model_path)


def dask_runner(client: Any = None, npartitions: int | None = None):  # noqa: ANN201
    """A pass-1 runner for :func:`score_items` on a Dask client (or the local processes scheduler)."""

    def run(items: list[Item], model_path: str | None) -> Iterator[dict[str, Any]]:
        import dask.bag as db

        n = npartitions or max(1, min(len(items), 4 * _n_workers(client)))
        bag = db.from_sequence([(i.doc_id, str(i.path)) for i in items], npartitions=n)
        parts = bag.map_partitions(_partition, model_path).to_delayed()
        if client is not None:
            from dask.distributed import as_completed

            futures = client.compute(parts)
            for fut in as_completed(futures):
                yield from fut.result()
                fut.release()
        else:
            import dask

            step = os.cpu_count() or 1  # a batch of partitions at a time keeps memory bounded
            for k in range(0, len(parts), step):
                for res in dask.compute(*parts[k : k + step], scheduler="processes"):
                    yield from res

    return run


def _n_workers(client: Any) -> int:
    if client is None:
        return os.cpu_count() or 1
    try:
        return max(1, len(client.scheduler_info()["workers"]))
    except Exception:
        return 1


def score_corpus_dask(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    client: Any = None,
    out: str | os.PathLike[str] | None = None,
    *,
    reference: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    sentences_out: str | os.PathLike[str] | None = None,
    formats: Sequence[str] | None = None,
    progress: bool = False,
    model_path: str | os.PathLike[str] | None = None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Like :func:`nlp_reports.corpus.batch.score_corpus`, with pass 1 on Dask workers."""
    items = discover(paths)
    ref = discover(reference) if reference is not None else None
    mp = str(model_path) if model_path else None
    params = {
        "source": str(paths) if isinstance(paths, (str, os.PathLike)) else [str(p) for p in paths],
        "backend": "dask",
        "npartitions": npartitions,
        "model_path": mp,
    }
    return score_items(
        items,
        out,
        runner=dask_runner(client, npartitions),
        reference=ref,
        sentences_out=sentences_out,
        formats=formats,
        progress=progress,
        model_path=mp,
        params=params,
    )
