"""Vectorised fingerprints for a batch of texts: exact hash, word count, MinHash signature.

Why this shape: hashing shingles one Python object at a time costs more than everything else
in deduplication. Here a whole batch is normalised, encoded once, and every step after that
is a numpy operation over all bytes / words / shingles of the batch at once:

1. words: a byte classifier (ASCII ranges + three UTF-8 lead-byte rules) finds word bounds;
   each word's bytes are read 8 at a time through an unaligned uint64 view and finalised
   with splitmix64;
2. shingle hashes: ``shingle_size`` consecutive word hashes combined and finalised, only for
   windows that stay inside one document;
3. signature: *one-permutation MinHash* — the top bits of a shingle hash pick a bin, the low
   32 bits are the value, each bin keeps its minimum (one pass, not one pass per permutation);
   empty bins are filled by *optimal densification* (Shrivastava 2017), which keeps
   P(bin equal) = Jaccard, so the bins work for LSH banding and for estimating similarity;
4. small texts (at most ``exact_max_shingles`` shingles) also keep their exact set of 32-bit
   shingle hashes, for exact Jaccard where the densified signature is least informative.

All hashing is seeded and platform-independent (explicit little-endian uint64 arithmetic,
wrapping), so fingerprints are identical across processes and runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from cleanfeed.dedup.params import DedupParams

U64 = np.uint64
EMPTY = np.uint32(0xFFFFFFFF)
_M1 = U64(0xBF58476D1CE4E5B9)
_M2 = U64(0x94D049BB133111EB)
_GOLDEN = 0x9E3779B97F4A7C15
_WORD_BASE = U64(0xD6E8FEB86659FD93)
_S30, _S27, _S31 = U64(30), U64(27), U64(31)
#: Bytes hashed per vectorised pass; bounds the temporary arrays (about 40 bytes per byte).
_CHUNK_BYTES = 1 << 18
#: Densification rounds done over the whole signature matrix before going sparse.
_DENSE_ROUNDS = 6


def mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: a bijection that spreads every input bit over the output."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


def _scalar_mix(x: int) -> int:
    return int(mix64(np.array([x & 0xFFFFFFFFFFFFFFFF], dtype=U64))[0])


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Fingerprints of a batch, row ``i`` for text ``i``.

    ``has_sig[i]`` is False for texts shorter than ``min_tokens`` words: they are matched by
    ``exact`` only and their ``sig`` row is meaningless. ``small[i]`` is the sorted set of
    32-bit shingle hashes of a text with at most ``exact_max_shingles`` shingles (else None):
    for such texts the signature carries little information (most bins are densified
    copies), so similarity between two of them is computed exactly instead.
    """

    exact: npt.NDArray[np.uint64]
    tokens: npt.NDArray[np.int64]
    has_sig: npt.NDArray[np.bool_]
    sig: npt.NDArray[np.uint32]
    small: list[npt.NDArray[np.uint32] | None]


def exact_hash(text: str, params: DedupParams) -> int:
    """The ``exact`` fingerprint of one text (same value :func:`fingerprint` gives)."""
    return int(fingerprint([text], params).exact[0])


def _prepare(text: str) -> bytes:
    """Lower-case UTF-8 (the only per-character Python work; see :mod:`normalize`)."""
    return text.lower().encode("utf-8", "surrogatepass")


def fingerprint(texts: list[str], params: DedupParams) -> Fingerprints:
    """Fingerprints of ``texts`` (see the module docstring for the method)."""
    m = len(texts)
    encoded = [_prepare(t) for t in texts]
    k = params.num_bins
    sig = np.full((m, k), EMPTY, dtype=np.uint32)
    tokens = np.zeros(m, dtype=np.int64)
    exact = np.zeros(m, dtype=U64)
    small: list[npt.NDArray[np.uint32] | None] = [None] * m
    for start, stop in _chunks(encoded):
        small[start:stop] = _sign_chunk(encoded[start:stop], params, sig[start:stop],
                                        tokens[start:stop], exact[start:stop])
    has_sig = tokens >= params.min_tokens
    for i in np.flatnonzero(~has_sig):
        small[i] = None
    _densify(sig, has_sig, params)
    return Fingerprints(exact=exact, tokens=tokens, has_sig=has_sig, sig=sig, small=small)


def _chunks(encoded: list[bytes]) -> Iterator[tuple[int, int]]:
    """(start, stop) runs of whole documents of about :data:`_CHUNK_BYTES` each."""
    start, m = 0, len(encoded)
    while start < m:
        stop, size = start, 0
        while stop < m and (stop == start or size + len(encoded[stop]) < _CHUNK_BYTES):
            size += len(encoded[stop]) + 1
            stop += 1
        yield start, stop
        start = stop


def _word_bytes(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Which bytes belong to words: the byte-level twin of :func:`normalize.normalise`.

    ASCII letters/digits and non-ASCII characters are word characters, except U+0080-U+00BF
    (Latin-1 punctuation, no-break space), U+2000-U+207F (dashes, typographic quotes, spaces)
    and U+3000-U+303F (CJK punctuation), recognised by their UTF-8 lead bytes.
    """
    word = (data - np.uint8(0x61)) <= np.uint8(25)  # a-z (the text is lower-cased)
    word |= (data - np.uint8(0x30)) <= np.uint8(9)
    word |= (data - np.uint8(0x41)) <= np.uint8(25)  # A-Z that lower() left (none in practice)
    word |= data >= np.uint8(0x80)
    lead = np.flatnonzero((data - np.uint8(0xC2)) <= np.uint8(0xE3 - 0xC2))
    if lead.size:
        lead = lead[lead + 2 < data.size]
        b0, b1 = data[lead], data[lead + 1]
        keep = (b0 == 0xC2) | (b0 == 0xE2) | (b0 == 0xE3)
        lead, b0, b1 = lead[keep], b0[keep], b1[keep]
        two = lead[b0 == 0xC2]
        word[two] = False
        word[two + 1] = False
        three = lead[((b0 == 0xE2) & ((b1 == 0x80) | (b1 == 0x81))) | ((b0 == 0xE3) & (b1 == 0x80))]
        word[three] = False
        word[three + 1] = False
        word[three + 2] = False
    return word


def _sign_chunk(encoded: list[bytes], params: DedupParams, sig: npt.NDArray[np.uint32],
                tokens: npt.NDArray[np.int64], exact: npt.NDArray[np.uint64]
                ) -> list[npt.NDArray[np.uint32] | None]:
    """Fill ``sig`` (bin minima, EMPTY where no shingle fell), ``tokens``, ``exact``.

    Returns the exact shingle sets of the chunk's small texts (None for the others).
    """
    m = len(encoded)
    small: list[npt.NDArray[np.uint32] | None] = [None] * m
    joined = b" ".join(encoded)
    n = len(joined) + 1
    buffer = joined + b" " * (8 + (-(n + 7) % 8))  # room for 8-byte reads, whole uint64s
    data = np.frombuffer(buffer, dtype=np.uint8, count=n)
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=m)
    doc_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    is_word = np.zeros(n + 1, dtype=np.bool_)
    is_word[1:] = _word_bytes(data)
    edges = np.flatnonzero(is_word[1:] != is_word[:-1])  # alternating starts and ends
    starts, ends = edges[0::2], edges[1::2]
    doc = np.searchsorted(doc_start, starts, side="right") - 1
    tokens[:] = np.bincount(doc, minlength=m)
    seed = U64(_scalar_mix(params.seed))
    if starts.size == 0:
        exact[:] = mix64(np.zeros(m, dtype=U64) ^ seed)
        return small
    # Word hash: read each word 8 bytes at a time through an unaligned little-endian uint64
    # view of the buffer (one gather per 8 bytes of word, no per-byte arithmetic).
    length = ends - starts
    view = as_strided(np.frombuffer(buffer, dtype="<u8"), shape=(n,), strides=(1,))
    words = view[starts] & _MASKS[np.minimum(length, 8)]
    long_words = np.flatnonzero(length > 8)
    offset = 8
    while long_words.size:
        rest = length[long_words] - offset
        part = view[starts[long_words] + offset] & _MASKS[np.minimum(rest, 8)]
        words[long_words] = mix64(words[long_words] ^ U64(offset)) ^ part
        long_words = long_words[rest > 8]
        offset += 8
    words = mix64(words ^ (length.astype(U64) << U64(56)) ^ seed)
    # Exact fingerprint: order-sensitive sum of (word, position) hashes, plus the word count.
    first = np.concatenate(([0], np.cumsum(tokens)[:-1]))
    position = np.arange(words.size, dtype=np.int64) - first[doc]
    acc = np.zeros(m, dtype=U64)
    np.add.at(acc, doc, mix64(words + position.astype(U64) * U64(_GOLDEN)))
    exact[:] = mix64(acc ^ tokens.astype(U64) ^ seed)
    s = params.shingle_size
    if words.size < s:
        return small
    width = words.size - s + 1
    h = words[:width].copy()
    for t in range(1, s):
        h *= _WORD_BASE
        h += words[t:t + width]
    h = mix64(h)
    inside = doc[:width] == doc[s - 1:]
    h, sdoc = h[inside], doc[:width][inside]
    shift = U64(64 - (params.num_bins.bit_length() - 1))
    bins = (h >> shift).astype(np.int64)
    values = h.astype(np.uint32)  # the low 32 bits, independent of the bin bits
    np.minimum.at(sig.reshape(-1), sdoc * params.num_bins + bins, values)
    count = np.bincount(sdoc, minlength=m)
    few = (count > 0) & (count <= params.exact_max_shingles)
    if few.any():
        sel = few[sdoc]
        hs, ds = (h[sel] >> U64(32)).astype(np.uint32), sdoc[sel]
        order = np.lexsort((hs, ds))
        hs, ds = hs[order], ds[order]
        keep = np.ones(hs.size, dtype=bool)
        keep[1:] = (hs[1:] != hs[:-1]) | (ds[1:] != ds[:-1])
        hs, ds = hs[keep], ds[keep]
        bounds = np.searchsorted(ds, np.flatnonzero(few), side="left")
        ends = np.append(bounds[1:], hs.size)
        for d, b0, b1 in zip(np.flatnonzero(few).tolist(), bounds.tolist(), ends.tolist(),
                             strict=True):
            small[d] = hs[b0:b1].copy()
    return small


_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(9)], dtype=U64)

@lru_cache(maxsize=8)
def _probe_table(num_bins: int, seed: int, attempts: int) -> npt.NDArray[np.int64]:
    """Bin to borrow from, per (attempt, bin): the same sequence for every document."""
    a = np.arange(attempts, dtype=U64)[:, None]
    j = np.arange(num_bins, dtype=U64)[None, :]
    x = mix64(a * U64(0x100000001) + j * U64(_GOLDEN) + U64(_scalar_mix(seed)))
    return (x % U64(num_bins)).astype(np.int64)


def _densify(sig: npt.NDArray[np.uint32], has_sig: npt.NDArray[np.bool_],
             params: DedupParams) -> None:
    """Optimal densification: an empty bin copies the bin its probe sequence hits first."""
    rows = np.flatnonzero(has_sig & (sig == EMPTY).any(axis=1))
    if rows.size == 0:
        return
    k = params.num_bins
    orig = sig[rows]
    filled = orig.copy()
    need = orig == EMPTY
    attempts = 64
    table = _probe_table(k, params.seed, attempts)
    for attempt in range(_DENSE_ROUNDS):  # whole-matrix rounds: most empty bins end here
        cand = np.take(orig, table[attempt], axis=1)
        update = need & (cand != EMPTY)
        np.copyto(filled, cand, where=update)
        need ^= update
    flat = orig.reshape(-1)
    rd, rj = np.nonzero(need)
    attempt = _DENSE_ROUNDS
    while rd.size:  # the few left (short texts): one probe per round, shrinking
        if attempt == attempts:
            attempts *= 4
            table = _probe_table(k, params.seed, attempts)
        cand = flat[rd * k + table[attempt, rj]]
        ok = cand != EMPTY
        filled[rd[ok], rj[ok]] = cand[ok]
        rd, rj = rd[~ok], rj[~ok]
        attempt += 1
    sig[rows] = filled


def band_keys(sig: npt.NDArray[np.uint32], params: DedupParams) -> npt.NDArray[np.uint64]:
    """LSH band keys, shape (n, bands): a 64-bit hash of a band's ``rows`` bins and its number."""
    n, b, r = sig.shape[0], params.bands, params.rows
    cube = sig[:, : b * r].reshape(n, b, r).astype(U64)
    seeds = mix64(np.arange(b, dtype=U64) + U64(_scalar_mix(params.seed ^ 0x5EED)))
    h = np.broadcast_to(seeds, (n, b)).copy()
    for c in range(r):
        h = (h ^ cube[:, :, c]) * _WORD_BASE
    return mix64(h)


#: Bits kept per bin for verification: a false bin match has probability 2**-8, which
#: :func:`estimate_similarity` corrects for; a quarter of the memory of full 32-bit bins.
VERIFY_BITS = 8


def verification_sig(sig: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    """The high :data:`VERIFY_BITS` bits of each bin (what the index stores per canonical)."""
    return (sig >> np.uint32(32 - VERIFY_BITS)).astype(np.uint8)


def shingle_sets(texts: list[str], params: DedupParams) -> list[npt.NDArray[np.uint32]]:
    """The sorted sets of 32-bit shingle hashes of ``texts`` (what ``small`` holds)."""
    every = replace(params, exact_max_shingles=1 << 62)
    encoded = [_prepare(t) for t in texts]
    m = len(texts)
    sig = np.full((m, params.num_bins), EMPTY, dtype=np.uint32)
    tokens, exact = np.zeros(m, dtype=np.int64), np.zeros(m, dtype=U64)
    sets: list[npt.NDArray[np.uint32] | None] = [None] * m
    for start, stop in _chunks(encoded):
        sets[start:stop] = _sign_chunk(encoded[start:stop], every, sig[start:stop],
                                       tokens[start:stop], exact[start:stop])
    empty = np.zeros(0, dtype=np.uint32)
    return [s if s is not None else empty for s in sets]


def exact_similarity(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """Jaccard of two sorted shingle-hash sets."""
    inter = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - inter
    return inter / union if union else 1.0


def estimate_similarity(equal_fraction: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Jaccard estimate from the fraction of equal truncated bins, unbiased for collisions.

    E[fraction] = J + (1 - J) * 2**-bits, solved for J.
    """
    c = 2.0 ** -VERIFY_BITS
    return np.clip((equal_fraction - c) / (1.0 - c), 0.0, 1.0)
