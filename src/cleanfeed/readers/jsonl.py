"""JSONL (and ``.jsonl.gz``): one record per line, ``source`` is ``path:line``.

Known fields (``text``, ``html``, ``url``, ``title``, ``id``, ``published``, ``modified``,
``fetched_at``, ``site``, ``authors``, ``language``) map onto :class:`RawRecord`; every other
field is kept in ``extra`` and written back out unchanged. Other shapes (news-please,
trafilatura...) are read through a field map (:mod:`cleanfeed.readers.presets`).

``.json`` files hold one record, an array of records (``source`` is ``path#N``, N from 1) or
a JSON Feed (handed to :mod:`cleanfeed.readers.feeds`).
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers.options import ReadOptions, as_options
from cleanfeed.readers.presets import apply_field_map

_STRING_FIELDS = ("text", "html", "url", "title", "id", "published", "modified", "fetched_at",
                  "site", "language")


def record_from_mapping(
    obj: Mapping[str, Any], source: str, field_map: Mapping[str, str] | None = None
) -> RawRecord | Reject:
    """Adapt one JSON object into a record (the edge where input shapes are normalised)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if field_map:
        obj = apply_field_map(obj, field_map)
    for key, value in obj.items():
        if key in _STRING_FIELDS:
            if value is None:
                continue
            if not isinstance(value, (str, int, float)):
                return Reject(source=source, stage="read",
                              reason=f"field {key!r} must be a string, got {type(value).__name__}")
            values[key] = str(value)
        elif key == "authors":
            if isinstance(value, str):  # trafilatura joins several with ";"
                values["authors"] = tuple(a.strip() for a in value.split(";") if a.strip())
            elif isinstance(value, list):
                values["authors"] = tuple(_author_name(a) for a in value if _author_name(a))
        else:
            extra[key] = value
    if not values.get("text") and not values.get("html"):
        return Reject(source=source, reason="record has no 'text' or 'html' field", stage="read",
                      id=values.get("id"))
    return RawRecord(source=source, extra=extra, **values)


def _author_name(value: Any) -> str:
    """An author given as a string or as an object with a ``name`` (JSON Feed, schema.org)."""
    if isinstance(value, Mapping):
        value = value.get("name")
    return str(value).strip() if value else ""


def _loads(data: bytes, source: str) -> Any:
    """Parsed JSON, or a reject saying why it is not (bad syntax or encoding, too deep)."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Reject(source=source, reason=f"invalid JSON: {exc}", stage="read")
    except RecursionError:
        return Reject(source=source, reason="invalid JSON: nested too deeply", stage="read")


def iter_jsonl_lines(
    lines: Iterable[bytes], name: str, *, max_bytes: int | None = None,
    field_map: Mapping[str, str] | None = None,
) -> Iterator[RawRecord | Reject]:
    for number, line in enumerate(lines, start=1):
        source = f"{name}:{number}"
        if not line.strip():
            continue
        if max_bytes is not None and len(line) > max_bytes:
            yield Reject(source=source, stage="read",
                         reason=f"record is {len(line):,} bytes, over the limit of {max_bytes:,}")
            continue
        obj = _loads(line, source)
        if isinstance(obj, Reject):
            yield obj
            continue
        if not isinstance(obj, dict):
            yield Reject(source=source, reason=f"expected a JSON object, got {type(obj).__name__}",
                         stage="read")
            continue
        yield record_from_mapping(obj, source, field_map)


def read_jsonl(path: Path, options: ReadOptions | int | None = None
               ) -> Iterator[RawRecord | Reject]:
    """Stream a ``.jsonl`` or ``.jsonl.gz`` file; a truncated gzip ends in a reject."""
    opts = as_options(options)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        try:
            yield from iter_jsonl_lines(_bounded_lines(fh, opts.max_bytes), str(path),
                                        max_bytes=opts.max_bytes, field_map=opts.field_map)
        except (EOFError, OSError, zlib.error) as exc:
            yield Reject(source=str(path), reason=f"file is truncated or corrupt: {exc}",
                         stage="read")



def _bounded_lines(fh: Any, max_bytes: int) -> Iterator[bytes]:
    """Lines of a binary file, each read with a cap so a 10 GB line never sits in memory:
    an over-long line is yielded as its first ``max_bytes + 1`` bytes (rejected by size)."""
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:  # skip the rest of the over-long line, chunk by chunk
                rest = fh.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def _is_json_feed(obj: Any) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("items"), list)
            and "jsonfeed.org" in str(obj.get("version", "")))


class ArrayError(ValueError):
    """A JSON array item or stream that cannot be read; the message is the reject reason."""


class _Stream:
    """A window over a UTF-8 byte stream, refilled in 1 MiB chunks (memory: one item)."""

    CHUNK = 1 << 20

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.eof = False

    def fill(self) -> bool:
        """Append a chunk (dropping what was consumed); ``False`` at the end of the stream."""
        if self.eof:
            return False
        chunk = self.fh.read(self.CHUNK)
        try:
            more = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise ArrayError(f"invalid UTF-8 in JSON: {exc.reason}") from exc
        self.eof = not chunk
        self.buf, self.pos = self.buf[self.pos:] + more, 0
        return True

    def peek(self) -> str:
        """The next non-space character ('' at the end), consuming the spaces."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def skip_value(self) -> None:
        """Consume one JSON value without keeping it (strings and nesting tracked), jumping
        from one structural character to the next with a regex, not a Python loop."""
        depth, in_string = 0, False
        while True:
            if in_string:  # the string's body in one C-level match, up to its quote or the end
                body = _STRING_BODY.match(self.buf, self.pos)
                self.pos = body.end() if body else self.pos
            m = (_STRING_SPECIAL if in_string else _STRUCTURAL).search(self.buf, self.pos)
            if m is None:
                self.pos = len(self.buf)
                if not self.fill():
                    raise ArrayError("invalid JSON: the array ends inside an item")
                continue
            ch = m.group()
            if ch == "\\" and m.end() >= len(self.buf):  # escape split by the chunk end
                self.pos = m.start()
                if not self.fill():
                    raise ArrayError("invalid JSON: the array ends inside an item")
                continue
            self.pos = m.end()
            if in_string:
                if ch == "\\":
                    self.pos += 1  # skip the escaped character
                else:
                    in_string = False
                    if depth == 0:
                        return
            elif ch == '"':
                in_string = True
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                if depth == 0:  # the end of the array after a scalar: leave it
                    self.pos -= 1
                    return
                depth -= 1
                if depth == 0:
                    return
            elif depth == 0:  # "," after a scalar
                self.pos -= 1
                return


_STRING_SPECIAL = re.compile(r'["\\]')
try:  # possessive (Python 3.11+): no backtracking stack on megabyte strings
    _STRING_BODY = re.compile(r'(?:[^"\\]++|\\.)*+', re.S)
except re.error:  # pragma: no cover - Python 3.10
    _STRING_BODY = re.compile(r'[^"\\]*', re.S)
_STRUCTURAL = re.compile(r'["\[\]{},]')


def iter_json_array(fh: Any, max_item_bytes: int) -> Iterator[Any | ArrayError]:
    """The items of a top-level JSON array, parsed one at a time from a binary stream.

    Memory holds one item (plus a read chunk), so a 5 GB array of records streams like
    JSONL. An item over ``max_item_bytes`` is skipped without being held and yielded as an
    :class:`ArrayError`; damage after which no next item can be found raises one.
    """
    decoder = json.JSONDecoder()
    s = _Stream(fh)
    if s.peek() != "[":
        raise ArrayError("not a JSON array")
    s.pos += 1
    if s.peek() == "]":
        return
    while True:
        while True:
            try:
                item, end = decoder.raw_decode(s.buf, s.pos)
            except json.JSONDecodeError as exc:
                # Cut short by the chunk end (read more), or a real error well inside it?
                # An unterminated string reports where the string starts, hence the message.
                cut_short = len(s.buf) - exc.pos < 1024 or exc.msg.startswith("Unterminated")
                if not cut_short:
                    raise ArrayError(f"invalid JSON: {exc}") from None
                if len(s.buf) - s.pos > max_item_bytes:
                    s.skip_value()
                    item = ArrayError(f"array item is over the limit of {max_item_bytes:,} "
                                      "bytes")
                    break
                if not s.fill():
                    raise ArrayError(f"invalid JSON: {exc}") from None
                continue
            except RecursionError:
                raise ArrayError("invalid JSON: nested too deeply") from None
            if not s.eof and (end == len(s.buf) or (  # a number may go on in the next chunk
                    isinstance(item, (int, float)) and s.buf[end] in ".eE+-")):
                s.fill()
                continue
            if end - s.pos > max_item_bytes:
                item = ArrayError(f"array item is over the limit of {max_item_bytes:,} bytes")
            s.pos = end
            break
        yield item
        sep = s.peek()
        if sep == "]":
            return
        if sep != ",":
            raise ArrayError(f"invalid JSON: expected ',' or ']' after an array item, "
                             f"got {sep[:1]!r}")
        s.pos += 1
        if s.peek() == "":  # raw_decode does not skip leading spaces itself
            raise ArrayError("invalid JSON: the array ends after a ','")


def _read_json_array(path: Path, name: str, opts: ReadOptions) -> Iterator[RawRecord | Reject]:
    number = 0
    with path.open("rb") as fh:
        try:
            for number, item in enumerate(iter_json_array(fh, opts.max_bytes), start=1):
                source = f"{name}#{number}"
                if isinstance(item, ArrayError):
                    yield Reject(source=source, reason=str(item), stage="read")
                elif isinstance(item, dict):
                    yield record_from_mapping(item, source, opts.field_map)
                else:
                    yield Reject(source=source, stage="read",
                                 reason=f"expected a JSON object, got {type(item).__name__}")
        except ArrayError as exc:
            where = f"after item {number}" if number else "before the first item"
            yield Reject(source=name, stage="read",
                         reason=f"{exc} ({where}); the rest of the file is lost")
            return
    if number == 0:
        yield Reject(source=name, reason="JSON array is empty", stage="read")


def read_json(path: Path, options: ReadOptions | int | None = None
              ) -> Iterator[RawRecord | Reject]:
    """A ``.json`` file: one record, an array of records (streamed: ``max_bytes`` bounds
    each item, not the file), or a JSON Feed (bounded by ``max_bytes`` as a whole)."""
    opts = as_options(options)
    name = str(path)
    with path.open("rb") as fh:
        first = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first == b"[":
        yield from _read_json_array(path, name, opts)
        return
    size = path.stat().st_size
    if size > opts.max_bytes:
        yield Reject(source=name, stage="read",
                     reason=f"JSON file is {size:,} bytes, over the limit of {opts.max_bytes:,}")
        return
    data = path.read_bytes()
    obj = _loads(data, name)
    if isinstance(obj, Reject):
        yield obj
        return
    if _is_json_feed(obj) and not opts.field_map:
        from cleanfeed.readers.feeds import records_from_feed

        yield from records_from_feed(data, name)
    elif isinstance(obj, dict):
        yield record_from_mapping(obj, name, opts.field_map)
    else:
        yield Reject(source=name, stage="read",
                     reason=f"expected a JSON object or array, got {type(obj).__name__}")
