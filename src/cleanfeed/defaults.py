"""The default step list. Kept in one place so the order is visible, not hidden in flags."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleanfeed.article import Article, Drop, stable_id
from cleanfeed.cleaners.boilerplate import StripBoilerplate
from cleanfeed.cleaners.headings import headings
from cleanfeed.cleaners.layout import paragraphs, unwrap
from cleanfeed.cleaners.link_spam import link_spam
from cleanfeed.cleaners.normalize import normalize
from cleanfeed.cleaners.promos import promos
from cleanfeed.cleaners.stamps import stamps
from cleanfeed.dates import assign_dates
from cleanfeed.extract import extract
from cleanfeed.language import detect_language
from cleanfeed.pipeline import StepLike

_LETTER = re.compile(r"[^\W\d_]")


def require_text(article: Article) -> Article | Drop:
    """Step: reject records left with no readable text (not a single letter)."""
    if not _LETTER.search(article.text):
        return Drop("no text left after cleaning" if article.removed else "no readable text")
    return article


def assign_id(article: Article) -> Article:
    """Step: keep the record's own id, else a stable hash of identity and clean content."""
    if article.hints.get("id_given"):
        return article
    return article.evolve(id=stable_id(article))


assign_id.name = "id"  # type: ignore[attr-defined]


def default_steps(extra: Sequence[StepLike] = ()) -> list[StepLike]:
    return [
        extract,
        normalize,
        StripBoilerplate(),  # text records only: page chrome around the story of a text dump
        unwrap,
        stamps,
        link_spam,
        promos,
        headings,
        *extra,
        paragraphs,
        require_text,
        detect_language,  # before dates: numeric day/month order follows the language
        assign_dates,
        assign_id,
    ]
