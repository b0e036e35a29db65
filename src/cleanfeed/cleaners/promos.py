"""Calls to action and site furniture: share / subscribe / follow / click-here lines, comment
counters, tag lists, cookie notices, advertisement labels, copyright notices, feed footers and
bare link lines.

Precision rules: a line goes only when it *is* the call to action — the whole line is a cue
("Advertisement", "Share this article"), or it starts with a multi-word cue and is short
("Follow us on Twitter for updates"), or it is a short notice of a known shape. "Share prices
fell 3%" starts with a cue *word* but not a cue *phrase*, and stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cleanfeed.article import Article
from cleanfeed.cleaners import cues, shape
from cleanfeed.cleaners.spans import Cut, apply_cuts, iter_lines

#: Groups whose phrases, at the start of a short line, make the line a call to action.
PREFIX_GROUPS = ("share", "subscribe", "follow", "cta")
#: A prefix-matched line may have at most this many words.
MAX_PREFIX_WORDS = 20
#: First words of "follow us"-style lines in the six cue languages.
_FOLLOW_VERBS = frozenset({"follow", "like", "join", "find", "connect", "subscribe", "folgen",
                           "folge", "suivez", "rejoignez", "síguenos", "siguenos", "siga",
                           "sigue", "seguici", "segui"})
_COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))", re.IGNORECASE)
_COOKIE_WORD = re.compile(r"cookie", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co\.uk|info|io)"
                  r"\b", re.IGNORECASE)
_LINK_LINE = re.compile(
    r"^\W*(?:(?:source|via|quelle|fuente|fonte|link)\s*:?\s*)?(?:https?://|www\.)\S+\s*$",
    re.IGNORECASE)
_FEED_FOOTER = re.compile(r"^the post .{1,300} appeared first on .{1,200}$", re.IGNORECASE)
_COMMENT_COUNT = re.compile(
    r"^\W*\d{1,6}\s+(?:comments?|kommentare?|commentaires?|comentarios?|comentários?|commenti)"
    r"\W*$", re.IGNORECASE)

_REASONS = {
    "share": "share/social button text",
    "subscribe": "subscription or sign-up prompt",
    "follow": "follow-us prompt",
    "cta": "call to action",
    "cookie": "cookie notice",
    "ads": "advertisement label",
    "copyright": "copyright notice",
    "comments": "comments widget text",
    "taxonomy": "tag or category list",
    "feed": "feed footer ('The post … appeared first on …')",
    "link": "bare link line",
    "more_links": "link to more content elsewhere",
}


@dataclass(frozen=True, slots=True)
class _Tables:
    exact: dict[str, str]
    prefix: re.Pattern[str]          # on the key: a multi-word cue phrase, then more words
    prefix_group: dict[str, str]
    cookie: re.Pattern[str]
    copyright: re.Pattern[str]
    social: frozenset[str]
    more_links: re.Pattern[str]
    taxonomy: re.Pattern[str]


def _phrase_regex(phrases: list[str], *, anchored: bool) -> re.Pattern[str]:
    """Phrases in comparison form (see :func:`cues.key`) as one compiled alternation."""
    body = "|".join(re.escape(p) for p in sorted(phrases, key=lambda p: (-len(p), p)))
    if not body:
        return re.compile("(?!)")
    return re.compile(rf"^(?:{body}) " if anchored else rf"(?:^| )(?:{body})(?: |$)")


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    c = cues.load()
    exact: dict[str, str] = {}
    for group in ("share", "subscribe", "follow", "cta", "cookie", "ads", "copyright", "comments"):
        for phrase in c.phrases(group):
            exact.setdefault(phrase, group)
    prefix_group: dict[str, str] = {}
    for group in PREFIX_GROUPS:
        for phrase in c.phrases(group):
            if " " in phrase:
                prefix_group.setdefault(phrase, group)
    # Only list markers may precede the label: "{ category : ..." is code, not a tag line.
    taxonomy = re.compile(rf"^[\s*•·-]*(?:{cues.alternation(c.phrases('taxonomy'))})\s*:", re.I)
    return _Tables(
        exact=exact,
        prefix=_phrase_regex(list(prefix_group), anchored=True),
        prefix_group=prefix_group,
        cookie=_phrase_regex([p for p in c.phrases("cookie") if " " in p], anchored=False),
        copyright=_phrase_regex([p for p in c.phrases("copyright") if " " in p], anchored=False),
        social=c.phrases("social"),
        more_links=_phrase_regex(list(c.phrases("more_links")), anchored=True),
        taxonomy=taxonomy,
    )


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
    t = _tables()
    if k in t.exact:
        return t.exact[k]
    ws = k.split()
    n_words = len(ws)
    if n_words <= MAX_PREFIX_WORDS:
        m = t.prefix.match(k)
        if m:
            return t.prefix_group[m.group()[:-1]]
        if ws[0] in _FOLLOW_VERBS and t.social.intersection(ws[1:]) and n_words <= 16:
            return "follow"
        if t.more_links.match(k) and _URL.search(text):
            return "more_links"
    if _LINK_LINE.match(text):
        return "link"
    if _COMMENT_COUNT.match(text):
        return "comments"
    if _FEED_FOOTER.match(text):
        return "feed"
    if n_words <= 40 and t.taxonomy.match(text):
        return "taxonomy"
    if n_words <= 60 and _COOKIE_WORD.search(text) and t.cookie.search(k):
        return "cookie"
    if n_words <= 25 and (_COPYRIGHT.match(text) or t.copyright.search(k)):
        return "copyright"
    return None


def promos(article: Article) -> Article:
    """Step: cut whole lines that are calls to action, site furniture or notices."""
    cuts = []
    for line in iter_lines(article.text):
        group = classify(line.text)
        if group:
            cuts.append(Cut(line.start, line.end, _REASONS[group]))
    return apply_cuts(article, cuts, "promos")
