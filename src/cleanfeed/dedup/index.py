"""Where canonical articles are remembered: in memory, or in SQLite across runs.

Only *canonical* articles are indexed (duplicates are verified against canonicals, never
against each other, so storing them would only add false chains). Per canonical the index
keeps its id, its exact hash, an 8-bit-per-bin signature for verification (see
:data:`~cleanfeed.dedup.fingerprints.VERIFY_BITS`) and its LSH band keys. Lookups are
vectorised: keys live in sorted numpy segments (a small log-structured merge: a new batch is
one segment, equal-sized neighbours are merged), so a batch's thousands of band keys are
answered by a few ``searchsorted`` calls, and the memory per canonical is about 12 bytes per
band plus 1 byte per bin.

:class:`SqliteIndex` persists the same data in an embedded database (WAL journal; one
transaction per batch): one row of packed blobs per batch, and the band-key segments
themselves, merged on disk by the same rule as in memory. Opening reads those blobs straight
into numpy (nothing is re-sorted, no Python object per canonical but its id), a killed
process loses at most the batch in flight, and the next run sees every batch committed
before it.
"""

from __future__ import annotations

import json
import mmap
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cleanfeed.dedup.mapped import anon_array, release
from cleanfeed.dedup.params import DedupParams

#: Version of the SQLite layout itself (3: one row per canonical; 4: one row per batch plus
#: persisted key segments). A format-3 index is migrated in place when opened.
_FORMAT = 4
_OLD_FORMAT = 3
#: Page size of a new index file (SQLite's largest).
_PAGE_SIZE = 1 << 16


class IndexMismatchError(ValueError):
    """A persistent index was built with other fingerprint parameters than requested."""


Segment = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]


def sort_segment(keys: npt.NDArray[np.uint64], values: npt.NDArray[np.int32]) -> Segment:
    """One sorted segment (any order among equal keys: lookups are order-free)."""
    order = np.argsort(keys)
    return keys[order], values.astype(np.int32, copy=False)[order]


def merge_segments(a: Segment, b: Segment) -> Segment:
    """Two sorted segments as one.

    ``b``'s entries go where ``searchsorted`` puts them, ``a``'s fill the rest: 13 bytes of
    temporaries per key instead of the 32 of concatenating and sorting (the largest merge
    of a run is the peak memory of its index).
    """
    na, nb = a[0].size, b[0].size
    at = np.searchsorted(a[0], b[0], side="right")
    at += np.arange(nb, dtype=at.dtype)
    keys = np.empty(na + nb, dtype=np.uint64)
    values = np.empty(na + nb, dtype=np.int32)
    keys[at], values[at] = b
    rest = np.ones(na + nb, dtype=bool)
    rest[at] = False
    del at
    keys[rest], values[rest] = a
    return keys, values


#: Keys per segment beyond which segments are no longer merged (~6 MB of keys and rows).
#: Merging copies both inputs, so this caps the transient memory of a merge (without it, the
#: last merge of a 100k-article run copies the whole index); lookups then search one more
#: segment per million keys, which costs little next to fingerprinting.
SEGMENT_MAX_KEYS = 1 << 19


def merges_due(sizes: list[int]) -> int:
    """How many times the last two segments merge after one was appended to ``sizes``.

    A segment merges into its older neighbour while that neighbour is at most twice its size
    (a binary-counter LSM) and the result stays within :data:`SEGMENT_MAX_KEYS`: O(log n)
    segments up to that size, each key rewritten O(log n) times. The same rule runs in
    memory and on disk, so both hold the same segments.
    """
    sizes, count = list(sizes), 0
    while (len(sizes) > 1 and sizes[-2] <= 2 * sizes[-1]
           and sizes[-2] + sizes[-1] <= SEGMENT_MAX_KEYS):
        sizes[-2:] = [sizes[-2] + sizes[-1]]
        count += 1
    return count


#: Keys moved per numpy pass by :func:`merge_into`.
_MOVE_BLOCK = 1 << 15


def _reserve(capacity: int) -> Segment:
    """Key and value arrays of ``capacity`` entries in anonymous memory maps: a page costs
    memory only once written, so a segment can grow in place up to its capacity."""
    keys = np.frombuffer(mmap.mmap(-1, 8 * capacity), dtype=np.uint64)
    values = np.frombuffer(mmap.mmap(-1, 4 * capacity), dtype=np.int32)
    return keys, values


def _room_of(segment: Segment, size: int) -> Segment | None:
    """The :func:`_reserve` arrays ``segment`` is the start of, if they hold ``size`` entries."""
    rooms: list[npt.NDArray[Any]] = []
    for array in segment:
        base = array.base
        if not (isinstance(base, np.ndarray) and isinstance(base.base, memoryview)
                and isinstance(base.base.obj, mmap.mmap) and base.size >= size
                and array.ctypes.data == base.ctypes.data):
            return None
        rooms.append(base)
    return rooms[0], rooms[1]


def merge_into(room: Segment, na: int, b: Segment) -> Segment:
    """Merge ``b`` into the sorted segment held in the first ``na`` entries of ``room`` (arrays
    with space for ``b`` too), in place; return the merged segment (views of ``room``).

    Same result as :func:`merge_segments` (``b``'s entries after equal keys of the other),
    with temporaries of 4 bytes per entry of ``b`` plus one block: the older entries move
    back, a block at a time from the end, each to its final place (past it only entries
    already moved), then ``b``'s entries fill the gaps.
    """
    keys, values = room
    nb, step = b[0].size, _MOVE_BLOCK
    at = np.empty(nb, dtype=np.int32)  # per entry of b: older entries before it
    for s in range(0, nb, step):
        at[s:s + step] = np.searchsorted(keys[:na], b[0][s:s + step], side="right")
    lowest = int(at[0]) if nb else na  # older entries before the first insertion stay
    stop = na
    while stop > lowest:
        start = max(stop - step, lowest)
        src = np.arange(start, stop)
        src += np.searchsorted(b[0], keys[start:stop], side="left")  # its final place
        keys[src] = keys[start:stop].copy()
        values[src] = values[start:stop].copy()
        stop = start
    for s in range(0, nb, step):
        dst = at[s:s + step] + np.arange(s, min(s + step, nb))
        keys[dst], values[dst] = b[0][s:s + step], b[1][s:s + step]
    return keys[:na + nb], values[:na + nb]


#: Filter bytes per key of :class:`KeyFilter`: a query absent from a segment passes its
#: filter with probability ~3 %.
FILTER_BYTES = 2


#: Keys set per pass when a :class:`KeyFilter` is built (~40 bytes of temporaries a key).
_FILTER_BLOCK = 1 << 12


class KeyFilter:
    """A one-probe filter over a sorted segment's keys (a blocked Bloom filter): a key sets
    two bits (chosen by its low 6 bits) in one byte (chosen by its top 32 bits). The keys
    are hashes already, so no hashing; other keys are handled as correctly, they only pass
    more often.

    Why: most lookups ask for keys that are in no segment, and a binary search of a large
    segment is ~20 dependent reads all over it, nearly all cache misses. The filter answers
    ~97 % of the absent keys with one read, and only the rest are searched.
    """

    __slots__ = ("bitmap",)

    def __init__(self, keys: npt.NDArray[np.uint64]) -> None:
        size = max(8, FILTER_BYTES * keys.size)
        #: In a memory map: long-lived like the segment, outside the heap.
        self.bitmap = anon_array((size,), np.uint8)
        for s in range(0, keys.size, _FILTER_BLOCK):  # the keys' bytes are in order: the
            block = keys[s:s + _FILTER_BLOCK]          # bits of a block of keys set at once
            top, bits = self.probe(block)
            at = self._byte(top)
            base = int(at[0])
            at -= base
            if int(at[-1]) > 8 * at.size:  # keys far from uniform: no wide temporary
                np.bitwise_or.at(self.bitmap[base:], at, bits)
                continue
            flags = np.zeros(8 * (int(at[-1]) + 1), dtype=np.bool_)
            at <<= 3
            flags[at + (block & np.uint64(7)).view(np.int64)] = True
            flags[at + ((block >> np.uint64(3)) & np.uint64(7)).view(np.int64)] = True
            packed = np.packbits(flags, bitorder="little")
            self.bitmap[base:base + packed.size] |= packed

    @staticmethod
    def probe(queries: npt.NDArray[np.uint64]
              ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint8]]:
        """What :meth:`maybe` needs of the queries, the same for every segment: their top
        32 bits, and the two bits they set."""
        low = queries.astype(np.uint8)  # wraps: the low 8 bits
        bits = np.left_shift(np.uint8(1), low & np.uint8(7))
        low >>= np.uint8(3)
        low &= np.uint8(7)
        bits |= np.left_shift(np.uint8(1), low)
        return queries >> np.uint64(32), bits

    def _byte(self, top: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """The byte of each key's top 32 bits (``top * size / 2**32``: in key order)."""
        at = top * np.uint64(self.bitmap.size)
        at >>= np.uint64(32)
        return at.view(np.int64)

    def maybe(self, top: npt.NDArray[np.uint64], bits: npt.NDArray[np.uint8]
              ) -> npt.NDArray[np.int64]:
        """Positions of the queries (given by :meth:`probe`) that may be keys (every key
        among them)."""
        byte = self.bitmap[self._byte(top)]
        byte &= bits
        return np.flatnonzero(byte == bits)


class SortedMultiMap:
    """uint64 key -> int32 values, as sorted immutable segments; vectorised lookups.

    Each segment lives in memory-mapped arrays with room for :data:`SEGMENT_MAX_KEYS`
    entries (address space only: a page costs memory once written), outside the heap, and
    merges into it happen in place: merging two segments into a new array holds both inputs
    and the output at once (it was the largest transient of a run).
    """

    def __init__(self) -> None:
        self._segments: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]] = []
        #: Per segment, its :class:`KeyFilter` once a lookup has needed it (None: not yet).
        self._filters: list[KeyFilter | None] = []

    def __len__(self) -> int:
        return sum(k.size for k, _ in self._segments)

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes for k, v in self._segments)

    @property
    def segments(self) -> list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]]:
        """The segments, oldest first (read only: change them with :meth:`set_segments`)."""
        return self._segments

    def set_segments(self, segments: list[Segment]) -> None:
        """Replace the segments (each sorted by key); filters of the ones kept are reused."""
        # Both lists are alive here, so equal ids are the same array.
        kept = {id(k): f for (k, _), f in zip(self._segments, self._filters, strict=True)}
        self._filters = [kept.get(id(k)) for k, _ in segments]
        self._segments = list(segments)

    def add(self, keys: npt.NDArray[np.uint64], values: npt.NDArray[np.int32],
            repeat: int = 1) -> None:
        """Add ``keys[i] -> values[i // repeat]`` (``repeat``: a value per run of keys, e.g. the
        row of each band key, without a repeated copy of the values)."""
        if keys.size == 0:
            return
        order = np.argsort(keys)
        n = keys.size
        room = _reserve(max(n, SEGMENT_MAX_KEYS))
        # mode="clip": the indices are valid, and "raise" would buffer the whole output.
        np.take(np.asarray(keys, dtype=np.uint64), order, out=room[0][:n], mode="clip")
        if repeat > 1:
            order //= repeat
        np.take(np.asarray(values, dtype=np.int32), order, out=room[1][:n], mode="clip")
        del order
        self._segments.append((room[0][:n], room[1][:n]))
        self._filters.append(None)
        for _ in range(merges_due([k.size for k, _ in self._segments])):
            last, prev = self._segments.pop(), self._segments.pop()
            del self._filters[-2:]
            self._filters.append(None)
            na = prev[0].size
            grows = _room_of(prev, na + last[0].size)
            if grows is None:
                grows = _reserve(SEGMENT_MAX_KEYS)
                grows[0][:na], grows[1][:na] = prev
            del prev
            self._segments.append(merge_into(grows, na, last))

    def lookup(self, queries: npt.NDArray[np.uint64]
               ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """All (query position, value) pairs whose keys are equal."""
        qs: list[npt.NDArray[np.int64]] = []
        vs: list[npt.NDArray[np.int32]] = []
        if not self._segments or queries.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        by_key = np.argsort(queries)  # sorted queries: searchsorted walks memory in order
        sorted_q = queries[by_key]
        top, bits = KeyFilter.probe(sorted_q)
        for i, (keys, values) in enumerate(self._segments):
            filt = self._filters[i]
            if filt is None:
                filt = self._filters[i] = KeyFilter(keys)
            maybe = filt.maybe(top, bits)
            cand = sorted_q[maybe]
            lo = np.searchsorted(keys, cand, side="left")
            last = keys.size - 1
            hit = np.flatnonzero(keys[np.minimum(lo, last)] == cand)
            if hit.size == 0:
                continue
            lo, cand, where = lo[hit], cand[hit], by_key[maybe[hit]]
            # Most keys are there once: only a key equal to its next one is searched again.
            more = np.flatnonzero(keys[np.minimum(lo + 1, last)] == cand)
            more = more[lo[more] < last]
            if more.size == 0:
                qs.append(where)
                vs.append(values[lo])
                continue
            count = np.ones(lo.size, dtype=np.int64)
            count[more] = np.searchsorted(keys, cand[more], side="right") - lo[more]
            total = int(count.sum())
            run_start = np.cumsum(count) - count
            pos = np.repeat(lo - run_start, count) + np.arange(total)
            qs.append(np.repeat(where, count))
            vs.append(values[pos])
        if not qs:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        return np.concatenate(qs), np.concatenate(vs)


#: Rows of the first block of :class:`SigBlocks` (512 KB of 512-bin signatures).
SIG_BLOCK_ROWS = 1 << 10


class SigBlocks:
    """Rows of uint8 verification signatures, in blocks of doubling size.

    Appending fills the last block and starts a new one twice its size: what is stored is
    never copied (a single growing matrix doubles and copies itself, holding the old and the
    new matrix at once; that copy was the largest transient of a run), and a read touches
    O(log n) blocks. Each block is a memory map: its pages cost memory once written, and it
    sits outside the heap, where a long-lived block would pin the heap's size. Rows are read
    by ``blocks[rows]``.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._blocks: list[npt.NDArray[np.uint8]] = []
        self._starts: list[int] = []  # first row of each block
        self._capacity = 0
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        return self._n * self.width

    def append(self, rows: npt.NDArray[np.uint8]) -> None:
        at, total = 0, rows.shape[0]
        while at < total:
            if self._n == self._capacity:
                size = max(SIG_BLOCK_ROWS, self._capacity)
                block = np.frombuffer(mmap.mmap(-1, size * self.width), dtype=np.uint8)
                self._blocks.append(block.reshape(size, self.width))
                self._starts.append(self._capacity)
                self._capacity += size
            off = self._n - self._starts[-1]
            take = min(self._capacity - self._n, total - at)
            self._blocks[-1][off:off + take] = rows[at:at + take]
            at += take
            self._n += take

    def __getitem__(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
        """The signatures of ``rows`` (any order, repeats allowed), as one new array."""
        if len(self._blocks) == 1:
            return self._blocks[0][rows]
        block = np.searchsorted(np.array(self._starts), rows, side="right") - 1
        out = np.empty((rows.size, self.width), dtype=np.uint8)
        for b in np.flatnonzero(np.bincount(block, minlength=len(self._blocks))).tolist():
            sel = np.flatnonzero(block == b)
            out[sel] = self._blocks[b][rows[sel] - self._starts[b]]
        return out


#: Signature rows gathered per pass when canonicals are appended in another row order.
_APPEND_ROWS = 64


class MemoryIndex:
    """Canonical articles of this process (and, for :class:`SqliteIndex`, earlier runs)."""

    def __init__(self, params: DedupParams | None = None) -> None:
        self.params = params or DedupParams()
        self.ids: list[str] = []
        #: Exact shingle sets of small canonicals (None for the others).
        self.small: list[npt.NDArray[np.uint32] | None] = []
        self._sig = SigBlocks(self.params.num_bins)
        self._exact = SortedMultiMap()
        self._bands = SortedMultiMap()
        #: Rows below this came from an earlier run (loaded from disk).
        self.loaded = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        """Bytes held in numpy arrays (signatures and key segments; ids not counted)."""
        return self._sig.nbytes + self._exact.nbytes + self._bands.nbytes

    @property
    def vsig(self) -> SigBlocks:
        """Verification signatures by row: ``index.vsig[rows]``."""
        return self._sig

    def exact_lookup(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """Per hash, the oldest canonical row with that exact hash, or -1."""
        out = np.full(hashes.size, -1, dtype=np.int64)
        q, rows = self._exact.lookup(hashes)
        if q.size:
            order = np.lexsort((rows, q))
            q, rows = q[order], rows[order]
            first = np.ones(q.size, dtype=bool)
            first[1:] = q[1:] != q[:-1]
            out[q[first]] = rows[first]
        return out

    def band_lookup(self, keys: npt.NDArray[np.uint64]
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Unique (query row, canonical row) pairs sharing at least one band key.

        ``keys`` has shape (n, bands).
        """
        if keys.size == 0 or not self.ids:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        q, rows = self._bands.lookup(keys.reshape(-1))
        pair = np.unique((q // keys.shape[1]) * (1 << 32) + rows.astype(np.int64))
        return pair >> 32, pair & 0xFFFFFFFF

    def add(self, ids: list[str], exact: npt.NDArray[np.uint64],
            vsig: npt.NDArray[np.uint8], bands: npt.NDArray[np.uint64],
            has_sig: npt.NDArray[np.bool_], small: list[npt.NDArray[np.uint32] | None], *,
            rows: npt.NDArray[np.int64] | None = None, consume: bool = False) -> None:
        """Append canonicals (``bands`` rows are ignored where ``has_sig`` is False).

        ``rows``: canonical ``j``'s sketches are row ``rows[j]`` of ``vsig`` and ``bands``
        (a permutation; default: row ``j``), so a caller can hand over its arrays in another
        order than the canonicals' without copying them into that order.
        ``consume``: the caller hands ``vsig`` and ``bands`` over and will not read them
        again; if they live in memory maps (:func:`~cleanfeed.dedup.mapped.anon_array`), each
        one's pages are returned as soon as it has been copied into the index, so a batch's
        sketches and the index's copy of them do not add up.
        """
        self._append(ids, exact, vsig, bands, has_sig, small, rows=rows, consume=consume)

    def _append(self, ids: list[str], exact: npt.NDArray[np.uint64],
                vsig: npt.NDArray[np.uint8], bands: npt.NDArray[np.uint64],
                has_sig: npt.NDArray[np.bool_], small: list[npt.NDArray[np.uint32] | None],
                *, rows: npt.NDArray[np.int64] | None = None, consume: bool = False) -> None:
        n0, n = len(self.ids), len(ids)
        if n == 0:
            return
        if rows is None:
            self._sig.append(vsig)
        else:
            for s in range(0, n, _APPEND_ROWS):  # gathered a block at a time
                self._sig.append(vsig[rows[s:s + _APPEND_ROWS]])
        if consume:
            release(vsig)
        self.ids.extend(ids)
        self.small.extend(small)
        numbers = np.arange(n0, n0 + n, dtype=np.int32)
        self._exact.add(np.asarray(exact, dtype=np.uint64), numbers)
        if rows is not None:  # the index row of each row of bands, and which have one
            inverse = np.empty(n, dtype=np.int64)
            inverse[rows] = np.arange(n)
            numbers, has_sig = numbers[inverse], np.asarray(has_sig)[inverse]
        with_sig = np.flatnonzero(has_sig)
        if with_sig.size:
            b = bands.shape[1]
            flat = (bands.reshape(-1) if with_sig.size == n and bands.flags.c_contiguous
                    else bands[with_sig].reshape(-1))
            self._bands.add(flat, numbers[with_sig], repeat=b)
        if consume:
            release(bands)

    def close(self) -> None:
        """Nothing to release in memory; present so both indexes are used the same way."""


class SqliteIndex(MemoryIndex):
    """A :class:`MemoryIndex` persisted in SQLite (WAL, one transaction per :meth:`add`).

    Layout (format 4): table ``batch`` holds one row per committed batch (its first row
    number, the canonicals' ids as JSON, and their exact hashes, verification signatures and
    small shingle sets as packed little-endian blobs); table ``segment`` holds the LSH band
    keys as sorted (key, row) segments, merged on disk by the same rule as in memory. Opening
    reads a few dozen blobs straight into numpy (no per-canonical Python objects besides the
    ids, no re-sorting), and a batch is a handful of rows in one transaction.

    The parameters and the layout version are written at creation; opening with other
    parameters raises :class:`IndexMismatchError` naming the differences (fingerprints made
    with different parameters are not comparable, so silently mixing them would miss every
    duplicate). A format-3 index (one row per canonical) is migrated in place, in one
    transaction; an unknown format is refused.

    Two processes may write the same index (transactions are serialised; a writer that finds
    batches it has not seen numbers its rows after them and merges segments from the file),
    but each sees the other's canonicals only when it opens the index again.
    """

    def __init__(self, path: str | os.PathLike[str], params: DedupParams | None = None) -> None:
        super().__init__(params)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        #: Ids of the on-disk segments, parallel to ``self._bands.segments`` while in sync.
        self._seg_ids: list[int] = []
        self._synced = True
        try:
            # A new file gets 64 KiB pages (an existing one keeps its own): the rows are
            # blobs of 100 KB to several MB, so each is 16x fewer chained overflow pages to
            # write and copy, and the WAL is checkpointed (and synced) every 1000 pages,
            # 64 MB, instead of every 4 MB.
            self._db.execute(f"PRAGMA page_size={_PAGE_SIZE}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._open()
        except BaseException:
            self._db.close()
            raise

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def _open(self) -> None:
        """Create, check, migrate if needed, and load, all under one write lock."""
        wanted = {"format": _FORMAT, **self.params.as_dict()}
        db = self._db
        with self._transaction():
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            stored = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
            if not stored:
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [(k, json.dumps(v)) for k, v in wanted.items()])
                stored = dict(wanted)
            fmt = stored.get("format")
            if fmt not in (_FORMAT, _OLD_FORMAT):
                raise IndexMismatchError(
                    f"dedup index {self.path} has layout format {fmt!r}, this cleanfeed reads "
                    f"formats {_OLD_FORMAT} and {_FORMAT}; use a new index file")
            diff = ", ".join(f"{k}: index has {stored.get(k)!r}, asked for {wanted.get(k)!r}"
                             for k in sorted(set(stored) | set(wanted))
                             if k != "format" and stored.get(k) != wanted.get(k))
            if diff:
                raise IndexMismatchError(
                    f"dedup index {self.path} was built with other parameters ({diff}); "
                    "use the same parameters or a new index file")
            db.execute("CREATE TABLE IF NOT EXISTS batch (seq INTEGER PRIMARY KEY, "
                       "row0 INTEGER NOT NULL, n INTEGER NOT NULL, ids TEXT NOT NULL, "
                       "exact BLOB NOT NULL, sig BLOB NOT NULL, small_len BLOB NOT NULL, "
                       "small BLOB NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS segment (id INTEGER PRIMARY KEY, "
                       "n INTEGER NOT NULL, keys BLOB NOT NULL, rows BLOB NOT NULL)")
            if fmt == _OLD_FORMAT:
                self._migrate()
            self._load()

    def _load(self) -> None:
        db, k = self._db, self.params.num_bins
        total = db.execute("SELECT coalesce(sum(n), 0) FROM batch").fetchone()[0]
        if not total:
            return
        exact = np.empty(total, dtype=np.uint64)
        at = 0
        for row0, n, ids, ex, sig, small_len, small in db.execute(
                "SELECT row0, n, ids, exact, sig, small_len, small FROM batch ORDER BY seq"):
            if row0 != at:
                raise ValueError(f"dedup index {self.path} is inconsistent: a batch starts at "
                                 f"row {row0}, expected {at}")
            self.ids.extend(json.loads(ids))
            exact[at:at + n] = np.frombuffer(ex, dtype="<u8")
            self._sig.append(np.frombuffer(sig, dtype=np.uint8).reshape(n, k))
            self.small.extend(_unpack_small(small_len, small))
            at += n
        if len(self.ids) != total or len(self.small) != total:
            raise ValueError(f"dedup index {self.path} is inconsistent: {len(self.ids)} ids "
                             f"for {total} rows")
        self._exact.add(exact, np.arange(total, dtype=np.int32))
        loaded: list[Segment] = []
        for seg_id, keys, rows in db.execute("SELECT id, keys, rows FROM segment ORDER BY id"):
            loaded.append(_segment_from_blobs(keys, rows))
            self._seg_ids.append(seg_id)
        self._bands.set_segments(loaded)
        self.loaded = total

    def add(self, ids: list[str], exact: npt.NDArray[np.uint64],
            vsig: npt.NDArray[np.uint8], bands: npt.NDArray[np.uint64],
            has_sig: npt.NDArray[np.bool_], small: list[npt.NDArray[np.uint32] | None], *,
            rows: npt.NDArray[np.int64] | None = None, consume: bool = False) -> None:
        """Write the batch in one transaction, then make it visible in memory (``rows``,
        ``consume``: see :meth:`MemoryIndex.add`)."""
        if not ids:
            return
        if rows is not None:  # the blobs are written in the canonicals' order
            ordered = vsig[rows], bands[rows]
            if consume:
                release(vsig)
                release(bands)
            vsig, bands = ordered
            del ordered
        n, b = len(ids), self.params.bands
        db = self._db
        segments: list[Segment] | None = None
        with self._transaction():
            row0 = db.execute("SELECT coalesce(sum(n), 0) FROM batch").fetchone()[0]
            # In sync while nobody else wrote since we read or wrote: then our row numbers
            # and segments are the file's, and the merges reuse the arrays in memory.
            self._synced = self._synced and row0 == len(self.ids)
            small_len, small_blob = _pack_small(small)
            db.execute("INSERT INTO batch (row0, n, ids, exact, sig, small_len, small) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (row0, n, json.dumps(ids), _blob(exact, "<u8"), _blob(vsig, "u1"),
                        small_len, small_blob))
            with_sig = np.flatnonzero(has_sig)
            if with_sig.size:
                segments = self._write_segment(sort_segment(
                    np.asarray(bands[with_sig], np.uint64).reshape(-1),
                    np.repeat(with_sig.astype(np.int32) + np.int32(row0), b)))
        if self._synced and segments is not None:
            self._append(ids, exact, vsig, bands, np.zeros(n, dtype=bool), small,
                         consume=consume)
            self._bands.set_segments(segments)
        else:
            self._append(ids, exact, vsig, bands, has_sig, small, consume=consume)

    def _write_segment(self, new: Segment) -> list[Segment]:
        """Append ``new`` on disk, do the merges the LSM rule asks for; the segments after."""
        db = self._db
        if self._synced:
            disk = list(zip(self._seg_ids, self._bands.segments, strict=True))
        else:  # another writer changed the file: merge what is on disk, not what we hold
            disk = [(i, _segment_from_blobs(k, r))
                    for i, k, r in db.execute("SELECT id, keys, rows FROM segment ORDER BY id")]
        m = merges_due([s[0].size for _, s in disk] + [new[0].size])
        keep, merged = disk[:len(disk) - m], disk[len(disk) - m:]
        for _, seg in reversed(merged):  # the last m segments and the new one become one
            new = merge_segments(seg, new)
        if merged:
            db.executemany("DELETE FROM segment WHERE id = ?", [(i,) for i, _ in merged])
        cur = db.execute("INSERT INTO segment (n, keys, rows) VALUES (?, ?, ?)",
                         (new[0].size, _blob(new[0], "<u8"), _blob(new[1], "<i4")))
        self._seg_ids = [i for i, _ in keep] + [int(cur.lastrowid or 0)]
        return [seg for _, seg in keep] + [new]

    def _migrate(self) -> None:
        """Rewrite a format-3 index (one row per canonical) as one format-4 batch."""
        db, k, b = self._db, self.params.num_bins, self.params.bands
        rows = db.execute(
            "SELECT id, exact, sig, bands, shingles FROM canonical ORDER BY row").fetchall()
        if rows:
            n = len(rows)
            ids = [r[0] for r in rows]
            exact = np.array([r[1] for r in rows], dtype=np.int64).view(np.uint64)
            vsig = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.uint8).reshape(n, k)
            has_sig = np.array([r[3] is not None for r in rows], dtype=bool)
            zero = bytes(8 * b)
            bands = np.frombuffer(b"".join(r[3] or zero for r in rows), "<u8").reshape(n, b)
            small = [None if r[4] is None else np.frombuffer(r[4], "<u4").astype(np.uint32)
                     for r in rows]
            small_len, small_blob = _pack_small(small)
            db.execute("INSERT INTO batch (row0, n, ids, exact, sig, small_len, small) "
                       "VALUES (0, ?, ?, ?, ?, ?, ?)",
                       (n, json.dumps(ids), exact.astype("<u8").tobytes(), vsig.tobytes(),
                        small_len, small_blob))
            with_sig = np.flatnonzero(has_sig)
            if with_sig.size:
                keys, vals = sort_segment(bands[with_sig].astype(np.uint64).reshape(-1),
                                          np.repeat(with_sig.astype(np.int32), b))
                db.execute("INSERT INTO segment (n, keys, rows) VALUES (?, ?, ?)",
                           (keys.size, keys.astype("<u8").tobytes(), vals.astype("<i4").tobytes()))
        db.execute("DROP TABLE canonical")
        db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (json.dumps(_FORMAT),))

    def close(self) -> None:
        self._db.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception (KeyboardInterrupt too)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _blob(array: npt.NDArray[Any], dtype: str) -> memoryview:
    """The array's bytes in ``dtype`` for SQLite, without a copy when already in that layout."""
    return np.ascontiguousarray(array, dtype=dtype).data.cast("B")


def _segment_from_blobs(keys: bytes, rows: bytes) -> Segment:
    """A stored segment as read-only arrays over the blobs (no copy on little-endian)."""
    return (np.frombuffer(keys, dtype="<u8").astype(np.uint64, copy=False),
            np.frombuffer(rows, dtype="<i4").astype(np.int32, copy=False))


def _pack_small(small: list[npt.NDArray[np.uint32] | None]) -> tuple[bytes, bytes]:
    """Small shingle sets as (int32 lengths, -1 for none; concatenated uint32 hashes)."""
    lengths = np.array([-1 if s is None else s.size for s in small], dtype="<i4")
    present = [s for s in small if s is not None]
    values = np.concatenate(present).astype("<u4") if present else np.zeros(0, "<u4")
    return lengths.tobytes(), values.tobytes()


def _unpack_small(lengths_blob: bytes, values_blob: bytes
                  ) -> Iterator[npt.NDArray[np.uint32] | None]:
    lengths = np.frombuffer(lengths_blob, dtype="<i4")
    values = np.frombuffer(values_blob, dtype="<u4").astype(np.uint32)
    at = 0
    for size in lengths.tolist():
        if size < 0:
            yield None
        else:
            yield values[at:at + size]
            at += size
