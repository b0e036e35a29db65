"""The parallel runner: same bytes as the serial run, in order, with rejects instead of stalls."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleanfeed import default_pipeline
from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.parallel import ParallelRun, imap
from cleanfeed.pipeline import Pipeline
from cleanfeed.writers import dumps

FETCHED = "2026-03-01T12:00:00+00:00"

STORY = ("The harbour authority said on Tuesday that the new ferry terminal would open in the "
         "spring, after two years of delays caused by flooding and a shortage of steel. ")
GERMAN = ("Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum "
          "Sommer zu sanieren, nachdem Gutachter Risse im Beton gefunden hatten. ")


def _records(n: int) -> list[RawRecord | Reject]:
    """Varied records: text, HTML, German, empty (a pipeline reject) and reader rejects."""
    out: list[RawRecord | Reject] = []
    for i in range(n):
        kind = i % 7
        if kind == 0:
            out.append(RawRecord(source=f"r{i}.html", url=f"https://example.org/{i}",
                                 html=f"<html><head><title>Ferry {i}</title></head><body>"
                                      f"<article><h1>Ferry {i}</h1><p>{STORY * 3}</p>"
                                      f"<p>Paragraph {i}. {STORY}</p></article></body></html>"))
        elif kind == 1:
            out.append(RawRecord(source=f"r{i}.txt", text=f"{GERMAN * (1 + i % 3)} Nummer {i}.",
                                 published="2025-02-03"))
        elif kind == 2:
            out.append(RawRecord(source=f"r{i}.txt", text="   \n  "))
        elif kind == 3:
            out.append(Reject(source=f"r{i}.bin", reason="cannot decode", stage="read"))
        else:
            out.append(RawRecord(source=f"r{i}.txt", text=f"Story {i}. {STORY * (1 + i % 4)}",
                                 id=f"given-{i}" if i % 2 else None))
    return out


def _lines(results: Iterator[Article | Reject]) -> list[str]:
    return [dumps(r.to_dict()) for r in results]


# -- module-level steps, so the pipelines pickle


def sleepy(article: Article) -> Article:
    """Later records finish first, so the runner must reorder."""
    number = int(re.sub(r"\D", "", article.source) or 0)
    time.sleep(0.002 * (20 - number % 20))
    return article.evolve(text=article.text.upper())


def catastrophic(article: Article) -> Article:
    """A pathological record: a regex that backtracks for minutes while holding the GIL."""
    if "EVIL" in article.text:
        re.match(r"^(a+)+$", "a" * 64 + "b")
    return article


def crash(article: Article) -> Article:
    if "CRASH" in article.text:
        os._exit(3)
    return article


def boom(article: Article) -> Article:
    if "BOOM" in article.text:
        raise ValueError("bad record")
    return article


def _text(i: int, body: str = "") -> RawRecord:
    return RawRecord(source=f"t{i}.txt", text=body or f"record {i}")


def test_default_pipeline_same_bytes_and_stats_as_serial() -> None:
    records = _records(42)
    serial = default_pipeline(fetched_at=FETCHED)
    expected = _lines(serial.run(records))
    parallel = default_pipeline(fetched_at=FETCHED)
    got = _lines(imap(parallel, records, workers=2, chunk_size=2, prefetch=2,
                       min_parallel=1))
    assert got == expected
    assert parallel.stats == serial.stats
    assert sum('"stage":"read"' in line for line in got) == 6  # reader rejects kept, in place
    assert sum('"stage":"require_text"' in line for line in got) == 6


def test_out_of_order_completion_is_yielded_in_order() -> None:
    records = [_text(i) for i in range(60)]
    got = list(imap(Pipeline([sleepy]), iter(records), workers=2, chunk_size=1, prefetch=3))
    assert [r.source for r in got] == [r.source for r in records]
    assert all(isinstance(r, Article) and r.text == r.text.upper() for r in got)


def test_stuck_record_is_rejected_and_the_run_goes_on() -> None:
    records = [_text(i, "EVIL" if i == 5 else "") for i in range(30)]
    run = ParallelRun(Pipeline([catastrophic]), workers=2, timeout=1.0, chunk_size=2)
    start = time.monotonic()
    got = list(run.run(records))
    assert time.monotonic() - start < 20
    assert [r.source for r in got] == [r.source for r in records]
    stuck = got[5]
    assert isinstance(stuck, Reject) and stuck.stage == "timeout"
    assert "1 s limit" in stuck.reason
    assert all(isinstance(r, Article) for i, r in enumerate(got) if i != 5)
    assert run.stats["timeouts"] == 1 and run.stats["workers_started"] == 3


_LOADED: list[bool] = []


def slow_first_call(article: Article) -> Article:
    """Like a step whose first call imports a big library or loads a model."""
    if not _LOADED:
        time.sleep(1.5)
        _LOADED.append(True)
    return article


def test_first_record_is_not_charged_for_loading() -> None:
    records = [_text(i) for i in range(6)]
    got = list(imap(Pipeline([slow_first_call]), records, workers=2, timeout=1.0))
    assert all(isinstance(r, Article) for r in got)  # the warm-up record paid for the load


def test_time_limit_applies_with_one_worker_too() -> None:
    records = [_text(0), _text(1, "EVIL"), _text(2)]
    got = list(imap(Pipeline([catastrophic]), records, workers=1, timeout=1.0))
    assert [type(r).__name__ for r in got] == ["Article", "Reject", "Article"]


def test_worker_crash_costs_one_record() -> None:
    records = [_text(i, "CRASH" if i in (3, 17) else "") for i in range(25)]
    run = ParallelRun(Pipeline([crash]), workers=2, chunk_size=3)
    got = list(run.run(records))
    rejected = [i for i, r in enumerate(got) if isinstance(r, Reject)]
    assert rejected == [3, 17]
    assert "exit code 3" in got[3].reason
    assert run.stats["worker_deaths"] == 2


def test_step_errors_become_the_same_rejects_as_serial() -> None:
    records = [_text(i, "BOOM" if i % 4 == 0 else "") for i in range(12)]
    expected = _lines(Pipeline([boom]).run(records))
    assert _lines(imap(Pipeline([boom]), records, workers=2, min_parallel=1)) == expected
    assert expected[0].count("bad record") == 1


def test_unpicklable_pipeline_is_refused_up_front() -> None:
    with pytest.raises(TypeError, match="cannot be sent to worker processes"):
        imap(Pipeline([lambda a: a]), [_text(0)], workers=2)


def test_unpicklable_record_is_rejected_alone() -> None:
    bad = RawRecord(source="bad.txt", text="x", extra={"callback": lambda: None})
    records = [_text(0), bad, _text(2)]
    got = list(imap(Pipeline([boom]), records, workers=2, min_parallel=1))
    assert isinstance(got[1], Reject) and got[1].stage == "parallel"
    assert isinstance(got[0], Article) and isinstance(got[2], Article)


def test_input_is_pulled_lazily_within_the_window() -> None:
    pulled = 0

    def source() -> Iterator[RawRecord]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield _text(i)

    run = ParallelRun(Pipeline([boom]), workers=2, window=16, chunk_size=2, prefetch=4)
    results = run.run(source())
    first = [next(results) for _ in range(10)]
    assert [r.source for r in first] == [f"t{i}.txt" for i in range(10)]
    assert pulled <= 10 + 16 + 2 * (4 + 1) + 1  # yielded + window + look-ahead (prefetch + 1 each)
    pids = [w.process.pid for w in run._pool]
    results.close()  # an abandoned run stops (and reaps) its workers
    assert len(pids) == 2
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def where(article: Article) -> Article:
    return article.evolve(extra={"pid": os.getpid()})


def test_small_inputs_run_in_process_large_ones_in_workers() -> None:
    small = list(imap(Pipeline([where]), [_text(i) for i in range(5)], workers=2,
                      min_parallel=6))
    assert {r.extra["pid"] for r in small} == {os.getpid()}
    large = list(imap(Pipeline([where]), [_text(i) for i in range(6)], workers=2,
                      min_parallel=6, timeout=30))  # a time limit: always in workers
    assert os.getpid() not in {r.extra["pid"] for r in large}
    assert [r.source for r in large] == [f"t{i}.txt" for i in range(6)]


def slow_here(article: Article) -> Article:
    """Slow in the process that started the run (its pid is in the record), fast elsewhere."""
    if article.extra["parent"] == os.getpid():
        time.sleep(0.05)
    return where(article)


def test_this_process_cleans_the_first_records_while_workers_start() -> None:
    records = [RawRecord(source=f"t{i}.txt", text=f"record {i}", extra={"parent": os.getpid()})
               for i in range(400)]
    pipeline = Pipeline([slow_here])
    got = list(imap(pipeline, records, workers=2))
    pids = [r.extra["pid"] for r in got]
    here = pids.count(os.getpid())
    assert here >= 1 and pids[:here] == [os.getpid()] * here  # a prefix, then the workers
    assert len(set(pids[here:])) >= 1 and os.getpid() not in pids[here:]
    assert [r.source for r in got] == [r.source for r in records]
    assert pipeline.stats["articles"] == 400


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        imap(Pipeline([boom]), [], workers=0)
    with pytest.raises(ValueError):
        imap(Pipeline([boom]), [], workers=2, timeout=0)
    assert list(imap(Pipeline([boom]), [], workers=2)) == []


def test_cli_workers_give_the_same_files_as_one_process(tmp_path: Path) -> None:
    from cleanfeed.cli import main

    samples = Path(__file__).resolve().parents[1] / "samples"
    src = tmp_path / "in"
    for copy in range(2):  # (a time limit always runs in workers, whatever the input size)
        shutil.copytree(samples, src / f"copy{copy}")
    (src / "empty.txt").write_text("", encoding="utf-8")
    outputs = {}
    for workers, limit in (("1", []), ("2", ["--time-limit", "60"])):  # in-process, workers
        out, rej = tmp_path / f"out{workers}.jsonl", tmp_path / f"rej{workers}.jsonl"
        assert main(["clean", str(src), "-o", str(out), "--rejects", str(rej), "-q",
                     "--fetched-at", FETCHED, "--workers", workers, *limit]) == 0
        outputs[workers] = (out.read_bytes(), rej.read_bytes())
    assert outputs["1"] == outputs["2"]
    articles, rejects = outputs["1"]
    assert articles.count(b"\n") >= 8 and b"empty document" in rejects
    assert b"duplicate" in rejects  # the second copy: dedup follows the ordered stream


def crash_or_upper(article: Article) -> Article:
    """Dies on a CRASH record; leaves a visible mark on every other record."""
    return crash(article).evolve(text=article.text.upper())


def test_crash_inside_a_chunk_rejects_that_record_and_redoes_its_chunk_mates() -> None:
    """Results come back per chunk: a worker dying mid-chunk loses the results it had not sent;
    the record it died on (marked in shared memory) is rejected, its chunk mates are redone."""
    crashing = {2, 9, 14, 15}  # first, middle and last of a chunk, and two in a row
    records = [_text(i, "CRASH" if i in crashing else f"record {i}") for i in range(30)]
    pipeline = Pipeline([crash_or_upper])
    run = ParallelRun(pipeline, workers=2, chunk_size=4, prefetch=4)
    got = list(run.run(records))
    assert [r.source for r in got] == [r.source for r in records]
    assert [i for i, r in enumerate(got) if isinstance(r, Reject)] == sorted(crashing)
    assert all(r.text == f"RECORD {i}" for i, r in enumerate(got) if i not in crashing)
    assert all("exit code 3" in got[i].reason for i in crashing)  # type: ignore[union-attr]
    assert run.stats["worker_deaths"] == len(crashing)
    assert pipeline.stats["articles"] == 30 - len(crashing)  # redone records counted once
    assert pipeline.stats["rejected"] == len(crashing)


def leave_unpicklable(article: Article) -> Article:
    if "ODD" in article.text:
        return article.evolve(extra={"callback": lambda: None})
    return article


def test_unpicklable_result_in_a_chunk_is_rejected_alone() -> None:
    records = [_text(i, "ODD" if i == 5 else "") for i in range(12)]
    pipeline = Pipeline([leave_unpicklable])
    got = list(ParallelRun(pipeline, workers=2, chunk_size=4).run(records))
    assert [i for i, r in enumerate(got) if isinstance(r, Reject)] == [5]
    assert got[5].stage == "parallel" and "does not pickle" in got[5].reason  # type: ignore[union-attr]
    assert pipeline.stats["rejected"] == 1 and pipeline.stats["articles"] == 11


def test_worker_answers_per_chunk_without_a_time_limit_and_per_record_with_one() -> None:
    """Run the worker loop here, on pipes filled in advance: count its messages."""
    import multiprocessing
    import pickle
    import signal

    from cleanfeed.parallel import _worker_main

    pipeline_bytes = pickle.dumps(Pipeline([boom]))
    chunk = pickle.dumps([(i, _text(i, "BOOM" if i == 1 else "")) for i in range(3)])
    sigint = signal.getsignal(signal.SIGINT)
    messages = {}
    try:
        for mode, current in (("per chunk", multiprocessing.RawValue("q", -1)),
                              ("per record", None)):
            task_recv, task_send = multiprocessing.Pipe(duplex=False)
            result_recv, result_send = multiprocessing.Pipe(duplex=False)
            task_send.send_bytes(chunk)
            task_send.send_bytes(b"")
            _worker_main(pipeline_bytes, task_recv, result_send, False, current)
            got = []
            while result_recv.poll():
                got.append(pickle.loads(result_recv.recv_bytes()))
            messages[mode] = got
            if current is not None:
                assert current.value == 2  # the last record it started
    finally:
        signal.signal(signal.SIGINT, sigint)
    per_chunk, per_record = messages["per chunk"], messages["per record"]
    assert [kind for kind, _ in per_chunk] == ["ready", "results"]
    assert [kind for kind, _ in per_record] == ["ready", "result", "result", "result"]
    assert per_chunk[1][1] == [payload for _, payload in per_record[1:]]
    assert isinstance(per_chunk[1][1][1][1], Reject)
    assert per_chunk[1][1][1][2] == {"rejected": 1, "boom.errors": 1}  # stats per record
