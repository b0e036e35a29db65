"""Options every reader takes, bundled so a new option does not change every signature."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: A single document (or feed, or JSON file, or WARC record) larger than this is rejected unread.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """``max_bytes`` bounds one document/record; ``field_map`` maps record fields (``text``,
    ``published``...) to input keys for JSON/JSONL (see :mod:`cleanfeed.readers.presets`);
    ``decode_later`` makes one-document files (``.txt``, ``.html``) come out as undecoded
    :class:`~cleanfeed.readers.documents.RawDocument` bytes, so that decoding and the HTML
    checks run where the record is cleaned (a worker process), not in the reading process."""

    max_bytes: int = DEFAULT_MAX_BYTES
    field_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    decode_later: bool = False


def as_options(value: ReadOptions | int | None) -> ReadOptions:
    """Readers accept the old ``max_bytes`` int too."""
    if isinstance(value, ReadOptions):
        return value
    return ReadOptions() if value is None else ReadOptions(max_bytes=int(value))
