"""The dedup stage: marks exact and near-duplicate articles in a stream, in input order.

Canonical choice (documented in docs/dedup.md, tested):

* The stream is cut into batches of ``batch_size`` articles (the unit of work and of one
  index transaction). Within a batch, articles are considered in *canonical order*: earliest
  ``published`` first (articles without a parseable date after all dated ones), then the
  most words, then the smallest id. Each article either joins the most similar canonical
  (similarity >= threshold; ties go to the older canonical) or becomes a canonical itself.
* Canonicals from earlier batches (and earlier runs, through a persistent index) stay
  canonical: their output has already been emitted, a stream cannot take it back.
* Every candidate is verified against the canonical's own signature, never against another
  duplicate: no transitive chaining (A~B, B~C does not put C with A unless C~A).
* An article whose id equals the id of the canonical it matches, when that canonical came
  from an *earlier run*, is a re-delivery of that canonical, not a copy: it passes unmarked.
  This keeps re-running the same input idempotent, and loses nothing when a run was killed
  after committing a batch but before its output file was written.

Exact duplicates (same normalised words) are found first, with similarity 1.0; texts with
fewer than ``min_tokens`` words are matched only that way.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Literal

import numpy as np
import numpy.typing as npt

from cleanfeed.article import Article, Reject
from cleanfeed.dedup.fingerprints import (
    Fingerprints,
    chunk_bytes_for,
    estimate_similarity,
    exact_similarity,
    shingle_sets,
    sketch,
)
from cleanfeed.dedup.index import MemoryIndex, SigBlocks, SqliteIndex
from cleanfeed.dedup.mapped import compact_rows
from cleanfeed.dedup.params import DedupParams

Mode = Literal["off", "exact", "near"]
MODES: tuple[str, ...] = ("off", "exact", "near")
_EXACT, _NEAR = 1, 2  # kinds of duplicate in a batch's decisions
#: Default similarity threshold (estimated Jaccard of word 5-gram sets), tuned on
#: benchmarks/dedup.py: see benchmarks/RESULTS-dedup.md.
DEFAULT_THRESHOLD = 0.7
#: Pairs compared per numpy pass: bounds the temporaries (3 x 512 bytes per pair).
_PAIR_CHUNK = 1 << 6
#: Articles looked up in the index together (bounds the lookup's temporaries).
_QUERY_GROUP = 256
#: Texts whose exact shingle sets are held at once when settling pairs near the threshold.
_BORDER_TEXTS = 64
#: Bands whose keys are sorted together when pairing the articles of a batch.
_BAND_GROUP = 4
#: Pairs of small texts whose estimate is at least threshold minus this are recomputed
#: exactly (the estimate's error for ~100 shingles is about 0.05).
_REFINE_MARGIN = 0.25
#: Pairs inside one batch whose estimate is this close to the threshold (4 standard errors at
#: 512 bins) are recomputed exactly from the two texts.
BORDER = 0.08


def pair_similarities(a: npt.NDArray[np.uint8], ia: npt.NDArray[np.int64],
                      a_small: list[npt.NDArray[np.uint32] | None],
                      b: npt.NDArray[np.uint8] | SigBlocks, ib: npt.NDArray[np.int64],
                      b_small: list[npt.NDArray[np.uint32] | None], *, num_bins: int,
                      threshold: float, chunk: int = 0) -> npt.NDArray[np.float64]:
    """Jaccard of row pairs: estimated from equal bins; exact when both texts are small.

    The one similarity rule of every dedup path (local batches, the index, ``dedup_bag``).
    ``chunk``: pairs compared per numpy pass (default :data:`_PAIR_CHUNK`).
    """
    out = np.empty(ia.size)
    chunk = chunk or _PAIR_CHUNK
    for s in range(0, ia.size, chunk):
        e = s + chunk
        out[s:e] = np.count_nonzero(a[ia[s:e]] == b[ib[s:e]], axis=1)
    out = estimate_similarity(out / num_bins)
    for k in np.flatnonzero(out >= threshold - _REFINE_MARGIN).tolist():
        sa, sb = a_small[ia[k]], b_small[ib[k]]
        if sa is not None and sb is not None:
            out[k] = exact_similarity(sa, sb)
    return out


def check_options(mode: str, threshold: float, batch_size: int) -> None:
    """The options every dedup entry point takes (local or on Dask), checked the same way."""
    if mode not in MODES:
        raise ValueError(f"dedup mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")


def canonical_key(article: Article, words: int) -> tuple[bool, float, int, str]:
    """Sort key of the canonical rule: earliest published, then most words, then smallest id.

    Length counts normalised words (not characters), so a copy with doubled spaces or
    longer quote marks is not "longer".
    """
    ts = _timestamp(article.published)
    return (ts is None, ts if ts is not None else 0.0, -words, article.id)


def canonical_order(batch: list[Article], words: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The positions of the articles with words, sorted by :func:`canonical_key`.

    The same order as ``sorted(..., key=canonical_key)``, without a key tuple per article:
    date and length are sorted by numpy, and only runs that tie on both are sorted by id.
    """
    m = len(batch)
    stamps = [_timestamp(a.published) for a in batch]
    undated = np.fromiter((t is None for t in stamps), dtype=bool, count=m)
    when = np.fromiter((0.0 if t is None else t for t in stamps), dtype=np.float64, count=m)
    del stamps
    keep = np.flatnonzero(words > 0)
    order = keep[np.lexsort((-words[keep], when[keep], undated[keep]))]
    a, b, c = undated[order], when[order], words[order]
    tie = (a[1:] == a[:-1]) & (b[1:] == b[:-1]) & (c[1:] == c[:-1])
    if tie.any():  # runs of equal date and length: by id
        starts = np.flatnonzero(np.diff(np.concatenate(([False], tie, [False])).astype(np.int8)))
        for lo, hi in zip(starts[0::2].tolist(), (starts[1::2] + 1).tolist(), strict=True):
            order[lo:hi] = sorted(order[lo:hi].tolist(), key=lambda i: batch[i].id)
    return order


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


class Deduplicator:
    """Marks duplicates in a stream of articles (rejects pass through untouched).

    >>> from cleanfeed.article import Article
    >>> story = "The council voted on Tuesday to rebuild the old bridge over the river. " * 3
    >>> dedup = Deduplicator()
    >>> out = list(dedup([Article(id="a", source="a", text=story),
    ...                   Article(id="b", source="b", text=story.upper())]))
    >>> [(a.id, a.duplicate_of, a.similarity) for a in out]
    [('a', None, None), ('b', 'a', 1.0)]

    ``index`` is ``None`` (remember this run only), a path (a persistent SQLite index, see
    :class:`SqliteIndex`) or an index object. Use as a context manager, or call :meth:`close`,
    to release a persistent index.
    """

    name = "dedup"

    def __init__(self, mode: Mode = "near", threshold: float = DEFAULT_THRESHOLD, *,
                 index: MemoryIndex | str | os.PathLike[str] | None = None,
                 params: DedupParams | None = None, batch_size: int = 1000) -> None:
        check_options(mode, threshold, batch_size)
        if isinstance(index, MemoryIndex):
            if params is not None and params != index.params:
                raise ValueError("params differ from the given index's params")
            self.index = index
        elif index is None:
            self.index = MemoryIndex(params)
        else:
            self.index = SqliteIndex(index, params)
        self.params = self.index.params
        self.mode: Mode = mode
        self.threshold = threshold
        self.batch_size = batch_size
        self.stats: Counter[str] = Counter()

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.index.close()

    def __call__(self, records: Iterable[Article | Reject]) -> Iterator[Article | Reject]:
        return self.run(records)

    def run(self, records: Iterable[Article | Reject]) -> Iterator[Article | Reject]:
        """Mark duplicates lazily, batch by batch, yielding every record in input order."""
        pending: list[Article | Reject] = []
        articles = 0
        for record in records:
            pending.append(record)
            if isinstance(record, Article):
                articles += 1
                if articles >= self.batch_size:
                    yield from self._flush(pending)
                    pending, articles = [], 0
        if pending:
            yield from self._flush(pending)

    def _flush(self, pending: list[Article | Reject]) -> list[Article | Reject]:
        if self.mode == "off":
            return pending
        batch = [r for r in pending if isinstance(r, Article)]
        if len(batch) == len(pending):  # no rejects in the batch: nothing to put back
            del pending[:]  # the marked batch replaces it (no second list of the batch)
            return self.process_batch(batch)  # type: ignore[return-value]
        positions = [i for i, r in enumerate(pending) if isinstance(r, Article)]
        marked = self.process_batch(batch)
        out = list(pending)
        for i, article in zip(positions, marked, strict=True):
            out[i] = article
        return out

    def process_batch(self, batch: list[Article]) -> list[Article]:
        """Decide one batch, commit its canonicals to the index, return it marked, in order."""
        m = len(batch)
        if m == 0:
            return []
        p = self.params
        near = self.mode == "near"
        # memory per chunk of texts, not per batch; chunks grow with the index held
        fp = sketch([a.text for a in batch], p, chunk_bytes_for(self.index.nbytes))
        vsig, keys = fp.vsig, fp.keys
        order = canonical_order(batch, fp.tokens)
        rank = np.full(m, m, dtype=np.int64)
        rank[order] = np.arange(order.size)

        index = self.index
        ix_exact = index.exact_lookup(fp.exact)
        # Per article, the best-ranked batch article with the same words (itself if none).
        # Representatives: their own first holder, and not an exact copy of an indexed one.
        _, at, group = np.unique(fp.exact[order], return_index=True, return_inverse=True)
        holder = np.arange(m)
        holder[order] = order[at][group]  # np.unique's index: the first occurrence
        rep = np.zeros(m, dtype=bool)
        rep[order] = (holder[order] == order) & (ix_exact[order] < 0)
        del at, group
        ix_row = np.full(m, -1, dtype=np.int64)
        ix_sim = np.zeros(m)
        # In-batch pairs: (later, earlier, similarity), grouped by the later article (``first``
        # points into them), best similarity first, then the better-ranked earlier article.
        later = earlier = np.zeros(0, dtype=np.int64)
        pair_sim = np.zeros(0)
        if near:
            query = np.flatnonzero(rep & fp.has_sig)
            self._best_in_index(query, keys, vsig, fp.small, ix_row, ix_sim)
            later, earlier, pair_sim = self._batch_candidates(query, keys, vsig, fp.small, rank,
                                                              batch)
        first = np.searchsorted(later, np.arange(m + 1))

        canon_pos: list[int] = []
        is_canon = np.zeros(m, dtype=bool)
        # Each article's decision: kind (0 none, _EXACT, _NEAR), its canonical (batch position,
        # or -1 with an index row), similarity. Articles are marked after the index has taken
        # the canonicals, so that the marked copies and the batch's sketches are not held at
        # once. An exact-hash group's first holder's decision is the rest of the group's.
        kind = np.zeros(m, dtype=np.int8)
        dec_pos = np.full(m, -1, dtype=np.int64)
        dec_sim = np.ones(m)
        dec_row = np.full(m, -1, dtype=np.int64)
        for i in order.tolist():
            row = int(ix_exact[i])
            if row >= 0:
                kind[i], dec_row[i] = _EXACT, row
                continue
            h = int(holder[i])
            if h != i:  # same words as a better-ranked article: same decision
                kind[i], dec_pos[i], dec_sim[i] = _EXACT, dec_pos[h], dec_sim[h]
                dec_row[i] = dec_row[h]
                continue
            best_sim, best_pos, best_row = 0.0, -1, -1
            if near and fp.has_sig[i]:
                if ix_row[i] >= 0:
                    best_sim, best_row = float(ix_sim[i]), int(ix_row[i])
                lo, hi = int(first[i]), int(first[i + 1])
                if hi > lo:  # the best is the first canonical in the list
                    hit = np.flatnonzero(is_canon[earlier[lo:hi]])
                    if hit.size and pair_sim[lo + hit[0]] > best_sim:  # ties: older canonical
                        k = lo + int(hit[0])
                        best_sim, best_pos, best_row = float(pair_sim[k]), int(earlier[k]), -1
            if best_sim >= self.threshold:
                kind[i], dec_pos[i], dec_sim[i], dec_row[i] = _NEAR, best_pos, best_sim, best_row
                continue
            is_canon[i] = True
            canon_pos.append(i)
            dec_pos[i] = i
            self.stats["canonical"] += 1
            if not fp.has_sig[i]:
                self.stats["exact_only_short"] += 1
        self.stats["articles"] += m
        self.stats["empty"] += m - order.size
        if canon_pos:
            sel = np.array(canon_pos, dtype=np.int64)
            ids, exact, has_sig = [batch[i].id for i in canon_pos], fp.exact[sel], fp.has_sig[sel]
            small = [fp.small[i] for i in canon_pos]
            # The canonicals' sketches moved to the front of the batch's own arrays, in input
            # order (the rest of their pages released), and handed to the index, which takes
            # them in canonical order and releases each array once copied: at no time two
            # copies of the batch's sketches.
            kept = np.sort(sel)
            vsig, keys = compact_rows(vsig, kept), compact_rows(keys, kept)
            del fp, later, earlier, pair_sim, ix_exact, ix_row, ix_sim
            index.add(ids, exact, vsig, keys, has_sig, small,
                      rows=np.searchsorted(kept, sel), consume=True)
        results: list[Article] = list(batch)
        for i in np.flatnonzero(kind).tolist():
            j, row = int(dec_pos[i]), int(dec_row[i])
            cid = batch[j].id if j >= 0 else index.ids[row]
            results[i] = self._mark(batch[i], cid, float(dec_sim[i]), row,
                                    "exact" if kind[i] == _EXACT else "near")
        return results

    def _mark(self, article: Article, canonical_id: str, similarity: float, row: int,
              kind: str) -> Article:
        if row >= 0 and row < self.index.loaded and canonical_id == article.id:
            self.stats["redelivered"] += 1
            return article
        self.stats[f"duplicate_{kind}"] += 1
        return article.evolve(duplicate_of=canonical_id, similarity=round(similarity, 4))

    def _best_in_index(self, query: npt.NDArray[np.int64], keys: npt.NDArray[np.uint64],
                       vsig: npt.NDArray[np.uint8],
                       small: list[npt.NDArray[np.uint32] | None], ix_row: npt.NDArray[np.int64],
                       ix_sim: npt.NDArray[np.float64]) -> None:
        """For each query article, the most similar indexed canonical above the threshold.

        Articles are looked up :data:`_QUERY_GROUP` at a time: each one's answer depends on
        itself only, and the (article, canonical) hits of a whole batch (dozens per article
        before they are made unique) would be the largest temporaries of a batch.
        """
        for s in range(0, query.size, _QUERY_GROUP):
            self._best_in_index_group(query[s:s + _QUERY_GROUP], keys, vsig, small, ix_row,
                                      ix_sim)

    def _best_in_index_group(self, query: npt.NDArray[np.int64], keys: npt.NDArray[np.uint64],
                             vsig: npt.NDArray[np.uint8],
                             small: list[npt.NDArray[np.uint32] | None],
                             ix_row: npt.NDArray[np.int64], ix_sim: npt.NDArray[np.float64]
                             ) -> None:
        q, rows = self.index.band_lookup(keys[query])
        if q.size == 0:
            return
        q = query[q]
        # Larger passes once the index is large, in step with the fingerprint chunks (each
        # pass gathers its rows from the index's blocks: fewer, larger gathers).
        held = self.index.nbytes
        chunk = _PAIR_CHUNK * (chunk_bytes_for(held) // chunk_bytes_for(0))
        sims = pair_similarities(vsig, q, small, self.index.vsig, rows, self.index.small,
                                 num_bins=self.params.num_bins, threshold=self.threshold,
                                 chunk=chunk)
        ok = sims >= self.threshold
        q, rows, sims = q[ok], rows[ok], sims[ok]
        order = np.lexsort((rows, -sims, q))  # per article: best similarity, then oldest row
        q, rows, sims = q[order], rows[order], sims[order]
        first = np.ones(q.size, dtype=bool)
        first[1:] = q[1:] != q[:-1]
        ix_row[q[first]] = rows[first]
        ix_sim[q[first]] = sims[first]

    def _batch_candidates(self, query: npt.NDArray[np.int64], keys: npt.NDArray[np.uint64],
                          vsig: npt.NDArray[np.uint8],
                          small: list[npt.NDArray[np.uint32] | None], rank: npt.NDArray[np.int64],
                          batch: list[Article]
                          ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                                     npt.NDArray[np.float64]]:
        """Verified pairs inside the batch, as arrays (later-ranked article, earlier one,
        similarity), sorted by the later article, then best similarity, then the earlier
        article's rank (the order the decision takes them in); no Python object per pair."""
        none = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        if query.size < 2:
            return none
        pairs: list[npt.NDArray[np.int64]] = []
        # A few bands at a time bounds the sort's temporaries (keys carry their band number
        # in the hash, so equal keys are in the same band: no pair is lost by grouping).
        for g in range(0, keys.shape[1], _BAND_GROUP):
            flat = keys[query, g:g + _BAND_GROUP].reshape(-1)
            owner = np.repeat(query.astype(np.int32), flat.size // query.size)
            # Any order of equal keys: every pair in a run of equal keys is taken below.
            order = np.argsort(flat)
            flat, owner = flat[order], owner[order]
            del order
            found: list[npt.NDArray[np.int64]] = []
            same = flat[1:] == flat[:-1]
            d = 1
            while same.size and same.any():  # pair each key with the next d-th equal key
                idx = np.flatnonzero(same)
                first_of, second = owner[idx], owner[idx + d]
                lo, hi = np.minimum(first_of, second), np.maximum(first_of, second)
                keep = lo != hi
                found.append(lo[keep].astype(np.int64) * (1 << 32) + hi[keep].astype(np.int64))
                d += 1
                same = same[:-1] & (flat[d:] == flat[:-d])
            del flat, owner, same
            if found:
                pairs.append(np.unique(np.concatenate(found)))
        if not pairs:
            return none
        uniq = np.unique(np.concatenate(pairs))
        del pairs
        x, y = uniq >> 32, uniq & 0xFFFFFFFF
        sims = pair_similarities(vsig, x, small, vsig, y, small, num_bins=self.params.num_bins,
                                 threshold=self.threshold)
        # Both texts are at hand: settle the pairs the estimate cannot decide exactly.
        border = [k for k in np.flatnonzero(np.abs(sims - self.threshold) < BORDER).tolist()
                  if small[x[k]] is None or small[y[k]] is None]  # small pairs: already exact
        # Pairs come sorted by their first article, so a block of consecutive pairs needs few
        # texts; the shingle sets of one block at a time are held (all at once: ~1 MB/batch).
        at = 0
        while at < len(border):
            need: dict[int, int] = {}
            stop = at
            while stop < len(border) and (len(need) < _BORDER_TEXTS
                                          or (x[border[stop]] in need and y[border[stop]] in need)):
                for d in (int(x[border[stop]]), int(y[border[stop]])):
                    need.setdefault(d, len(need))
                stop += 1
            sets = shingle_sets([batch[d].text for d in need], self.params)
            for k in border[at:stop]:
                sims[k] = exact_similarity(sets[need[int(x[k])]], sets[need[int(y[k])]])
            del sets
            at = stop
        ok = sims >= self.threshold
        x, y, sims = x[ok], y[ok], sims[ok]
        swap = rank[x] > rank[y]
        later, earlier = np.where(swap, x, y), np.where(swap, y, x)
        del x, y, swap
        order = np.lexsort((rank[earlier], -sims, later))
        return later[order], earlier[order], sims[order]


def as_reject(article: Article | Reject) -> Reject | Article:
    """A duplicate as the rejects file records it; other articles and rejects unchanged."""
    if isinstance(article, Reject) or article.duplicate_of is None:
        return article
    return Reject(source=article.source, reason="duplicate", stage="dedup", id=article.id,
                  duplicate_of=article.duplicate_of, similarity=article.similarity)


__all__ = ["DEFAULT_THRESHOLD", "MODES", "Deduplicator", "Fingerprints", "Mode", "as_reject",
           "canonical_key", "canonical_order"]
