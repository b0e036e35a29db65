"""Duplicate detection: the seeds, re-scrapes, exact copies, short texts, persistence, crashes."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import cleanfeed
from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.cli import main
from cleanfeed.dedup import (
    Deduplicator,
    DedupParams,
    IndexMismatchError,
    as_reject,
    fingerprint,
    normalise,
)
from tests.conftest import SAMPLES, SEED_000, SEED_004

OTHER_TAIL = """Read More
- Ten things to know about the weather this weekend
- Local team wins the cup after a dramatic penalty shootout
- How to save money on groceries, according to experts
- The best budget phones you can buy right now
2025-02-01 08:30"""


def _clean(text: str, source: str, title: str | None = None) -> Article:
    result = cleanfeed.clean(RawRecord(source=source, text=text, title=title))
    assert isinstance(result, Article)
    return result


def _rescrape_000() -> str:
    """Seed 000 as another scrape of the same page: other "Read More" links, other stamp."""
    raw = SEED_000.read_text(encoding="utf-8")
    return raw[: raw.index("Read More")] + OTHER_TAIL


def _words(rng: random.Random, n: int) -> list[str]:
    vocab = [f"w{i}" for i in range(5000)]
    return [rng.choice(vocab) for _ in range(n)]


def _art(id: str, text: str, **kw: object) -> Article:
    return Article(id=id, source=f"{id}.txt", text=text, **kw)  # type: ignore[arg-type]


def _marks(results: list[Article | Reject]) -> list[tuple[str | None, str | None]]:
    return [(r.id, r.duplicate_of) for r in results]


# --- the seeds ---------------------------------------------------------------------------


def test_two_write_ups_of_one_event_are_kept_apart() -> None:
    a = _clean(SEED_000.read_text(encoding="utf-8"), "000.txt")
    b = _clean(SEED_004.read_text(encoding="utf-8"), "004.txt")
    for threshold in (0.5, 0.7):
        out = list(Deduplicator(threshold=threshold)([a, b]))
        assert [r.duplicate_of for r in out] == [None, None]


def test_rescrape_with_other_tail_and_title_is_merged_after_cleaning() -> None:
    first = _clean(SEED_000.read_text(encoding="utf-8"), "site-a/000.txt", title="DeepSeek")
    again = _clean(_rescrape_000(), "site-b/000.txt", title="DeepSeek challenges OpenAI")
    assert first.id != again.id
    out = list(Deduplicator()([first, again]))
    assert out[0].duplicate_of is None
    assert out[1].duplicate_of == first.id
    assert out[1].similarity is not None and out[1].similarity >= 0.9


def test_rescrape_is_merged_even_uncleaned() -> None:
    """Without cleaning the tails differ, yet the copy is still found (similarity ~0.8)."""
    raw = SEED_000.read_text(encoding="utf-8")
    out = list(Deduplicator()([_art("a", raw), _art("b", _rescrape_000())]))
    assert _marks(out) == [("a", None), ("b", "a")]
    assert 0.7 <= out[1].similarity < 1.0  # type: ignore[operator]


# --- exact, short, chaining, canonical rule ------------------------------------------------


def test_exact_duplicate_ignores_case_quotes_and_spacing() -> None:
    text = SEED_004.read_text(encoding="utf-8")
    variant = text.replace("’", "'").replace("\n\n", "\n").upper().replace(" ", "  ")
    out = list(Deduplicator(mode="exact")([_art("a", text), _art("b", variant)]))
    assert _marks(out) == [("a", None), ("b", "a")]
    assert out[1].similarity == 1.0


def test_exact_mode_does_not_merge_near_copies() -> None:
    raw = SEED_000.read_text(encoding="utf-8")
    arts = [_art("a", raw), _art("b", _rescrape_000())]
    assert _marks(list(Deduplicator(mode="exact")(arts))) == [("a", None), ("b", None)]
    assert list(Deduplicator(mode="off")(arts)) == arts


def test_short_texts_fall_back_to_exact_hashing() -> None:
    short = "Council approves the new bridge budget."
    out = list(Deduplicator()([
        _art("a", short),
        _art("b", "COUNCIL approves the new bridge budget!"),  # same words: duplicate
        _art("c", "Council approves the old bridge budget."),  # one word differs: not
    ]))
    assert _marks(out) == [("a", None), ("b", "a"), ("c", None)]
    assert fingerprint([short], DedupParams()).has_sig.tolist() == [False]


def test_no_transitive_chaining() -> None:
    """A~B and B~C, but C is not like A: C must not join A's cluster through B."""
    words = _words(random.Random(7), 500)
    a, b, c = (" ".join(words[s:s + 400]) for s in (0, 44, 88))  # J(a,b)=J(b,c)~0.8, J(a,c)~0.64
    out = list(Deduplicator(threshold=0.7)([_art("a", a), _art("b", b), _art("c", c)]))
    assert _marks(out) == [("a", None), ("b", "a"), ("c", None)]


def test_canonical_is_earliest_published_then_longest_then_smallest_id() -> None:
    words = _words(random.Random(3), 300)
    text = " ".join(words)
    longer = text + " and one more closing sentence of the story"
    arts = [
        _art("z", longer),
        _art("y", text, published="2025-01-02T10:00:00+02:00"),  # 08:00 UTC: earliest
        _art("x", text, published="2025-01-02T09:00:00+00:00"),
    ]
    assert _marks(list(Deduplicator()(arts))) == [("z", "y"), ("y", None), ("x", "y")]
    undated = [_art("b", text), _art("c", longer), _art("a", text)]
    assert _marks(list(Deduplicator()(undated))) == [("b", "c"), ("c", None), ("a", "c")]
    tie = [_art("b", text), _art("a", text)]
    assert _marks(list(Deduplicator()(tie))) == [("b", "a"), ("a", None)]
    wider = [_art("a", text), _art("b", text.replace(" ", "   ") + " !!")]  # same words
    assert _marks(list(Deduplicator()(wider))) == [("a", None), ("b", "a")]


def test_order_preserved_and_rejects_pass_through() -> None:
    text = SEED_004.read_text(encoding="utf-8")
    rej = Reject(source="bad.txt", reason="no readable text", stage="require_text")
    records: list[Article | Reject] = [_art("a", text), rej, _art("b", text), _art("c", "")]
    out = list(Deduplicator(batch_size=1)(records))
    assert out[1] is rej and out[3] == records[3]
    assert _marks([out[0], out[2]]) == [("a", None), ("b", "a")]
    dup = as_reject(out[2])  # type: ignore[arg-type]
    assert isinstance(dup, Reject)
    assert (dup.reason, dup.stage, dup.duplicate_of, dup.similarity) == ("duplicate", "dedup",
                                                                         "a", 1.0)


def test_determinism_across_input_order_and_processes() -> None:
    rng = random.Random(11)
    base = [_words(rng, 200) for _ in range(6)]
    arts = []
    for i, ws in enumerate(base):
        arts.append(_art(f"o{i}", " ".join(ws)))
        edited = list(ws)
        edited[rng.randrange(200)] = "changed"
        arts.append(_art(f"v{i}", " ".join(edited[:190])))
    out = {r.id: r.duplicate_of for r in Deduplicator()(arts)}
    shuffled = list(arts)
    random.Random(5).shuffle(shuffled)
    assert {r.id: r.duplicate_of for r in Deduplicator()(shuffled)} == out
    assert all(out[f"v{i}"] == f"o{i}" for i in range(6))
    # Fingerprints do not depend on the process (no use of Python's salted hash()).
    code = ("import sys, json; sys.path.insert(0, 'src');"
            "from cleanfeed.dedup import fingerprint, DedupParams;"
            "f = fingerprint([open(sys.argv[1], encoding='utf-8').read()], DedupParams());"
            "print(json.dumps([int(f.exact[0]), f.sig[0].tolist()]))")
    root = Path(__file__).resolve().parents[1]
    runs = {subprocess.run([sys.executable, "-c", code, str(SEED_000)], cwd=root, check=True,
                           capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(runs) == 1
    here = fingerprint([SEED_000.read_text(encoding="utf-8")], DedupParams())
    assert json.loads(runs.pop()) == [int(here.exact[0]), here.sig[0].tolist()]


def test_reference_normaliser_matches_vectorised_tokeniser() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    texts.append("naïve café — “quoted” «guillemets» 3.5% ÄÖÜ straße 東京「駅」 x_y\u00a0z")
    fp = fingerprint(texts, DedupParams())
    assert fp.tokens.tolist() == [len(normalise(t).split()) for t in texts]
    assert normalise(texts[-1]) == "naïve café quoted guillemets 3 5 äöü straße 東京 駅 x y z"


@pytest.mark.parametrize("block", [1 << 13, 3])
def test_byte_lower_casing_equals_str_lower(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The vectorised lower-casing gives exactly ``str.lower``'s UTF-8, whatever the script:
    same-length capitals rewritten in place, the rest (Σ in context, İ, Kelvin sign ẞ ...)
    through ``str.lower`` spliced in, and everything else untouched."""
    from cleanfeed.dedup import fingerprints
    from cleanfeed.dedup.fingerprints import _encode_lower, _prepare

    monkeypatch.setattr(fingerprints, "_LEAD_BLOCK", block)  # 3: characters in many passes
    rng = random.Random(3)
    alphabet = ("abcXYZ 09.,’“”—\u00a0ÄÖÜÉèßẞİıΣσςΟΔΟΣ Москва ÆØÅ ǅǈ Ⅻ ⓐⒶ 𐐀𐐨 東京 😀 "
                "\u212a\u2126\u1e9e\u0130\u03a3\ud800 ＡＢｃ Ꭰꭰ ႠⴀᲐ Ꙁꙁ")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(300)]
    texts += ["ΟΔΟΣ ΣΟΦΙΑΣ.", "plain ascii ONLY", "", "ÉCOLE", "İstanbul K"]
    buffer, lengths = _encode_lower(texts)
    expected = b"".join(_prepare(t) + b" " for t in texts)
    assert buffer[: len(expected)].tobytes() == expected
    assert lengths.tolist() == [len(_prepare(t)) + 1 for t in texts]
    assert buffer.size % 8 == 0 and buffer.size >= len(expected) + 7
    assert not buffer[len(expected):].any() or set(buffer[len(expected):].tolist()) == {32}


def test_sketch_matches_fingerprint_and_chunking_changes_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from cleanfeed.dedup import band_keys, fingerprints
    from cleanfeed.dedup.fingerprints import verification_sig

    rng = random.Random(5)
    texts = [" ".join(_words(rng, rng.randint(0, 400))) for _ in range(40)]
    p = DedupParams()
    whole = fingerprint(texts, p)
    monkeypatch.setattr(fingerprints, "_CHUNK_BYTES", 600)  # a few texts per chunk
    sk = fingerprints.sketch(texts, p)
    monkeypatch.setattr(fingerprints, "_CHUNK_BYTES", 1 << 20)
    monkeypatch.setattr(fingerprints, "_CHUNK_TEXTS", 3)  # chunks cut by the text count
    monkeypatch.setattr(fingerprints, "_DENSE_ROWS", 2)  # densified two rows at a time
    by_count = fingerprints.sketch(texts, p)
    assert (by_count.vsig == sk.vsig).all() and (by_count.keys == sk.keys).all()
    assert (by_count.exact == sk.exact).all()
    assert (sk.exact == whole.exact).all() and (sk.tokens == whole.tokens).all()
    assert (sk.vsig == verification_sig(whole.sig)).all()
    assert (sk.keys == band_keys(whole.sig, p)).all()
    assert all((a is None and b is None) or (a == b).all()  # type: ignore[union-attr]
               for a, b in zip(sk.small, whole.small, strict=True))


# --- persistence -------------------------------------------------------------------------


def test_persistent_index_across_two_runs(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite"
    first = _clean(SEED_000.read_text(encoding="utf-8"), "a/000.txt")
    other = _clean(SEED_004.read_text(encoding="utf-8"), "004.txt")
    with Deduplicator(index=path) as dedup:
        assert _marks(list(dedup([first, other]))) == [(first.id, None), (other.id, None)]
    again = _clean(_rescrape_000(), "b/000.txt", title="Another headline")
    with Deduplicator(index=path) as dedup:
        out = list(dedup([again, first]))
    assert out[0].duplicate_of == first.id  # found against the earlier run
    assert out[1].duplicate_of is None  # the same record delivered again is not its own copy
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT sum(n) FROM batch").fetchone() == (2,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_index_file_page_size_new_and_existing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A new index file gets large pages (its rows are big blobs); a file made with SQLite's
    default 4 KiB pages keeps them and is read and extended as before."""
    from cleanfeed.dedup import index

    rng = random.Random(8)
    texts = [" ".join(_words(rng, 120)) for _ in range(6)]
    with Deduplicator(index=tmp_path / "new.sqlite", batch_size=2) as dedup:
        list(dedup([_art(f"d{i}", t) for i, t in enumerate(texts[:3])]))
    with sqlite3.connect(tmp_path / "new.sqlite") as db:
        assert db.execute("PRAGMA page_size").fetchone() == (1 << 16,)
    old = tmp_path / "old.sqlite"
    monkeypatch.setattr(index, "_PAGE_SIZE", 4096)
    with Deduplicator(index=old, batch_size=2) as dedup:
        list(dedup([_art(f"d{i}", t) for i, t in enumerate(texts[:3])]))
    monkeypatch.undo()
    with Deduplicator(index=old, batch_size=2) as dedup:
        out = list(dedup([_art("n1", texts[1]), _art("d5", texts[5]), _art("n4", texts[4])]))
    assert _marks(out) == [("n1", "d1"), ("d5", None), ("n4", None)]
    with Deduplicator(index=old) as dedup:
        assert len(dedup.index) == 5
        assert _marks(list(dedup([_art("m5", texts[5])]))) == [("m5", "d5")]
    with sqlite3.connect(old) as db:
        assert db.execute("PRAGMA page_size").fetchone() == (4096,)


def test_parameter_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite"
    Deduplicator(index=path).close()
    with pytest.raises(IndexMismatchError, match="shingle_size: index has 5, asked for 4"):
        Deduplicator(index=path, params=DedupParams(shingle_size=4, min_tokens=15))


def test_exception_mid_run_keeps_committed_batches(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite"
    rng = random.Random(2)
    texts = [" ".join(_words(rng, 100)) for _ in range(5)]

    def stream():  # type: ignore[no-untyped-def]
        for i, t in enumerate(texts):
            yield _art(f"d{i}", t)
        raise RuntimeError("reader failed")

    dedup = Deduplicator(index=path, batch_size=2)
    seen = []
    with pytest.raises(RuntimeError):
        for r in dedup(stream()):
            seen.append(r.id)
    dedup.close()
    assert seen == ["d0", "d1", "d2", "d3"]  # the fifth was in the batch in flight
    with Deduplicator(index=path) as again:
        assert len(again.index) == 4
        out = list(again([_art("n4", texts[4]), _art("n1", texts[1])]))
    assert _marks(out) == [("n4", None), ("n1", "d1")]


def _format3_index(path: Path, arts: list[Article], p: DedupParams) -> None:
    """An index as cleanfeed wrote it before format 4: one row per canonical."""
    from cleanfeed.dedup import band_keys
    from cleanfeed.dedup.fingerprints import verification_sig

    fp = fingerprint([a.text for a in arts], p)
    keys, vsig = band_keys(fp.sig, p), verification_sig(fp.sig)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [(k, json.dumps(v)) for k, v in {"format": 3, **p.as_dict()}.items()])
        db.execute("CREATE TABLE canonical (row INTEGER PRIMARY KEY, id TEXT NOT NULL, "
                   "exact INTEGER NOT NULL, sig BLOB NOT NULL, bands BLOB, shingles BLOB)")
        db.executemany(
            "INSERT INTO canonical (id, exact, sig, bands, shingles) VALUES (?, ?, ?, ?, ?)",
            [(a.id, int(fp.exact[i:i + 1].view(np.int64)[0]), vsig[i].tobytes(),
              keys[i].astype("<u8").tobytes() if fp.has_sig[i] else None,
              None if fp.small[i] is None else fp.small[i].astype("<u4").tobytes())  # type: ignore[union-attr]
             for i, a in enumerate(arts)])


def test_format3_index_is_migrated_and_still_finds_its_canonicals(tmp_path: Path) -> None:
    rng = random.Random(8)
    texts = [" ".join(_words(rng, n)) for n in (300, 120, 40, 8)]  # long, small, tiny
    path = tmp_path / "old.sqlite"
    _format3_index(path, [_art(f"o{i}", t) for i, t in enumerate(texts)], DedupParams())
    with Deduplicator(index=path) as dedup:
        assert dedup.index.ids == ["o0", "o1", "o2", "o3"]
        out = list(dedup([_art(f"n{i}", t.upper()) for i, t in enumerate(texts)]
                         + [_art("v0", texts[0].rsplit(" ", 3)[0])]))
    assert _marks(out) == [("n0", "o0"), ("n1", "o1"), ("n2", "o2"), ("n3", "o3"), ("v0", "o0")]
    assert out[-1].similarity is not None and out[-1].similarity < 1.0  # found by LSH bands
    with sqlite3.connect(path) as db:
        assert json.loads(db.execute("SELECT value FROM meta WHERE key = 'format'")
                          .fetchone()[0]) == 4
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "canonical" not in tables


def test_unknown_index_format_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite"
    Deduplicator(index=path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'format'")
    with pytest.raises(IndexMismatchError, match="layout format 99"):
        Deduplicator(index=path)


def test_two_writers_on_one_index_lose_nothing(tmp_path: Path) -> None:
    """Batches from two open indexes interleave; a later open sees both, rows consistent."""
    rng = random.Random(6)
    texts = [" ".join(_words(rng, 80)) for _ in range(24)]
    path = tmp_path / "seen.sqlite"
    a, b = Deduplicator(index=path, batch_size=2), Deduplicator(index=path, batch_size=2)
    list(a([_art(f"a{i}", texts[i]) for i in range(12)]))
    list(b([_art(f"b{i}", texts[12 + i]) for i in range(12)]))
    list(a([_art(f"a{i}", texts[i]) for i in range(12, 16)]))  # a has not seen b's batches
    a.close()
    b.close()
    with Deduplicator(index=path) as again:
        assert len(again.index) == 28
        out = list(again([_art(f"x{i}", t) for i, t in enumerate(texts)]))
    marks = dict(_marks(out))
    assert all(marks[f"x{i}"] == f"a{i}" for i in range(12))
    assert all(marks[f"x{i}"] == f"b{i - 12}" for i in range(12, 24))  # b's rows are older


_WRITER = """
import random, sys, time
sys.path.insert(0, "src")
from cleanfeed.article import Article
from cleanfeed.dedup import Deduplicator
rng = random.Random(1)
vocab = [f"w{i}" for i in range(5000)]
def docs():
    i = 0
    while True:
        yield Article(id=f"d{i}", source="x", text=" ".join(rng.choice(vocab) for _ in range(60)))
        i += 1
for _ in Deduplicator(index=sys.argv[1], batch_size=50)(docs()):
    pass
"""


def test_killed_process_leaves_a_usable_index(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite"
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], cwd=root)
    try:
        deadline = time.monotonic() + 30
        count = 0
        while count < 500 and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                with sqlite3.connect(path, timeout=1) as db:
                    count = db.execute("SELECT coalesce(sum(n), 0) FROM batch").fetchone()[0]
            except sqlite3.OperationalError:
                pass  # not created yet
        assert count >= 500
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        batches = db.execute("SELECT row0, n FROM batch ORDER BY seq").fetchall()
        segment_keys = db.execute("SELECT sum(n) FROM segment").fetchone()[0]
    total = sum(n for _, n in batches)
    assert all(n == 50 for _, n in batches)  # whole batches only
    assert [r for r, _ in batches] == list(range(0, total, 50))  # no gaps
    assert segment_keys == total * DedupParams().bands  # every band key of every batch
    with Deduplicator(index=path) as dedup:
        assert len(dedup.index) == total
        first_batch = set(dedup.index.ids[:50])
    assert first_batch == {f"d{i}" for i in range(50)}


# --- command line ------------------------------------------------------------------------


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cli_dedup_flags(tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    first = {"id": "one", "url": "https://a.example/1", "title": "DeepSeek",
             "text": SEED_000.read_text(encoding="utf-8")}
    copy = {"id": "two", "url": "https://b.example/2", "title": "DeepSeek, again",
            "text": _rescrape_000()}
    other = {"id": "three", "text": SEED_004.read_text(encoding="utf-8")}
    records.write_text("".join(json.dumps(r) + "\n" for r in (first, copy, other)),
                       encoding="utf-8")
    out, rej, index = tmp_path / "out.jsonl", tmp_path / "rej.jsonl", tmp_path / "ix.sqlite"
    assert main(["clean", str(records), "-o", str(out), "--rejects", str(rej), "-q",
                 "--index", str(index)]) == 0
    assert [a["id"] for a in _jsonl(out)] == ["one", "three"]
    [dup] = _jsonl(rej)
    assert (dup["id"], dup["reason"], dup["stage"], dup["duplicate_of"]) == (
        "two", "duplicate", "dedup", "one")
    kept = tmp_path / "kept.jsonl"
    assert main(["clean", str(records), "-o", str(kept), "-q", "--keep-duplicates"]) == 0
    assert [(a["id"], a["duplicate_of"]) for a in _jsonl(kept)] == [
        ("one", None), ("two", "one"), ("three", None)]
    off = tmp_path / "off.jsonl"
    assert main(["clean", str(records), "-o", str(off), "-q", "--dedup", "off"]) == 0
    assert len(_jsonl(off)) == 3


def test_cli_index_mismatch_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                             ) -> None:
    index = tmp_path / "ix.sqlite"
    Deduplicator(index=index, params=DedupParams(num_bins=128, bands=20)).close()
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(SEED_000), "-o", str(tmp_path / "o.jsonl"), "--index", str(index)])
    assert exc.value.code == 2
    assert "num_bins: index has 128, asked for 512" in capsys.readouterr().err


def test_similarity_estimate_tracks_true_jaccard() -> None:
    """The signature's estimate is within a few standard errors of the exact Jaccard."""
    rng = random.Random(9)
    words = _words(rng, 1400)
    p = DedupParams()
    for shift in (50, 150, 300, 600):
        a, b = " ".join(words[:800]), " ".join(words[shift:shift + 800])
        fp = fingerprint([a, b], p)
        sa = {tuple(words[i:i + 5]) for i in range(796)}
        sb = {tuple(words[shift + i:shift + i + 5]) for i in range(796)}
        true = len(sa & sb) / len(sa | sb)
        est = float(np.mean(fp.sig[0] == fp.sig[1]))
        assert abs(est - true) < 4 * (true * (1 - true) / p.num_bins) ** 0.5 + 0.01


def test_incremental_runs_give_the_one_shot_result(tmp_path: Path) -> None:
    rng = random.Random(4)
    arts = []
    for i in range(60):
        ws = _words(rng, rng.randint(20, 300))
        arts.append(_art(f"o{i:03d}", " ".join(ws)))
        for j in range(rng.randint(0, 3)):
            edited = list(ws)
            for _ in range(rng.randint(0, 4)):
                edited[rng.randrange(len(edited))] = "edit"
            arts.append(_art(f"v{i:03d}{j}", " ".join(edited[: len(edited) - rng.randint(0, 9)])))
    random.Random(1).shuffle(arts)
    one_shot = _marks(list(Deduplicator(batch_size=20)(arts)))
    assert sum(d is not None for _, d in one_shot) > 30
    path = tmp_path / "seen.sqlite"
    incremental: list[tuple[str | None, str | None]] = []
    for start in range(0, len(arts), 60):  # each run a new process's worth of state
        with Deduplicator(batch_size=20, index=path) as dedup:
            incremental += _marks(list(dedup(arts[start:start + 60])))
    assert incremental == one_shot


def test_cli_index_needs_dedup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(SEED_000), "-o", str(tmp_path / "o.jsonl"), "--dedup", "off",
              "--index", str(tmp_path / "ix.sqlite")])
    assert exc.value.code == 2
    assert "--index needs --dedup" in capsys.readouterr().err


def test_borderline_pairs_in_a_batch_get_the_exact_jaccard() -> None:
    words = _words(random.Random(12), 700)
    a, b = words[:600], words[60:660]  # 5-gram Jaccard = 536 / 656 ~ 0.82; near 0.8 threshold
    sa = {tuple(a[i:i + 5]) for i in range(596)}
    sb = {tuple(b[i:i + 5]) for i in range(596)}
    true = len(sa & sb) / len(sa | sb)
    out = list(Deduplicator(threshold=0.8)([_art("a", " ".join(a)), _art("b", " ".join(b))]))
    assert out[1].duplicate_of == "a"
    assert out[1].similarity == round(true, 4)
    below = list(Deduplicator(threshold=round(true, 4) + 0.0001)(
        [_art("a", " ".join(a)), _art("b", " ".join(b))]))
    assert below[1].duplicate_of is None


def test_docs_python_example_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "dedup.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```python\n(.*?)```", doc, re.DOTALL)
    exec(compile(block, "docs/dedup.md", "exec"), {})
    expected = [line[2:] for line in block.splitlines() if line.startswith("# ")]
    assert capsys.readouterr().out.splitlines() == expected


def test_cli_strict_does_not_fail_on_duplicates(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(SEED_004.read_text(encoding="utf-8"), encoding="utf-8")
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    assert main(["clean", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(out),
                 "--rejects", str(rej), "--strict"]) == 0
    assert [r["reason"] for r in _jsonl(rej)] == ["duplicate"]
    assert "1 of the rejects are duplicates" in capsys.readouterr().err


@pytest.mark.parametrize("cap", [1 << 19, 700])
def test_key_segments_merge_and_look_up_like_a_multimap(cap: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Many adds (so many LSM merges, duplicate keys across and inside segments, segments
    capped in size or not): every lookup returns exactly the (query, value) pairs a plain dict
    of lists gives."""
    from cleanfeed.dedup import index
    from cleanfeed.dedup.index import SortedMultiMap

    monkeypatch.setattr(index, "SEGMENT_MAX_KEYS", cap)

    rng = np.random.default_rng(4)
    smm, truth = SortedMultiMap(), {}  # type: ignore[var-annotated]
    value = 0
    for size in rng.integers(0, 300, 40).tolist():
        keys = rng.integers(0, 500, size).astype(np.uint64)
        values = np.arange(value, value + size, dtype=np.int32)
        value += size
        smm.add(keys, values)
        for k, v in zip(keys.tolist(), values.tolist(), strict=True):
            truth.setdefault(k, []).append(v)
    assert len(smm) == value
    if cap > value:
        assert len(smm.segments) < 12  # merged, logarithmically many
    else:
        assert all(k.size <= cap for k, _ in smm.segments if k.size > 300)
        assert len(smm.segments) > value // cap
    queries = rng.integers(0, 600, 200).astype(np.uint64)
    q, v = smm.lookup(queries)
    got = sorted(zip(q.tolist(), v.tolist(), strict=True))
    want = sorted((i, x) for i, k in enumerate(queries.tolist()) for x in truth.get(k, []))
    assert got == want


def test_in_place_segment_merge_equals_the_copying_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    """merge_into (older entries moved back in blocks inside a memory map, then the newer
    ones dropped into the gaps) gives exactly merge_segments' arrays, ties included."""
    from cleanfeed.dedup import index
    from cleanfeed.dedup.index import _reserve, merge_into, merge_segments, sort_segment

    monkeypatch.setattr(index, "_MOVE_BLOCK", 7)  # many blocks
    rng = np.random.default_rng(8)
    for na, nb in [(0, 5), (5, 0), (1, 1), (40, 3), (3, 40), (200, 170), (64, 64)]:
        a = sort_segment(rng.integers(0, 60, na).astype(np.uint64),
                         np.arange(na, dtype=np.int32))
        b = sort_segment(rng.integers(0, 60, nb).astype(np.uint64),
                         np.arange(1000, 1000 + nb, dtype=np.int32))
        room = _reserve(na + nb + 9)
        room[0][:na], room[1][:na] = a
        got = merge_into(room, na, b)
        want = merge_segments(a, b)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


def test_signature_blocks_read_like_one_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleanfeed.dedup import index
    from cleanfeed.dedup.index import SigBlocks

    monkeypatch.setattr(index, "SIG_BLOCK_ROWS", 4)
    rng = np.random.default_rng(9)
    blocks, whole = SigBlocks(8), np.zeros((0, 8), dtype=np.uint8)
    for n in [3, 1, 0, 9, 4, 2, 30]:  # appends that start and end inside and across blocks
        rows = rng.integers(0, 256, (n, 8)).astype(np.uint8)
        blocks.append(rows)
        whole = np.concatenate([whole, rows])
    assert len(blocks) == whole.shape[0] == 49 and blocks.nbytes == whole.nbytes
    assert [b.shape[0] for b in blocks._blocks] == [4, 4, 8, 16, 32]  # doubling, never copied
    ask = rng.integers(0, 49, 80)
    assert (blocks[ask] == whole[ask]).all()


def test_bounded_working_set_changes_no_label(monkeypatch: pytest.MonkeyPatch) -> None:
    """Index lookups, in-batch pair search, border sets, signature blocks and segment
    merges in small pieces (the memory bounds) mark every article as in one piece."""
    from cleanfeed.dedup import deduplicator, index

    rng = random.Random(6)
    arts = []
    for i in range(80):  # long texts (no exact small sets), edited to either side of 0.7
        ws = _words(rng, rng.randint(20, 600))
        arts.append(_art(f"o{i:03d}", " ".join(ws)))
        for j in range(rng.randint(0, 3)):
            edited = list(ws)
            for _ in range(rng.randint(0, len(ws) // 12)):
                edited[rng.randrange(len(edited))] = "edit"
            arts.append(_art(f"v{i:03d}{j}", " ".join(edited[: len(edited) - rng.randint(0, 30)])))
    random.Random(2).shuffle(arts)
    whole = _marks(list(Deduplicator(batch_size=50)(arts)))
    assert sum(d is not None for _, d in whole) > 25
    assert any(d is None for i, d in whole if i.startswith("v"))  # some copies too edited
    monkeypatch.setattr(deduplicator, "_QUERY_GROUP", 3)
    monkeypatch.setattr(deduplicator, "_BAND_GROUP", 3)
    monkeypatch.setattr(deduplicator, "_BORDER_TEXTS", 2)
    monkeypatch.setattr(index, "SIG_BLOCK_ROWS", 8)
    monkeypatch.setattr(index, "SEGMENT_MAX_KEYS", 2000)
    monkeypatch.setattr(index, "_MOVE_BLOCK", 50)
    assert _marks(list(Deduplicator(batch_size=50)(arts))) == whole


@pytest.mark.parametrize(("spread", "block"), [(64, 1 << 15), (64, 16), (20, 1 << 15), (20, 16),
                                               (3, 64)])
def test_key_filter_keeps_every_key_and_drops_most_absent_ones(
        spread: int, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup filter of a segment: every stored key passes (uniform 64-bit hashes as the
    index stores; keys below 2**spread, half of them moved to the top of the range; many
    equal keys; built a few keys at a time too, across the gap between two clusters),
    most uniform absent keys are dropped, and lookups through it equal a dict's."""
    from cleanfeed.dedup import index
    from cleanfeed.dedup.index import KeyFilter, SortedMultiMap

    monkeypatch.setattr(index, "_FILTER_BLOCK", block)
    rng = np.random.default_rng(spread)
    keys = np.sort(rng.integers(0, 1 << 63, 5000, dtype=np.uint64) * np.uint64(2)
                   >> np.uint64(64 - spread))
    if spread < 64:
        keys[::2] |= np.uint64(1 << 63)
        keys.sort()
    filt = KeyFilter(keys)
    assert filt.maybe(*KeyFilter.probe(keys)).size == keys.size
    absent = rng.integers(0, 1 << 63, 20000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    absent = absent[~np.isin(absent, keys)]
    if spread == 64:
        assert filt.maybe(*KeyFilter.probe(absent)).size / absent.size < 0.05
    smm = SortedMultiMap()
    smm.add(keys, np.arange(keys.size, dtype=np.int32))
    queries = np.concatenate([keys[::7], absent[:500]])
    q, v = smm.lookup(queries)
    want = {(i, j) for i, k in enumerate(queries.tolist())
            for j in np.flatnonzero(keys == np.uint64(k)).tolist()}
    assert set(zip(q.tolist(), v.tolist(), strict=True)) == want
    assert q.size == len(want)


def test_chunks_grow_with_the_memory_held_and_change_no_fingerprint() -> None:
    """Fingerprinting a batch in larger chunks (as a run does once its index is large) gives
    the same sketches; the chunk size follows the memory held, within its bounds."""
    from cleanfeed.dedup import fingerprints
    from cleanfeed.dedup.fingerprints import chunk_bytes_for

    assert chunk_bytes_for(0) == fingerprints._CHUNK_BYTES
    assert chunk_bytes_for(1 << 40) == fingerprints._MAX_CHUNK_BYTES
    sizes = [chunk_bytes_for(held) for held in range(0, 1 << 25, 1 << 20)]
    assert sizes == sorted(sizes) and len(set(sizes)) > 2
    rng = random.Random(9)
    texts = [" ".join(_words(rng, rng.randint(0, 2000))) for _ in range(300)]
    p = DedupParams()
    small, large = fingerprints.sketch(texts, p), fingerprints.sketch(texts, p, 1 << 19)
    assert (small.vsig == large.vsig).all() and (small.keys == large.keys).all()
    assert (small.exact == large.exact).all() and (small.tokens == large.tokens).all()
    assert all((a is None and b is None) or (a == b).all()  # type: ignore[union-attr]
               for a, b in zip(small.small, large.small, strict=True))
