"""JSONL (and ``.jsonl.gz``): one record per line, ``source`` is ``path:line``.

Known fields (``text``, ``html``, ``url``, ``title``, ``id``, ``published``, ``modified``,
``fetched_at``, ``site``, ``authors``, ``language``) map onto :class:`RawRecord`; every other
field is kept in ``extra`` and written back out unchanged. Other shapes (news-please,
trafilatura...) are read through a field map (:mod:`cleanfeed.readers.presets`).

``.json`` files hold one record, an array of records (``source`` is ``path#N``, N from 1) or
a JSON Feed (handed to :mod:`cleanfeed.readers.feeds`).
"""

from __future__ import annotations

import gzip
import json
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
        try:
            obj = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield Reject(source=source, reason=f"invalid JSON: {exc}", stage="read")
            continue
        except RecursionError:
            yield Reject(source=source, reason="invalid JSON: nested too deeply", stage="read")
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
    with opener(path, "rb") as fh:  # type: ignore[operator]
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


def read_json(path: Path, options: ReadOptions | int | None = None
              ) -> Iterator[RawRecord | Reject]:
    """A ``.json`` file: one record, an array of records, or a JSON Feed.

    The whole file is parsed at once (JSON arrays cannot be split without a streaming
    parser), so it is bounded by ``max_bytes``; use JSONL for large collections.
    """
    opts = as_options(options)
    name = str(path)
    size = path.stat().st_size
    if size > opts.max_bytes:
        yield Reject(source=name, stage="read",
                     reason=f"JSON file is {size:,} bytes, over the limit of {opts.max_bytes:,}")
        return
    data = path.read_bytes()
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield Reject(source=name, reason=f"invalid JSON: {exc}", stage="read")
        return
    except RecursionError:
        yield Reject(source=name, reason="invalid JSON: nested too deeply", stage="read")
        return
    if _is_json_feed(obj) and not opts.field_map:
        from cleanfeed.readers.feeds import records_from_feed

        yield from records_from_feed(data, name)
    elif isinstance(obj, dict):
        yield record_from_mapping(obj, name, opts.field_map)
    elif isinstance(obj, list):
        if not obj:
            yield Reject(source=name, reason="JSON array is empty", stage="read")
        for number, item in enumerate(obj, start=1):
            source = f"{name}#{number}"
            if isinstance(item, dict):
                yield record_from_mapping(item, source, opts.field_map)
            else:
                yield Reject(source=source, stage="read",
                             reason=f"expected a JSON object, got {type(item).__name__}")
    else:
        yield Reject(source=name, stage="read",
                     reason=f"expected a JSON object or array, got {type(obj).__name__}")
