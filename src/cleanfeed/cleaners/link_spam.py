""""Read More" / "Related" / "Lee también" blocks: a cue line, then short headline-like lines.

Such blocks list other stories (usually at the end of a scrape, sometimes mid-body). The cue must
be the whole line ("Read More", "Related articles:", "LEE TAMBIÉN"), so "Read more about the study
in the journal's edition." inside a paragraph is story and stays. A one-line form
"Read more: <headline>" is removed too. The block ends at the first line that reads like prose.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cleanfeed.article import Article
from cleanfeed.cleaners import cues, promos, shape
from cleanfeed.cleaners.spans import Cut, Line, apply_cuts, iter_lines

#: At most this many headline lines follow a cue (guards against eating a story of short lines).
MAX_ITEMS = 30


@lru_cache(maxsize=1)
def _cue_keys() -> frozenset[str]:
    return cues.load().phrases("related")


@lru_cache(maxsize=1)
def _inline_cue() -> re.Pattern[str]:
    phrases = cues.alternation(cues.load().phrases("related"))
    return re.compile(rf"^[\W_]*(?:{phrases})\s*[:|»›>–—@-]\s*(?P<rest>\S.*)$", re.IGNORECASE)


def is_cue_line(line: str) -> bool:
    """The whole line is a related-links cue ("Read More", "Related Articles:", "» Lee también")."""
    text = line.strip()
    return 0 < len(text) <= 60 and cues.key(text) in _cue_keys()


def inline_headline(line: str) -> str | None:
    """The headline of a one-line "Read more: <headline>" link, else ``None``."""
    text = line.strip()
    if len(text) > 200:
        return None
    m = _inline_cue().match(text)
    if not m:
        return None
    rest = m.group("rest")
    return rest if shape.is_headline_like(rest) else None


class LinkSpam:
    """Cut cue + headline-list blocks and one-line "Read more: …" links."""

    name = "link_spam"

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.max_items = max_items

    def __call__(self, article: Article) -> Article:
        lines = list(iter_lines(article.text))
        cuts: list[Cut] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if is_cue_line(line.text):
                items, last = self._items_after(lines, i)
                cue = line.stripped
                if items:
                    what = f"{len(items)} headline-like line{'s' if len(items) != 1 else ''}"
                    reason = f"cue line {cue!r} followed by {what}"
                else:
                    reason = f"cue line {cue!r} with no links after it"
                cuts.append(Cut(line.start, last.end, reason))
                i = last.index + 1
                continue
            elif inline_headline(line.text) is not None:
                cuts.append(Cut(line.start, line.end, "one-line link to another story"))
            i += 1
        return apply_cuts(article, cuts, self.name)

    def _items_after(self, lines: list[Line], cue_index: int) -> tuple[list[Line], Line]:
        """The headline-like lines after the cue (blank lines allowed between them)."""
        items: list[Line] = []
        last = lines[cue_index]
        for j in range(cue_index + 1, len(lines)):  # by index: O(block), never O(rest of text)
            line = lines[j]
            if line.blank:
                continue
            if (len(items) >= self.max_items or not shape.is_headline_like(line.text)
                    or promos.classify(line.text)):
                break
            if is_cue_line(line.text):  # a second cue ("Most read") continues the block
                last = line
                continue
            items.append(line)
            last = line
        return items, last


link_spam = LinkSpam()
