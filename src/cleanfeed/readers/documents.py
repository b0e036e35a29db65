"""One-document files: ``.txt`` (plain text) and ``.html`` (HTML, extracted later)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers.encoding import DecodeError, decode
from cleanfeed.readers.options import ReadOptions, as_options

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)

#: This many start tags in a row with no text between them is an attack or a generator bug,
#: never a page: real pages nest a few dozen levels. Parsers recurse on such input.
MAX_TAG_RUN = 1000
_TAG = r"<[A-Za-z][^<>]{0,256}+>\s*+"  # possessive (Python 3.11+): no backtracking, 5x faster
try:
    _TAG_RUN = re.compile(f"{_TAG}(?:{_TAG}){{{MAX_TAG_RUN - 1}}}")
except re.error:  # Python 3.10
    _TAG_RUN = re.compile(f"(?:<[A-Za-z][^<>]{{0,256}}>\\s*){{{MAX_TAG_RUN}}}")


def pathological_html(html: str) -> str | None:
    """A reject reason for HTML built to break parsers, or ``None`` for a normal page."""
    if _TAG_RUN.search(html):
        return (f"HTML opens over {MAX_TAG_RUN:,} elements in a row with no text "
                "(pathological nesting)")
    return None


def record_from_bytes(
    data: bytes, source: str, *, kind: Literal["text", "html"], max_bytes: int
) -> RawRecord | Reject:
    """Decode one document's bytes into a record, or a reject with the reason."""
    if len(data) > max_bytes:
        return Reject(source=source, stage="read",
                      reason=f"document is {len(data):,} bytes, over the limit of {max_bytes:,}")
    if not data.strip():
        return Reject(source=source, reason="empty document", stage="read")
    declared = None
    if kind == "html":
        m = _META_CHARSET.search(data[:4096])
        declared = m.group(1).decode("ascii") if m else None
    try:
        text = decode(data, declared=declared)
    except DecodeError as exc:
        return Reject(source=source, reason=str(exc), stage="read")
    if kind == "html":
        reason = pathological_html(text)
        if reason:
            return Reject(source=source, reason=reason, stage="read")
        return RawRecord(source=source, html=text)
    return RawRecord(source=source, text=text)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One document's bytes as read from disk, not decoded yet (``ReadOptions.decode_later``).

    Why: decoding, charset detection and the pathological-nesting check cost ~3 ms per HTML
    page. Done by the reader they run in the one process that reads, pickles and writes for
    every worker; carried as bytes, they run in whichever worker cleans the record (and bytes
    pickle as a plain copy, a ``str`` as an encode). :meth:`decode` gives exactly the record or
    reject the reader would have given, so the output does not depend on where it runs.
    """

    source: str
    data: bytes
    kind: Literal["text", "html"]
    max_bytes: int

    def decode(self) -> RawRecord | Reject:
        """The record (or reject) the reader gives for these bytes without ``decode_later``."""
        return record_from_bytes(self.data, self.source, kind=self.kind,
                                 max_bytes=self.max_bytes)


T = TypeVar("T")


def decoded(records: Iterable[T | RawDocument]) -> Iterator[T | RawRecord | Reject]:
    """``records`` with every :class:`RawDocument` decoded, in order (others pass as they are)."""
    for record in records:
        yield record.decode() if isinstance(record, RawDocument) else record


def _read(
    path: Path, options: ReadOptions, kind: Literal["text", "html"]
) -> Iterator[RawRecord | Reject | RawDocument]:
    size = path.stat().st_size
    max_bytes = options.max_bytes
    if size > max_bytes:
        yield Reject(source=str(path), stage="read",
                     reason=f"document is {size:,} bytes, over the limit of {max_bytes:,}")
        return
    data = path.read_bytes()
    if options.decode_later:
        yield RawDocument(str(path), data, kind, max_bytes)
    else:
        yield record_from_bytes(data, str(path), kind=kind, max_bytes=max_bytes)


def read_text_file(path: Path, options: ReadOptions | int | None = None
                   ) -> Iterator[RawRecord | Reject | RawDocument]:
    """A ``.txt`` file is one article."""
    return _read(path, as_options(options), "text")


def read_html_file(path: Path, options: ReadOptions | int | None = None
                   ) -> Iterator[RawRecord | Reject | RawDocument]:
    """An ``.html`` file is one page; the extract step finds the article in it."""
    return _read(path, as_options(options), "html")
