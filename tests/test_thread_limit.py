"""The thread time limit (for Dask tasks): a record over its limit becomes a reject while the
thread goes on, and nothing leaks into the records after it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.pipeline import Pipeline
from cleanfeed.thread_limit import ThreadTimeLimit, can_interrupt

pytestmark = pytest.mark.skipif(not can_interrupt(), reason="needs CPython")


def spin(article: Article) -> Article:
    """A runaway pure-Python loop on records that ask for it."""
    if "SPIN" in article.text:
        while True:
            pass
    return article.evolve(text=article.text.upper())


def stubborn(article: Article) -> Article:
    """Swallows the first exception (as a broad ``except Exception`` in a library would)."""
    if "SPIN" in article.text:
        try:
            while True:
                pass
        except Exception:
            while True:
                pass
    return article


def napping(article: Article) -> Article:
    """Over the limit inside one C call (sleep): stopped only when the call returns."""
    if "NAP" in article.text:
        time.sleep(0.4)
    return article


def _records(marked: set[int], marker: str, n: int = 12) -> list[RawRecord | Reject]:
    out: list[RawRecord | Reject] = [RawRecord(source=f"r{i}", text=marker if i in marked
                                               else f"record {i}") for i in range(n)]
    out[1] = Reject(source="r1", stage="read", reason="cannot decode")
    return out


def _in_thread(step: Callable[[Article], Article], records: list[RawRecord | Reject], seconds: float
               ) -> tuple[list[Article | Reject], Pipeline]:
    pipeline = Pipeline([step])

    def work() -> list[Article | Reject]:
        assert threading.current_thread() is not threading.main_thread()
        with ThreadTimeLimit(seconds) as limit:
            return [limit.run(pipeline, r) for r in records]

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result(timeout=60), pipeline


@pytest.mark.parametrize("step", [spin, stubborn])
def test_runaway_step_in_a_thread_becomes_a_reject(step: Callable[[Article], Article]) -> None:
    started = time.monotonic()
    got, pipeline = _in_thread(step, _records({3, 7}, "SPIN"), 0.2)
    assert time.monotonic() - started < 5
    assert [i for i, r in enumerate(got) if isinstance(r, Reject)] == [1, 3, 7]
    for i in (3, 7):
        reject = got[i]
        assert isinstance(reject, Reject) and reject.stage == step.__name__
        assert reject.reason.endswith("TimeLimitExceeded: record took over 0.2 s")
    assert isinstance(got[1], Reject) and got[1].reason == "cannot decode"
    assert pipeline.stats["timeouts"] == 2
    assert pipeline.stats["articles"] == 9 and pipeline.stats["rejected"] == 3


def test_nothing_leaks_into_the_following_records() -> None:
    """Records right after a timeout, and many quick ones, are untouched by the watchdog."""
    records = _records({2}, "SPIN", n=400)
    got, pipeline = _in_thread(spin, records, 0.05)
    assert [i for i, r in enumerate(got) if isinstance(r, Reject)] == [1, 2]
    assert pipeline.stats["timeouts"] == 1


def test_over_the_limit_inside_a_c_call_is_rejected_when_it_returns() -> None:
    got, pipeline = _in_thread(napping, _records({4}, "NAP"), 0.1)
    assert isinstance(got[4], Reject) and "took over 0.1 s" in got[4].reason
    assert all(isinstance(r, Article) for i, r in enumerate(got) if i not in (1, 4))
    assert pipeline.stats["timeouts"] == 1


def test_limit_must_be_positive_and_used_in_its_thread() -> None:
    with pytest.raises(ValueError):
        ThreadTimeLimit(0)
    with ThreadTimeLimit(1) as limit, ThreadPoolExecutor(1) as pool:
        future = pool.submit(limit.run, Pipeline([spin]), RawRecord(source="x", text="x"))
        with pytest.raises(RuntimeError, match="thread that made it"):
            future.result(timeout=10)
