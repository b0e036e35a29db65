"""Share / subscribe / follow / cookie / advertisement / copyright lines.

Precision rules: a line goes only when it *is* the call to action — the whole line is a cue
("Advertisement", "Share this article"), or it starts with a multi-word cue and is short
("Follow us on Twitter for updates"), or it is a short copyright notice. "Share prices fell 3%"
starts with a cue *word* but not a cue *phrase*, and stays.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cleanfeed.article import Article
from cleanfeed.cleaners import cues, shape
from cleanfeed.cleaners.spans import Cut, apply_cuts, iter_lines

#: Groups whose phrases, at the start of a short line, make the line a call to action.
PREFIX_GROUPS = ("share", "subscribe", "follow")
#: A prefix-matched line may have at most this many words.
MAX_PREFIX_WORDS = 14
_COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))", re.IGNORECASE)
_COOKIE_WORD = re.compile(r"cookie", re.IGNORECASE)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], list[tuple[str, str]], list[str], list[str]]:
    c = cues.load()
    exact: dict[str, str] = {}
    for group in ("share", "subscribe", "follow", "cookie", "ads", "copyright"):
        for phrase in c.phrases(group):
            exact.setdefault(phrase, group)
    prefixes = sorted(
        ((p, g) for g in PREFIX_GROUPS for p in c.phrases(g) if " " in p),
        key=lambda pg: (-len(pg[0]), pg[0]),
    )
    cookie = sorted(p for p in c.phrases("cookie") if " " in p)
    copyright_ = sorted(p for p in c.phrases("copyright") if " " in p)
    return exact, prefixes, cookie, copyright_


def classify(line: str) -> str | None:
    """The junk group of ``line`` ("share", "ads", "cookie", ...), or ``None`` for story text.

    >>> classify("ADVERTISEMENT"), classify("Follow us on Twitter"), classify("Share prices fell.")
    ('ads', 'follow', None)
    """
    text = shape.strip_bullet(line)
    if not text or len(text) > 400:
        return None
    k = cues.key(text)
    if not k:
        return None
    exact, prefixes, cookie, copyright_ = _tables()
    if k in exact:
        return exact[k]
    n_words = len(k.split())
    if n_words <= MAX_PREFIX_WORDS:
        for phrase, group in prefixes:
            if k.startswith(phrase + " "):
                return group
    if n_words <= 60 and _COOKIE_WORD.search(text) and any(p in k for p in cookie):
        return "cookie"
    if n_words <= 25 and (_COPYRIGHT.match(text) or any(p in k for p in copyright_)):
        return "copyright"
    return None


_REASONS = {
    "share": "share/social button text",
    "subscribe": "subscription or sign-up prompt",
    "follow": "follow-us prompt",
    "cookie": "cookie notice",
    "ads": "advertisement label",
    "copyright": "copyright notice",
}


def promos(article: Article) -> Article:
    """Step: cut whole lines that are calls to action, ad labels, cookie or copyright notices."""
    cuts = []
    for line in iter_lines(article.text):
        group = classify(line.text)
        if group:
            cuts.append(Cut(line.start, line.end, _REASONS[group]))
    return apply_cuts(article, cuts, "promos")
