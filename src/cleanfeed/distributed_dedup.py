"""Near-duplicate dedup of a Dask bag, with exactly the local :class:`Deduplicator`'s result.

The local dedup is a stream: articles are cut into batches of ``batch_size`` (in bag order),
each batch is decided in canonical order, an article joins the most similar *canonical* seen
before it (no chaining through duplicates), and a canonical stays canonical. The outcome is
therefore a greedy pass over the articles in the global order ``(batch, canonical_key,
position)``. Nothing in it needs the whole corpus at once, only the graph of verified pairs:

1. **signatures, on the workers**: every partition is fingerprinted with
   :func:`cleanfeed.dedup.fingerprint` (the same numpy MinHash, exact hash, band keys);
2. **band keys, grouped by Dask**: each article emits ``(band key, article)`` and
   ``(exact hash, article)`` rows; a partition's rows go out as one block of numpy arrays per
   bucket (``key % buckets``), and ``Bag.groupby`` (a task shuffle) brings every bucket's
   blocks together (per-row Python tuples would cost more than the rest of the work). Inside a
   bucket, articles with the same words (one exact hash) collapse to one *text class*, and
   every two classes sharing a band key become a candidate pair;
3. **verification, on the workers**: the candidate pairs (16 bytes each) are gathered once
   to drop repeats, each partition sends its side of every pair it takes part in (signature,
   exact shingles of a short text, and the text where the two may share a batch) through a
   second ``Bag.groupby`` keyed by the pair, and where the two sides meet the pair is verified
   by the local rule itself (``deduplicator.pair_similarities``, plus the exact
   recomputation near the threshold that the local run does for two articles of one batch);
   only pairs at or above the threshold are kept, with both values (same batch / different
   batches). The task count grows as ``P log P`` in the number of partitions ``P`` (Dask's
   task shuffle), not ``P**2``;
4. **resolution, one task**: the connected part of the graph (classes with a verified pair or
   an exact copy) is replayed greedily in the global order; an article outside it is a
   canonical by construction. This is the only sequential step and it sees only articles
   that have a copy, not the corpus;
5. **marking, on the workers**: each partition marks its duplicates.

Equality with the local run holds by construction (same canonicals, ``duplicate_of``,
``similarity``, same articles in the same order): the greedy order, the batch boundaries and
each pair's similarity are reproduced, not approximated; the tests compare object by object on
syndicated copies, ties and random corpora. What is *not* offered here is a persistent
:class:`~cleanfeed.dedup.SqliteIndex` (dedup against earlier runs, and its re-delivery rule):
that stays with the client-side stream (``cleanfeed clean --dask ... --index``).

Why bags and not a ``dask.dataframe`` shuffle: in Dask 2026.8 a bag graph that goes through
``dd.from_delayed(...).shuffle(...).to_delayed()`` loses a key when the bag optimiser fuses
linear chains ("Missing dependency ... fromdelayed"), so both shuffles are ``Bag.groupby``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from cleanfeed.article import Article
from cleanfeed.dedup.deduplicator import (
    BORDER,
    DEFAULT_THRESHOLD,
    Mode,
    canonical_key,
    check_options,
    pair_similarities,
)
from cleanfeed.dedup.fingerprints import (
    band_keys,
    exact_similarity,
    fingerprint,
    mix64,
    shingle_sets,
    verification_sig,
)
from cleanfeed.dedup.params import DedupParams

if TYPE_CHECKING:
    import dask.bag

#: An article's reference: ``partition << 32 | k``, k its position among the partition's
#: articles. Monotonic in bag order, so the smallest reference is the earliest article.
_SHIFT = 32
_LOW = (1 << _SHIFT) - 1
_KIND_BAND, _KIND_EXACT = 0, 1

CanonKey = tuple[bool, float, int, str]
Small = npt.NDArray[np.uint32] | None


@dataclass(frozen=True, slots=True)
class _Prints:
    """Fingerprints of one partition's articles (row k = the partition's k-th Article)."""

    part: int
    ids: list[str]
    ckeys: list[CanonKey]
    exact: npt.NDArray[np.uint64]
    tokens: npt.NDArray[np.int64]
    has_sig: npt.NDArray[np.bool_]
    vsig: npt.NDArray[np.uint8]
    keys: npt.NDArray[np.uint64]
    small: list[Small]


def _articles(items: Iterable[Any]) -> list[Article]:
    return [r for r in items if isinstance(r, Article)]


def _fingerprint(items: Iterable[Any], part: int, near: bool, params: DedupParams) -> _Prints:
    arts = _articles(items)
    n = len(arts)
    if n == 0:
        return _Prints(part, [], [], np.zeros(0, np.uint64), np.zeros(0, np.int64),
                       np.zeros(0, bool), np.zeros((0, params.num_bins), np.uint8),
                       np.zeros((0, params.bands), np.uint64), [])
    fp = fingerprint([a.text for a in arts], params)
    ckeys = [canonical_key(a, int(t)) for a, t in zip(arts, fp.tokens.tolist(), strict=True)]
    if near:
        vsig, keys = verification_sig(fp.sig), band_keys(fp.sig, params)
    else:
        vsig = np.zeros((n, 0), np.uint8)
        keys = np.zeros((n, 0), np.uint64)
    return _Prints(part, [a.id for a in arts], ckeys, fp.exact, fp.tokens, fp.has_sig, vsig,
                   keys, fp.small)


def _count(prints: _Prints) -> int:
    return len(prints.ids)


Rows = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.uint64],
             npt.NDArray[np.uint8]]  # key, article, exact hash, kind


def _key_blocks(prints: _Prints, buckets: int) -> list[tuple[int, Rows]]:
    """The rows this partition sends into the shuffle (one per exact hash, one per band),
    as one block of numpy arrays per bucket (``key % buckets``: the keys are mixed hashes)."""
    n = len(prints.ids)
    docs = (np.int64(prints.part) << np.int64(_SHIFT)) | np.arange(n, dtype=np.int64)
    live = prints.tokens > 0  # empty texts are never canonicals nor duplicates
    b = prints.keys.shape[1]
    banded = live & prints.has_sig if b else np.zeros(n, bool)
    key = np.concatenate((prints.exact[live], prints.keys[banded].reshape(-1))).astype(np.uint64)
    doc = np.concatenate((docs[live], np.repeat(docs[banded], b))).astype(np.int64)
    exact = np.concatenate((prints.exact[live], np.repeat(prints.exact[banded], b)))
    kind = np.concatenate((np.full(int(live.sum()), _KIND_EXACT, np.uint8),
                           np.full(int(banded.sum()) * b, _KIND_BAND, np.uint8)))
    where = (key % np.uint64(buckets)).astype(np.int64)
    order = np.argsort(where, kind="stable")
    key, doc, exact, kind, where = key[order], doc[order], exact[order], kind[order], where[order]
    start, end = _runs(where)
    return [(int(where[s]), (key[s:e], doc[s:e], exact[s:e].astype(np.uint64), kind[s:e]))
            for s, e in zip(start.tolist(), end.tolist(), strict=True)]


def _runs(sorted_keys: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start and end of each run of equal values in a sorted array."""
    if sorted_keys.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    start = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    return start, np.append(start[1:], sorted_keys.size)


def _bucket(groups: Iterable[tuple[int, list[tuple[int, Rows]]]]
            ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """One partition of the grouped keys: (candidate class pairs ``(a, b)``, a < b) and
    exact-copy groups as ``(class, member)`` rows (a class is named by its earliest article).
    """
    blocks = [rows for _, elements in groups for _, rows in elements]
    if not blocks:
        return np.zeros((0, 2), np.int64), np.zeros((0, 2), np.int64)
    key, doc, exact, kind = (np.concatenate([blk[c] for blk in blocks]) for c in range(4))

    e = kind == _KIND_EXACT
    ek, ed = key[e], doc[e]
    order = np.lexsort((ed, ek))
    ek, ed = ek[order], ed[order]
    start, end = _runs(ek)
    multi = (end - start) > 1
    size = (end - start)[multi]
    cls = np.repeat(ed[start[multi]], size)
    pos = np.concatenate([np.arange(s, t) for s, t in zip(start[multi].tolist(),
                                                          end[multi].tolist(), strict=True)]
                         ) if size.size else np.zeros(0, np.int64)
    members = np.stack((cls, ed[pos]), axis=1) if size.size else np.zeros((0, 2), np.int64)

    b = kind == _KIND_BAND
    bk, bd, bx = key[b], doc[b], exact[b]
    order = np.lexsort((bd, bx, bk))  # per key, per text class, earliest article first
    bk, bd, bx = bk[order], bd[order], bx[order]
    first = np.ones(bk.size, dtype=bool)
    first[1:] = (bk[1:] != bk[:-1]) | (bx[1:] != bx[:-1])
    bk, bd = bk[first], bd[first]  # one row per (band key, text class)
    pairs: list[npt.NDArray[np.int64]] = []
    same = bk[1:] == bk[:-1]
    d = 1
    while same.size and same.any():  # pair each row with the d-th next one of its key
        idx = np.flatnonzero(same)
        x, y = bd[idx], bd[idx + d]
        pairs.append(np.stack((np.minimum(x, y), np.maximum(x, y)), axis=1))
        d += 1
        same = same[:-1] & (bk[d:] == bk[:-d])
    found = (np.unique(np.concatenate(pairs), axis=0) if pairs
             else np.zeros((0, 2), np.int64))
    return found, members


def _first(element: tuple[int, Any]) -> int:
    return element[0]


def _route(parts: int, buckets: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]
           ) -> list[npt.NDArray[np.int64]]:
    """Every candidate pair once (a pair can meet in several buckets), per partition: the
    pairs with an article there. Pairs are 16 bytes each: gathering them is cheap."""
    found = [b[0] for b in buckets if b[0].size]
    pairs = np.unique(np.concatenate(found), axis=0) if found else np.zeros((0, 2), np.int64)
    owner = pairs >> _SHIFT
    return [pairs[(owner[:, 0] == p) | (owner[:, 1] == p)] for p in range(parts)]


@dataclass(frozen=True, slots=True)
class _Sides:
    """One side of some candidate pairs: the pair, which side, that article's data."""

    pairs: npt.NDArray[np.int64]
    side: npt.NDArray[np.int64]
    vsig: npt.NDArray[np.uint8]
    small: list[Small]
    texts: list[str]


def _pair_bucket(pairs: npt.NDArray[np.int64], buckets: int) -> npt.NDArray[np.int64]:
    h = pairs[:, 0].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ pairs[:, 1].astype(
        np.uint64)
    return (mix64(h) % np.uint64(buckets)).astype(np.int64)


def _may_share_batch(pairs: npt.NDArray[np.int64], layout: _Layout) -> npt.NDArray[np.bool_]:
    """Pairs two of whose articles can fall in one batch (the only ones whose similarity may
    be recomputed exactly from the texts, as the local run does inside a batch)."""
    shared = layout.batch(pairs[:, 0]) == layout.batch(pairs[:, 1])
    if layout.multi:
        multi = np.fromiter(layout.multi, dtype=np.int64, count=len(layout.multi))
        shared |= np.isin(pairs[:, 0], multi) | np.isin(pairs[:, 1], multi)
    return shared


def _sides(prints: _Prints, items: Iterable[Any], pairs: npt.NDArray[np.int64],
           buckets: int, layout: _Layout) -> list[tuple[int, _Sides]]:
    """This partition's half of each pair it takes part in, as one block per pair bucket
    (the text only where the pair may need it)."""
    if pairs.size == 0:
        return []
    arts = _articles(items)
    with_text = _may_share_batch(pairs, layout)
    rows, side = [], []
    for s in (0, 1):
        sel = np.flatnonzero((pairs[:, s] >> _SHIFT) == prints.part)
        rows.append(sel)
        side.append(np.full(sel.size, s, np.int64))
    row, sides = np.concatenate(rows), np.concatenate(side)
    k = pairs[row, sides] & _LOW
    where = _pair_bucket(pairs[row], buckets)
    out = []
    for b in np.unique(where).tolist():
        sel = np.flatnonzero(where == b)
        ks, texts = k[sel].tolist(), with_text[row[sel]].tolist()
        out.append((b, _Sides(pairs[row[sel]], sides[sel], prints.vsig[k[sel]],
                              [prints.small[i] for i in ks],
                              [arts[i].text if t else "" for i, t in zip(ks, texts,
                                                                         strict=True)])))
    return out


@dataclass(frozen=True, slots=True)
class _Edges:
    """Verified class pairs; NaN where the pair is below the threshold in that setting."""

    pairs: npt.NDArray[np.int64]
    cross: npt.NDArray[np.float64]  # the two articles in different batches
    same: npt.NDArray[np.float64]  # in one batch (exact Jaccard near the threshold)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where batches start, and which text classes have several articles."""

    offsets: npt.NDArray[np.int64]  # articles before each partition
    batch_size: int
    multi: frozenset[int]

    def batch(self, docs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return (self.offsets[docs >> _SHIFT] + (docs & _LOW)) // self.batch_size


def _layout(counts: Sequence[int], batch_size: int,
            buckets: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]) -> _Layout:
    offsets = np.concatenate(([0], np.cumsum(np.asarray(counts, dtype=np.int64))))
    multi = frozenset(int(c) for b in buckets for c in np.unique(b[1][:, 0]).tolist())
    return _Layout(offsets, batch_size, multi)


def _verify(groups: Iterable[tuple[int, list[tuple[int, _Sides]]]], threshold: float,
            params: DedupParams, layout: _Layout) -> _Edges:
    """Both sides of each pair met here: its similarity, by the local Deduplicator's rule."""
    blocks = [blk for _, elements in groups for _, blk in elements]
    if not blocks:
        empty = np.zeros(0)
        return _Edges(np.zeros((0, 2), np.int64), empty, empty)
    pairs = np.concatenate([b.pairs for b in blocks])
    side = np.concatenate([b.side for b in blocks])
    vsig = np.concatenate([b.vsig for b in blocks])
    small = [x for b in blocks for x in b.small]
    texts = [t for b in blocks for t in b.texts]
    order = np.lexsort((side, pairs[:, 1], pairs[:, 0]))  # each pair: side a, then side b
    ia, ib = order[0::2], order[1::2]
    pairs = pairs[ia]
    # Articles in different batches: the index path (estimate; exact when both are small).
    cross = pair_similarities(vsig, ia, small, vsig, ib, small, num_bins=params.num_bins,
                              threshold=threshold)
    # One batch: the batch path also settles pairs near the threshold from both texts. Only
    # needed where two of the classes' articles can share a batch.
    same = cross.copy()
    shared = _may_share_batch(pairs, layout)
    border = [k for k in np.flatnonzero(np.abs(cross - threshold) < BORDER).tolist()
              if (small[ia[k]] is None or small[ib[k]] is None) and shared[k]]
    if border:
        rows = sorted({int(r) for k in border for r in (ia[k], ib[k])})
        sets = dict(zip(rows, shingle_sets([texts[r] for r in rows], params), strict=True))
        for k in border:
            same[k] = exact_similarity(sets[int(ia[k])], sets[int(ib[k])])
    keep = (cross >= threshold) | (same >= threshold)
    cross = np.where(cross >= threshold, cross, np.nan)
    same = np.where(same >= threshold, same, np.nan)
    return _Edges(pairs[keep], cross[keep], same[keep])


def _involved(parts: int, buckets: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]],
              edges: Sequence[_Edges]) -> list[npt.NDArray[np.int64]]:
    """Per partition, its articles that have a verified pair or an exact copy."""
    docs = [b[1].reshape(-1) for b in buckets] + [e.pairs.reshape(-1) for e in edges]
    every = np.unique(np.concatenate(docs)) if docs else np.zeros(0, np.int64)
    return [every[(every >> _SHIFT) == p] & _LOW for p in range(parts)]


def _meta(prints: _Prints, ks: npt.NDArray[np.int64]) -> list[tuple[int, str, CanonKey]]:
    base = prints.part << _SHIFT
    return [(base | k, prints.ids[k], prints.ckeys[k]) for k in ks.tolist()]


def _resolve(counts: Sequence[int], batch_size: int, threshold: float,
             buckets: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]],
             edges: Sequence[_Edges], metas: Sequence[list[tuple[int, str, CanonKey]]]
             ) -> list[dict[int, tuple[str, float]]]:
    """The local greedy pass, replayed over the articles that have a copy.

    Returns, per partition, ``k -> (canonical id, similarity)`` for its duplicates.
    """
    offsets = np.concatenate(([0], np.cumsum(np.asarray(counts, dtype=np.int64))))
    info: dict[int, tuple[str, CanonKey]] = {d: (i, c) for m in metas for d, i, c in m}

    def ordinal(doc: int) -> int:
        return int(offsets[doc >> _SHIFT]) + (doc & _LOW)

    batch = {d: ordinal(d) // batch_size for d in info}
    gkey = {d: (batch[d], info[d][1], ordinal(d)) for d in info}
    cls: dict[int, int] = {}
    for b in buckets:
        for c, m in b[1].tolist():
            cls[m] = c
    near: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for e in edges:
        for (a, b), x, s in zip(e.pairs.tolist(), e.cross.tolist(), e.same.tolist(),
                                strict=True):
            near[a].append((b, x, s))
            near[b].append((a, x, s))

    canon: dict[int, list[int]] = defaultdict(list)  # class -> its canonical articles
    indexed: dict[int, int] = {}  # class -> canonical of an earlier batch with these words
    fresh: list[int] = []  # canonicals of the current batch
    in_batch: dict[int, tuple[int, float]] = {}  # class -> decision of its first holder
    current = -1
    out: list[dict[int, tuple[str, float]]] = [{} for _ in counts]

    def mark(doc: int, canonical: int, sim: float) -> None:
        out[doc >> _SHIFT][doc & _LOW] = (info[canonical][0], round(sim, 4))

    for doc in sorted(info, key=gkey.__getitem__):
        if batch[doc] != current:  # the batch's canonicals reach the index
            for f in fresh:
                indexed.setdefault(cls.get(f, f), f)
            fresh, in_batch, current = [], {}, batch[doc]
        c = cls.get(doc, doc)
        if c in indexed:
            mark(doc, indexed[c], 1.0)
            continue
        if c in in_batch:
            canonical, sim = in_batch[c]
            mark(doc, canonical, sim)
            continue
        best_sim, best = 0.0, -1
        for other, x, s in near.get(c, ()):
            for j in canon.get(other, ()):
                sim = s if batch[j] == current else x
                if sim >= threshold and (sim > best_sim or
                                         (sim == best_sim and gkey[j] < gkey[best])):
                    best_sim, best = sim, j
        if best >= 0:
            mark(doc, best, best_sim)
            in_batch[c] = (best, best_sim)
            continue
        canon[c].append(doc)
        fresh.append(doc)
        in_batch[c] = (doc, 1.0)
    return out


def _mark(items: Iterable[Any], decisions: dict[int, tuple[str, float]]) -> list[Any]:
    out: list[Any] = []
    k = 0
    for item in items:
        if isinstance(item, Article):
            if k in decisions:
                canonical, sim = decisions[k]
                item = item.evolve(duplicate_of=canonical, similarity=sim)
            k += 1
        out.append(item)
    return out


def dedup_bag(bag: dask.bag.Bag, mode: Mode = "near", threshold: float = DEFAULT_THRESHOLD,
              *, params: DedupParams | None = None, batch_size: int = 1000,
              buckets: int | None = None, shuffle: str = "tasks") -> dask.bag.Bag:
    """Mark duplicates in a bag of ``Article``/``Reject`` (lazily; order and partitions kept).

    The result equals ``list(Deduplicator(mode, threshold, params=params,
    batch_size=batch_size).run(bag.compute()))`` -- same canonicals, ``duplicate_of`` and
    ``similarity`` -- computed on the cluster (see the module docstring). Elements that are not
    ``Article`` pass through untouched. ``buckets`` is the number of partitions of the band-key
    shuffle (default: the bag's); ``shuffle_method`` is passed to Dask (``"tasks"``, ``"p2p"``).

    The bag's partitions are computed once and held by the workers until every partition is
    marked (the decision is global): persist a bag that is expensive to recompute, and keep the
    cluster's memory above the corpus size.
    """
    from cleanfeed.distributed import require_dask

    require_dask()
    check_options(mode, threshold, batch_size)
    if mode == "off":
        return bag
    import dask.bag as db
    from dask import delayed

    params = params or DedupParams()
    parts = bag.to_delayed()
    n = len(parts)
    prints = [delayed(_fingerprint, pure=True)(part, p, mode == "near", params)
              for p, part in enumerate(parts)]
    s = buckets or n
    blocks = db.from_delayed([delayed(_key_blocks, pure=True)(p, s) for p in prints])
    grouped_bag = blocks.groupby(_first, npartitions=s, shuffle=shuffle)
    # Not optimised: fusing would copy each partition's fingerprinting into the bucket tasks.
    grouped = [delayed(_bucket, pure=True)(g)
               for g in grouped_bag.to_delayed(optimize_graph=False)]
    counts = [delayed(_count, pure=True)(p) for p in prints]
    layout = delayed(_layout, pure=True)(counts, batch_size, grouped)
    # Candidate pairs meet their two articles' data in a second shuffle (a join on the pair).
    routed = delayed(_route, pure=True, nout=n)(n, grouped)
    sides = db.from_delayed([delayed(_sides, pure=True)(prints[p], parts[p], routed[p], s,
                                                        layout) for p in range(n)])
    joined = sides.groupby(_first, npartitions=s, shuffle=shuffle)
    edges = [delayed(_verify, pure=True)(g, threshold, params, layout)
             for g in joined.to_delayed(optimize_graph=False)]
    involved = delayed(_involved, pure=True, nout=n)(n, grouped, edges)
    metas = [delayed(_meta, pure=True)(prints[p], involved[p]) for p in range(n)]
    decisions = delayed(_resolve, pure=True, nout=n)(counts, batch_size, threshold, grouped,
                                                     edges, metas)
    return db.from_delayed([delayed(_mark, pure=True)(parts[p], decisions[p])
                            for p in range(n)])


__all__ = ["dedup_bag"]
