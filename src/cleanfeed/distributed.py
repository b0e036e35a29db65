"""Run cleanfeed on Dask (``dask.distributed``): a laptop's local cluster or a real one.

Dask is an optional extra (``pip install 'cleanfeed[dask]'``); nothing here is imported by the
rest of cleanfeed. Entry points, by how your data arrives:

* :func:`map_bag` -- you already have a :class:`dask.bag.Bag` of records (``RawRecord``,
  ``Article``, reader ``Reject``, JSON-like dicts, or plain strings); get a bag of cleaned
  ``Article``/``Reject`` (or their JSON dicts) back, lazily, to compute or write as you like.
  :func:`map_dataframe` does the same for a ``dask.dataframe`` whose columns are record fields.
  :func:`read_bag` builds such a bag from files that every worker can see (shared storage).
* :func:`imap` -- records stream in on the client (from :func:`cleanfeed.read`, stdin...); batches
  are cleaned on the cluster and yielded back **in input order** with a bounded number of
  batches in flight, so memory stays flat and exact dedup can follow the stream.
* :func:`clean_job` -- the whole job: read paths, clean on the cluster, write JSONL atomically.
* :func:`dedup_bag` -- mark exact and near duplicates in a bag of articles on the cluster, with
  the local ``Deduplicator``'s exact result (:mod:`cleanfeed.distributed_dedup`).

``address`` is a scheduler address (``tcp://host:8786``), ``"local"`` to start a
:class:`distributed.LocalCluster` of worker processes on this machine, or a ready
:class:`distributed.Client`.

Time limits (``time_limit=`` seconds per record): Dask runs tasks in worker threads and cannot
stop one, and ``SIGALRM`` only reaches a main thread, so each task cleans its records under a
:class:`~cleanfeed.thread_limit.ThreadTimeLimit`: at the deadline a watchdog raises
``TimeLimitExceeded`` in the task's thread, the record becomes a reject and the task goes on.
A step stuck inside C code is stopped only when that call returns (see
:mod:`cleanfeed.thread_limit`); :mod:`cleanfeed.parallel` kills stuck worker processes instead.
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.dedup.deduplicator import DEFAULT_THRESHOLD, Mode
from cleanfeed.distributed_dedup import dedup_bag
from cleanfeed.pipeline import Pipeline, Result

if TYPE_CHECKING:
    import dask.bag
    from distributed import Client

#: Messages Dask keeps per connection for debugging, in the clients and clusters we start.
MESSAGE_LOG_LENGTH = 16
#: Times a record is tried alone, after its batch failed, before it becomes a reject.
SINGLE_TRIES = 3
#: Records per Dask task in :func:`imap` (a task costs ~1 ms of scheduler time: keep them fat).
DEFAULT_BATCH_SIZE = 32


def require_dask() -> None:
    try:
        import dask.bag  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Dask support needs the extra: pip install 'cleanfeed[dask]'") from exc


# --------------------------------------------------------------------------- inputs


def as_record(item: Any, *, source: str = "<dask>") -> RawRecord | Article | Reject:
    """One bag element as something a pipeline takes: records pass, dicts are read like JSONL
    objects (``source`` key, else ``source``), strings are plain-text documents."""
    if isinstance(item, (RawRecord, Article, Reject)):
        return item
    if isinstance(item, str):
        return RawRecord(source=source, text=item)
    if isinstance(item, Mapping):
        from cleanfeed.readers.jsonl import record_from_mapping

        fields = dict(item)
        own = fields.pop("source", None)
        return record_from_mapping(fields, str(own) if own else source)
    return Reject(source=source, stage="read",
                  reason=f"cannot clean a {type(item).__name__}: expected a record, dict or str")


def _clean_partition(items: Iterable[Any], pipeline: Pipeline, as_dicts: bool,
                     partition: int, time_limit: float | None = None) -> list[Any]:
    """A bag partition; dicts and strings without a source get ``<dask>:PARTITION:INDEX``."""
    results = _cleaned(_own_copy(pipeline), (as_record(item, source=f"<dask>:{partition}:{i}")
                                             for i, item in enumerate(items)), time_limit)
    if as_dicts:
        return [_to_dict(r) for r in results]
    return results


_warm_lock = threading.Lock()
_warmed: set[str] = set()  # pipelines (by repr) warmed in this process: timing only


def _warm(pipeline: Pipeline) -> None:
    """Clean a warm-up page once per process before timed records, so lazy imports and
    model loads are not charged to a record's time limit (as :mod:`cleanfeed.parallel` does)."""
    from cleanfeed.parallel import WARM_UP

    key = repr(pipeline)
    with _warm_lock:
        if key not in _warmed:
            with contextlib.suppress(Exception):
                _own_copy(pipeline)(WARM_UP)
            _warmed.add(key)


def _cleaned(pipeline: Pipeline, records: Iterable[RawRecord | Article | Reject],
             time_limit: float | None) -> list[Result]:
    """Clean ``records`` in this thread, each within ``time_limit`` seconds when given."""
    if time_limit is None:
        return list(pipeline.run(records))
    from cleanfeed.thread_limit import ThreadTimeLimit

    _warm(pipeline)
    with ThreadTimeLimit(time_limit) as limit:
        return [limit.run(pipeline, record) for record in records]


def _to_dict(result: Result) -> dict[str, Any]:
    out = result.to_dict()
    out["rejected"] = isinstance(result, Reject)
    return out


def map_bag(bag: dask.bag.Bag, pipeline: Pipeline | None = None, *,
            as_dicts: bool = False, dedup: Mode = "off",
            threshold: float = DEFAULT_THRESHOLD,
            time_limit: float | None = None) -> dask.bag.Bag:
    """Clean every element of ``bag`` (lazily; order and partitions are kept).

    With ``as_dicts`` the elements are JSON-ready dicts (``Article.to_dict()`` /
    ``Reject.to_dict()`` plus ``"rejected": bool``), e.g. for ``bag.map(json.dumps).to_textfiles``.
    ``dedup="exact"``/``"near"`` then marks duplicates on the cluster with :func:`dedup_bag`
    (the local ``Deduplicator``'s result, default batch size; ``threshold`` as there).
    ``time_limit``: seconds per record, over which it becomes a reject (see module doc).
    """
    require_dask()
    _check_limit(time_limit)
    import dask.bag as db
    from dask import delayed

    from cleanfeed import default_pipeline

    pipeline = pipeline or default_pipeline()
    clean = delayed(_clean_partition, pure=True)
    shared = delayed(pipeline, traverse=False)  # one copy in the graph, not one per partition
    cleaned = db.from_delayed([clean(part, shared, as_dicts and dedup == "off", i, time_limit)
                               for i, part in enumerate(bag.to_delayed())])
    if dedup == "off":
        return cleaned
    marked = dedup_bag(cleaned, dedup, threshold)
    return marked.map(_to_dict) if as_dicts else marked


#: Columns of :func:`map_dataframe`'s result: an article's JSON fields, then a reject's.
FRAME_COLUMNS: tuple[str, ...] = (
    "rejected", "schema", "id", "source", "text", "url", "title", "site", "authors",
    "published", "published_precision", "modified", "language", "fetched_at", "headings",
    "removed", "duplicate_of", "similarity", "extra", "stage", "reason")


def _present(value: Any) -> bool:
    """False for the missing-value markers a DataFrame uses (None, NaN, NA, NaT)."""
    if value is None:
        return False
    try:
        import pandas as pd

        return not (pd.api.types.is_scalar(value) and bool(pd.isna(value)))
    except (TypeError, ValueError):
        return True


def _clean_frame(frame: Any, pipeline: Pipeline, time_limit: float | None = None,
                 partition_info: dict[str, Any] | None = None) -> Any:
    import pandas as pd

    number = (partition_info or {}).get("number", 0)
    records = [as_record({k: v for k, v in row.items() if _present(v)},
                         source=f"<dask>:{number}:{i}")
               for i, row in enumerate(frame.to_dict("records"))]
    rows = [_to_dict(r) for r in _cleaned(_own_copy(pipeline), records, time_limit)]
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object, index=frame.index)
                         for c in FRAME_COLUMNS})


def map_dataframe(df: Any, pipeline: Pipeline | None = None, *,
                  time_limit: float | None = None) -> Any:
    """Clean every row of a :class:`dask.dataframe.DataFrame` whose columns are record fields
    (``text`` and/or ``html``, ``url``, ``title``, ``published``...; others go to ``extra``).

    Returns a lazy DataFrame with the same index and :data:`FRAME_COLUMNS` (object dtype):
    ``rejected`` tells articles from rejects (which fill ``stage``/``reason``). Rows without a
    ``source`` column get ``<dask>:PARTITION:ROW``. ``time_limit`` as in :func:`map_bag`.
    """
    require_dask()
    _check_limit(time_limit)
    import pandas as pd

    from cleanfeed import default_pipeline

    pipeline = pipeline or default_pipeline()
    meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in FRAME_COLUMNS})
    return df.map_partitions(_clean_frame, pipeline, time_limit, meta=meta)


def _read_files(paths: Iterable[str]) -> list[Any]:
    from cleanfeed.readers import read

    return list(read(list(paths)))


def read_bag(inputs: Sequence[str | os.PathLike[str]], *,
             files_per_partition: int = 16) -> dask.bag.Bag:
    """A bag of the records in files and folders, read **on the workers** (so the paths must
    be visible to them, e.g. shared storage). Folders are listed here, in sorted order."""
    require_dask()
    import dask.bag as db

    from cleanfeed.readers import _walk, reader_for

    files: list[str] = []
    for item in inputs:
        path = os.fspath(item)
        if os.path.isdir(path):
            from pathlib import Path

            files.extend(str(p) for p in _walk(Path(path)) if reader_for(p) is not None)
        else:
            files.append(path)
    if not files:
        return db.from_sequence([], npartitions=1)
    partitions = max(1, -(-len(files) // files_per_partition))
    return db.from_sequence(files, npartitions=partitions).map_partitions(_read_files)


# --------------------------------------------------------------------------- clusters


@contextlib.contextmanager
def connect(address: str | Client = "local", *, n_workers: int | None = None,
            threads_per_worker: int = 1) -> Iterator[Client]:
    """A client for ``address``; ``"local"`` starts (and afterwards stops) a LocalCluster of
    ``n_workers`` processes (default: one per core), one thread each, as cleaning is CPU-bound
    Python that a thread pool would serialise on the GIL."""
    require_dask()
    import dask
    from distributed import Client, LocalCluster

    if isinstance(address, Client):
        yield address
        return
    # Dask keeps the last N messages of every connection for debugging (default 1,000), and
    # here a message carries a whole batch: measured +55 MiB per 1,000 text records in this
    # process until the log fills. A short log keeps memory flat.
    with dask.config.set({"distributed.admin.low-level-log-length": MESSAGE_LOG_LENGTH}):
        if address == "local":
            from cleanfeed.parallel import default_workers

            with LocalCluster(n_workers=n_workers or default_workers(),
                              threads_per_worker=threads_per_worker, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                yield client
            return
        with Client(address) as client:
            yield client


def _own_copy(pipeline: Pipeline) -> Pipeline:
    """A copy with its own stats: a worker may run several tasks on one pipeline object in
    threads at once."""
    mine = copy.copy(pipeline)
    mine.stats = Counter()
    return mine


def _check_limit(time_limit: float | None) -> None:
    if time_limit is not None and not time_limit > 0:
        raise ValueError(f"time_limit must be positive, got {time_limit}")


def _clean_batch(pipeline: Pipeline, batch: list[Any], time_limit: float | None = None
                 ) -> tuple[list[Result], dict[str, int]]:
    """One Dask task: clean a batch, return the results and the stats they added."""
    pipeline = _own_copy(pipeline)
    results = _cleaned(pipeline, (as_record(item) for item in batch), time_limit)
    return results, dict(pipeline.stats)


def imap(pipeline: Pipeline, records: Iterable[Any], *, address: str | Client = "local",
         batch_size: int = DEFAULT_BATCH_SIZE, max_pending: int | None = None,
         n_workers: int | None = None, time_limit: float | None = None) -> Iterator[Result]:
    """Clean ``records`` on a Dask cluster; results come back in input order.

    At most ``max_pending`` batches (default: 4 per worker thread) are on the cluster at once,
    so the input is read lazily and memory stays bounded. When a batch's task fails (e.g. a
    record kills its worker, over and over), its records are retried one per task (each up to
    :data:`SINGLE_TRIES` times), so only a record that keeps failing alone becomes a reject
    (stage ``"dask"``). ``pipeline.stats`` is updated
    as if the pipeline had run here. With ``time_limit`` (seconds per record) a record that
    takes longer becomes a reject and the batch goes on (see the module doc for its limits).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    _check_limit(time_limit)
    with connect(address, n_workers=n_workers) as client:
        threads = sum(client.nthreads().values()) or 1
        limit = max_pending or 4 * threads

        def submit(batch: list[Any]) -> Any:
            # The pipeline (a few KiB: steps pickle by reference) travels with each task;
            # scattered once instead, it would be lost with the workers holding it.
            return client.submit(_clean_batch, pipeline, batch, time_limit, pure=False)

        def collect(future: Any, batch: list[Any], tries: int = 1) -> list[Result]:
            try:
                results, stats = future.result()
            except Exception as exc:
                if len(batch) > 1:  # find the culprit: one task per record
                    singles = [(submit([item]), [item]) for item in batch]
                    return [r for f, b in singles for r in collect(f, b)]
                if tries < SINGLE_TRIES:  # it may have died with a neighbour, or lost its data
                    return collect(submit(batch), batch, tries + 1)
                results = [_failed(batch[0], f"the Dask task failed {tries} times: "
                                             f"{type(exc).__name__}: {exc}")]
                stats = {"rejected": 1}
            pipeline.stats.update(stats)
            return results

        pending: deque[tuple[Any, list[Any]]] = deque()
        batch: list[Any] = []
        try:
            for record in records:
                batch.append(record)
                if len(batch) >= batch_size:
                    pending.append((submit(batch), batch))
                    batch = []
                    while len(pending) >= limit:
                        yield from collect(*pending.popleft())
            if batch:
                pending.append((submit(batch), batch))
            while pending:
                yield from collect(*pending.popleft())
        finally:
            for future, _ in pending:
                future.cancel()


def _failed(item: Any, reason: str) -> Reject:
    record = as_record(item)
    if isinstance(record, Reject):
        return record
    return Reject(source=record.source, stage="dask", id=record.id, reason=reason)


def clean_job(inputs: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str] | None,
              rejects: str | os.PathLike[str] | None = None, *,
              address: str | Client = "local", pipeline: Pipeline | None = None,
              batch_size: int = DEFAULT_BATCH_SIZE, n_workers: int | None = None,
              dedup: Mode = "off", threshold: float = DEFAULT_THRESHOLD,
              index: str | os.PathLike[str] | None = None,
              time_limit: float | None = None) -> Counter[str]:
    """Read ``inputs``, clean them on Dask, write articles to ``output`` and rejects to
    ``rejects`` (JSONL, each written atomically; ``None``/``-`` for stdout). Returns counts.

    ``dedup="exact"``/``"near"`` marks duplicates like ``cleanfeed clean --dask`` does: on this
    machine, following the ordered stream (``index``: a persistent SQLite index), and writes
    them to ``rejects`` with ``reason: duplicate`` (counted as ``duplicates``).
    ``time_limit``: seconds per record, as in :func:`imap`.
    """
    from cleanfeed import default_pipeline
    from cleanfeed.dedup import Deduplicator, as_reject
    from cleanfeed.readers import read
    from cleanfeed.writers import JsonlWriter

    if index is not None and dedup == "off":
        raise ValueError("an index needs dedup='exact' or 'near'")
    pipeline = pipeline or default_pipeline()
    counts: Counter[str] = Counter()
    with JsonlWriter(output) as out, contextlib.ExitStack() as stack:
        bad = stack.enter_context(JsonlWriter(rejects)) if rejects is not None else None
        results: Iterable[Result] = imap(pipeline, read(inputs), address=address,
                                         batch_size=batch_size, n_workers=n_workers,
                                         time_limit=time_limit)
        if dedup != "off":
            marker = stack.enter_context(Deduplicator(dedup, threshold, index=index))
            results = map(as_reject, marker.run(results))
        for result in results:
            if isinstance(result, Reject):
                counts["rejected"] += 1
                counts["duplicates"] += result.stage == "dedup"
                if bad is not None:
                    bad.write(result)
            else:
                counts["articles"] += 1
                out.write(result)
    return +counts


__all__ = ["FRAME_COLUMNS", "as_record", "clean_job", "connect", "dedup_bag", "imap", "map_bag",
           "map_dataframe", "read_bag", "require_dask"]
