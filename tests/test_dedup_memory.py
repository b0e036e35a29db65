"""The memory-bounded dedup paths give exactly the results of the straightforward ones.

The working set of a batch was cut (issue #5: memory at 1,000 documents) by fingerprinting
in blocks, keeping a batch's sketches in memory maps handed to the index without a second
copy, and deciding from arrays instead of per-article Python objects. None of that may change
a fingerprint (they are persisted in SQLite indexes and compared across runs) or a label.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest

from cleanfeed.article import Article
from cleanfeed.dedup import Deduplicator, DedupParams, MemoryIndex, SqliteIndex, fingerprint
from cleanfeed.dedup.deduplicator import canonical_key, canonical_order
from cleanfeed.dedup.fingerprints import sketch
from cleanfeed.dedup.mapped import anon_array, compact_rows, release


def _corpus(seed: int) -> list[tuple[str, str, str | None]]:
    """(id, text, published): exact copies in other case and spacing, near copies, texts of
    0 to 900 words (empty, too short for shingles, small exact sets, long), non-ASCII words
    (same-length capitals, Σ and İ that need str.lower, CJK), long words, repeated ids,
    equal and unparseable dates: every tie the canonical rule has to break."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)] + [
        "naïve", "ΟΔΟΣ", "Σοφία", "İstanbul", "東京", "extraordinarily",
        "internationalisation-and-localisation", "Straße", "ǅ", "—", "’"]
    dates = [None, "2025-03-01T10:00:00Z", "2025-03-01T10:00:00+00:00", "2025-03-02",
             "not a date", "2025-02-28T23:00:00-01:00"]
    out: list[tuple[str, str, str | None]] = []
    bases: list[str] = []
    for _ in range(160):
        kind = rng.random()
        if kind < 0.15 and bases:  # exact copy, other case/spacing
            t = rng.choice(bases).upper().replace(" ", "  ")
        elif kind < 0.5 and bases:  # near copy
            ws = rng.choice(bases).split()
            for _ in range(rng.randint(0, len(ws) // 15)):
                ws[rng.randrange(len(ws))] = rng.choice(vocab)
            t = " ".join(ws[: len(ws) - rng.randint(0, 20)])
        else:
            n = rng.choice([0, 3, 12, 20, 40, 90, 300, 900])
            t = " ".join(rng.choice(vocab) for _ in range(n))
            bases.append(t)
        out.append((f"d{rng.randint(0, 60):03d}", t, rng.choice(dates)))  # ids repeat
    return out


#: Digests of the fingerprints and marks of ``_corpus(0..2)`` computed with the code before
#: the memory work (commit c4de89c), which did every step on whole arrays.
_FINGERPRINTS = "951b20df5f9070df698b036928c34ca9"
_MARKS = "9ddc728e3550ad0e7338ca8af00e8b3a"


def _digests(seeds: range, batches: tuple[int, ...]) -> tuple[str, str]:
    prints, marks = hashlib.sha256(), hashlib.sha256()
    for seed in seeds:
        docs = _corpus(seed)
        texts = [t for _, t, _ in docs]
        fp = fingerprint(texts, DedupParams())
        for array in (fp.exact, fp.tokens, fp.sig):
            prints.update(array.tobytes())
        for s in fp.small:
            prints.update(b"-" if s is None else s.tobytes())
        sk = sketch(texts, DedupParams())
        prints.update(sk.vsig.tobytes())
        prints.update(sk.keys.tobytes())
        for batch in batches:
            arts = [Article(id=i, source=i, text=t, published=p) for i, t, p in docs]
            out = [(a.id, a.duplicate_of, a.similarity)
                   for a in Deduplicator(batch_size=batch)(arts)]
            marks.update(repr(out).encode())
    return prints.hexdigest()[:32], marks.hexdigest()[:32]


def test_fingerprints_and_marks_are_those_of_the_whole_array_code() -> None:
    """Same bytes as before the working set was bounded (persisted fingerprints must not
    change without a new parameter or normaliser version)."""
    assert _digests(range(3), (7, 50, 1000)) == (_FINGERPRINTS, _MARKS)


def test_tiny_blocks_change_no_fingerprint_or_mark(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every block, chunk and group cut to a few elements (every boundary crossed many
    times) gives the bytes of the default sizes."""
    from cleanfeed.dedup import deduplicator, fingerprints, index, mapped

    want = _digests(range(1), (7, 1000))
    for module, name, value in [
            (fingerprints, "_MIX_BLOCK", 37), (fingerprints, "_COMPACT_BLOCK", 11),
            (fingerprints, "_SPARSE_BINS", 13), (fingerprints, "_DENSE_ROWS", 2),
            (fingerprints, "_EDGE_BLOCK", 29), (fingerprints, "_CHUNK_BYTES", 1500),
            (fingerprints, "_CHUNK_TEXTS", 4), (deduplicator, "_PAIR_CHUNK", 3),
            (deduplicator, "_BAND_GROUP", 1), (deduplicator, "_BORDER_TEXTS", 2),
            (deduplicator, "_QUERY_GROUP", 3), (mapped, "_MOVE_ROWS", 2),
            (index, "_APPEND_ROWS", 2)]:
        monkeypatch.setattr(module, name, value)
    assert _digests(range(1), (7, 1000)) == want


def test_canonical_order_is_the_sort_by_canonical_key() -> None:
    rng = random.Random(3)
    dates = [None, "", "2025-03-01T10:00:00Z", "2025-03-01T11:00:00+01:00", "2025-03-01",
             "2025-03-01T10:00:00", "garbage", "2024-12-31T23:59:59.5Z"]
    for _ in range(50):
        m = rng.randint(1, 60)
        batch = [Article(id=f"{rng.choice('abc')}{rng.randint(0, 9)}", source="s", text="x",
                         published=rng.choice(dates)) for _ in range(m)]
        words = np.array([rng.choice([0, 5, 5, 7, 100]) for _ in range(m)], dtype=np.int64)
        want = sorted((i for i in range(m) if words[i] > 0),
                      key=lambda i: canonical_key(batch[i], int(words[i])))
        assert canonical_order(batch, words).tolist() == want


def test_compact_rows_moves_the_rows_to_the_front_and_releases_the_rest() -> None:
    rng = np.random.default_rng(1)
    for m, width in [(1000, 512), (37, 40), (5, 1), (0, 8)]:
        array = anon_array((m, width), np.uint8)
        assert array.shape == (m, width) and not array.any()  # zero-filled
        array[...] = rng.integers(0, 256, (m, width))
        original = array.copy()
        rows = np.flatnonzero(rng.random(m) < 0.55)
        kept = compact_rows(array, rows)
        assert (kept == original[rows]).all() and kept.base is not None
        whole_pages = -(-kept.nbytes // 4096) * 4096  # pages past the kept rows read as zeros
        assert not array.reshape(-1)[whole_pages:].any()
        release(array)
        assert not array.any()
    plain = np.ones(10)
    release(plain)  # not in a memory map: nothing happens
    assert plain.all()


def _index_state(index: MemoryIndex, keys: np.ndarray) -> tuple[object, ...]:
    n = len(index)
    q, rows = index.band_lookup(keys)
    return (index.ids, [None if s is None else s.tolist() for s in index.small],
            index.vsig[np.arange(n)].tolist(), q.tolist(), rows.tolist(),
            index.exact_lookup(np.arange(0, 40, dtype=np.uint64)).tolist())


@pytest.mark.parametrize("persistent", [False, True])
def test_index_takes_rows_in_another_order_and_consumes_them(persistent: bool,
                                                            tmp_path: Path) -> None:
    """``add(..., rows=perm, consume=True)`` from memory-mapped arrays gives the index that
    ``add`` of the arrays put in canonical order gives, and releases the arrays it was
    handed."""
    p = DedupParams(num_bins=16, bands=4, rows=2)
    rng = np.random.default_rng(5)

    def make(kind: str) -> MemoryIndex:
        return SqliteIndex(tmp_path / f"{kind}.sqlite", p) if persistent else MemoryIndex(p)

    plain, handed = make("plain"), make("handed")
    for n in [6, 1, 9]:
        vsig = rng.integers(0, 256, (n, 16)).astype(np.uint8)
        keys = rng.integers(0, 30, (n, 4)).astype(np.uint64)
        exact = rng.integers(0, 40, n).astype(np.uint64)
        has_sig = rng.random(n) < 0.8
        ids = [f"r{len(plain) + i}" for i in range(n)]
        small = [None if rng.random() < 0.5 else np.arange(i, dtype=np.uint32)
                 for i in range(n)]
        plain.add(ids, exact, vsig, keys, has_sig, small)
        perm = rng.permutation(n)  # canonical j is row perm[j] of what is handed over
        mv, mk = anon_array((n, 16), np.uint8), anon_array((n, 4), np.uint64)
        mv[perm], mk[perm] = vsig, keys
        handed.add(ids, exact, mv, mk, has_sig, small, rows=perm, consume=True)
        assert not mv.any() and not mk.any()  # released once copied
    queries = rng.integers(0, 30, (20, 4)).astype(np.uint64)
    assert _index_state(handed, queries) == _index_state(plain, queries)
    if persistent:
        plain.close()
        handed.close()
        reopened = [SqliteIndex(tmp_path / f"{k}.sqlite", p) for k in ("plain", "handed")]
        assert _index_state(reopened[1], queries) == _index_state(reopened[0], queries)
        for index in reopened:
            index.close()
