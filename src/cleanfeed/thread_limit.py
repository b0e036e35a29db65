"""A per-record time limit for pipelines that run in a thread other than the main one (Dask).

:mod:`cleanfeed.limits` stops a slow step with ``SIGALRM``, which only works in a process's main
thread, and :mod:`cleanfeed.parallel` kills a stuck worker process; neither is possible for a
Dask task, which runs in one of a worker's threads and cannot be killed. Here a watchdog
thread raises :class:`~cleanfeed.limits.TimeLimitExceeded` *in the cleaning thread* when a
record passes its deadline (``PyThreadState_SetAsyncExc``, the asynchronous counterpart of a
signal handler raising), again every :data:`RETRY_S` in case a library swallows it. The
:class:`~cleanfeed.pipeline.Pipeline` turns it into a reject naming the step; a record that
finished anyway after its deadline is rejected too, so the result never depends on where
exactly the exception landed.

What this cannot do: the exception is delivered when the thread next runs Python bytecode, so
a step stuck inside C code (a catastrophic regular expression, a long lxml call) is stopped
only when that call returns, and the record is then rejected; a call that never returns keeps
the thread (and its Dask task) busy. Only a separate process can be stopped there: use
``cleanfeed clean --workers N --time-limit S`` on one machine. Where the interpreter has no
``PyThreadState_SetAsyncExc`` (not CPython), the limit is checked between steps only.

>>> import time
>>> from cleanfeed.article import RawRecord
>>> from cleanfeed.pipeline import Pipeline
>>> def slow(a):
...     for _ in range(500): time.sleep(0.01)
...     return a
>>> with ThreadTimeLimit(0.05) as limit:
...     result = limit.run(Pipeline([slow]), RawRecord(source="x", text="hi"))
>>> result.reason
'slow failed: TimeLimitExceeded: record took over 0.05 s'
"""

from __future__ import annotations

import ctypes
import threading
import time
from types import TracebackType
from typing import Any

from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.limits import TimeLimitExceeded
from cleanfeed.pipeline import Pipeline, Result

__all__ = ["RETRY_S", "ThreadTimeLimit", "can_interrupt"]

#: After the deadline the exception is raised again this often until the record ends.
RETRY_S = 0.1
_set_async_exc: Any = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc",
                              None)


def can_interrupt() -> bool:
    """Whether a running step can be interrupted here (CPython), not only checked between."""
    return _set_async_exc is not None


def _raise_in(thread_id: int, exc_type: type[BaseException] | None) -> None:
    """Make ``thread_id`` raise ``exc_type`` at its next bytecode; ``None`` cancels that."""
    if _set_async_exc is not None:
        _set_async_exc(ctypes.c_ulong(thread_id),
                       None if exc_type is None else ctypes.py_object(exc_type))


class ThreadTimeLimit:
    """Cleans records one at a time in the calling thread, each within ``seconds``.

    One watchdog thread per instance (use it as a context manager around a batch); records
    must be cleaned in the thread that created it.
    """

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("a time limit must be positive")
        self.seconds = seconds
        message = f"record took over {seconds:g} s"

        class Expired(TimeLimitExceeded):  # raised by class, so its message is built in
            def __init__(self, *args: object) -> None:
                super().__init__(*(args or (message,)))

        Expired.__name__ = Expired.__qualname__ = "TimeLimitExceeded"
        self._expired = Expired
        self._target = threading.get_ident()
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._fired = False
        self._closed = False
        self._watchdog = threading.Thread(target=self._watch, daemon=True,
                                          name="cleanfeed-time-limit")
        self._watchdog.start()

    def __enter__(self) -> ThreadTimeLimit:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._deadline = None
            self._cond.notify()
        self._watchdog.join()

    def _watch(self) -> None:
        with self._cond:
            while not self._closed:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                self._fired = True
                _raise_in(self._target, self._expired)
                self._cond.wait(RETRY_S)

    def _start(self) -> None:
        with self._cond:
            self._fired = False
            self._deadline = time.monotonic() + self.seconds
            self._cond.notify()

    def _stop(self) -> bool:
        """End the record's clock and cancel an exception not yet delivered; True when the
        deadline passed. Once this returns, nothing is raised in this thread any more."""
        for _ in range(3):  # an exception landing in here is the record's: just finish
            try:
                with self._cond:
                    self._deadline = None
                    _raise_in(self._target, None)
                    return self._fired
            except TimeLimitExceeded:
                continue
        raise RuntimeError("the time-limit watchdog would not stop")  # pragma: no cover

    def run(self, pipeline: Pipeline, record: RawRecord | Article | Reject) -> Result:
        """``pipeline(record)`` within the limit; over it, a reject (from the step that was
        running, else stage ``timeout``), counted in ``stats["timeouts"]``."""
        if isinstance(record, Reject):
            pipeline.stats["rejected"] += 1
            return record
        if threading.get_ident() != self._target:
            raise RuntimeError("a ThreadTimeLimit cleans records in the thread that made it")
        result: Result | None = None
        try:
            try:
                self._start()
                result = pipeline(record)
            finally:
                fired = self._stop()
        except TimeLimitExceeded:  # delivered outside a step (the pipeline's own code)
            fired = True
            result = None
        if not fired and result is not None:
            return result
        pipeline.stats["timeouts"] += 1
        if isinstance(result, Reject):  # a step's reject (the one the exception landed in)
            return result
        if isinstance(result, Article):  # it finished, but after its deadline
            pipeline.stats["articles"] -= 1
        pipeline.stats["rejected"] += 1
        return Reject(source=record.source, stage="timeout", id=record.id,
                      reason=f"record took over {self.seconds:g} s")
