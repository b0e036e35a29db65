"""Where canonical articles are remembered: in memory, or in SQLite across runs.

Only *canonical* articles are indexed (duplicates are verified against canonicals, never
against each other, so storing them would only add false chains). Per canonical the index
keeps its id, its exact hash, an 8-bit-per-bin signature for verification (see
:data:`~cleanfeed.dedup.fingerprints.VERIFY_BITS`) and its LSH band keys. Lookups are
vectorised: keys live in sorted numpy segments (a small log-structured merge: a new batch is
one segment, equal-sized neighbours are merged), so a batch's thousands of band keys are
answered by a few ``searchsorted`` calls, and the memory per canonical is about 12 bytes per
band plus 1 byte per bin.

:class:`SqliteIndex` persists the same rows in an embedded database (WAL journal; one
transaction per batch) and loads them at open, so a killed process loses at most the batch in
flight and the next run sees every batch committed before it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cleanfeed.dedup.params import DedupParams

_FORMAT = 3  # version of the SQLite layout itself


class IndexMismatchError(ValueError):
    """A persistent index was built with other fingerprint parameters than requested."""


class SortedMultiMap:
    """uint64 key -> int32 values, as sorted immutable segments; vectorised lookups."""

    def __init__(self) -> None:
        self._segments: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]] = []

    def __len__(self) -> int:
        return sum(k.size for k, _ in self._segments)

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes for k, v in self._segments)

    def add(self, keys: npt.NDArray[np.uint64], values: npt.NDArray[np.int32]) -> None:
        if keys.size == 0:
            return
        order = np.argsort(keys)  # any order among equal keys: lookups are order-free
        self._segments.append((keys[order], values[order].astype(np.int32)))
        while len(self._segments) > 1 and \
                self._segments[-2][0].size <= 2 * self._segments[-1][0].size:
            (k1, v1), (k2, v2) = self._segments.pop(), self._segments.pop()
            k, v = np.concatenate((k2, k1)), np.concatenate((v2, v1))
            order = np.argsort(k)
            self._segments.append((k[order], v[order]))

    def lookup(self, queries: npt.NDArray[np.uint64]
               ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """All (query position, value) pairs whose keys are equal."""
        qs: list[npt.NDArray[np.int64]] = []
        vs: list[npt.NDArray[np.int32]] = []
        if not self._segments or queries.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        by_key = np.argsort(queries)  # sorted queries: searchsorted walks memory in order
        sorted_q = queries[by_key]
        for keys, values in self._segments:
            lo = np.searchsorted(keys, sorted_q, side="left")
            hit = np.flatnonzero(keys[np.minimum(lo, keys.size - 1)] == sorted_q)
            if hit.size == 0:
                continue
            lo = lo[hit]
            count = np.searchsorted(keys, sorted_q[hit], side="right") - lo
            total = int(count.sum())
            run_start = np.cumsum(count) - count
            pos = np.repeat(lo - run_start, count) + np.arange(total)
            qs.append(np.repeat(by_key[hit], count))
            vs.append(values[pos])
        if not qs:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        return np.concatenate(qs), np.concatenate(vs)


class MemoryIndex:
    """Canonical articles of this process (and, for :class:`SqliteIndex`, earlier runs)."""

    def __init__(self, params: DedupParams | None = None) -> None:
        self.params = params or DedupParams()
        self.ids: list[str] = []
        #: Exact shingle sets of small canonicals (None for the others).
        self.small: list[npt.NDArray[np.uint32] | None] = []
        self._sig = np.zeros((0, self.params.num_bins), dtype=np.uint8)
        self._exact = SortedMultiMap()
        self._bands = SortedMultiMap()
        #: Rows below this came from an earlier run (loaded from disk).
        self.loaded = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        """Bytes held in numpy arrays (signatures and key segments; ids not counted)."""
        return self._sig[: len(self.ids)].nbytes + self._exact.nbytes + self._bands.nbytes

    @property
    def vsig(self) -> npt.NDArray[np.uint8]:
        return self._sig[: len(self.ids)]

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
            has_sig: npt.NDArray[np.bool_], small: list[npt.NDArray[np.uint32] | None]) -> None:
        """Append canonicals (``bands`` rows are ignored where ``has_sig`` is False)."""
        self._append(ids, exact, vsig, bands, has_sig, small)

    def _append(self, ids: list[str], exact: npt.NDArray[np.uint64],
                vsig: npt.NDArray[np.uint8], bands: npt.NDArray[np.uint64],
                has_sig: npt.NDArray[np.bool_], small: list[npt.NDArray[np.uint32] | None]
                ) -> None:
        n0, n = len(self.ids), len(ids)
        if n == 0:
            return
        if n0 + n > self._sig.shape[0]:
            grown = np.zeros((max(2 * self._sig.shape[0], n0 + n, 1024), self.params.num_bins),
                             dtype=np.uint8)
            grown[:n0] = self._sig[:n0]
            self._sig = grown
        self._sig[n0:n0 + n] = vsig
        self.ids.extend(ids)
        self.small.extend(small)
        rows = np.arange(n0, n0 + n, dtype=np.int32)
        self._exact.add(np.asarray(exact, dtype=np.uint64), rows)
        with_sig = np.flatnonzero(has_sig)
        if with_sig.size:
            b = bands.shape[1]
            self._bands.add(bands[with_sig].reshape(-1), np.repeat(rows[with_sig], b))

    def close(self) -> None:
        """Nothing to release in memory; present so both indexes are used the same way."""


class SqliteIndex(MemoryIndex):
    """A :class:`MemoryIndex` persisted in SQLite (WAL, one transaction per :meth:`add`).

    The parameters are written at creation; opening with other parameters raises
    :class:`IndexMismatchError` naming the differences (fingerprints made with different
    parameters are not comparable, so silently mixing them would miss every duplicate).
    Two processes may write the same index (transactions are serialised), but each sees the
    other's canonicals only when it opens the index again.
    """

    def __init__(self, path: str | os.PathLike[str], params: DedupParams | None = None) -> None:
        super().__init__(params)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._check_params()
            self._load()
        except BaseException:
            self._db.close()
            raise

    def _check_params(self) -> None:
        wanted = {"format": _FORMAT, **self.params.as_dict()}
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS canonical (row INTEGER PRIMARY KEY, "
                       "id TEXT NOT NULL, exact INTEGER NOT NULL, sig BLOB NOT NULL, bands BLOB, "
                       "shingles BLOB)")
            stored = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
            if not stored:
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [(k, json.dumps(v)) for k, v in wanted.items()])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if stored and stored != wanted:
            diff = ", ".join(f"{k}: index has {stored.get(k)!r}, asked for {wanted.get(k)!r}"
                             for k in sorted(set(stored) | set(wanted))
                             if stored.get(k) != wanted.get(k))
            raise IndexMismatchError(
                f"dedup index {self.path} was built with other parameters ({diff}); "
                "use the same parameters or a new index file")

    def _load(self) -> None:
        rows = self._db.execute(
            "SELECT id, exact, sig, bands, shingles FROM canonical ORDER BY row").fetchall()
        if not rows:
            return
        k, b = self.params.num_bins, self.params.bands
        ids = [r[0] for r in rows]
        exact = np.array([r[1] for r in rows], dtype=np.int64).view(np.uint64)
        vsig = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.uint8).reshape(len(rows), k)
        has_sig = np.array([r[3] is not None for r in rows], dtype=bool)
        zero = bytes(8 * b)
        bands = np.frombuffer(b"".join(r[3] or zero for r in rows), dtype="<u8").reshape(-1, b)
        small = [None if r[4] is None else np.frombuffer(r[4], dtype="<u4").astype(np.uint32)
                 for r in rows]
        self._append(ids, exact, vsig, bands, has_sig, small)
        self.loaded = len(self.ids)

    def add(self, ids: list[str], exact: npt.NDArray[np.uint64],
            vsig: npt.NDArray[np.uint8], bands: npt.NDArray[np.uint64],
            has_sig: npt.NDArray[np.bool_], small: list[npt.NDArray[np.uint32] | None]) -> None:
        """Write the batch in one transaction, then make it visible in memory."""
        if not ids:
            return
        signed = np.asarray(exact, dtype=np.uint64).view(np.int64)
        sig_le = np.ascontiguousarray(vsig, dtype=np.uint8)
        bands_le = np.ascontiguousarray(bands, dtype="<u8")
        rows = [(ids[i], int(signed[i]), sig_le[i].tobytes(),
                 bands_le[i].tobytes() if has_sig[i] else None,
                 None if small[i] is None else small[i].astype("<u4").tobytes())  # type: ignore[union-attr]
                for i in range(len(ids))]
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT INTO canonical (id, exact, sig, bands, shingles) "
                           "VALUES (?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._append(ids, exact, vsig, bands, has_sig, small)

    def close(self) -> None:
        self._db.close()
