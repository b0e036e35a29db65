"""JSONL (and ``.jsonl.gz``): one record per line, ``source`` is ``path:line``.

Known fields (``text``, ``html``, ``url``, ``title``, ``id``, ``published``, ``modified``,
``fetched_at``, ``site``, ``authors``, ``language``) map onto :class:`RawRecord`; every other
field is kept in ``extra`` and written back out unchanged.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cleanfeed.article import RawRecord, Reject

_STRING_FIELDS = ("text", "html", "url", "title", "id", "published", "modified", "fetched_at",
                  "site", "language")


def record_from_mapping(obj: Mapping[str, Any], source: str) -> RawRecord | Reject:
    """Adapt one JSON object into a record (the edge where input shapes are normalised)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in obj.items():
        if key in _STRING_FIELDS:
            if value is None:
                continue
            if not isinstance(value, (str, int, float)):
                return Reject(source=source, stage="read",
                              reason=f"field {key!r} must be a string, got {type(value).__name__}")
            values[key] = str(value)
        elif key == "authors":
            if isinstance(value, str):
                values["authors"] = (value,)
            elif isinstance(value, list):
                values["authors"] = tuple(str(a) for a in value if a)
        else:
            extra[key] = value
    if not values.get("text") and not values.get("html"):
        return Reject(source=source, reason="record has no 'text' or 'html' field", stage="read",
                      id=values.get("id"))
    return RawRecord(source=source, extra=extra, **values)


def iter_jsonl_lines(
    lines: Iterable[bytes], name: str, *, max_bytes: int | None = None
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
        if not isinstance(obj, dict):
            yield Reject(source=source, reason=f"expected a JSON object, got {type(obj).__name__}",
                         stage="read")
            continue
        yield record_from_mapping(obj, source)


def read_jsonl(path: Path, max_bytes: int) -> Iterator[RawRecord | Reject]:
    """Stream a ``.jsonl`` or ``.jsonl.gz`` file; a truncated gzip ends in a reject."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:  # type: ignore[operator]
        try:
            yield from iter_jsonl_lines(fh, str(path), max_bytes=max_bytes)
        except (EOFError, OSError, zlib.error) as exc:
            yield Reject(source=str(path), reason=f"file is truncated or corrupt: {exc}",
                         stage="read")

