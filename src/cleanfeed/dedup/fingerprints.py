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

import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from cleanfeed.dedup.mapped import anon_array
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
#: Largest chunk :func:`chunk_bytes_for` gives (a chunk of it takes ~12% less time per byte
#: than one of :data:`_CHUNK_BYTES`: fewer numpy calls per byte).
_MAX_CHUNK_BYTES = 1 << 19
#: Part of the memory already held that a chunk's bytes may be (its temporaries are about a
#: dozen bytes per byte).
_HELD_SHARE = 32


def chunk_bytes_for(held: int) -> int:
    """Bytes fingerprinted per pass when ``held`` bytes are held already (a dedup index):
    :data:`_CHUNK_BYTES` while little is held, growing with it up to
    :data:`_MAX_CHUNK_BYTES`.

    Why: the temporaries of a pass are the peak memory of a small run, so they are kept small
    there; once a run holds an index tens of MB large, a chunk 1/:data:`_HELD_SHARE` of it
    adds a few percent to the peak and is cheaper per byte. Chunking changes no value.
    """
    return max(_CHUNK_BYTES, min(_MAX_CHUNK_BYTES, held // _HELD_SHARE))
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
    """:func:`mix64` overwriting ``x``, a block at a time (its shifts need a temporary: one
    block's, not one of the whole array)."""
    for s in range(0, x.size, _MIX_BLOCK):
        b = x[s:s + _MIX_BLOCK]
        b ^= b >> _S30
        b *= _M1
        b ^= b >> _S27
        b *= _M2
        b ^= b >> _S31


#: Elements per block of :func:`_mix64_inplace` and other blocked passes over a chunk's words.
_MIX_BLOCK = 1 << 14


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
    """:func:`_encode_lower_lead` without the lead-byte positions."""
    data, lengths, _ = _encode_lower_lead(texts)
    return data, lengths


def _encode_lower_lead(texts: list[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64],
                                                  npt.NDArray[np.int64]]:
    """The bytes :func:`_sign_chunk` reads: ``_prepare(t)`` of every text, each followed by a
    space, padded with spaces to whole uint64s plus 8 bytes; and each text's byte length + 1.

    Same bytes as ``str.lower`` then UTF-8, without ``str.lower`` where it is not needed (it
    walks a non-ASCII string character by character: a fifth of all fingerprinting time).
    The texts are encoded first; ASCII is lower-cased by ``bytes.lower`` (a C table lookup),
    and non-ASCII characters whose lower case has the same UTF-8 length (Latin, Greek and
    Cyrillic capitals ...) are rewritten in place with numpy. Texts holding any other
    character that ``lower()`` changes (Σ, whose lower case depends on its neighbours; İ;
    the Kelvin sign ...) take ``str.lower`` itself, spliced into the buffer.

    Third: the positions of the multi-byte characters' lead bytes (>= 0xC0), which
    :func:`_word_bytes` needs (a same-length rewrite keeps them where they were).
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
        return data, lengths, lead
    redo: list[int] = []
    for s in range(0, lead.size, _LEAD_BLOCK):  # bounded temporaries (~50 bytes per lead)
        redo.extend(_lower_non_ascii(data, lead[s:s + _LEAD_BLOCK], lengths))
    if redo:  # splice in str.lower's bytes for the texts that need it
        ends = np.cumsum(lengths)
        redo = sorted(set(redo))
        lowered_redo = {i: _prepare(texts[i]) + b" " for i in redo}
        new_lengths = lengths.copy()
        for i in redo:
            new_lengths[i] = len(lowered_redo[i])
        n2 = int(new_lengths.sum())
        spliced = np.full(n2 + 7 + (-(n2 + 7) % 8), 0x20, dtype=np.uint8)
        prev = at = 0
        for i in redo:  # the bytes before text i as they are, then its str.lower bytes
            start = int(ends[i] - lengths[i])
            spliced[at:at + start - prev] = data[prev:start]
            at += start - prev
            piece = lowered_redo.pop(i)
            spliced[at:at + len(piece)] = np.frombuffer(piece, np.uint8)
            at += len(piece)
            prev = int(ends[i])
        spliced[at:at + n - prev] = data[prev:n]
        data, lengths = spliced, new_lengths
        del spliced
        lead = np.flatnonzero(data >= np.uint8(0xC0))
    return data, lengths, lead


class _Encoded:
    """A chunk's :func:`_encode_lower_lead` output in a holder :func:`_sign_chunk` empties:
    it drops the bytes as soon as the word hashes are read, before the larger arrays of the
    chunk exist (a plain argument would keep them alive in the caller's frame)."""

    __slots__ = ("data", "lead", "lengths")

    def __init__(self, texts: list[str]) -> None:
        self.data: npt.NDArray[np.uint8] | None
        self.data, self.lengths, self.lead = _encode_lower_lead(texts)


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
        del chunk  # not alive while the next chunk is computed
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


def sketch(texts: list[str], params: DedupParams, chunk_bytes: int = 0) -> Sketches:
    """``fingerprint`` + ``verification_sig`` + ``band_keys``, one chunk of texts at a time
    (of about ``chunk_bytes``, default :data:`_CHUNK_BYTES`; see :func:`chunk_bytes_for`)."""
    m = len(texts)
    vsig = anon_array((m, params.num_bins), np.uint8)
    keys = anon_array((m, params.bands), U64)
    tokens = np.zeros(m, dtype=np.int64)
    exact = np.zeros(m, dtype=U64)
    small: list[npt.NDArray[np.uint32] | None] = [None] * m
    for start, chunk in _fingerprint_chunks(texts, params, chunk_bytes):
        stop = start + chunk.tokens.size
        verification_sig(chunk.sig, out=vsig[start:stop])
        band_keys(chunk.sig, params, out=keys[start:stop])
        tokens[start:stop], exact[start:stop] = chunk.tokens, chunk.exact
        small[start:stop] = chunk.small
        del chunk  # not alive while the next chunk is computed
    return Sketches(exact=exact, tokens=tokens, has_sig=tokens >= params.min_tokens, vsig=vsig,
                    keys=keys, small=small)


def _fingerprint_chunks(texts: list[str], params: DedupParams, chunk_bytes: int = 0
                        ) -> Iterator[tuple[int, Fingerprints]]:
    """(first text, fingerprints) of runs of whole texts of about :data:`_CHUNK_BYTES`.

    Every fingerprint depends on its own text only, so chunking changes no value; it bounds
    the temporary arrays (and the signature matrix) by the chunk, not the batch.
    """
    for start, stop in _chunks(texts, chunk_bytes):
        m = stop - start
        tokens = np.zeros(m, dtype=np.int64)
        exact = np.zeros(m, dtype=U64)
        holder = _Signature((m, params.num_bins))
        small = _sign_chunk(_Encoded(texts[start:stop]), params, holder, tokens, exact)
        sig = holder.matrix()
        del holder
        has_sig = tokens >= params.min_tokens
        for i in np.flatnonzero(~has_sig).tolist():
            small[i] = None
        _densify(sig, has_sig, params)
        yield start, Fingerprints(exact=exact, tokens=tokens, has_sig=has_sig, sig=sig,
                                  small=small)
        del sig, tokens, exact, small, has_sig  # the consumer holds them while it needs them


def _chunks(texts: list[str], limit: int = 0) -> Iterator[tuple[int, int]]:
    """(start, stop) runs of whole documents of about ``limit`` (:data:`_CHUNK_BYTES`)
    characters each, and at most :data:`_CHUNK_TEXTS` texts per :data:`_CHUNK_BYTES` of
    ``limit`` (a signature row outweighs a short text's bytes)."""
    limit = limit or _CHUNK_BYTES
    # texts in proportion to the bytes; at most 256 (a byte per word names its text)
    most = min(256, max(_CHUNK_TEXTS, _CHUNK_TEXTS * limit // _CHUNK_BYTES))
    start, m = 0, len(texts)
    while start < m:
        stop, size = start, 0
        while stop < m and (stop == start or (size + len(texts[stop]) < limit
                                              and stop - start < most)):
            size += len(texts[stop]) + 1
            stop += 1
        yield start, stop
        start = stop


def _word_bytes(data: npt.NDArray[np.uint8], lead: npt.NDArray[np.int64],
                out: npt.NDArray[np.bool_]) -> None:
    """Which bytes belong to words, into ``out``: the byte-level twin of
    :func:`normalize.normalise`.

    ASCII letters/digits and non-ASCII characters are word characters, except U+0080-U+00BF
    (Latin-1 punctuation, no-break space), U+2000-U+207F (dashes, typographic quotes, spaces)
    and U+3000-U+303F (CJK punctuation), recognised by their UTF-8 lead bytes (``lead``: the
    positions of all bytes >= 0xC0). In place, with one scratch byte per byte.
    """
    np.greater_equal(data, np.uint8(0x80), out=out)
    scratch = np.empty(data.size, dtype=np.uint8)
    flag = scratch.view(np.bool_)  # each comparison overwrites the byte it reads
    np.bitwise_or(data, np.uint8(0x20), out=scratch)  # A-Z as a-z (the text is lower-cased,
    scratch -= np.uint8(0x61)                          # but what lower() left is a letter)
    np.less_equal(scratch, np.uint8(25), out=flag)
    out |= flag
    np.subtract(data, np.uint8(0x30), out=scratch)
    np.less_equal(scratch, np.uint8(9), out=flag)
    out |= flag
    del scratch, flag
    if lead.size:
        lead = lead[lead + 2 < data.size]
        b0 = data[lead]
        keep = (b0 == 0xC2) | (b0 == 0xE2) | (b0 == 0xE3)
        lead, b0 = lead[keep], b0[keep]
        b1 = data[lead + 1]
        two = lead[b0 == 0xC2]
        out[two] = False
        out[two + 1] = False
        three = lead[((b0 == 0xE2) & ((b1 == 0x80) | (b1 == 0x81))) | ((b0 == 0xE3) & (b1 == 0x80))]
        out[three] = False
        out[three + 1] = False
        out[three + 2] = False


#: Bytes of a chunk scanned per pass for word edges (bounds the int64 positions numpy makes).
_EDGE_BLOCK = 1 << 14


def _word_edges(is_word: npt.NDArray[np.bool_]
                ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Start and end offsets (int32) of the runs of True in ``is_word[1:]`` (``is_word[0]`` is
    False and the last byte is a space, so every word ends: edges alternate start, end), a
    block of bytes at a time: the int64 positions ``flatnonzero`` makes exist for one block,
    not for the whole chunk. One pass counts the edges, the next writes them."""
    n = is_word.size - 1
    count = 0
    for s in range(0, n, _EDGE_BLOCK):
        e = min(s + _EDGE_BLOCK, n)
        count += int(np.count_nonzero(is_word[s + 1:e + 1] != is_word[s:e]))
    starts = np.empty(count // 2, dtype=np.int32)
    ends = np.empty(count // 2, dtype=np.int32)
    done = 0  # edges written so far: even means the next edge is a start
    for s in range(0, n, _EDGE_BLOCK):
        e = min(s + _EDGE_BLOCK, n)
        at = np.flatnonzero(is_word[s + 1:e + 1] != is_word[s:e]).astype(np.int32)
        at += np.int32(s)
        up, down = (at[0::2], at[1::2]) if done % 2 == 0 else (at[1::2], at[0::2])
        a, b = -(-done // 2), done // 2  # starts and ends written so far
        starts[a:a + up.size] = up
        ends[b:b + down.size] = down
        done += at.size
    return starts, ends


class _Signature:
    """A chunk's signature matrix, made only when the shingle hashes are ready (it is not
    held through the chunk's larger early stages)."""

    __slots__ = ("_matrix", "shape")

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self._matrix: npt.NDArray[np.uint32] | None = None

    def matrix(self) -> npt.NDArray[np.uint32]:
        if self._matrix is None:
            self._matrix = np.full(self.shape, EMPTY, dtype=np.uint32)
        return self._matrix


def _sign_chunk(enc: _Encoded, params: DedupParams, sig: _Signature | None,
                tokens: npt.NDArray[np.int64], exact: npt.NDArray[np.uint64]
                ) -> list[npt.NDArray[np.uint32] | None]:
    """Fill ``sig`` (bin minima, EMPTY where no shingle fell; skipped if None), ``tokens``,
    ``exact``, from the encoded chunk ``enc`` (emptied on the way).

    Returns the exact shingle sets of the chunk's small texts (None for the others).

    Memory: this is the peak of fingerprinting, so no array of the chunk's size lives longer
    than it must (the bytes go once the words are hashed), positions are int32, and wide
    temporaries are avoided: in-place and blocked operations, and views of the low/high
    halves of the 64-bit hashes instead of converted copies.
    """
    lengths = enc.lengths
    m = lengths.size
    small: list[npt.NDArray[np.uint32] | None] = [None] * m
    n = int(lengths.sum())
    buffer = enc.data
    assert buffer is not None
    enc.data = None
    data = buffer[:n]
    doc_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    is_word = np.zeros(n + 1, dtype=np.bool_)
    _word_bytes(data, enc.lead, is_word[1:])
    starts, ends = _word_edges(is_word)
    del is_word
    first = np.searchsorted(starts, doc_start)  # each text's first word
    tokens[:-1] = first[1:] - first[:-1]
    tokens[-1] = starts.size - first[-1]
    seed = U64(_scalar_mix(params.seed))
    if starts.size == 0:
        exact[:] = mix64(np.zeros(m, dtype=U64) ^ seed)
        return small
    # Word hash: read each word 8 bytes at a time through an unaligned little-endian uint64
    # view of the buffer (one gather per 8 bytes of word, no per-byte arithmetic).
    length = ends
    length -= starts
    del ends
    view: npt.NDArray[np.uint64] = np.ndarray((n,), dtype="<u8", buffer=buffer, strides=(1,))
    words = view[starts]
    # What the rest needs of starts and lengths, so that they can go now.
    long_words = np.flatnonzero(length > 8)
    long_starts, long_length = starts[long_words], length[long_words]
    del starts
    # Keep a word's own bytes: shifting left then right by 8 * (8 - length) bytes clears the
    # bytes past it (the mask of :data:`_MASKS` without a uint64 temporary per word).
    shift = np.empty(words.size, dtype=np.uint8)
    np.minimum(length, 8, out=shift, casting="unsafe")
    np.subtract(8, shift, out=shift)
    shift <<= 3
    np.left_shift(words, shift, out=words)
    np.right_shift(words, shift, out=words)
    length8 = shift  # the lengths' low bytes (all that ``length << 56`` keeps) in its place
    np.copyto(length8, length, casting="unsafe")
    del length, shift
    offset = 8
    while long_words.size:
        rest = long_length - offset
        part = view[long_starts + offset] & _MASKS[np.minimum(rest, 8)]
        words[long_words] = mix64(words[long_words] ^ U64(offset)) ^ part
        more = rest > 8
        long_words, long_starts, long_length = (long_words[more], long_starts[more],
                                                long_length[more])
        offset += 8
    del view, data, buffer
    if _LITTLE:  # words ^= length << 56: the length's low byte into each top byte
        top = words.view(np.uint8)[7::8]
        top ^= length8
    else:
        words ^= length8.astype(U64) << U64(56)
    del length8
    # Each word's text: one byte per word while a chunk has at most 256 texts (it always
    # has, see _chunks), else int32.
    doc = np.repeat(np.arange(m, dtype=np.uint8 if m <= 256 else np.int32), tokens)
    words ^= seed
    _mix64_inplace(words)
    # Exact fingerprint: order-sensitive sum of (word, position) hashes, plus the word count,
    # a block of words at a time (uint64 sums wrap, so partial sums add up to the same).
    acc = np.zeros(m, dtype=U64)
    first64 = first.astype(U64)
    for s0 in range(0, words.size, _MIX_BLOCK):
        d = doc[s0:s0 + _MIX_BLOCK]
        terms = np.arange(s0, s0 + d.size, dtype=U64)
        terms -= first64[d]  # position in the text
        terms *= U64(_GOLDEN)
        terms += words[s0:s0 + d.size]
        _mix64_inplace(terms)
        heads = np.flatnonzero(np.concatenate(([True], d[1:] != d[:-1])))  # runs of one text
        acc[d[heads]] += np.add.reduceat(terms, heads)
    del terms, d, heads
    exact[:] = mix64(acc ^ tokens.astype(U64) ^ seed)
    s = params.shingle_size
    if words.size < s:
        return small
    width = words.size - s + 1
    # Shingle hashes written over the word hashes, a block at a time from the front: a block
    # reads the s - 1 words after it, which no block has overwritten yet.
    for s0 in range(0, width, _MIX_BLOCK):
        e0 = min(s0 + _MIX_BLOCK, width)
        hb = words[s0:e0].copy()
        for t in range(1, s):
            hb *= _WORD_BASE
            hb += words[s0 + t:e0 + t]
        _mix64_inplace(hb)
        words[s0:e0] = hb
    del hb
    h = words[:width]
    del words
    sdoc = doc[:width]  # each window's first text; a window across two texts is no shingle
    cross = np.flatnonzero(sdoc != doc[s - 1:])
    if sig is not None:
        _bin_minima(h, sdoc, cross, sig.matrix(), params.num_bins)
    count = np.maximum(tokens - (s - 1), 0)  # shingles per text
    few = (count > 0) & (count <= params.exact_max_shingles)
    if not few.any():
        return small
    sel = few[sdoc]
    sel[cross] = False
    # (text, high 32 bits of the shingle hash) in one uint64, made in h's own memory, the
    # kept ones moved to its front: one sort, then distinct ones moved to the front again.
    if _LITTLE:
        h >>= U64(32)
        h.view(np.uint32)[1::2] = sdoc
        key = h
    else:
        key = (sdoc.astype(U64) << U64(32)) | (h >> U64(32))
    del h, sdoc, doc, cross
    key = _compact(key, sel)
    del sel
    key.sort()
    distinct = np.empty(key.size, dtype=bool)
    distinct[:1] = True
    np.not_equal(key[1:], key[:-1], out=distinct[1:])
    key = _compact(key, distinct)
    del distinct
    if _LITTLE:  # the halves of the keys as views: no copies of them
        hs, ds = key.view(np.uint32)[0::2], key.view(np.uint32)[1::2]
    else:
        hs, ds = key.astype(np.uint32), (key >> U64(32)).astype(np.uint32)
    texts = np.flatnonzero(few)
    bounds = np.searchsorted(ds, texts.astype(np.uint32), side="left")
    ends = np.append(bounds[1:], hs.size)
    for d0, b0, b1 in zip(texts.tolist(), bounds.tolist(), ends.tolist(), strict=True):
        small[d0] = hs[b0:b1].copy()
    return small


def _bin_minima(h: npt.NDArray[np.uint64], sdoc: npt.NDArray[np.integer],
                cross: npt.NDArray[np.int64], sig: npt.NDArray[np.uint32],
                num_bins: int) -> None:
    """One-permutation MinHash: each shingle hash's top bits pick its text's bin, its low
    32 bits are the value, each bin keeps its minimum. A block of shingles at a time (the
    cells of a block, not of the chunk); a window across two texts (``cross``) takes part
    with the value EMPTY, which changes no bin. Overwrites the low halves of ``h`` there."""
    bits = num_bins.bit_length() - 1
    wide = sig.size >= 1 << 31  # int32 cells unless the matrix is huge
    flat = sig.reshape(-1)
    for s0 in range(0, h.size, _MIX_BLOCK):
        hb, db = h[s0:s0 + _MIX_BLOCK], sdoc[s0:s0 + _MIX_BLOCK]
        if _LITTLE and not wide:
            halves = hb.view(np.uint32)
            cell = (halves[1::2] >> np.uint32(32 - bits)).view(np.int32)  # top bits: the bin
            cell += np.multiply(db, num_bins, dtype=np.int32)
            value = halves[0::2].copy()  # low 32 bits: the value (contiguous: a faster .at)
        else:
            cell = (hb >> U64(64 - bits)).astype(np.int64 if wide else np.int32)
            cell += np.multiply(db, num_bins, dtype=cell.dtype)
            value = hb.astype(np.uint32)
        lo, hi = np.searchsorted(cross, [s0, s0 + hb.size])
        value[cross[lo:hi] - s0] = EMPTY
        np.minimum.at(flat, cell, value)


#: Elements moved per numpy pass by :func:`_compact`.
_COMPACT_BLOCK = 1 << 13


def _compact(a: npt.NDArray[np.uint64], keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
    """``a[keep]`` moved to the front of ``a`` itself (a view of it), a block at a time: an
    element only ever moves towards the front, over elements already read."""
    at = 0
    for s0 in range(0, a.size, _COMPACT_BLOCK):
        kept = a[s0:s0 + _COMPACT_BLOCK][keep[s0:s0 + _COMPACT_BLOCK]]
        a[at:at + kept.size] = kept
        at += kept.size
    return a[:at]


_LITTLE = sys.byteorder == "little"
_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(9)], dtype=U64)

def _probes(num_bins: int, seed: int, attempts: npt.NDArray[np.uint64],
            bins: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Bin to borrow from, per (attempt, bin) (broadcast): the same sequence for every
    document."""
    x = mix64(attempts * U64(0x100000001) + bins * U64(_GOLDEN) + U64(_scalar_mix(seed)))
    return (x % U64(num_bins)).astype(np.int64)


@lru_cache(maxsize=8)
def _probe_table(num_bins: int, seed: int, attempts: int) -> npt.NDArray[np.int64]:
    """:func:`_probes` of the first ``attempts`` attempts for every bin (cached: the dense
    rounds use them for every row)."""
    table = _probes(num_bins, seed, np.arange(attempts, dtype=U64)[:, None],
                    np.arange(num_bins, dtype=U64)[None, :])
    table.flags.writeable = False
    return table


def _densify(sig: npt.NDArray[np.uint32], has_sig: npt.NDArray[np.bool_],
             params: DedupParams) -> None:
    """Optimal densification: an empty bin copies the bin its probe sequence hits first."""
    rows = np.flatnonzero(has_sig & (sig == EMPTY).any(axis=1))
    for s in range(0, rows.size, _DENSE_ROWS):  # rows are independent: bounded temporaries
        _densify_rows(sig, rows[s:s + _DENSE_ROWS], params)


#: Signature rows densified per numpy pass.
_DENSE_ROWS = 32
#: Probe attempts per bin kept in a table (the same for every document; 256 KB at 512 bins).
_CACHED_ATTEMPTS = 64
#: Empty bins resolved together in the sparse rounds (each its own probe sequence).
_SPARSE_BINS = 1 << 10


def _densify_rows(sig: npt.NDArray[np.uint32], rows: npt.NDArray[np.int64],
                  params: DedupParams) -> None:
    k = params.num_bins
    orig = sig[rows]
    filled = orig.copy()
    need = orig == EMPTY
    table = _probe_table(k, params.seed, _CACHED_ATTEMPTS)
    for attempt in range(_DENSE_ROUNDS):  # whole-matrix rounds: most empty bins end here
        cand = np.take(orig, table[attempt], axis=1)
        update = need & (cand != EMPTY)
        np.copyto(filled, cand, where=update)
        need ^= update
    del cand, update
    flat = orig.reshape(-1)
    rd_all, rj_all = np.nonzero(need)
    del need
    for s in range(0, rd_all.size, _SPARSE_BINS):  # the few left (mostly short texts)
        rd, rj = rd_all[s:s + _SPARSE_BINS], rj_all[s:s + _SPARSE_BINS]
        attempt, block = _DENSE_ROUNDS, _SPARSE_BLOCK
        while rd.size:  # a block of probes per bin at once, doubling
            if attempt + block <= _CACHED_ATTEMPTS:  # (probe, bin)
                probe = _probe_table(k, params.seed, _CACHED_ATTEMPTS)[attempt:attempt + block, rj]
            else:  # the rare bins still empty after them: computed, never a growing table
                tries = np.arange(attempt, attempt + block, dtype=U64)[:, None]
                probe = _probes(k, params.seed, tries, rj.astype(U64))
            cand = flat[rd * k + probe]
            del probe
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


def band_keys(sig: npt.NDArray[np.uint32], params: DedupParams,
              out: npt.NDArray[np.uint64] | None = None) -> npt.NDArray[np.uint64]:
    """LSH band keys, shape (n, bands): a 64-bit hash of a band's ``rows`` bins and its number.

    Written into ``out`` if given (C-contiguous), with no temporary wider than a block.
    """
    n, b, r = sig.shape[0], params.bands, params.rows
    h = np.empty((n, b), dtype=U64) if out is None else out
    h[...] = _band_seeds(b, params.seed)
    for c in range(r):  # bin c of every band: columns c, c + r, ... of the first b * r
        h ^= sig[:, c:b * r:r]
        h *= _WORD_BASE
    _mix64_inplace(h.reshape(-1))
    return h


#: Bits kept per bin for verification: a false bin match has probability 2**-8, which
#: :func:`estimate_similarity` corrects for; a quarter of the memory of full 32-bit bins.
VERIFY_BITS = 8


def verification_sig(sig: npt.NDArray[np.uint32], out: npt.NDArray[np.uint8] | None = None
                     ) -> npt.NDArray[np.uint8]:
    """The high :data:`VERIFY_BITS` bits of each bin (what the index stores per canonical),
    written into ``out`` if given (no uint32 temporary)."""
    if out is None:
        out = np.empty(sig.shape, dtype=np.uint8)
    np.right_shift(sig, np.uint32(32 - VERIFY_BITS), out=out, casting="unsafe")
    return out


def shingle_sets(texts: list[str], params: DedupParams) -> list[npt.NDArray[np.uint32]]:
    """The sorted sets of 32-bit shingle hashes of ``texts`` (what ``small`` holds)."""
    every = replace(params, exact_max_shingles=1 << 62)
    sets: list[npt.NDArray[np.uint32] | None] = [None] * len(texts)
    # Called for a few texts at a time (pairs near the threshold): small chunks, small peak.
    for start, stop in _chunks(texts, 1 << 16):
        m = stop - start
        tokens, exact = np.zeros(m, dtype=np.int64), np.zeros(m, dtype=U64)
        sets[start:stop] = _sign_chunk(_Encoded(texts[start:stop]), every, None, tokens, exact)
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
