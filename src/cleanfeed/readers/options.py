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
    ``published``...) to input keys for JSON/JSONL (see :mod:`cleanfeed.readers.presets`)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    field_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def as_options(value: ReadOptions | int | None) -> ReadOptions:
    """Readers accept the old ``max_bytes`` int too."""
    if isinstance(value, ReadOptions):
        return value
    return ReadOptions() if value is None else ReadOptions(max_bytes=int(value))
