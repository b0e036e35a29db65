"""Run a pipeline over a record stream in worker processes, yielding results in input order.

Why a small pool of our own instead of :mod:`concurrent.futures` or :class:`multiprocessing.Pool`:
a stdlib pool cannot stop one stuck task (``ProcessPoolExecutor`` breaks as a whole when a worker
dies, ``Pool`` cannot kill a worker at all), and both read the whole input eagerly. Here:

* **Ordered, byte-identical output.** Every record gets a sequence number; results are yielded
  strictly in input order, so ``imap(p, records, workers=4)`` gives exactly what
  ``p.run(records)`` gives, and a consumer (dedup) can follow it as a stream.
* **Bounded memory.** At most ``window`` records are between the reader and the consumer at any
  time (sent, being cleaned, or waiting to be yielded in order), plus a look-ahead of
  ``prefetch`` + 1 records per worker. The input is pulled lazily; peak memory does not grow
  with the input.
* **A time limit per record that holds.** A record still running after ``timeout`` seconds gets
  its worker killed (SIGKILL: works even in C code that holds the GIL, e.g. a catastrophic
  regular expression); the record becomes a :class:`Reject` with ``stage="timeout"``, a fresh
  worker takes over the dead one's queue, and the run goes on. A worker that dies on a record
  (segfault, out of memory, ``os._exit``) likewise costs that one record a reject. A new
  worker cleans a small warm-up page before it is timed, so lazy imports and model loads are
  not charged to a real record (without this, each replacement worker's first record would
  time out in turn).
* **No idle start.** Starting workers takes ~1 s of one core (the fork server's imports and
  warm-up, below). Without a time limit, :func:`imap` has this process clean the first records
  meanwhile, exactly as a worker would (same rejects, same bytes, same stats), until a worker
  is ready; such a record is not isolated from this process, as with ``workers=1``.
* **Queues sized in time.** Up to ``prefetch`` records queued per worker suit cheap records
  (text, ~15 ms). For costly ones (HTML, ~100 ms) that is ~1 s of work per worker, which at
  the end of the input leaves one worker busy with its queue while the other has nothing:
  once the cost per record is measured (from the results), a worker holds about
  :data:`QUEUE_SECONDS` of work (never less than a chunk and one more record). The input is
  read a little ahead, and its last records go one at a time to whichever worker is free.
* **Few messages.** Without a time limit a worker sends its results back once per chunk, not
  once per record: on 2 cores the parent's work per message competes with the workers. It
  marks the record it is on in shared memory, so a death is still charged to the right
  record (its chunk mates whose results were not sent yet are cleaned again by the new
  worker). With a time limit results come per record, so the parent knows when each began.
* **Decoding in the workers.** Records may be a reader's undecoded
  :class:`~cleanfeed.readers.documents.RawDocument` (``read(..., decode_later=True)``): the
  worker decodes it and runs the HTML checks (~3 ms a page that would otherwise be on this
  process, which reads, pickles and writes for every worker), with the same record or reject
  as decoding before; the in-process paths decode it here.
* **Steps and records must pickle.** The pipeline is pickled once per worker; a record that
  cannot be pickled is rejected alone (``stage="parallel"``).

Workers are started with ``forkserver`` (``spawn`` where that is missing), never plain ``fork``:
the parent runs sender threads, and forking a process that has threads can deadlock. The fork
server imports :mod:`cleanfeed._warm` once (the default pipeline's libraries and language
profiles), so each worker forked from it starts warm and shares those pages (measured: a
worker's private memory drops from ~125 MiB to ~13 MiB, and a new worker is ready in well
under a second instead of ~3 s). Python 3.11's fork server ignores the parent's ``sys.path``,
so this needs cleanfeed importable as installed (or via ``PYTHONPATH``); otherwise the
preload is skipped and each worker warms itself (``ParallelRun(preload=())`` turns it off).
As with any :mod:`multiprocessing` code, a script calling this must guard its entry point
with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from cleanfeed.article import RawRecord, Reject
from cleanfeed.pipeline import Pipeline, Result
from cleanfeed.readers.documents import RawDocument, decoded

#: Article is accepted too, as by Pipeline.run, and a reader's undecoded RawDocument (decoded
#: where it is cleaned: in a worker, off the one process that reads and writes for all).
InputRecord = RawRecord | Reject | RawDocument | Any

#: Records sent to a worker in one message (fewer, larger messages cost less per record).
DEFAULT_CHUNK_SIZE = 4
#: Records queued per worker beyond the one it is working on, so it never waits for the parent.
DEFAULT_PREFETCH = 8
#: Once records' cost is known, a worker holds about this many seconds of work (at most
#: ``prefetch`` + 1 records, at least a chunk and one more): enough that it never waits for this
#: process, little enough that at the end of the input no worker sits on a long queue while
#: another idles. Chunks keep their size: smaller ones (one record a message) were measured to
#: cost this process ~0.25 ms more per HTML record, as much as the shorter end saves.
QUEUE_SECONDS = 0.3
#: Inputs shorter than this run in-process: starting workers (imports, models) costs more.
DEFAULT_MIN_PARALLEL = 32
#: Modules the fork server imports once, so workers forked from it start warm.
DEFAULT_PRELOAD: tuple[str, ...] = ("cleanfeed._warm",)
#: Imported by the fork server as well when the run's first record is HTML (see ParallelRun).
HTML_PRELOAD: tuple[str, ...] = ("cleanfeed._warm_html",)
#: How long a new worker may take to start (import modules, unpickle the pipeline).
STARTUP_TIMEOUT = 120.0
_PICKLE = pickle.HIGHEST_PROTOCOL


def default_workers() -> int:
    """The number of cores this process may use (the CPU affinity mask, not the machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def imap(
    pipeline: Pipeline,
    records: Iterable[InputRecord],
    *,
    workers: int | None = None,
    timeout: float | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    prefetch: int = DEFAULT_PREFETCH,
    window: int | None = None,
    start_method: str | None = None,
    min_parallel: int = DEFAULT_MIN_PARALLEL,
) -> Iterator[Result]:
    """Clean ``records`` with ``pipeline`` in ``workers`` processes; results come in input order.

    ``workers=None`` uses every core; ``workers=1`` without a ``timeout`` runs in this process
    (exactly :meth:`Pipeline.run`), and so does an input of fewer than ``min_parallel`` records
    (it is peeked at, not read whole). With a ``timeout`` (seconds per record) worker processes
    are always used, since only a separate process can be stopped reliably. ``window`` caps the
    records in flight (default: enough to keep every worker busy). ``pipeline.stats`` is updated
    as if the pipeline had run here. The output is the same in every case.
    """
    n = default_workers() if workers is None else workers
    if n < 1:
        raise ValueError(f"workers must be at least 1, got {n}")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    if n == 1 and timeout is None:
        return pipeline.run(decoded(records))
    # Without a time limit no record needs a process that can be stopped: this one cleans
    # the first records while the workers start.
    run = ParallelRun(pipeline, workers=n, timeout=timeout, chunk_size=chunk_size,
                      prefetch=prefetch, window=window, start_method=start_method,
                      clean_while_starting=timeout is None)
    if timeout is not None or min_parallel <= 1:
        return run.run(records)
    return _small_in_process(run, iter(records), min_parallel)


def _is_html(record: InputRecord) -> bool:
    if isinstance(record, RawDocument):
        return record.kind == "html"
    return getattr(record, "html", None) is not None


def _small_in_process(run: ParallelRun, records: Iterator[InputRecord],
                      min_parallel: int) -> Iterator[Result]:
    head = list(itertools.islice(records, min_parallel))
    if len(head) < min_parallel:
        yield from run.pipeline.run(decoded(head))
    else:
        yield from run.run(itertools.chain(head, records))


# --------------------------------------------------------------------------- worker side


#: Cleaned once by each new worker before it reports ready, so lazy imports and model loads
#: (trafilatura, language profiles) are not charged to the first real record's time limit.
#: Its story is long enough (over trafilatura's 250-character minimum) that trafilatura does
#: not fall back to justext, whose stop lists (~0.6 s to load) a run of text records never
#: needs: the fork server warms up in one core's time while the other waits.
WARM_UP = RawRecord(
    source="<warm-up>", fetched_at="2026-01-01T00:00:00+00:00",
    html="<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
         "<p>This page is cleaned once by every new worker process so that the libraries "
         "it needs are loaded before any real record is timed.</p>"
         "<p>It is long enough to be read as a story by the extractor, which then has no "
         "reason to try its fallbacks on it, and it says nothing that any cleaner would "
         "remove.</p>"
         "<p>Published 2026-01-01.</p></article></body></html>")


#: A page too short for trafilatura's own extraction: it falls back to justext, whose first use
#: loads every language's stop list (imported in the fork server on HTML runs: _warm_html).
WARM_UP_SHORT = RawRecord(
    source="<warm-up>", fetched_at="2026-01-01T00:00:00+00:00",
    html="<html><body><div><p>Short note.</p><p>Another short line here.</p></div>"
         "</body></html>")


def _worker_main(pipeline_bytes: bytes, tasks: Connection, results: Connection,
                 warm_up: bool, current: Any = None) -> None:
    """A worker: unpickle the pipeline, then clean chunks of ``(seq, record)`` until told to stop.

    With a time limit (``current`` is None) one result message per record, so the parent
    always knows which record is running and since when. Without one, one message per chunk
    (the parent's cost per message is what limits cheap records); ``current``, a shared
    integer, then holds the record being cleaned, so that if this process dies the parent
    still knows which record it died on.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        pipeline: Pipeline = pickle.loads(pipeline_bytes)
    except BaseException as exc:
        results.send_bytes(pickle.dumps(("error", f"{type(exc).__name__}: {exc}"), _PICKLE))
        return
    if warm_up:
        with contextlib.suppress(Exception):
            pipeline(WARM_UP)
        pipeline.stats.clear()
    results.send_bytes(pickle.dumps(("ready", None), _PICKLE))
    while True:
        try:
            data = tasks.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        if current is None:
            for seq, record in pickle.loads(data):
                pipeline.stats.clear()
                results.send_bytes(_dump_result(seq, _clean_one(pipeline, record),
                                                pipeline.stats))
            continue
        done: list[tuple[int, Result, dict[str, int]]] = []
        for seq, record in pickle.loads(data):
            current.value = seq
            pipeline.stats.clear()
            done.append((seq, _clean_one(pipeline, record), dict(pipeline.stats)))
        results.send_bytes(_dump_results(done))


def _clean_one(pipeline: Pipeline, record: InputRecord) -> Result:
    """One record through ``pipeline``, as in a worker: a reader's reject passes through, and
    an undecoded document is decoded first (its reject, if any, passes through likewise)."""
    if isinstance(record, RawDocument):
        record = record.decode()
    if isinstance(record, Reject):
        pipeline.stats["rejected"] += 1
        return record
    try:
        return pipeline(record)
    except Exception as exc:  # Pipeline catches step errors; this is a last line
        pipeline.stats["rejected"] += 1
        return Reject(source=getattr(record, "source", "?"), stage="pipeline",
                      id=getattr(record, "id", None),
                      reason=f"pipeline failed: {type(exc).__name__}: {exc}")


def _dump_result(seq: int, result: Result, stats: Counter[str]) -> bytes:
    """Pickle one result; an unpicklable one (a step left an odd object in it) is rejected."""
    try:
        return pickle.dumps(("result", (seq, result, dict(stats))), _PICKLE)
    except Exception:
        pass
    if getattr(result, "hints", None):  # hints are scratch space, never written out
        try:
            return pickle.dumps(("result", (seq, result.evolve(hints={}), dict(stats))), _PICKLE)  # type: ignore[union-attr]
        except Exception:
            pass
    reject = Reject(source=result.source, stage="parallel", id=result.id,
                    reason="result cannot be sent back from the worker (does not pickle)")
    return pickle.dumps(("result", (seq, reject, {"rejected": 1})), _PICKLE)


def _dump_results(done: list[tuple[int, Result, dict[str, int]]]) -> bytes:
    """Pickle a chunk's results as one message; if one does not pickle, each is sent as
    :func:`_dump_result` would send it alone (that one becomes a reject)."""
    try:
        return pickle.dumps(("results", done), _PICKLE)
    except Exception:
        pass
    return pickle.dumps(("results", [pickle.loads(_dump_result(seq, result, Counter(stats)))[1]
                                     for seq, result, stats in done]), _PICKLE)


# --------------------------------------------------------------------------- parent side


def _feed(outbox: queue.SimpleQueue[bytes | None], conn: Connection) -> None:
    """Sender thread: the parent's main loop never blocks on a full pipe to a busy worker."""
    try:
        while True:
            data = outbox.get()
            if data is None:
                conn.send_bytes(b"")
                return
            conn.send_bytes(data)
    except (OSError, ValueError):  # the worker was killed or the pipe closed: nothing to do
        pass
    finally:
        with contextlib.suppress(OSError):
            conn.close()


@dataclass(eq=False)  # identity: a worker is one process
class _Worker:
    process: Any  # multiprocessing.process.BaseProcess
    results: Connection
    outbox: queue.SimpleQueue[bytes | None]
    feeder: threading.Thread
    started_at: float
    #: Shared with a worker that sends results per chunk: the record it is cleaning.
    current: Any = None
    ready: bool = False
    outstanding: deque[int] = field(default_factory=deque)
    #: When the record at the head of ``outstanding`` began (None: idle or not ready yet).
    busy_since: float | None = None


class _Lookahead:
    """The input, read up to ``ahead`` records before they are sent, so that its end is seen
    coming (:meth:`near_end`). A source that is slow to give records is read that much earlier
    than it would be otherwise; the records still go out in order."""

    def __init__(self, records: Iterator[InputRecord], ahead: int) -> None:
        self._records = records
        self._ahead = ahead
        self._buffer: deque[InputRecord] = deque()
        self._exhausted = False

    def __iter__(self) -> _Lookahead:
        return self

    def __next__(self) -> InputRecord:
        if self._buffer:
            return self._buffer.popleft()
        if self._exhausted:
            raise StopIteration
        return next(self._records)

    def near_end(self) -> bool:
        """Whether the input ends within the next ``ahead`` records (reads them if needed)."""
        while not self._exhausted and len(self._buffer) <= self._ahead:  # one more: is it the end?
            try:
                self._buffer.append(next(self._records))
            except StopIteration:
                self._exhausted = True
        return self._exhausted


class _Starter:
    """Starts a run's workers in a thread, so the caller can clean records meanwhile."""

    def __init__(self, run: ParallelRun) -> None:
        self._run = run
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, daemon=True,
                                        name="cleanfeed-starter")
        self._thread.start()

    def _start(self) -> None:
        try:
            for _ in range(self._run.workers):
                self._run._pool.append(self._run._start_worker())
        except BaseException as exc:  # handed to the caller by wait()
            self._error = exc

    def finished(self) -> bool:
        return not self._thread.is_alive()

    def wait(self) -> None:
        """Wait until every worker is started; raise what starting them raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error


class ParallelRun:
    """One ordered parallel run (see :func:`imap`); also usable directly for its :attr:`stats`."""

    def __init__(self, pipeline: Pipeline, *, workers: int, timeout: float | None = None,
                 chunk_size: int = DEFAULT_CHUNK_SIZE, prefetch: int = DEFAULT_PREFETCH,
                 window: int | None = None, start_method: str | None = None,
                 warm_up: bool = True, preload: Sequence[str] = DEFAULT_PRELOAD,
                 clean_while_starting: bool = False) -> None:
        if chunk_size < 1 or prefetch < 1:
            raise ValueError("chunk_size and prefetch must be at least 1")
        self.pipeline = pipeline
        self.workers = workers
        self.timeout = timeout
        self.chunk_size = chunk_size
        self.warm_up = warm_up
        #: Clean records in this process until the first worker is ready (see :meth:`run`).
        self.clean_while_starting = clean_while_starting
        self.prefetch = max(prefetch, chunk_size)
        self.window = window or workers * (self.prefetch + chunk_size) * 2
        #: Seconds a worker takes per record (a moving average over result messages).
        self._cost: float | None = None
        if self.window < workers:
            raise ValueError(f"window ({self.window}) must be at least the number of workers")
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        # typeshed types a context chosen by a run-time string as BaseContext, which lacks
        # Process; every real context has it.
        self._ctx: Any = multiprocessing.get_context(method)
        self._preload = list(preload) if method == "forkserver" else []
        if self._preload:
            # Takes effect when the (per-process, shared) fork server first starts.
            self._ctx.set_forkserver_preload(["__main__", *self._preload])
        #: Counts of this run: ``timeouts``, ``worker_deaths``, ``workers_started``, and the
        #: records cleaned in this process while the workers started (``cleaned_here``) with
        #: the CPU time that took (``cleaned_here_cpu_us``), so that a benchmark can tell this
        #: process's cost per record as a pool from the cleaning it did instead of a worker.
        self.stats: Counter[str] = Counter()
        try:
            self._pipeline_bytes = pickle.dumps(pipeline, _PICKLE)
        except Exception as exc:
            raise TypeError(
                f"the pipeline cannot be sent to worker processes ({type(exc).__name__}: {exc}); "
                "use module-level functions or classes as steps, or workers=1") from exc

    # -- worker management

    def _start_worker(self) -> _Worker:
        task_recv, task_send = self._ctx.Pipe(duplex=False)
        result_recv, result_send = self._ctx.Pipe(duplex=False)
        # Without a time limit, results come back per chunk (fewer messages for this process
        # to take in); the worker then marks the record it is on in shared memory.
        current = None if self.timeout is not None else self._ctx.RawValue("q", -1)
        process = self._ctx.Process(target=_worker_main, name="cleanfeed-worker", daemon=True,
                                    args=(self._pipeline_bytes, task_recv, result_send,
                                          self.warm_up, current))
        process.start()
        task_recv.close()
        result_send.close()
        outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        feeder = threading.Thread(target=_feed, args=(outbox, task_send), daemon=True,
                                  name="cleanfeed-feeder")
        feeder.start()
        self.stats["workers_started"] += 1
        return _Worker(process, result_recv, outbox, feeder, started_at=time.monotonic(),
                       current=current)

    @staticmethod
    def _stop_worker(worker: _Worker, *, kill: bool) -> None:
        if kill:
            with contextlib.suppress(OSError, ValueError):
                worker.process.kill()
        worker.outbox.put(None)
        worker.process.join(timeout=None if kill else 5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.feeder.join(timeout=5)
        with contextlib.suppress(OSError):
            worker.results.close()
        with contextlib.suppress(ValueError):
            worker.process.close()

    # -- the run

    def run(self, records: Iterable[InputRecord]) -> Iterator[Result]:
        """Yield the cleaned results of ``records`` in input order.

        With :attr:`clean_while_starting`, this process cleans the first records itself until
        a worker reports ready (checked between records), so the start of the workers (the
        fork server's imports and warm-up, ~1 s on one core) is not idle time. A record that
        crashes the interpreter then takes this process down, as with ``workers=1``: only
        worker processes isolate such records, and with a time limit only they are used.
        """
        self._inputs: dict[int, InputRecord] = {}  # seq -> record, while in a worker
        self._done: dict[int, Result] = {}  # seq -> result, waiting for its turn
        self._pool: list[_Worker] = []
        source = iter(records)
        first = next(source, None)
        if first is None:  # no records (None is never one): no workers to start
            return
        source = _Lookahead(itertools.chain((first,), source),
                            ahead=self.workers * (self.prefetch + 1))
        if self._preload == list(DEFAULT_PRELOAD) and _is_html(first):
            # An HTML run: the fork server (if this starts it) also warms the HTML-only paths.
            self._ctx.set_forkserver_preload(["__main__", *self._preload, *HTML_PRELOAD])
        starter = None
        if self.clean_while_starting:
            # Process.start() waits until the fork server has forked the worker, i.e. until
            # its preload (imports, warm-up) is done: start them from a thread meanwhile.
            starter = _Starter(self)
        else:
            self._pool.extend(self._start_worker() for _ in range(self.workers))
        next_in = next_out = 0
        exhausted = False
        try:
            while starter is not None and not (starter.finished() and self._any_ready()):
                try:
                    record = next(source)
                except StopIteration:
                    exhausted = True
                    break
                yield self._clean_here(next_in, record)
                next_in = next_out = next_in + 1
            if starter is not None:
                starter.wait()
                starter = None
            while True:
                if not exhausted:
                    next_in, exhausted = self._dispatch(source, next_in, next_out)
                while next_out in self._done:
                    yield self._done.pop(next_out)
                    next_out += 1
                if exhausted and next_out == next_in:
                    return
                if next_out not in self._done and any(w.outstanding for w in self._pool):
                    self._collect()
        finally:
            if starter is not None:
                with contextlib.suppress(Exception):
                    starter.wait()
            for worker in self._pool:  # one still starting holds no record: no need to wait
                self._stop_worker(worker, kill=bool(worker.outstanding) or not worker.ready)
            self._pool = []
            self._inputs.clear()
            self._done.clear()

    def _dispatch(self, source: Iterator[InputRecord], next_in: int,
                  next_out: int) -> tuple[int, bool]:
        """Read from the input and hand chunks to the least-loaded workers, within the window."""
        chunk_size, queue = self._sizes()
        if isinstance(source, _Lookahead) and source.near_end():
            # The last records: one at a time, to whichever worker is free, so that at the end
            # no worker still has a chunk or a queue to clean while another has nothing.
            chunk_size, queue = 1, 2
        while True:
            worker = min(self._pool, key=lambda w: len(w.outstanding))
            room = min(chunk_size, queue - len(worker.outstanding),
                       next_out + self.window - next_in)
            if room <= 0:
                return next_in, False
            chunk: list[tuple[int, InputRecord]] = []
            while len(chunk) < room and next_in < next_out + self.window:
                try:
                    record = next(source)
                except StopIteration:
                    self._send(worker, chunk)
                    return next_in, True
                if isinstance(record, Reject):  # a reader's reject passes straight through
                    self.pipeline.stats["rejected"] += 1
                    self._done[next_in] = record
                else:
                    chunk.append((next_in, record))
                next_in += 1
            self._send(worker, chunk)

    def _sizes(self) -> tuple[int, int]:
        """Records per message (``chunk_size``), and records a worker may hold, the one it is
        on included: ``prefetch`` + 1 until the cost per record is known, then about
        :data:`QUEUE_SECONDS` of work, at least ``chunk_size`` + 1."""
        cost = self._cost
        if not cost:
            return self.chunk_size, self.prefetch + 1
        queue = min(self.prefetch + 1, math.ceil(QUEUE_SECONDS / cost))
        return self.chunk_size, max(self.chunk_size + 1, queue)

    def _send(self, worker: _Worker, chunk: list[tuple[int, InputRecord]]) -> None:
        if not chunk:
            return
        try:
            data = pickle.dumps(chunk, _PICKLE)
        except Exception:
            chunk = [item for item in chunk if self._picklable(*item)]
            if not chunk:
                return
            data = pickle.dumps(chunk, _PICKLE)
        if worker.ready and not worker.outstanding:
            worker.busy_since = time.monotonic()
        for seq, record in chunk:
            self._inputs[seq] = record
            worker.outstanding.append(seq)
        worker.outbox.put(data)

    def _picklable(self, seq: int, record: InputRecord) -> bool:
        try:
            pickle.dumps(record, _PICKLE)
        except Exception as exc:
            self._reject(seq, record, "parallel",
                         f"record cannot be sent to a worker ({type(exc).__name__}: {exc})")
            return False
        return True

    def _reject(self, seq: int, record: InputRecord, stage: str, reason: str) -> None:
        self.pipeline.stats["rejected"] += 1
        self._done[seq] = Reject(source=getattr(record, "source", "?"), stage=stage,
                                 id=getattr(record, "id", None), reason=reason)

    def _collect(self) -> None:
        """Wait for results (or a deadline), take them in, and replace dead or stuck workers."""
        now = time.monotonic()
        deadline = None
        for worker in self._pool:
            if worker.outstanding and not worker.ready:
                limit = worker.started_at + STARTUP_TIMEOUT
            elif worker.busy_since is not None and self.timeout is not None:
                limit = worker.busy_since + self.timeout
            else:
                continue
            deadline = limit if deadline is None else min(deadline, limit)
        wait_for = None if deadline is None else max(0.0, deadline - now)
        by_handle: dict[Any, _Worker] = {}
        for worker in self._pool:
            by_handle[worker.results] = worker
            by_handle[worker.process.sentinel] = worker
        ready = wait(list(by_handle), timeout=wait_for)
        dead: list[_Worker] = []
        for handle in ready:
            worker = by_handle[handle]
            if worker in dead:
                continue
            if handle is worker.results:
                if not self._drain(worker):
                    dead.append(worker)
            elif not self._drain(worker) or not worker.process.is_alive():
                dead.append(worker)
        for worker in dead:
            self._replace(worker, self._died_reason(worker))
        now = time.monotonic()
        for worker in list(self._pool):
            starting = worker.outstanding and not worker.ready
            if starting and now - worker.started_at > STARTUP_TIMEOUT:
                self._stop_worker(worker, kill=True)
                raise RuntimeError(f"a worker did not start within {STARTUP_TIMEOUT:g} s")
            if (self.timeout is not None and worker.busy_since is not None
                    and now - worker.busy_since >= self.timeout):
                self.stats["timeouts"] += 1
                self._replace(worker, f"cleaning took longer than the {self.timeout:g} s limit; "
                                      "the worker was stopped", stage="timeout")

    def _clean_here(self, seq: int, record: InputRecord) -> Result:
        """Clean one record in this process exactly as a worker would: a record or result that
        would not pickle gets the same reject, and the result is the unpickled copy."""
        if isinstance(record, Reject):
            self.pipeline.stats["rejected"] += 1
            return record
        if not self._picklable(seq, record):
            return self._done.pop(seq)
        totals, self.pipeline.stats = self.pipeline.stats, Counter()
        cpu = time.process_time()
        try:
            data = _dump_result(seq, _clean_one(self.pipeline, record), self.pipeline.stats)
        finally:
            self.pipeline.stats = totals
        _, (_, result, stats) = pickle.loads(data)
        totals.update(stats)
        self.stats["cleaned_here"] += 1
        self.stats["cleaned_here_cpu_us"] += round(1e6 * (time.process_time() - cpu))
        return result

    def _any_ready(self) -> bool:
        """Whether a worker is ready (or gone: the main loop then deals with it); no waiting."""
        return any(w.ready or not self._drain(w) or w.ready for w in list(self._pool))

    def _drain(self, worker: _Worker) -> bool:
        """Take in every message waiting from ``worker``; False when its pipe is closed."""
        try:
            while worker.results.poll():
                kind, payload = pickle.loads(worker.results.recv_bytes())
                now = time.monotonic()
                if kind == "ready":
                    worker.ready = True
                    worker.busy_since = now if worker.outstanding else None
                elif kind == "error":
                    raise RuntimeError(f"a worker could not load the pipeline: {payload}")
                else:
                    done = payload if kind == "results" else (payload,)
                    for seq, result, stats in done:
                        head = worker.outstanding.popleft()
                        assert head == seq, f"worker answered {seq}, expected {head}"
                        self._inputs.pop(seq, None)
                        self._done[seq] = result
                        self.pipeline.stats.update(stats)
                    if worker.busy_since is not None and done:  # busy all along: its pace
                        pace = (now - worker.busy_since) / len(done)
                        self._cost = pace if self._cost is None else 0.8 * self._cost + 0.2 * pace
                    worker.busy_since = now if worker.outstanding else None
        except (EOFError, OSError):
            return False
        return True

    def _died_reason(self, worker: _Worker) -> str:
        worker.process.join(timeout=1)
        code = worker.process.exitcode
        if not worker.ready:
            raise RuntimeError(f"a worker exited while starting (exit code {code})")
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        self.stats["worker_deaths"] += 1
        return f"the worker process died on this record ({how})"

    def _replace(self, worker: _Worker, reason: str, *, stage: str = "parallel") -> None:
        """Stop ``worker``, reject the record it was on, and give the rest of its queue to a
        new worker (records it had not started lose nothing; those it had cleaned but not yet
        sent back, with results per chunk, are cleaned again: same input, same result)."""
        self._stop_worker(worker, kill=True)
        self._pool.remove(worker)
        queued = list(worker.outstanding)
        if queued:
            on = worker.current.value if worker.current is not None else queued[0]
            culprit = on if on in queued else queued[0]  # died between records: as before
            queued.remove(culprit)
            self._reject(culprit, self._inputs.pop(culprit), stage, reason)
        fresh = self._start_worker()
        self._pool.append(fresh)
        for start in range(0, len(queued), self.chunk_size):
            part = queued[start:start + self.chunk_size]
            self._send(fresh, [(seq, self._inputs[seq]) for seq in part])
