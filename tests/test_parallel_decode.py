"""Decoding in the workers: ``read(decode_later=True)`` + ``parallel.imap`` give the same records,
rejects (reasons, sources, order) and stats as decoding in the reader, on every path."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Iterable
from pathlib import Path

import pytest

from cleanfeed import default_pipeline
from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.parallel import ParallelRun, imap
from cleanfeed.pipeline import Pipeline
from cleanfeed.readers import RawDocument, decoded, read
from cleanfeed.readers.documents import MAX_TAG_RUN
from cleanfeed.writers import dumps

FETCHED = "2026-03-01T12:00:00+00:00"
STORY = ("The harbour authority said on Tuesday that the new ferry terminal would open in the "
         "spring, after two years of delays caused by flooding and a shortage of steel. ")
MAX_BYTES = 20_000


def _corpus(folder: Path) -> Path:
    """Every kind of one-document file a reader decodes or rejects, in a known order."""
    folder.mkdir()
    files: dict[str, bytes] = {
        "a-story.txt": f"Ferry terminal delayed\n\n{STORY * 3}".encode(),
        "b-page.html": (f"<html><head><title>Ferry</title></head><body><article><h1>Ferry</h1>"
                        f"<p>{STORY * 3}</p></article></body></html>").encode(),
        "c-latin.html": ('<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>'
                         f"<body><p>Le caf\xe9 na\xefve. {STORY * 2}</p></body></html>"
                         ).encode("cp1252"),
        "d-bom.txt": f"Caf\u00e9 story. {STORY}".encode("utf-16"),
        "e-empty.txt": b"  \n\t\n",
        "f-binary.txt": b"\x00\x01\x02 not text \x00" * 10,
        "g-nested.html": ("<html><body>" + "<div>" * (MAX_TAG_RUN + 5) + "deep"
                          + "</div>" * (MAX_TAG_RUN + 5) + "</body></html>").encode(),
        "h-big.txt": b"x" * (MAX_BYTES + 1),
        "i-broken.txt": "Gr\u00fc\u00dfe aus M\u00fcnchen, ".encode() * 20 + b"\xff\xfe bad",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for i in range(40):  # enough records for the workers to get some
        (folder / f"z{i:02d}.txt").write_text(f"Story {i}. {STORY * (1 + i % 3)}",
                                              encoding="utf-8")
    return folder


def _lines(results: Iterable[Article | Reject]) -> list[str]:
    return [dumps(r.to_dict()) for r in results]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("decode") / "in")


@pytest.fixture(scope="module")
def expected(corpus: Path) -> tuple[list[str], dict[str, int]]:
    pipeline = default_pipeline(fetched_at=FETCHED)
    lines = _lines(pipeline.run(read([corpus], max_bytes=MAX_BYTES)))
    return lines, dict(pipeline.stats)


def test_reader_defers_then_decodes_to_the_same_records(corpus: Path) -> None:
    now = list(read([corpus], max_bytes=MAX_BYTES))
    later = list(read([corpus], max_bytes=MAX_BYTES, decode_later=True))
    # Only the size limit is checked before reading (a file's size, unread); all else waits.
    assert [type(r) for r in later].count(Reject) == 1
    assert all(isinstance(r, RawDocument) for r in later if not isinstance(r, Reject))
    assert list(decoded(later)) == now
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in now if isinstance(r, Reject)}
    assert set(reasons) == {"e-empty.txt", "f-binary.txt", "g-nested.html", "h-big.txt",
                            "i-broken.txt"}
    assert "pathological nesting" in reasons["g-nested.html"]
    latin = next(r for r in now if r.source.endswith("c-latin.html"))
    assert isinstance(latin, RawRecord) and "café naïve" in (latin.html or "")
    document = next(r for r in later if isinstance(r, RawDocument))
    assert pickle.loads(pickle.dumps(document)) == document


def test_undecoded_documents_give_the_same_output_on_every_path(
        corpus: Path, expected: tuple[list[str], dict[str, int]]) -> None:
    lines, stats = expected
    runs = {
        "in process": dict(workers=1),
        "workers, per chunk": dict(workers=2, min_parallel=1),
        "workers, time limit": dict(workers=2, timeout=60.0),
    }
    for name, kwargs in runs.items():
        pipeline = default_pipeline(fetched_at=FETCHED)
        got = _lines(imap(pipeline, read([corpus], max_bytes=MAX_BYTES, decode_later=True),
                          **kwargs))  # type: ignore[arg-type]
        assert got == lines, name
        assert dict(pipeline.stats) == stats, name
    assert stats["rejected"] == 5


def _no_decoding_here(*args: object, **kwargs: object) -> None:
    raise AssertionError("the main process decoded a document")


def test_the_main_process_does_not_decode(corpus: Path, monkeypatch: pytest.MonkeyPatch,
                                          expected: tuple[list[str], dict[str, int]]) -> None:
    """With every record cleaned in a worker, decoding happens there: making it fail in this
    process changes nothing (the workers are fresh processes, unaffected by the patch)."""
    import cleanfeed.readers.documents as documents

    monkeypatch.setattr(documents, "record_from_bytes", _no_decoding_here)
    pipeline = default_pipeline(fetched_at=FETCHED)
    run = ParallelRun(pipeline, workers=2, chunk_size=3)  # no cleaning here while starting
    got = _lines(run.run(read([corpus], max_bytes=MAX_BYTES, decode_later=True)))
    assert got == expected[0]
    with pytest.raises(AssertionError, match="decoded"):  # the patch does bite in this process
        list(decoded(read([corpus], max_bytes=MAX_BYTES, decode_later=True)))


def test_a_worker_death_on_an_undecoded_document_costs_only_that_record(corpus: Path) -> None:
    pipeline = Pipeline([crash_on_z07])
    run = ParallelRun(pipeline, workers=2, chunk_size=4)
    got = list(run.run(read([corpus], max_bytes=MAX_BYTES, decode_later=True)))
    plain = list(Pipeline([crash_on_z07]).run(
        r for r in read([corpus], max_bytes=MAX_BYTES) if not str(r.source).endswith("z07.txt")))
    died = [r for r in got if isinstance(r, Reject) and r.stage == "parallel"]
    assert [r.source.rsplit("/", 1)[-1] for r in died] == ["z07.txt"]
    assert _lines(r for r in got if r not in died) == _lines(plain)


def crash_on_z07(article: Article) -> Article:
    if article.source.endswith("z07.txt"):
        import os

        os._exit(3)
    return article


def test_queues_are_sized_in_time_once_the_cost_is_known() -> None:
    """Cheap records keep the configured chunks and queues; costly ones get short queues, so
    that no worker is left holding ~1 s of work at the end of the input."""
    from cleanfeed.parallel import QUEUE_SECONDS

    run = ParallelRun(Pipeline([crash_on_z07]), workers=2, chunk_size=4, prefetch=8)
    assert run._sizes() == (4, 9)  # unknown cost: as configured
    run._cost = 0.013  # text-like records
    assert run._sizes() == (4, 9)
    run._cost = 0.1  # HTML-like records: a chunk and one more (about QUEUE_SECONDS or less)
    assert run._sizes() == (4, 5)
    run._cost = QUEUE_SECONDS / 7
    assert run._sizes() == (4, 7)
    run._cost = 5.0  # a pathological page
    assert run._sizes() == (4, 5)


def slow(article: Article) -> Article:
    import time

    time.sleep(0.03)
    return article


def test_costly_records_stay_in_order_with_time_sized_queues(corpus: Path,
                                                             expected: tuple) -> None:
    pipeline = Pipeline([slow])
    run = ParallelRun(pipeline, workers=2)
    got = list(run.run(read([corpus], max_bytes=MAX_BYTES, decode_later=True)))
    plain = list(Pipeline([slow]).run(read([corpus], max_bytes=MAX_BYTES)))
    assert _lines(got) == _lines(plain)
    assert run._cost is not None and 0.02 < run._cost < 1.0  # measured from the results


def test_the_end_of_the_input_is_seen_coming() -> None:
    from cleanfeed.parallel import _Lookahead

    look = _Lookahead(iter(range(10)), ahead=4)
    assert [next(look), next(look)] == [0, 1]
    assert not look.near_end()  # 2..6 read ahead, more to come
    assert [next(look) for _ in range(4)] == [2, 3, 4, 5]
    assert look.near_end()  # 6..9 are all there is
    assert list(look) == [6, 7, 8, 9]
    assert look.near_end() and list(look) == []


def where(article: Article) -> Article:
    import os
    import time

    time.sleep(0.02)
    return article.evolve(extra={"pid": os.getpid()})


def test_the_last_records_go_one_at_a_time_to_a_free_worker() -> None:
    """Before, the last 4-record chunk went to one worker whole (and it could hold 9 more):
    now the final records are spread over both workers record by record."""
    records = [RawRecord(source=f"t{i}.txt", text=f"record {i}") for i in range(120)]
    run = ParallelRun(Pipeline([where]), workers=2, chunk_size=4, prefetch=8)
    got = list(run.run(records))
    assert [r.source for r in got] == [r.source for r in records]
    tail = [r.extra["pid"] for r in got[-10:]]
    assert len(set(tail)) == 2
    # Record by record they alternate (ABABAB..., runs of 1-2); sent as the other records
    # are, in chunks of 4, the end shows runs of 4 or more (AAAABBBB, BBBBBBBB).
    assert max(len(list(g)) for _, g in itertools.groupby(tail)) <= 3
