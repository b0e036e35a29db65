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
#: Default similarity threshold (estimated Jaccard of word 5-gram sets), tuned on
#: benchmarks/dedup.py: see benchmarks/RESULTS-dedup.md.
DEFAULT_THRESHOLD = 0.7
#: Pairs compared per numpy pass: bounds the temporaries (3 x 512 bytes per pair).
_PAIR_CHUNK = 1 << 7
#: Articles looked up in the index together (bounds the lookup's temporaries).
_QUERY_GROUP = 256
#: Texts whose exact shingle sets are held at once when settling pairs near the threshold.
_BORDER_TEXTS = 64
#: Bands whose keys are sorted together when pairing the articles of a batch.
_BAND_GROUP = 8
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
                      threshold: float) -> npt.NDArray[np.float64]:
    """Jaccard of row pairs: estimated from equal bins; exact when both texts are small.

    The one similarity rule of every dedup path (local batches, the index, ``dedup_bag``).
    """
    out = np.empty(ia.size)
    for s in range(0, ia.size, _PAIR_CHUNK):
        e = s + _PAIR_CHUNK
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
        positions = [i for i, r in enumerate(pending) if isinstance(r, Article)]
        batch = [pending[i] for i in positions]
        marked = self.process_batch(batch)  # type: ignore[arg-type]
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
        fp = sketch([a.text for a in batch], p)  # memory per chunk of texts, not per batch
        vsig, keys = fp.vsig, fp.keys
        order = sorted((i for i in range(m) if fp.tokens[i] > 0),
                       key=lambda i: canonical_key(batch[i], int(fp.tokens[i])))
        rank = np.full(m, m, dtype=np.int64)
        rank[order] = np.arange(len(order))

        index = self.index
        ix_exact = index.exact_lookup(fp.exact)
        # Representatives: not an exact copy of an indexed or a better-ranked batch article.
        rep = np.zeros(m, dtype=bool)
        seen: set[int] = set()
        for i in order:
            h = int(fp.exact[i])
            if ix_exact[i] < 0 and h not in seen:
                rep[i] = True
            seen.add(h)
        ix_row = np.full(m, -1, dtype=np.int64)
        ix_sim = np.zeros(m)
        batch_cands: dict[int, list[tuple[float, int]]] = {}
        if near:
            query = np.flatnonzero(rep & fp.has_sig)
            self._best_in_index(query, keys, vsig, fp.small, ix_row, ix_sim)
            texts = [a.text for a in batch]
            batch_cands = self._batch_candidates(query, keys, vsig, fp.small, rank, texts)

        results: list[Article] = list(batch)
        canon_pos: list[int] = []
        is_canon = np.zeros(m, dtype=bool)
        # exact hash -> the decision its first (best-ranked) holder got: (canonical, sim, row)
        batch_exact: dict[int, tuple[str, float, int]] = {}
        for i in order:
            article = batch[i]
            h = int(fp.exact[i])
            row = int(ix_exact[i])
            if row >= 0:
                results[i] = self._mark(article, index.ids[row], 1.0, row, "exact")
                continue
            if h in batch_exact:  # same words as a better-ranked article: same decision
                cid, sim, row = batch_exact[h]
                results[i] = self._mark(article, cid, sim, row, "exact")
                continue
            best_sim, best_id, best_row = 0.0, "", -1
            if near and fp.has_sig[i]:
                if ix_row[i] >= 0:
                    best_sim, best_row = float(ix_sim[i]), int(ix_row[i])
                    best_id = index.ids[best_row]
                for sim, j in batch_cands.get(i, ()):
                    if is_canon[j] and sim > best_sim:  # ties keep the older canonical
                        best_sim, best_id, best_row = sim, batch[j].id, -1
            if best_sim >= self.threshold:
                results[i] = self._mark(article, best_id, best_sim, best_row, "near")
                batch_exact[h] = (best_id, best_sim, best_row)
                continue
            is_canon[i] = True
            canon_pos.append(i)
            batch_exact[h] = (article.id, 1.0, -1)
            self.stats["canonical"] += 1
            if not fp.has_sig[i]:
                self.stats["exact_only_short"] += 1
        self.stats["articles"] += m
        self.stats["empty"] += m - len(order)
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
            del fp, batch_cands, ix_exact, ix_row, ix_sim
            index.add(ids, exact, vsig, keys, has_sig, small,
                      rows=np.searchsorted(kept, sel), consume=True)
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
        sims = pair_similarities(vsig, q, small, self.index.vsig, rows, self.index.small,
                                 num_bins=self.params.num_bins, threshold=self.threshold)
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
                          texts: list[str]) -> dict[int, list[tuple[float, int]]]:
        """Verified pairs inside the batch: later-ranked article -> [(similarity, earlier)]."""
        if query.size < 2:
            return {}
        pairs: list[npt.NDArray[np.int64]] = []
        # A few bands at a time bounds the sort's temporaries (keys carry their band number
        # in the hash, so equal keys are in the same band: no pair is lost by grouping).
        for g in range(0, keys.shape[1], _BAND_GROUP):
            flat = keys[query, g:g + _BAND_GROUP].reshape(-1)
            owner = np.repeat(query, flat.size // query.size)
            order = np.argsort(flat, kind="stable")
            flat, owner = flat[order], owner[order]
            del order
            found: list[npt.NDArray[np.int64]] = []
            same = flat[1:] == flat[:-1]
            d = 1
            while same.size and same.any():  # pair each key with the next d-th equal key
                idx = np.flatnonzero(same)
                x, y = owner[idx], owner[idx + d]
                lo, hi = np.minimum(x, y), np.maximum(x, y)
                keep = lo != hi
                found.append(lo[keep] * (1 << 32) + hi[keep])
                d += 1
                same = same[:-1] & (flat[d:] == flat[:-d])
            del flat, owner, same
            if found:
                pairs.append(np.unique(np.concatenate(found)))
        if not pairs:
            return {}
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
            sets = shingle_sets([texts[d] for d in need], self.params)
            for k in border[at:stop]:
                sims[k] = exact_similarity(sets[need[int(x[k])]], sets[need[int(y[k])]])
            del sets
            at = stop
        ok = np.flatnonzero(sims >= self.threshold)
        cands: dict[int, list[tuple[float, int]]] = {}
        for k in ok.tolist():
            i, j = int(x[k]), int(y[k])
            earlier, later = (i, j) if rank[i] < rank[j] else (j, i)
            cands.setdefault(later, []).append((float(sims[k]), earlier))
        for lst in cands.values():  # ties resolve to the better-ranked canonical
            lst.sort(key=lambda t: (-t[0], rank[t[1]]))
        return cands


def as_reject(article: Article | Reject) -> Reject | Article:
    """A duplicate as the rejects file records it; other articles and rejects unchanged."""
    if isinstance(article, Reject) or article.duplicate_of is None:
        return article
    return Reject(source=article.source, reason="duplicate", stage="dedup", id=article.id,
                  duplicate_of=article.duplicate_of, similarity=article.similarity)


__all__ = ["DEFAULT_THRESHOLD", "MODES", "Deduplicator", "Fingerprints", "Mode", "as_reject",
           "canonical_key"]
