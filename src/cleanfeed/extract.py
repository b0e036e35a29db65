"""HTML -> main text and metadata. The HTML path's entry point into the cleaning pipeline.

Two extractors that fail on different pages are run and arbitrated rather than trusted alone:

* trafilatura (comments excluded) gives the text and the metadata;
* readability-lxml gives a second opinion on which block is the story, when trafilatura's
  text is short enough that it could be a miss or carry chrome (under 1,200 words).

When one output is (almost) contained in the other, they agree on the story and differ only at the
margins: the extra lines are scored with the same line scorer the text-dump path uses
(:mod:`cleanfeed.cleaners.boilerplate`): if the lines only trafilatura kept look like page chrome
(short, cue words, link-like), readability's tighter text wins; if the lines only readability
kept look like prose, its fuller text wins. When they disagree entirely, or readability returns
next to nothing, trafilatura's text is kept. Table rows come out as tab-separated cells.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from cleanfeed.article import Article, Drop
from cleanfeed.cleaners.boilerplate import line_features, score_line
from cleanfeed.dates import dates_from_html

#: One output counts as "inside" the other when this share of its words is found there.
CONTAINED = 0.8
#: Readability's text shorter than this share of trafilatura's is treated as a miss.
MIN_RATIO = 0.4
#: Readability is consulted only when trafilatura's text is shorter than this many words: a long
#: extraction is rarely a miss, and skipping the second parse saves time on big pages.
SECOND_OPINION_BELOW = 1200
#: A line belongs to one output only when fewer than this share of its words are in the other.
LINE_SHARED = 0.5

_WORDS = re.compile(r"\w+")
_TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")
_EMPTY_ITEMS = frozenset({"-", "*", "•"})
_SPACES = re.compile(r"[^\S\t\n]+")
_BLOCKS = frozenset({
    "p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre",
    "section", "article", "dd", "dt", "figcaption", "table", "ul", "ol", "header", "footer",
})
_CELLS = frozenset({"td", "th"})


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    site: str | None = None
    url: str | None = None
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    extractor: str = "trafilatura"


def _trafilatura(html: str, url: str | None) -> Extracted:
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None or isinstance(doc, dict):  # dict only with as_dict=True, which we never pass
        return Extracted(text="")
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Extracted(
        text=_untable(doc.text or ""),
        title=doc.title,
        authors=authors,
        site=doc.sitename,
        url=doc.url,
        published=doc.date,
        language=doc.language,
    )


def _untable(text: str) -> str:
    """trafilatura's ``| a | b |`` rows as tab-separated cells (the bars are not words), and
    no empty list items (a ``-`` left by an image-only or link-only ``<li>``)."""
    lines = []
    for line in text.split("\n"):
        if line.strip() in _EMPTY_ITEMS:
            continue
        m = _TABLE_ROW.match(line.strip()) if "|" in line else None
        if m:
            cells = [c.strip() for c in m.group(1).split("|")]
            if all(not c.strip("-: ") for c in cells):
                continue  # the "| --- | --- |" rule under a header row
            line = "\t".join(c for c in cells if c)
        lines.append(line)
    return "\n".join(lines)


def readability_text(html: str, url: str | None = None) -> str:
    """The story block readability-lxml picks, as plain text (blocks on their own lines)."""
    import lxml.html
    from readability import Document

    del url  # with a url readability rewrites every link to absolute: a quarter of its time
    summary = Document(html).summary(html_partial=True)
    if not summary.strip():
        return ""
    root = lxml.html.fromstring(summary)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _CELLS:
            el.tail = "\t" + (el.tail or "")
    lines = (_SPACES.sub(" ", line).strip(" \t") for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _covered(part: list[str], whole: list[str]) -> float:
    """Share of ``part``'s words (with counts) found in ``whole``."""
    if not part:
        return 0.0
    common = Counter(part) & Counter(whole)
    return sum(common.values()) / len(part)


def _own_lines_score(text: str, other: str) -> float:
    """Total line score of the lines of ``text`` that ``other`` does not have."""
    vocab = set(_words(other))
    total = 0.0
    for line in text.split("\n"):
        words = _words(line)
        if not words:
            continue
        if sum(w in vocab for w in words) / len(words) < LINE_SHARED:
            total += score_line(line_features(line))
    return total


def arbitrate(main: str, second: str) -> tuple[str, str]:
    """Pick between trafilatura's (``main``) and readability's (``second``) text.

    Returns the text and which extractor it came from.
    """
    mw, sw = _words(main), _words(second)
    if not sw:
        return main, "trafilatura"
    if not mw:
        return second, "readability"
    if len(sw) < MIN_RATIO * len(mw):
        return main, "trafilatura"
    if _covered(sw, mw) >= CONTAINED:  # readability's story is inside trafilatura's text
        if _own_lines_score(main, second) < 0:
            return second, "readability"
        return main, "trafilatura"
    if _covered(mw, sw) >= CONTAINED and _own_lines_score(second, main) > 0:
        return second, "readability"
    return main, "trafilatura"


def extract_html(html: str, *, url: str | None = None) -> Extracted:
    """The main content of a page and its metadata (no network: ``html`` is already fetched)."""
    found = _trafilatura(html, url)
    if len(found.text.split()) >= SECOND_OPINION_BELOW:
        return found
    try:
        second = readability_text(html, url)
    except Exception:  # readability raises on some malformed pages: trafilatura alone then
        second = ""
    text, source = arbitrate(found.text, second)
    if source == found.extractor:
        return found
    return Extracted(
        text=text, title=found.title, authors=found.authors, site=found.site, url=found.url,
        published=found.published, modified=found.modified, language=found.language,
        extractor=source,
    )


def extract(article: Article) -> Article | Drop:
    """Step: for records that came as HTML, put the page's main text into ``text``."""
    html = article.hints.get("html")
    if html is None:
        return article
    found = extract_html(html, url=article.url)
    if not found.text.strip():
        if article.text.strip():
            return article
        return Drop("no main content found in the HTML")
    hints = dict(article.hints)
    del hints["html"]
    hints["extracted_from_html"] = found.extractor
    # (published, modified) ParsedDates from the page's metadata/htmldate/bylines, for assign_dates
    hints["html_dates"] = dates_from_html(html, article.url, fetched_at=article.fetched_at)
    if found.published and not hints.get("published_raw") and hints["html_dates"][0] is None:
        hints["published_raw"] = found.published
    if found.modified and not hints.get("modified_raw"):
        hints["modified_raw"] = found.modified
    return article.evolve(
        text=found.text,
        title=article.title or found.title,
        authors=article.authors or found.authors,
        site=article.site or found.site,
        url=article.url or found.url,
        hints=hints,
    )
