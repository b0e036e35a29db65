"""One-document files: ``.txt`` (plain text) and ``.html`` (HTML, extracted later)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

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


def _read(
    path: Path, max_bytes: int, kind: Literal["text", "html"]
) -> Iterator[RawRecord | Reject]:
    size = path.stat().st_size
    if size > max_bytes:
        yield Reject(source=str(path), stage="read",
                     reason=f"document is {size:,} bytes, over the limit of {max_bytes:,}")
        return
    yield record_from_bytes(path.read_bytes(), str(path), kind=kind, max_bytes=max_bytes)


def read_text_file(path: Path, options: ReadOptions | int | None = None
                   ) -> Iterator[RawRecord | Reject]:
    """A ``.txt`` file is one article."""
    return _read(path, as_options(options).max_bytes, "text")


def read_html_file(path: Path, options: ReadOptions | int | None = None
                   ) -> Iterator[RawRecord | Reject]:
    """An ``.html`` file is one page; the extract step finds the article in it."""
    return _read(path, as_options(options).max_bytes, "html")
