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

from cleanfeed.dedup.params import DedupParams

U64 = np.uint64
EMPTY = np.uint32(0xFFFFFFFF)
_M1 = U64(0xBF58476D1CE4E5B9)
_M2 = U64(0x94D049BB133111EB)
_GOLDEN = 0x9E3779B97F4A7C15
_WORD_BASE = U64(0xD6E8FEB86659FD93)
_S30, _S27, _S31 = U64(30), U64(27), U64(31)
#: Bytes hashed per vectorised pass; bounds the temporary arrays (a few bytes per byte, and
#: a large part of a small batch's peak memory). Smaller costs time: each pass has a fixed
#: cost of ~100 numpy calls.
_CHUNK_BYTES = 1 << 17
#: Texts per chunk at most: bounds the chunk's signature matrix (2 KB per text) when the
#: texts are short.
_CHUNK_TEXTS = 128
#: Densification rounds done over the whole signature matrix before going sparse.
_DENSE_ROUNDS = 4
#: Probes per bin in the first sparse round after them (doubling in later rounds).
_SPARSE_BLOCK = 8


def mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: a bijection that spreads every input bit over the output."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


def _mix64_inplace(x: npt.NDArray[np.uint64]) -> None:
    """:func:`mix64` overwriting ``x`` (fewer temporaries on the big arrays)."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31


@lru_cache(maxsize=64)
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
    """Lower-case UTF-8 (the reference for :func:`_encode_lower`; see :mod:`normalize`)."""
    return text.lower().encode("utf-8", "surrogatepass")


def _encode_lower(texts: list[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """The bytes :func:`_sign_chunk` reads: ``_prepare(t)`` of every text, each followed by a
    space, padded with spaces to whole uint64s plus 8 bytes; and each text's byte length + 1.

    Same bytes as ``str.lower`` then UTF-8, without ``str.lower`` where it is not needed (it
    walks a non-ASCII string character by character: a fifth of all fingerprinting time).
    The texts are encoded first; ASCII is lower-cased by ``bytes.lower`` (a C table lookup),
    and non-ASCII characters whose lower case has the same UTF-8 length (Latin, Greek and
    Cyrillic capitals ...) are rewritten in place with numpy. Texts holding any other
    character that ``lower()`` changes (Σ, whose lower case depends on its neighbours; İ;
    the Kelvin sign ...) take ``str.lower`` itself, spliced into the buffer.
    """
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)) + 1
    n = int(lengths.sum())
    joined = b" ".join(encoded)
    del encoded
    lowered = joined.lower()
    del joined
    # One writable buffer (the in-place rewrite below needs no copy of it).
    data = np.full(n + 7 + (-(n + 7) % 8), 0x20, dtype=np.uint8)
    data[:n - 1] = np.frombuffer(lowered, np.uint8)
    del lowered
    lead = np.flatnonzero(data >= np.uint8(0xC0))
    if lead.size == 0:
        return data, lengths
    redo: list[int] = []
    for s in range(0, lead.size, _LEAD_BLOCK):  # bounded temporaries (~50 bytes per lead)
        redo.extend(_lower_non_ascii(data, lead[s:s + _LEAD_BLOCK], lengths))
    if redo:  # splice in str.lower's bytes for the texts that need it
        ends = np.cumsum(lengths)
        pieces, prev = [], 0
        for i in sorted(set(redo)):
            pieces.append(data[prev:ends[i] - lengths[i]].tobytes())
            pieces.append(_prepare(texts[i]) + b" ")
            lengths[i] = len(pieces[-1])
            prev = int(ends[i])
        pieces.append(data[prev:n].tobytes())
        n = int(lengths.sum())
        data = np.frombuffer(b"".join(pieces) + b" " * (7 + (-(n + 7) % 8)), np.uint8)
    return data, lengths


#: Multi-byte characters lower-cased per numpy pass in :func:`_encode_lower`.
_LEAD_BLOCK = 1 << 13


def _lower_non_ascii(data: npt.NDArray[np.uint8], lead: npt.NDArray[np.int64],
                     lengths: npt.NDArray[np.int64]) -> list[int]:
    """Rewrite, in ``data``, the characters starting at ``lead`` that lower-case to one of
    the same UTF-8 length; return the texts that need ``str.lower`` instead (their bytes are
    replaced whole, so what is written into them here does not matter)."""
    b0 = data[lead].astype(np.int32)
    b1, b2, b3 = (data[np.minimum(lead + i, data.size - 1)].astype(np.int32) & 0x3F
                  for i in (1, 2, 3))
    cp = np.where(b0 < 0xE0, ((b0 & 0x1F) << 6) | b1,
                  np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
                           ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3))
    table = _lower_table()
    low = np.full(cp.size, -1, dtype=np.int32)
    in_table = cp < table.size
    low[in_table] = table[cp[in_table]]
    rest = np.flatnonzero(~in_table)
    if rest.size:  # beyond the table (CJK, emoji, ...): almost never cased
        uniq, inverse = np.unique(cp[rest], return_inverse=True)
        changes = np.array([_changes_case(c) for c in uniq.tolist()], dtype=bool)
        low[rest] = np.where(changes[inverse], _FALLBACK, -1)
    fallback = low == _FALLBACK
    redo: list[int] = []
    if fallback.any():
        ends = np.cumsum(lengths)
        doc = np.searchsorted(ends, lead[fallback], side="right")
        redo = np.unique(doc).tolist()
    change = np.flatnonzero(low >= 0)
    if change.size:
        at, c = lead[change], low[change]
        two = b0[change] < 0xE0
        a2, c2 = at[two], c[two]
        data[a2] = (0xC0 | (c2 >> 6)).astype(np.uint8)
        data[a2 + 1] = (0x80 | (c2 & 0x3F)).astype(np.uint8)
        a3, c3 = at[~two], c[~two]  # the table stops at U+FFFF: 3 bytes at most
        data[a3] = (0xE0 | (c3 >> 12)).astype(np.uint8)
        data[a3 + 1] = (0x80 | ((c3 >> 6) & 0x3F)).astype(np.uint8)
        data[a3 + 2] = (0x80 | (c3 & 0x3F)).astype(np.uint8)
    return redo


_FALLBACK = -2


@lru_cache(maxsize=1)
def _lower_table() -> npt.NDArray[np.int32]:
    """Per code point of the Basic Multilingual Plane (CJK text included, so such text needs no
    per-chunk sort of its characters): -1 if ``lower()`` keeps it, its lower-case code point if
    that is one character of the same UTF-8 length, else :data:`_FALLBACK`."""
    out = np.full(0x10000, -1, dtype=np.int32)
    for c in range(0x80, 0x10000):
        char = chr(c)
        low = char.lower()
        if low == char:
            continue
        same = len(low) == 1 and len(low.encode("utf-8")) == len(char.encode("utf-8"))
        out[c] = ord(low) if same and c != 0x3A3 else _FALLBACK  # Σ: final form in context
    return out


@lru_cache(maxsize=4096)
def _changes_case(code_point: int) -> bool:
    char = chr(code_point)
    return char.lower() != char


def fingerprint(texts: list[str], params: DedupParams) -> Fingerprints:
    """Fingerprints of ``texts`` (see the module docstring for the method)."""
    m = len(texts)
    sig = np.empty((m, params.num_bins), dtype=np.uint32)
    tokens = np.zeros(m, dtype=np.int64)
    exact = np.zeros(m, dtype=U64)
    small: list[npt.NDArray[np.uint32] | None] = [None] * m
    for start, chunk in _fingerprint_chunks(texts, params):
        stop = start + chunk.tokens.size
        sig[start:stop] = chunk.sig
        tokens[start:stop], exact[start:stop] = chunk.tokens, chunk.exact
        small[start:stop] = chunk.small
    return Fingerprints(exact=exact, tokens=tokens, has_sig=tokens >= params.min_tokens, sig=sig,
                        small=small)


@dataclass(frozen=True, slots=True)
class Sketches:
    """What deduplication keeps of a batch: :class:`Fingerprints` with the signature reduced
    to its verification bins (``vsig``, :func:`verification_sig`) and LSH ``keys``
    (:func:`band_keys`). :func:`sketch` never holds the full 32-bit signatures of the batch,
    only those of one chunk of texts, so its memory follows the input, not the batch size.
    """

    exact: npt.NDArray[np.uint64]
    tokens: npt.NDArray[np.int64]
    has_sig: npt.NDArray[np.bool_]
    vsig: npt.NDArray[np.uint8]
    keys: npt.NDArray[np.uint64]
    small: list[npt.NDArray[np.uint32] | None]


def sketch(texts: list[str], params: DedupParams) -> Sketches:
    """``fingerprint`` + ``verification_sig`` + ``band_keys``, one chunk of texts at a time."""
    m = len(texts)
    vsig = np.empty((m, params.num_bins), dtype=np.uint8)
    keys = np.empty((m, params.bands), dtype=U64)
    tokens = np.zeros(m, dtype=np.int64)
    exact = np.zeros(m, dtype=U64)
    small: list[npt.NDArray[np.uint32] | None] = [None] * m
    for start, chunk in _fingerprint_chunks(texts, params):
        stop = start + chunk.tokens.size
        vsig[start:stop] = verification_sig(chunk.sig)
        keys[start:stop] = band_keys(chunk.sig, params)
        tokens[start:stop], exact[start:stop] = chunk.tokens, chunk.exact
        small[start:stop] = chunk.small
    return Sketches(exact=exact, tokens=tokens, has_sig=tokens >= params.min_tokens, vsig=vsig,
                    keys=keys, small=small)


def _fingerprint_chunks(texts: list[str], params: DedupParams
                        ) -> Iterator[tuple[int, Fingerprints]]:
    """(first text, fingerprints) of runs of whole texts of about :data:`_CHUNK_BYTES`.

    Every fingerprint depends on its own text only, so chunking changes no value; it bounds
    the temporary arrays (and the signature matrix) by the chunk, not the batch.
    """
    for start, stop in _chunks([len(t) for t in texts]):
        buffer, lengths = _encode_lower(texts[start:stop])
        m = stop - start
        sig = np.full((m, params.num_bins), EMPTY, dtype=np.uint32)
        tokens = np.zeros(m, dtype=np.int64)
        exact = np.zeros(m, dtype=U64)
        small = _sign_chunk(buffer, lengths, params, sig, tokens, exact)
        has_sig = tokens >= params.min_tokens
        for i in np.flatnonzero(~has_sig).tolist():
            small[i] = None
        _densify(sig, has_sig, params)
        yield start, Fingerprints(exact=exact, tokens=tokens, has_sig=has_sig, sig=sig,
                                  small=small)


def _chunks(sizes: list[int], limit: int = 0) -> Iterator[tuple[int, int]]:
    """(start, stop) runs of whole documents of about ``limit`` (:data:`_CHUNK_BYTES`) each,
    and at most :data:`_CHUNK_TEXTS` (a signature row outweighs a short text's bytes)."""
    limit = limit or _CHUNK_BYTES
    start, m = 0, len(sizes)
    while start < m:
        stop, size = start, 0
        while stop < m and (stop == start or (size + sizes[stop] < limit
                                              and stop - start < _CHUNK_TEXTS)):
            size += sizes[stop] + 1
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


def _sign_chunk(buffer: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64],
                params: DedupParams, sig: npt.NDArray[np.uint32] | None,
                tokens: npt.NDArray[np.int64], exact: npt.NDArray[np.uint64]
                ) -> list[npt.NDArray[np.uint32] | None]:
    """Fill ``sig`` (bin minima, EMPTY where no shingle fell; skipped if None), ``tokens``,
    ``exact``.

    ``buffer`` and ``lengths`` come from :func:`_encode_lower`. Returns the exact shingle
    sets of the chunk's small texts (None for the others).
    """
    m = lengths.size
    small: list[npt.NDArray[np.uint32] | None] = [None] * m
    n = int(lengths.sum())
    data = buffer[:n]
    doc_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    # Temporaries are deleted as soon as they are spent: the peak memory of a chunk is the
    # peak of fingerprinting (int32 positions: a chunk is far below 2 GiB).
    is_word = np.zeros(n + 1, dtype=np.bool_)
    is_word[1:] = _word_bytes(data)
    # Word starts, then ends, each as int32 (not the int64 positions of all edges at once).
    starts = np.flatnonzero(is_word[1:] > is_word[:-1]).astype(np.int32)
    ends = np.flatnonzero(is_word[1:] < is_word[:-1]).astype(np.int32)
    del is_word
    first = np.searchsorted(starts, doc_start)  # each text's first word
    tokens[:-1] = first[1:] - first[:-1]
    tokens[-1] = starts.size - first[-1]
    doc = np.repeat(np.arange(m, dtype=np.int32), tokens)
    seed = U64(_scalar_mix(params.seed))
    if starts.size == 0:
        exact[:] = mix64(np.zeros(m, dtype=U64) ^ seed)
        return small
    # Word hash: read each word 8 bytes at a time through an unaligned little-endian uint64
    # view of the buffer (one gather per 8 bytes of word, no per-byte arithmetic).
    length = ends - starts
    del ends
    view: npt.NDArray[np.uint64] = np.ndarray((n,), dtype="<u8", buffer=buffer, strides=(1,))
    words = view[starts]
    words &= _MASKS[np.minimum(length, 8)]
    long_words = np.flatnonzero(length > 8)
    offset = 8
    while long_words.size:
        rest = length[long_words] - offset
        part = view[starts[long_words] + offset] & _MASKS[np.minimum(rest, 8)]
        words[long_words] = mix64(words[long_words] ^ U64(offset)) ^ part
        long_words = long_words[rest > 8]
        offset += 8
    words ^= length.astype(U64) << U64(56)
    del length, starts
    words ^= seed
    _mix64_inplace(words)
    # Exact fingerprint: order-sensitive sum of (word, position) hashes, plus the word count.
    terms = np.arange(words.size, dtype=U64)
    terms -= first.astype(U64)[doc]  # position in the text
    terms *= U64(_GOLDEN)
    terms += words
    _mix64_inplace(terms)
    acc = np.zeros(m, dtype=U64)
    some = np.flatnonzero(tokens)  # reduceat needs non-empty runs
    acc[some] = np.add.reduceat(terms, first[some])
    del terms
    exact[:] = mix64(acc ^ tokens.astype(U64) ^ seed)
    s = params.shingle_size
    if words.size < s:
        return small
    width = words.size - s + 1
    h = words[:width].copy()
    for t in range(1, s):
        h *= _WORD_BASE
        h += words[t:t + width]
    del words
    _mix64_inplace(h)
    inside = doc[:width] == doc[s - 1:]
    h, sdoc = h[inside], doc[:width][inside]
    del inside, doc
    if sig is not None:
        shift = U64(64 - (params.num_bins.bit_length() - 1))
        wide = m * params.num_bins >= 1 << 31  # int32 cells unless the matrix is huge
        cell = (h >> shift).astype(np.int64 if wide else np.int32)
        cell += sdoc.astype(cell.dtype) * np.array(params.num_bins, dtype=cell.dtype)
        np.minimum.at(sig.reshape(-1), cell, h.astype(np.uint32))  # low 32 bits: the value
        del cell
    count = np.maximum(tokens - (s - 1), 0)  # shingles per text
    few = (count > 0) & (count <= params.exact_max_shingles)
    if few.any():
        sel = few[sdoc]
        # (text, high 32 bits of the shingle hash) in one uint64: one sort, then distinct.
        key = sdoc[sel].astype(U64) << U64(32)
        key |= h[sel] >> U64(32)
        key.sort()
        keep = np.ones(key.size, dtype=bool)
        keep[1:] = key[1:] != key[:-1]
        key = key[keep]
        hs, ds = key.astype(np.uint32), (key >> U64(32)).astype(np.int64)
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
    for s in range(0, rows.size, _DENSE_ROWS):  # rows are independent: bounded temporaries
        _densify_rows(sig, rows[s:s + _DENSE_ROWS], params)


#: Signature rows densified per numpy pass.
_DENSE_ROWS = 32


def _densify_rows(sig: npt.NDArray[np.uint32], rows: npt.NDArray[np.int64],
                  params: DedupParams) -> None:
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
    attempt, block = _DENSE_ROUNDS, _SPARSE_BLOCK
    while rd.size:  # the few left (mostly short texts): a block of probes per bin at once
        while attempt + block > attempts:
            attempts *= 4
            table = _probe_table(k, params.seed, attempts)
        cand = flat[rd * k + table[attempt:attempt + block, rj]]  # (probe, bin)
        ok = cand != EMPTY
        hit = np.flatnonzero(ok.any(axis=0))
        filled[rd[hit], rj[hit]] = cand[ok[:, hit].argmax(axis=0), hit]  # its first success
        left = np.ones(rd.size, dtype=bool)
        left[hit] = False
        rd, rj = rd[left], rj[left]
        attempt += block
        block *= 2
    sig[rows] = filled


@lru_cache(maxsize=8)
def _band_seeds(bands: int, seed: int) -> npt.NDArray[np.uint64]:
    seeds = mix64(np.arange(bands, dtype=U64) + U64(_scalar_mix(seed ^ 0x5EED)))
    seeds.flags.writeable = False  # shared by every call
    return seeds


def band_keys(sig: npt.NDArray[np.uint32], params: DedupParams) -> npt.NDArray[np.uint64]:
    """LSH band keys, shape (n, bands): a 64-bit hash of a band's ``rows`` bins and its number."""
    n, b, r = sig.shape[0], params.bands, params.rows
    cube = sig[:, : b * r].reshape(n, b, r).astype(U64)
    seeds = _band_seeds(b, params.seed)
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
    sets: list[npt.NDArray[np.uint32] | None] = [None] * len(texts)
    # Called for a few texts at a time (pairs near the threshold): small chunks, small peak.
    for start, stop in _chunks([len(t) for t in texts], 1 << 16):
        m = stop - start
        tokens, exact = np.zeros(m, dtype=np.int64), np.zeros(m, dtype=U64)
        sets[start:stop] = _sign_chunk(*_encode_lower(texts[start:stop]), every, None, tokens,
                                       exact)
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
