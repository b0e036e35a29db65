"""WARC, WARC.gz and WET (Common Crawl style): each HTML response becomes one record.

``source`` is ``path@offset`` (the record's byte offset in the file, compressed offset for
``.gz``), ``url`` the WARC-Target-URI and ``fetched_at`` the WARC-Date. WET ``conversion``
records become text records; ``resource`` records with an HTML or text type are read too.
Requests, metadata, revisits, redirects, errors and non-text responses (images, CSS...) are
not articles and are skipped.

Damage is reported, never swallowed: a record shorter than its Content-Length (clipped or
truncated), a gzip member cut short at the end of the file, and a WARC whose headers stop
parsing each become a reject naming the offset; records before the damage are kept.

The parser is FastWARC (``pip install 'cleanfeed[warc]'``), picked by measurement
(``benchmarks/readers.py``). It is only ever given an open file, never a path string, because
it would treat a string as a URL to fetch.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers.documents import _META_CHARSET, pathological_html
from cleanfeed.readers.encoding import DecodeError, decode
from cleanfeed.readers.options import ReadOptions, as_options

WARC_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz", ".warc.wet", ".warc.wet.gz")

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xhtml")
_TEXT_TYPES = ("text/plain",)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


class HttpError(ValueError):
    """An HTTP message in a WARC record that cannot be read; the message is the reason."""


def parse_http(block: bytes, max_bytes: int) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and decoded body of an HTTP response block.

    Transfer-Encoding ``chunked`` is undone (crawlers often store it as received), then
    Content-Encoding gzip/deflate, bounded by ``max_bytes`` so a compression bomb is a reject.
    Many crawlers store the body already decoded but keep the header; a body that does not
    decompress but looks like markup is taken as is.
    """
    sep = block.find(b"\r\n\r\n")
    skip = 4
    if sep == -1:
        sep, skip = block.find(b"\n\n"), 2
    if sep == -1:
        raise HttpError("HTTP response has no end of headers")
    head = block[:sep].decode("latin-1").splitlines()
    body = block[sep + skip:]
    status_line = head[0].split() if head else []
    if len(status_line) < 2 or not status_line[0].upper().startswith("HTTP/"):
        raise HttpError(f"not an HTTP response: {head[0][:60]!r}" if head else "empty HTTP head")
    try:
        status = int(status_line[1])
    except ValueError as exc:
        raise HttpError(f"bad HTTP status {status_line[1][:20]!r}") from exc
    headers: dict[str, str] = {}
    for line in head[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        body = _decompress(body, encoding, max_bytes)
    elif encoding not in ("", "identity", "none") and not _looks_like_markup(body):
        raise HttpError(f"unsupported Content-Encoding {encoding!r}")
    return status, headers, body


def _dechunk(body: bytes) -> bytes:
    """Undo chunked transfer coding; a body that is not really chunked is returned as is."""
    out = bytearray()
    pos = 0
    while True:
        end = body.find(b"\r\n", pos)
        if end == -1:
            return body
        size_text = body[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return body
        if size == 0:
            return bytes(out)
        start = end + 2
        if start + size > len(body):
            return body
        out += body[start:start + size]
        pos = start + size + 2


def _looks_like_markup(body: bytes) -> bool:
    return body.lstrip()[:1] == b"<"


def _decompress(body: bytes, encoding: str, max_bytes: int) -> bytes:
    wbits = 47 if encoding != "deflate" else zlib.MAX_WBITS  # 47: gzip or zlib header
    for bits in (wbits, -zlib.MAX_WBITS):
        d = zlib.decompressobj(bits)
        try:
            out = d.decompress(body, max_bytes + 1)
        except zlib.error:
            continue
        if len(out) > max_bytes:
            raise HttpError(f"body decompresses to over {max_bytes:,} bytes")
        return out
    if _looks_like_markup(body):
        return body
    raise HttpError(f"body is not valid {encoding} data")


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _declared_charset(content_type: str, body: bytes) -> str | None:
    m = _CHARSET.search(content_type)
    if m:
        return m.group(1)
    meta = _META_CHARSET.search(body[:4096])
    return meta.group(1).decode("ascii") if meta else None


def gzip_damage(path: Path) -> str | None:
    """Why a (multi-member) gzip file is damaged, or ``None`` if every member ends cleanly.

    FastWARC stops quietly at a truncated last member, so the file is checked separately;
    output is discarded in 1 MiB steps, so memory stays flat.
    """
    offset = 0  # compressed offset of the current member
    consumed = 0
    with path.open("rb") as fh:
        d = zlib.decompressobj(31)
        started = False
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            data = chunk
            while data:
                try:
                    d.decompress(data, 1 << 20)
                    while d.unconsumed_tail:
                        d.decompress(d.unconsumed_tail, 1 << 20)
                except zlib.error as exc:
                    return f"corrupt gzip data in the member at offset {offset}: {exc}"
                started = True
                if d.eof:
                    used = len(data) - len(d.unused_data)
                    consumed += used
                    offset = consumed
                    data = d.unused_data
                    d = zlib.decompressobj(31)
                    started = False
                    if data.strip(b"\x00") == b"":
                        data = b""
                else:
                    consumed += len(data)
                    data = b""
    if started:
        return f"gzip file is truncated: the member at offset {offset} has no end"
    return None


def read_warc(path: Path, options: ReadOptions | int | None = None
              ) -> Iterator[RawRecord | Reject]:
    """Stream the article records of one WARC/WET file (plain or gzip)."""
    opts = as_options(options)
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
    except ImportError:
        yield Reject(source=str(path), stage="read",
                     reason="reading WARC needs FastWARC: pip install 'cleanfeed[warc]'")
        return
    name = str(path)
    if path.stat().st_size == 0:
        yield Reject(source=name, reason="empty WARC file", stage="read")
        return
    wanted = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.conversion
    last_pos = 0
    seen = 0
    last_truncated = False
    with path.open("rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        records = ArchiveIterator(fh, record_types=wanted, parse_http=False, fsspec_args=False)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # FastWARC raises OSError/ValueError on bad headers
                yield Reject(source=f"{name}@{last_pos}", stage="read",
                             reason=f"WARC cannot be read after the record at offset {last_pos}: "
                                    f"{exc}; the rest of the file is lost")
                return
            seen += 1
            last_pos = record.stream_pos
            result = _record(record, f"{name}@{record.stream_pos}", opts.max_bytes,
                             record.record_type == WarcRecordType.response)
            if result is not None:
                last_truncated = isinstance(result, Reject) and "truncated" in result.reason
                yield result
    if gzipped:
        damage = gzip_damage(path)
        if damage and not last_truncated:  # a cut-short last record was reported already
            yield Reject(source=name, stage="read",
                         reason=f"{damage}; records in it are lost")
    if seen == 0 and not gzipped:
        with path.open("rb") as fh:
            if not fh.read(16).startswith(b"WARC/"):
                yield Reject(source=name, reason="not a WARC file", stage="read")


def _record(record: Any, source: str, max_bytes: int,
            is_response: bool) -> RawRecord | Reject | None:
    """One WARC record as an article record, a reject, or ``None`` when it is not an article."""
    headers = record.headers
    url = (headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
    fetched_at = headers.get("WARC-Date") or None
    warc_type = headers.get("Content-Type") or ""
    length = record.content_length
    if not is_response:
        kind = _media_type(warc_type)
        if kind not in _HTML_TYPES + _TEXT_TYPES:
            return None
    if length > max_bytes:
        # Big videos and PDFs are common in crawls and are not articles: only an oversized
        # HTML/text response is worth a reject, so peek at its HTTP head first.
        if is_response and not _is_article_response(record.reader.read(65536)):
            return None
        return Reject(source=source, stage="read",
                      reason=f"WARC record is {length:,} bytes, over the limit of {max_bytes:,}")
    block = record.reader.read()
    if len(block) < length:
        return Reject(source=source, stage="read",
                      reason=f"WARC record is truncated: {len(block):,} of {length:,} bytes")
    if is_response:
        if not _media_type(warc_type).startswith("application/http"):
            return None
        try:
            status, http_headers, body = parse_http(block, max_bytes)
        except HttpError as exc:
            return Reject(source=source, reason=str(exc), stage="read")
        if not 200 <= status < 300:
            return None
        content_type = http_headers.get("content-type", "")
        kind = _media_type(content_type)
        if kind not in _HTML_TYPES + _TEXT_TYPES:
            return None
    else:
        body, content_type = block, warc_type
    if not body.strip():
        return Reject(source=source, reason="empty response body", stage="read")
    is_html = kind in _HTML_TYPES
    try:
        text = decode(body, declared=_declared_charset(content_type, body))
    except DecodeError as exc:
        return Reject(source=source, reason=str(exc), stage="read")
    # The crawler cut the payload on purpose (Common Crawl: 1 MiB); the page may still read.
    extra = {"warc_truncated": headers.get("WARC-Truncated")} if headers.get(
        "WARC-Truncated") else {}
    if is_html:
        reason = pathological_html(text)
        if reason:
            return Reject(source=source, reason=reason, stage="read")
        return RawRecord(source=source, html=text, url=url, fetched_at=fetched_at, extra=extra)
    return RawRecord(source=source, text=text, url=url, fetched_at=fetched_at, extra=extra)


def _is_article_response(head: bytes) -> bool:
    """Whether the start of an HTTP response block is a 2xx HTML/text response."""
    end = head.find(b"\r\n\r\n")
    if end == -1:
        end = head.find(b"\n\n")
    if end == -1:
        return True  # headers longer than the peek: let the size reject say so
    try:
        status, headers, _ = parse_http(head[:end] + b"\r\n\r\n", 0)
    except HttpError:
        return True
    kind = _media_type(headers.get("content-type", ""))
    return 200 <= status < 300 and kind in _HTML_TYPES + _TEXT_TYPES
