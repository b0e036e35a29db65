"""A per-record time limit, so one pathological page cannot stall a batch.

:func:`time_limited` wraps a step list: a first step starts the record's clock (a deadline in
the article's hints, so no state is shared between records), and every step then runs under
a ``SIGALRM`` timer set to the time that record has left. When it fires, the step raises
:class:`TimeLimitExceeded`; the :class:`~cleanfeed.pipeline.Pipeline` turns that into a
reject naming the step, and the batch goes on.

Why a signal timer: it interrupts pure-Python loops, regular expressions (CPython's ``re``
checks for signals while matching) and lxml between its callbacks, with no thread or process
per record. Signals only work in a process's main thread: worker *processes* (multiprocessing,
``concurrent.futures.ProcessPoolExecutor``) run steps in their own main thread, so the limit
works there too. In any other thread the steps run unbounded (the documented alternative is
to run such work in a process pool and bound it with ``future.result(timeout=...)``). A C
extension that never returns to the interpreter cannot be interrupted this way either.

>>> import time
>>> from cleanfeed.article import RawRecord
>>> from cleanfeed.pipeline import Pipeline
>>> def slow(a): time.sleep(5); return a
>>> result = Pipeline(time_limited([slow], 0.05))(RawRecord(source="x", text="hi"))
>>> result.reason
'slow failed: TimeLimitExceeded: record took over 0.05 s (in slow)'
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

from cleanfeed.article import Article, Drop
from cleanfeed.pipeline import StepLike, step_name

__all__ = ["TimeLimitExceeded", "TimeLimited", "signals_available", "time_limited"]

_DEADLINE = "deadline"
#: After the deadline the alarm repeats this often until the step gives up.
RETRY_S = 0.1


class TimeLimitExceeded(Exception):
    """A record ran past its time limit; the message is the reject reason."""


def signals_available() -> bool:
    """``SIGALRM`` timers can be used here: a POSIX platform and the main thread."""
    return (hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread())


class _StartClock:
    """Step: stamp the record's deadline into its hints."""

    name = "time_limit"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, article: Article) -> Article:
        return article.with_hint(_DEADLINE, time.monotonic() + self.seconds)


class TimeLimited:
    """Runs ``step`` under a timer set to the record's remaining time (see module doc)."""

    def __init__(self, step: StepLike, seconds: float) -> None:
        self.step = step
        self.seconds = seconds
        self.name = step_name(step)

    def __call__(self, article: Article) -> Article | Drop:
        deadline = article.hints.get(_DEADLINE)
        remaining = (self.seconds if deadline is None else deadline - time.monotonic())
        if remaining <= 0:
            raise TimeLimitExceeded(f"record took over {self.seconds:g} s (before {self.name})")
        if not signals_available():
            return self.step(article)

        expired = False

        def expire(signum: int, frame: Any) -> None:
            nonlocal expired
            expired = True
            raise TimeLimitExceeded(f"record took over {self.seconds:g} s (in {self.name})")

        previous = signal.signal(signal.SIGALRM, expire)
        # The timer re-fires every RETRY_S after the deadline: a library that catches and
        # swallows the first exception (broad ``except Exception``) gets another one.
        signal.setitimer(signal.ITIMER_REAL, remaining, RETRY_S)
        try:
            result = self.step(article)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if expired:  # every alarm was swallowed but the step did stop: still over the limit
            raise TimeLimitExceeded(f"record took over {self.seconds:g} s (in {self.name})")
        return result


def time_limited(steps: Sequence[StepLike], seconds: float | None) -> list[StepLike]:
    """``steps`` with a per-record limit of ``seconds`` over all of them (``None``: as is)."""
    if seconds is None:
        return list(steps)
    if seconds <= 0:
        raise ValueError("a time limit must be positive")
    return [_StartClock(seconds), *(TimeLimited(step, seconds) for step in steps)]
