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

from cleanfeed.article import Article
from cleanfeed.cleaners import cues
from cleanfeed.cleaners.spans import Cut, apply_cuts, iter_lines

#: How many non-blank lines at each end of the body are searched for stamps.
EDGE_LINES = 3


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    c = cues.load()
    month = cues.alternation(c.months)
    weekday = cues.alternation(c.weekdays)
    label = cues.alternation(c.phrases("date_labels"))
    units = cues.alternation(c.relative_units)
    before = cues.alternation(c.relative_before) or "(?!)"
    after = cues.alternation(c.relative_after) or "(?!)"
    day = r"\d{1,2}(?:st|nd|rd|th|º|er)?\.?"
    year = r"\d{4}"
    time = (r"(?:,?\s*(?:at|um|à|a\s+las|às|alle|ore|-|–|\|)?\s*\d{1,2}(?:[:h.]\d{2}){1,2}"
            r"(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:uhr|h))?"
            r"(?:\s*(?:\(?[A-Z]{2,5}\)?|UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?)?")
    date = (
        rf"(?:(?:{weekday})\.?,?\s+)?(?:"
        rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:[T ]\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\.\d+)?"
        rf"(?:Z|[+-]\d{{2}}:?\d{{2}})?)?"
        rf"|\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})"
        rf"|{day}\s+(?:de\s+)?(?:{month})\.?,?\s+(?:de\s+)?{year}"
        rf"|(?:{month})\.?\s+{day},?\s+{year}"
        rf")"
    )
    relative = rf"(?:(?:{before})\s+)?\d{{1,3}}\s+(?:{units})\.?(?:\s+(?:{after}))?"
    clock = r"\d{1,2}[:h.]\d{2}(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:uhr|h))?(?:\s*[A-Z]{2,5})?"
    line = (rf"^[\W_]*?(?:(?:{label})\s*[:\-–|]?\s*)?(?:on\s+|le\s+|el\s+|am\s+|em\s+|il\s+)?"
            rf"(?P<date>(?:{date}){time}|{relative})[\W_]*$"
            rf"|^[\W_]*?(?:{label})\s*[:\-–|]?\s*(?:at|um|à|a\s+las|às|alle)?\s*"
            rf"(?P<clock>{clock})[\W_]*$")
    return re.compile(line, re.IGNORECASE)


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
    m = _pattern().match(text)
    if not m:
        return None
    return (m.group("date") or m.group("clock")).strip()


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
