"""Dedup on Dask (`dedup_bag`) gives exactly the local Deduplicator's marks, on a real cluster."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import dask
import dask.bag as db
from distributed import Client, LocalCluster

import cleanfeed
from cleanfeed import default_pipeline
from cleanfeed import distributed as cd
from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.cli import main
from cleanfeed.dedup import Deduplicator
from cleanfeed.distributed_dedup import dedup_bag
from tests.conftest import SEED_000, SEED_004

FETCHED = "2026-03-01T12:00:00+00:00"


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _vocab() -> list[str]:
    text = SEED_000.read_text(encoding="utf-8") + SEED_004.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"[A-Za-z]{3,}", text)))


class Syndication:
    """Stories and the copies other sites make of them (our own generated text)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = _vocab()
        self.sites = [(f"The {self.rng.choice(self.vocab).title()} Post | Home | World | Sport",
                       f"© 2025 Site {i}. Share this article: Facebook X Email")
                      for i in range(6)]

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(self.vocab) for _ in range(n))

    def story(self) -> list[str]:
        r = self.rng
        return [self.words(r.randint(6, 10)).capitalize()] + [
            self.words(r.randint(30, 70)) + "." for _ in range(r.randint(3, 8))]

    def variant(self, paras: list[str]) -> str:
        r = self.rng
        p = list(paras)
        if r.random() < 0.4:
            p[0] = self.words(8).capitalize()  # new headline
        if r.random() < 0.3 and len(p) > 3:
            del p[r.randrange(1, len(p))]  # a dropped paragraph
        if r.random() < 0.5:  # word edits
            words = "\n".join(p).split(" ")
            for _ in range(r.randint(1, max(1, len(words) // 40))):
                words[r.randrange(len(words))] = r.choice(self.vocab)
            p = " ".join(words).split("\n")
        if r.random() < 0.3:  # trimmed tail
            words = "\n".join(p).split(" ")
            p = " ".join(words[: int(len(words) * r.uniform(0.8, 0.97))]).split("\n")
        if r.random() < 0.6:  # site chrome
            head, foot = r.choice(self.sites)
            p = [head, *p, foot]
        text = "\n".join(p)
        if r.random() < 0.3:
            text = text.replace(". ", ".  ").replace("\n", "\n\n").upper()
        return text

    def corpus(self, n: int) -> list[Article | Reject]:
        r = self.rng
        out: list[Article | Reject] = []
        texts: list[str] = []
        while len(out) < n:
            x = r.random()
            if x < 0.08 and texts:
                text = r.choice(texts)  # an exact copy (of a canonical or of a copy)
            elif x < 0.13:
                text = self.words(r.randint(3, 12))  # short: exact hashing only
                if r.random() < 0.5:
                    texts.append(text)
            elif x < 0.15:
                text = " -- "  # no words at all
            elif x < 0.17:
                out.append(Reject(source=f"r{len(out)}", stage="read", reason="cannot decode"))
                continue
            else:
                paras = self.story()
                text = "\n".join(paras)
                for _ in range(r.choice([0, 0, 1, 1, 2, 4])):
                    texts.append(self.variant(paras))
            texts.append(text)
            day = r.randint(1, 4)  # few distinct dates: ties on the canonical key happen
            out.append(Article(id=f"a{len(out):04d}", source=f"s{len(out)}", text=text,
                               published=None if r.random() < 0.25 else f"2025-05-0{day}"))
            if texts and r.random() < 0.5:  # the copies arrive later, shuffled in
                copy = texts.pop(r.randrange(len(texts)))
                out.append(Article(id=f"a{len(out):04d}", source=f"s{len(out)}", text=copy,
                                   published=f"2025-05-0{r.randint(1, 4)}"))
        return out


def _marks(results: list[Article | Reject]) -> list[tuple[str, str | None, float | None]]:
    return [(r.id or "", r.duplicate_of, r.similarity) if isinstance(r, Article)
            else ("reject", None, None) for r in results]


def _local(records: list[Article | Reject], mode: str = "near", threshold: float = 0.7,
           batch_size: int = 1000) -> list[Article | Reject]:
    with Deduplicator(mode, threshold, batch_size=batch_size) as dedup:
        return list(dedup.run(records))


@pytest.mark.parametrize("batch_size", [1000, 23])
def test_syndicated_corpus_equals_local_run(client: Client, batch_size: int) -> None:
    records = Syndication(7).corpus(400)
    want = _local(records, batch_size=batch_size)
    got = dedup_bag(db.from_sequence(records, npartitions=5), batch_size=batch_size).compute()
    assert got == want  # same objects: every field, every duplicate_of and similarity
    dups = [a for a in want if isinstance(a, Article) and a.duplicate_of]
    assert len(dups) > 40
    assert any(a.similarity == 1.0 for a in dups) and any(a.similarity < 0.95 for a in dups)
    assert any(len(a.text.split()) < 15 for a in dups)  # short texts, matched exactly
    assert sum(isinstance(r, Reject) for r in got) > 0


def test_seeds_stay_apart_and_their_copies_join_them(client: Client) -> None:
    first = cleanfeed.clean(RawRecord(source="a/000.txt",
                                      text=SEED_000.read_text(encoding="utf-8")))
    other = cleanfeed.clean(RawRecord(source="b/004.txt",
                                      text=SEED_004.read_text(encoding="utf-8")))
    assert isinstance(first, Article) and isinstance(other, Article)
    words = first.text.split(" ")
    edited = " ".join(words[: int(len(words) * 0.9)])  # a trimmed re-scrape of seed 000
    records: list[Article | Reject] = [
        first, other, Article(id="copy-004", source="c/004.txt", text=other.text.upper()),
        Article(id="trim-000", source="d/000.txt", text=edited)]
    records += Syndication(3).corpus(40)
    want = _local(records)
    got = dedup_bag(db.from_sequence(records, npartitions=3)).compute()
    assert got == want
    by_id = {a.id: a for a in got if isinstance(a, Article)}
    assert by_id[first.id].duplicate_of is None and by_id[other.id].duplicate_of is None
    assert by_id["copy-004"].duplicate_of == other.id and by_id["copy-004"].similarity == 1.0
    assert by_id["trim-000"].duplicate_of == first.id
    assert 0.7 <= by_id["trim-000"].similarity < 1.0


def test_exact_mode_equals_local_run(client: Client) -> None:
    records = Syndication(11).corpus(300)
    want = _local(records, "exact", batch_size=50)
    got = dedup_bag(db.from_sequence(records, npartitions=4), "exact", batch_size=50).compute()
    assert got == want
    assert {a.similarity for a in got if isinstance(a, Article) and a.duplicate_of} == {1.0}


def test_map_bag_with_dedup_equals_local_pipeline_then_dedup(client: Client) -> None:
    s = Syndication(5)
    raws = [RawRecord(source=f"p{i}.txt", text=t if i % 9 else "\n")
            for i, t in enumerate(s.variant(s.story()) for _ in range(30))]
    raws += [RawRecord(source=f"c{i}.txt", text=raws[i].text) for i in range(1, 8)]
    local = default_pipeline(fetched_at=FETCHED)
    want = [r.to_dict() for r in _local(list(local.run(raws)))]
    got = cd.map_bag(db.from_sequence(raws, npartitions=4), default_pipeline(fetched_at=FETCHED),
                     as_dicts=True, dedup="near").compute()
    assert [{k: v for k, v in d.items() if k != "rejected"} for d in got] == want
    assert sum(1 for d in got if d.get("duplicate_of")) >= 7


def test_off_mode_and_bad_arguments() -> None:
    bag = db.from_sequence([Article(id="a", source="a", text="x")], npartitions=1)
    assert dedup_bag(bag, "off") is bag
    with pytest.raises(ValueError, match="mode"):
        dedup_bag(bag, "fuzzy")
    with pytest.raises(ValueError, match="threshold"):
        dedup_bag(bag, threshold=0.0)
    with pytest.raises(ValueError, match="batch_size"):
        dedup_bag(bag, batch_size=0)


def _random_case(seed: int) -> None:
    rng = random.Random(seed)
    records = Syndication(seed).corpus(rng.choice([10, 60, 200]))
    batch = rng.choice([1, 4, 17, 1000])
    threshold = rng.choice([0.5, 0.7, 0.9, 1.0])
    mode = rng.choice(["near", "near", "exact"])
    want = _local(records, mode, threshold, batch)
    with dask.config.set(scheduler="sync"):
        got = dedup_bag(db.from_sequence(records, npartitions=rng.randint(1, 6)),
                        mode, threshold, batch_size=batch,
                        buckets=rng.randint(1, 5)).compute()
    assert _marks(got) == _marks(want), (seed, batch, threshold, mode)
    assert got == want


@pytest.mark.parametrize("seed", range(6))
def test_random_corpora_partitions_and_batches_equal_local(seed: int) -> None:
    _random_case(seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6, 150))
def test_many_random_corpora_equal_local(seed: int) -> None:
    _random_case(seed)


@pytest.mark.parametrize("batch_size", [1, 1000])
@pytest.mark.parametrize("older", ["A", "B"])
def test_similarity_ties_go_to_the_older_canonical(batch_size: int, older: str) -> None:
    """Inside a batch "older" is the canonical order (date); across batches, the earlier batch."""
    words = [f"t{i}" for i in range(40)]
    x = " ".join(words)
    a = " ".join(words[:34] + [f"a{i}" for i in range(6)])  # 30 of 42 shingles with x
    b = " ".join([f"b{i}" for i in range(6)] + words[6:])  # the same, at the other end
    dates = {"A": "2025-01-01", "B": "2025-01-02"} if older == "A" else \
        {"A": "2025-01-02", "B": "2025-01-01"}
    records: list[Article | Reject] = [
        Article(id="B", source="b", text=b, published=dates["B"]),
        Article(id="A", source="a", text=a, published=dates["A"]),
        Article(id="X", source="x", text=x, published="2025-01-03")]
    want = _local(records, batch_size=batch_size)
    expected = older if batch_size > 1 else "B"  # B arrived first: indexed first
    assert [r.duplicate_of for r in want] == [None, None, expected]
    with dask.config.set(scheduler="sync"):
        got = dedup_bag(db.from_sequence(records, npartitions=2),
                        batch_size=batch_size).compute()
    assert got == want


def _story_pairs(src: Path, n: int, copy: Callable[[list[str]], str], s: Syndication) -> Path:
    """``n`` stories as files ``NN-a.txt``, each with its ``copy`` as ``NN-b.txt``."""
    src.mkdir()
    for i in range(n):
        story = s.story()
        (src / f"{i:02d}-a.txt").write_text("\n".join(story), encoding="utf-8")
        (src / f"{i:02d}-b.txt").write_text(copy(story), encoding="utf-8")
    return src


def test_cli_dask_dedup_and_index_match_the_local_run(client: Client, tmp_path: Path) -> None:
    """`clean --dask` keeps dedup as a stream on the client: same bytes as in-process,
    including a persistent --index across two runs."""
    s = Syndication(9)
    src = _story_pairs(tmp_path / "in", 8, s.variant, s)
    raw = SEED_000.read_text(encoding="utf-8")
    (src / "seed-000.txt").write_text(raw, encoding="utf-8")
    (src / "seed-004.txt").write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "seed-000-copy.txt").write_text(raw.replace("\n", "\n\n"), encoding="utf-8")

    def run(tag: str, *extra: str, inputs: Path = src) -> tuple[bytes, bytes]:
        out, rej = tmp_path / f"{tag}.jsonl", tmp_path / f"{tag}-rejects.jsonl"
        assert main(["clean", str(inputs), "-o", str(out), "--rejects", str(rej), "-q",
                     "--fetched-at", FETCHED, *extra]) == 0
        return out.read_bytes(), rej.read_bytes()

    local = run("local", "--workers", "1")
    assert run("dask", "--dask", client.scheduler.address) == local
    assert local[1].count(b'"reason":"duplicate"') >= 6

    first = tmp_path / "first"
    first.mkdir()
    for path in sorted(src.glob("0[0-5]-a.txt")):
        (first / path.name).write_bytes(path.read_bytes())
    run("l1", "--workers", "1", "--index", str(tmp_path / "local.sqlite"), inputs=first)
    run("d1", "--dask", client.scheduler.address, "--index", str(tmp_path / "dask.sqlite"),
        inputs=first)
    again_local = run("l2", "--workers", "1", "--index", str(tmp_path / "local.sqlite"))
    again_dask = run("d2", "--dask", client.scheduler.address, "--index",
                     str(tmp_path / "dask.sqlite"))
    assert again_dask == again_local
    assert again_local[0].count(b"\n") < local[0].count(b"\n")  # the index held back copies


def test_clean_job_dedups_on_the_client_like_the_cli(client: Client, tmp_path: Path) -> None:
    src = _story_pairs(tmp_path / "in", 5, lambda story: "\n".join(story).upper(),
                       Syndication(4))
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    assert main(["clean", str(src), "-o", str(out), "--rejects", str(rej), "-q", "--workers",
                 "1", "--fetched-at", FETCHED]) == 0
    counts = cd.clean_job([src], tmp_path / "job.jsonl", tmp_path / "job-rej.jsonl",
                          address=client, pipeline=default_pipeline(fetched_at=FETCHED),
                          dedup="near")
    assert counts == {"articles": 5, "rejected": 5, "duplicates": 5}
    assert (tmp_path / "job.jsonl").read_bytes() == out.read_bytes()
    assert (tmp_path / "job-rej.jsonl").read_bytes() == rej.read_bytes()
    with pytest.raises(ValueError, match="index needs"):
        cd.clean_job([src], tmp_path / "x.jsonl", index=tmp_path / "ix.sqlite", address=client)
