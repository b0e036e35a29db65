"""Cleaning on a real Dask LocalCluster (2 worker processes) gives the local run's bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import dask.bag as db
from distributed import Client, LocalCluster

from cleanfeed import default_pipeline
from cleanfeed import distributed as cd
from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.pipeline import Pipeline
from cleanfeed.readers import read
from cleanfeed.writers import JsonlWriter, dumps

FETCHED = "2026-03-01T12:00:00+00:00"
STORY = ("The harbour authority said on Tuesday that the new ferry terminal would open in the "
         "spring, after two years of delays caused by flooding and a shortage of steel. ")
FRENCH = ("Le conseil municipal a voté mardi la rénovation du vieux pont avant l'été, après que "
          "des experts ont découvert des fissures dans le béton. ")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _records() -> list[RawRecord | Reject]:
    out: list[RawRecord | Reject] = []
    for i in range(30):
        if i % 5 == 0:
            out.append(RawRecord(source=f"p{i}.html",
                                 html=f"<html><body><article><h1>Terminal {i}</h1>"
                                      f"<p>{STORY * 3}</p><p>{i}</p></article></body></html>"))
        elif i % 5 == 1:
            out.append(RawRecord(source=f"p{i}.txt", text=f"{FRENCH * 2} Numéro {i}."))
        elif i % 5 == 2:
            out.append(Reject(source=f"p{i}.bin", stage="read", reason="cannot decode"))
        elif i % 5 == 3:
            out.append(RawRecord(source=f"p{i}.txt", text="\n \n"))
        else:
            out.append(RawRecord(source=f"p{i}.txt", text=f"Item {i}. {STORY * (i % 3 + 1)}",
                                 published="2025-11-02T08:30:00+01:00"))
    return out


def _lines(results: Iterator[Article | Reject] | list[Article | Reject]) -> list[str]:
    return [dumps(r.to_dict()) for r in results]


def test_the_cluster_has_two_worker_processes(client: Client) -> None:
    assert len(client.scheduler_info()["workers"]) == 2


def test_imap_matches_local_run(client: Client) -> None:
    records = _records()
    local = default_pipeline(fetched_at=FETCHED)
    expected = _lines(local.run(records))
    remote = default_pipeline(fetched_at=FETCHED)
    got = _lines(cd.imap(remote, iter(records), address=client, batch_size=3, max_pending=2))
    assert got == expected
    assert remote.stats == local.stats


def test_map_bag_matches_local_run_for_records_and_dicts(client: Client) -> None:
    records = _records()
    expected = _lines(default_pipeline(fetched_at=FETCHED).run(records))
    bag = db.from_sequence(records, npartitions=4)
    got = cd.map_bag(bag, default_pipeline(fetched_at=FETCHED)).compute()
    assert _lines(got) == expected

    dicts = [{"source": f"d{i}", "text": f"Item {i}. {STORY}", "url": f"https://e.org/{i}"}
             for i in range(5)] + [{"text": STORY}, {"source": "d-empty", "title": "no body"}]
    out = cd.map_bag(db.from_sequence(dicts, npartitions=2),
                     default_pipeline(fetched_at=FETCHED), as_dicts=True).compute()
    assert [d["rejected"] for d in out] == [False] * 6 + [True]
    assert out[0]["url"] == "https://e.org/0" and out[0]["language"] == "en"
    assert "no 'text' or 'html'" in out[-1]["reason"]
    assert [d["source"] for d in out[4:]] == ["d4", "<dask>:1:1", "d-empty"]


def test_clean_job_and_read_bag_match_local_files(client: Client, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):
        (src / f"a{i}.txt").write_text(f"Item {i}. {STORY * (i + 1)}", encoding="utf-8")
    (src / "b.html").write_text(f"<html><body><p>{FRENCH * 3}</p></body></html>",
                                encoding="utf-8")
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "c.jsonl").write_text(
        "\n".join(json.dumps({"text": f"Line {i}. {STORY}"}) for i in range(5)) + "\n{oops\n",
        encoding="utf-8")
    local = default_pipeline(fetched_at=FETCHED)
    arts, rejs = tmp_path / "local.jsonl", tmp_path / "local-rejects.jsonl"
    with JsonlWriter(arts) as out, JsonlWriter(rejs) as bad:
        for result in local.run(read([src])):
            (bad if isinstance(result, Reject) else out).write(result)

    counts = cd.clean_job([src], tmp_path / "dask.jsonl", tmp_path / "dask-rejects.jsonl",
                          address=client, pipeline=default_pipeline(fetched_at=FETCHED),
                          batch_size=2)
    assert (tmp_path / "dask.jsonl").read_bytes() == arts.read_bytes()
    assert (tmp_path / "dask-rejects.jsonl").read_bytes() == rejs.read_bytes()
    assert counts == {"articles": 14, "rejected": 2}

    bag = cd.read_bag([src], files_per_partition=3)
    assert bag.npartitions == 4
    got = cd.map_bag(bag, default_pipeline(fetched_at=FETCHED)).compute()
    assert _lines(got) == _lines(local.run(read([src])))


def crash_on_marker(article: Article) -> Article:
    if "KILL" in article.text:
        import os

        os._exit(1)
    return article


def _set_allowed_failures(dask_scheduler: object, n: int) -> int:
    old = dask_scheduler.allowed_failures  # type: ignore[attr-defined]
    dask_scheduler.allowed_failures = n  # type: ignore[attr-defined]
    return int(old)


def test_a_batch_that_kills_workers_becomes_rejects(client: Client) -> None:
    records = [RawRecord(source=f"k{i}", text="KILL" if i == 4 else f"ok {i}") for i in range(8)]
    old = client.run_on_scheduler(_set_allowed_failures, n=0)  # fail on the first death
    try:
        got = list(cd.imap(Pipeline([crash_on_marker]), records, address=client, batch_size=2))
    finally:
        client.run_on_scheduler(_set_allowed_failures, n=old)
    kinds = [type(r).__name__ for r in got]
    assert kinds == ["Article"] * 4 + ["Reject"] + ["Article"] * 3  # batch retried one by one
    assert got[4].stage == "dask" and "KilledWorker" in got[4].reason
    assert "failed 3 times" in got[4].reason
    client.wait_for_workers(2, timeout=30)


def test_map_dataframe_matches_local_run(client: Client) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from cleanfeed.readers.jsonl import record_from_mapping

    rows = [{"text": f"Item {i}. {STORY * (1 + i % 2)}", "url": f"https://e.org/{i}",
             "published": "2025-11-02", "views": i} for i in range(7)]
    rows[3] = {"text": None, "url": "https://e.org/3", "published": None, "views": 3}
    rows[5]["text"] = FRENCH * 2
    frame = dd.from_pandas(pd.DataFrame(rows), npartitions=3)
    got = cd.map_dataframe(frame, default_pipeline(fetched_at=FETCHED)).compute()

    local = default_pipeline(fetched_at=FETCHED)
    sizes = [len(frame.partitions[i].compute()) for i in range(frame.npartitions)]
    sources = [f"<dask>:{p}:{i}" for p, n in enumerate(sizes) for i in range(n)]
    expected = list(local.run(
        record_from_mapping({k: v for k, v in row.items() if v is not None}, src)
        for row, src in zip(rows, sources, strict=True)))
    assert list(got.index) == list(range(7))
    assert got["rejected"].tolist() == [isinstance(e, Reject) for e in expected]
    for (_, row), want in zip(got.iterrows(), expected, strict=True):
        assert {k: row[k] for k in want.to_dict()} == want.to_dict()
    assert got.loc[5, "language"] == "fr" and got.loc[0, "extra"] == {"views": 0}
    assert json.dumps(got.loc[0, "extra"]) == '{"views": 0}'


def spin_on_marker(article: Article) -> Article:
    """A runaway pure-Python loop (module level, so Dask can send it to the workers)."""
    if "SPIN" in article.text:
        while True:
            pass
    return article


def test_time_limit_on_dask_rejects_the_runaway_record_and_goes_on(client: Client) -> None:
    records = [RawRecord(source=f"s{i}", text="SPIN" if i in (2, 9) else f"fine {i}")
               for i in range(12)]
    pipeline = Pipeline([spin_on_marker])
    got = list(cd.imap(pipeline, records, address=client, batch_size=4, time_limit=0.5))
    assert [r.source for r in got] == [r.source for r in records]
    assert [i for i, r in enumerate(got) if isinstance(r, Reject)] == [2, 9]
    assert all(r.reason == "spin_on_marker failed: TimeLimitExceeded: record took over 0.5 s"
               for r in got if isinstance(r, Reject))
    assert pipeline.stats["timeouts"] == 2 and pipeline.stats["articles"] == 10
    bag = cd.map_bag(db.from_sequence(records, npartitions=3), pipeline, time_limit=0.5)
    assert [isinstance(r, Reject) for r in bag.compute()] == [i in (2, 9) for i in range(12)]


def test_cli_time_limit_on_dask(client: Client, tmp_path: Path) -> None:
    """Every record ends as an article or a reject; over the limit, with the reason."""
    from cleanfeed.cli import main

    samples = Path(__file__).resolve().parents[1] / "samples"
    args = ["clean", str(samples), "--dask", client.scheduler.address, "-q", "--dedup", "off",
            "--fetched-at", FETCHED]
    runs: dict[str, tuple[list[str], list[dict[str, object]]]] = {}
    for limit in ([], ["--time-limit", "60"], ["--time-limit", "0.001"]):
        out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
        assert main([*args, "-o", str(out), "--rejects", str(rej), *limit]) == 0
        lines = rej.read_text(encoding="utf-8").splitlines()
        runs[" ".join(limit)] = (out.read_text(encoding="utf-8").splitlines(),
                                 [json.loads(line) for line in lines])
    articles, rejects = runs[""]
    assert len(articles) >= 5
    assert runs["--time-limit 60"] == runs[""]  # a generous limit changes nothing
    # a limit no real record can meet: every article becomes a reject, no record is lost
    over_articles, over_rejects = runs["--time-limit 0.001"]
    assert not over_articles and len(over_rejects) == len(articles) + len(rejects)
    timed_out = [r for r in over_rejects if "record took over 0.001 s" in str(r["reason"])]
    assert len(timed_out) >= len(articles)
