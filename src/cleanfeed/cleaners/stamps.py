"""Stray date stamps at the top or bottom of the body (" date 2025-01-31", "Published: Jan. 31,
2025 3:10 pm ET", "2025-01-31 15:10", "Updated 2 hours ago", "fecha 12/05/2023").

A line is a stamp only when the *whole* line is an optional label plus one date expression and it
sits in the first or last few lines: a date inside a sentence is story, never a stamp. The stamp
lines (label included: "Updated ..." is a modification date) go to ``hints["stamp_dates"]`` for
the dates step to normalise into ``published``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cleanfeed import dates
from cleanfeed.article import Article
from cleanfeed.cleaners import cues
from cleanfeed.cleaners.spans import Cut, apply_cuts, iter_lines

#: How many non-blank lines at each end of the body are searched for stamps.
EDGE_LINES = 3


@lru_cache(maxsize=1)
def _edges() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What may stand before the date of a stamp line, and before a bare clock time.

    The dates themselves are found by :func:`cleanfeed.dates.date_spans`, so the stamps
    cleaner and the dates step share one vocabulary of months, weekdays and relative phrases;
    only the labels ("Published", "Aktualisiert am") are the cleaner's own cues.
    """
    label = cues.alternation(cues.load().phrases("date_labels"))
    before_date = re.compile(
        rf"^[\W_]*?(?:(?:{label})\s*[:\-–|]?\s*)?(?:(?:on|le|el|am|em|il)\s+)?"
        rf"(?:(?:{dates.WEEKDAY_PATTERN})\.?,?\s*)?$", re.IGNORECASE)
    labelled_clock = re.compile(
        rf"^[\W_]*?(?:{label})\s*[:\-–|]?\s*(?:(?:at|um|à|a\s+las|às|alle)\s+)?"
        rf"(?P<clock>.+)$", re.IGNORECASE)
    return before_date, labelled_clock


_AFTER_DATE = re.compile(r"^[\W_]*$")


def match_stamp(line: str) -> str | None:
    """The date part of ``line`` when the whole line is a (labelled) date stamp, else ``None``.

    >>> match_stamp(" date 2025-01-31 ")
    '2025-01-31'
    >>> match_stamp("Published: Jan. 31, 2025 3:10 pm ET")
    'Jan. 31, 2025 3:10 pm ET'
    >>> match_stamp("The deal closed on 2025-01-31 after talks.") is None
    True
    """
    text = line.strip()
    if not text or len(text) > 80:
        return None
    before_date, labelled_clock = _edges()
    spans = dates.date_spans(text)
    if len(spans) == 1:
        start, end = spans[0]
        if before_date.match(text[:start]) and _AFTER_DATE.match(text[end:]):
            return text[start:end].strip()
        return None
    if spans:
        return None  # two dates on one line: a range or a listing, not a stamp
    m = labelled_clock.match(text)
    if m is None:
        return None
    for clock in (m["clock"].strip(), m["clock"].strip().rstrip("!?,;:.)]*|–-").strip()):
        if clock and dates.is_time_of_day(clock):  # "1:23 p.m." keeps its dot, "15:10." not
            return clock
    return None


class Stamps:
    """Cut date-stamp lines from the first and last ``edge_lines`` non-blank lines."""

    name = "stamps"

    def __init__(self, edge_lines: int = EDGE_LINES) -> None:
        if edge_lines < 1:
            raise ValueError("edge_lines must be at least 1")
        self.edge_lines = edge_lines

    def __call__(self, article: Article) -> Article:
        lines = [ln for ln in iter_lines(article.text) if not ln.blank]
        if len(lines) < 2:  # a lone date line is the whole record, not a stamp on a story
            return article
        head = lines[: self.edge_lines]
        tail = lines[-self.edge_lines:]
        cuts: list[Cut] = []
        found: list[str] = []
        seen: set[int] = set()
        for where, zone in (("top", head), ("end", tail)):
            for line in zone:
                if line.index in seen:
                    continue
                date = match_stamp(line.text)
                if date is None:
                    continue
                seen.add(line.index)
                cuts.append(Cut(line.start, line.end, f"date stamp at the {where}: {date!r}"))
                found.append(line.text.strip())
        if not cuts:
            return article
        out = apply_cuts(article, cuts, self.name)
        if out is article or len(out.removed) == len(article.removed):
            return out
        return out.with_hint("stamp_dates", (*article.hints.get("stamp_dates", ()), *found))


stamps = Stamps()
