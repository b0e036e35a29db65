"""Line layout: undo soft wraps early, lay out paragraphs (blank line between) at the end."""

from __future__ import annotations

import re

from cleanfeed.article import Article
from cleanfeed.cleaners.spans import tidy

# A line that does not end a sentence, followed by one that starts in lower case: one sentence
# wrapped over two lines by the scraper (hard-wrapped dumps, <br> inside paragraphs).
_SOFT_WRAP = re.compile(r"(?<=[^\s.!?:;…\"”’»)\]])\n(?=[a-zà-öø-ÿ])")


def unwrap(article: Article) -> Article:
    """Step: join soft-wrapped lines, so later cleaners see one logical line per paragraph."""
    text = _SOFT_WRAP.sub(" ", article.text)
    return article if text == article.text else article.evolve(text=text)


def paragraphs(article: Article) -> Article:
    """Step: paragraphs separated by one blank line.

    When most line breaks in the text are single, the source put one paragraph per line, so
    every line becomes a paragraph; otherwise single breaks inside a block (a list, a poem)
    are kept.
    """
    text = tidy(article.text)
    doubles = text.count("\n\n")
    singles = text.count("\n") - 2 * doubles
    if singles > doubles:
        text = re.sub(r"\n+", "\n\n", text)
    return article if text == article.text else article.evolve(text=text)
