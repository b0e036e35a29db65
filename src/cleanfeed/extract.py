"""HTML -> main text and metadata. The HTML path's entry point into the cleaning pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from cleanfeed.article import Article, Drop
from cleanfeed.dates import dates_from_html


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


def extract_html(html: str, *, url: str | None = None) -> Extracted:
    """The main content of a page with trafilatura (no network: ``html`` is already fetched)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        deduplicate=False,
    )
    if doc is None:
        return Extracted(text="")
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Extracted(
        text=doc.text or "",
        title=doc.title,
        authors=authors,
        site=doc.sitename,
        url=doc.url,
        published=doc.date,
        language=doc.language,
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
