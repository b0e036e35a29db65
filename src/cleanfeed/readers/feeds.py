"""RSS 0.9x/1.0/2.0, Atom and JSON Feed: each entry becomes one :class:`RawRecord`.

``source`` is ``path#N`` (N counts entries from 1). The feed's bytes are parsed, never a URL:
the library does not fetch. Parsing goes through a small backend interface
(:data:`FeedBackend`); the default is fastfeedparser, picked by measurement
(``benchmarks/readers.py``: faster than feedparser on every real feed tried, and it reads the
malformed real feeds feedparser gives up on).

Hostile XML: a feed whose DTD declares entities is refused before any parser sees it (the
"billion laughs" and external-entity attacks both need ``<!ENTITY``); an external DTD is
never loaded (lxml's defaults, no network). Feed files are bounded by ``max_bytes``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers.documents import pathological_html
from cleanfeed.readers.options import ReadOptions, as_options

#: Suffixes read as feeds (``.json`` is sniffed by the JSON reader and handed over here).
FEED_SUFFIXES = (".rss", ".atom", ".rdf", ".xml", ".feed")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry as a backend found it; strings are as the feed has them (HTML stays HTML)."""

    title: str | None = None
    link: str | None = None
    guid: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    summary: str | None = None
    published: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None = None
    link: str | None = None
    language: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)


#: A backend turns a whole feed's bytes into a :class:`ParsedFeed` or raises ``ValueError``.
FeedBackend = Callable[[bytes], ParsedFeed]


class HostileXML(ValueError):
    """The document is built to attack XML parsers; the message is the reject reason."""


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_CHANNEL_LANGUAGE = re.compile(
    rb"<(?:dc:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*<")
_FIRST_ITEM = re.compile(rb"<(?:item|entry)[\s>]")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")


def screen_xml(data: bytes) -> None:
    """Refuse XML whose internal DTD subset declares entities (expansion bombs, XXE).

    Entities can only be declared in the DTD, which must come before the root element, so
    only the prolog is searched: an article that merely quotes ``<!ENTITY`` inside CDATA
    passes. UTF-16/32 feeds are screened after a lossless re-encode of their prolog.
    """
    head = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        for enc in ("utf-16", "utf-32", "utf-16-le", "utf-16-be"):
            try:
                head = data.decode(enc).encode("utf-8")
                break
            except UnicodeDecodeError:
                continue
    root = _ELEMENT_START.search(head)  # a DOCTYPE can only come before the root element
    doctype = _DOCTYPE.search(head, 0, root.start() if root else len(head))
    if doctype is None:
        return
    # The subset ends at "]>" (or the DOCTYPE at ">" when it has none); search up to there.
    close = head.find(b"]>", doctype.end())
    prolog = head[: close if close != -1 else len(head)]
    if _ENTITY_DECL.search(prolog, doctype.end()):
        raise HostileXML("XML declares entities in its DTD (entity-expansion or external-entity "
                         "attack pattern); refused unparsed")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


#: RSS 2.0 ``<author>`` is an e-mail address, often with the name in parentheses.
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^()]+)\)$")


def _author_name(name: str) -> str:
    name = name.strip()
    m = _EMAIL_NAME.match(name)
    return m.group("name").strip() if m else name


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    candidates = list(entry.get("authors") or ())
    if not candidates and entry.get("author"):
        candidates = [entry["author"]]
    for author in candidates:
        name = author.get("name") if isinstance(author, Mapping) else author
        if isinstance(name, str) and _author_name(name) and _author_name(name) not in names:
            names.append(_author_name(name))
    return tuple(names)


def _content(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The richest body: (HTML, plain text) from ``content`` entries, HTML preferred."""
    html = text = None
    for item in entry.get("content") or ():
        if not isinstance(item, Mapping):
            continue
        value = _text(item.get("value"))
        if not value:
            continue
        kind = str(item.get("type") or "").lower()
        if "html" in kind:
            if html is None or len(value) > len(html):
                html = value
        elif text is None or len(value) > len(text):
            text = value
    return html, text


def fastfeedparser_backend(data: bytes) -> ParsedFeed:
    """The default backend (lxml underneath, entities never resolved, huge trees allowed)."""
    import fastfeedparser

    parsed = fastfeedparser.parse(data)
    feed = parsed.get("feed") or {}
    language = _text(feed.get("language")) or _channel_language(data)
    raw_entries = parsed.get("entries") or []
    atom_authors = _atom_authors(data, len(raw_entries))
    # fastfeedparser copies <updated> into "published" when an entry has no publication
    # date; a last-modified time is not a publication date, so drop such copies when the
    # feed has no publication-date element at all.
    has_pub_dates = _PUB_DATE_TAG.search(data) is not None
    entries = []
    for i, e in enumerate(raw_entries):
        html, text = _content(e)
        published, updated = _text(e.get("published")), _text(e.get("updated"))
        if not has_pub_dates and published == updated:
            published = None
        entries.append(FeedEntry(
            title=_text(e.get("title")), link=_text(e.get("link")), guid=_text(e.get("id")),
            content_html=html, content_text=text, summary=_text(e.get("description")),
            published=published, updated=updated,
            authors=(atom_authors[i] or _authors(e)) if atom_authors else _authors(e),
        ))
    return ParsedFeed(title=_text(feed.get("title")), link=_text(feed.get("link")),
                      language=language, entries=entries)


_ATOM = "{http://www.w3.org/2005/Atom}"
_PUB_DATE_TAG = re.compile(rb"<(?:\w+:)?(?:published|pubDate|issued|created|date)[\s>]|"
                           rb'"date_published"')


def _atom_authors(data: bytes, entries: int) -> list[tuple[str, ...]] | None:
    """Every ``<author><name>`` of each Atom entry (fastfeedparser 0.6 keeps only the first),
    or ``None`` when no entry can have more than one or the entries do not line up.

    Only runs when the feed has more ``<author`` tags than entries; parses with entities
    off and no network, like fastfeedparser, after :func:`screen_xml`.
    """
    if entries == 0 or b"http://www.w3.org/2005/Atom" not in data[:4096]:
        return None
    if data.count(b"<author") <= data.count(b"<entry"):
        return None
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    found: list[tuple[str, ...]] = []
    for entry in root.iter(f"{_ATOM}entry"):
        names = []
        for author in entry.findall(f"{_ATOM}author"):
            name = (author.findtext(f"{_ATOM}name") or "").strip()
            if name and name not in names:
                names.append(name)
        found.append(tuple(names))
    return found if len(found) == entries else None


def _channel_language(data: bytes) -> str | None:
    """RSS ``<language>``/``<dc:language>`` of the channel (fastfeedparser 0.6 leaves it out):
    searched only before the first item, so an item's own tag cannot be taken for it."""
    first = _FIRST_ITEM.search(data)
    m = _CHANNEL_LANGUAGE.search(data, 0, first.start() if first else len(data))
    return m.group(1).decode("ascii") if m else None


def feedparser_backend(data: bytes) -> ParsedFeed:
    """feedparser (not a dependency; for comparison in ``benchmarks/readers.py``). Only safe
    after :func:`screen_xml`: its fallback parser expands entities without bound."""
    import feedparser

    parsed = feedparser.parse(data)
    if parsed.get("bozo") and not parsed.get("entries"):
        raise ValueError(f"not a feed: {parsed.get('bozo_exception')}")
    feed = parsed.get("feed") or {}
    entries = []
    for e in parsed.get("entries") or ():
        html, text = _content(e)
        summary = _text(e.get("summary"))
        entries.append(FeedEntry(
            title=_text(e.get("title")), link=_text(e.get("link")), guid=_text(e.get("id")),
            content_html=html, content_text=text, summary=summary,
            published=_text(e.get("published")), updated=_text(e.get("updated")),
            authors=_authors(e),
        ))
    return ParsedFeed(title=_text(feed.get("title")), link=_text(feed.get("link")),
                      language=_text(feed.get("language")), entries=entries)


def html_to_text(html: str) -> str:
    """A plain rendering of an HTML fragment (block elements become line breaks).

    Feed bodies are fragments, not pages; the extract step may find nothing to extract in a
    two-line summary, so the record also carries this text to fall back on.
    """
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html
    for bad in root.iter("script", "style", "noscript", "template"):
        bad.text = None
        for child in list(bad):
            bad.remove(child)
    for el in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "tr", "pre", "section", "article", "figure"):
        el.tail = "\n" + (el.tail or "")
    text = "".join(root.itertext())
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def records_from_feed(
    data: bytes, name: str, *, backend: FeedBackend = fastfeedparser_backend
) -> Iterator[RawRecord | Reject]:
    """Entries of one feed document (bytes) as records; a feed that cannot be read is one
    reject naming the reason, an entry with no body is a reject naming the entry."""
    try:
        screen_xml(data)
        feed = backend(data)
    except HostileXML as exc:
        yield Reject(source=name, reason=str(exc), stage="read")
        return
    except (ValueError, TypeError, RecursionError, UnicodeError, LookupError) as exc:
        yield Reject(source=name, reason=f"not a readable feed: {exc}", stage="read")
        return
    if not feed.entries:
        yield Reject(source=name, reason="feed has no entries", stage="read")
        return
    for number, entry in enumerate(feed.entries, start=1):
        source = f"{name}#{number}"
        html = entry.content_html
        text = entry.content_text
        if html is None and text is None and entry.summary:
            html = entry.summary if "<" in entry.summary else None
            text = entry.summary if html is None else None
        if html is not None:
            reason = pathological_html(html)
            if reason:
                yield Reject(source=source, reason=reason, stage="read")
                continue
            if text is None:
                text = html_to_text(html)
        if not (html or text):
            yield Reject(source=source, reason="feed entry has no content or summary",
                         stage="read")
            continue
        extra: dict[str, Any] = {}
        if entry.guid:
            extra["feed_guid"] = entry.guid
        if entry.summary and entry.summary not in (html, text):
            extra["summary"] = entry.summary
        yield RawRecord(
            source=source, html=html, text=text, url=entry.link, title=entry.title,
            published=entry.published, modified=entry.updated, site=feed.title,
            authors=entry.authors, language=feed.language, extra=extra,
        )


def read_feed(path: Path, options: ReadOptions | int | None = None
              ) -> Iterator[RawRecord | Reject]:
    """A feed file (``.rss``/``.atom``/``.xml``/``.rdf`` or a JSON Feed)."""
    max_bytes = as_options(options).max_bytes
    size = path.stat().st_size
    if size > max_bytes:
        yield Reject(source=str(path), stage="read",
                     reason=f"feed is {size:,} bytes, over the limit of {max_bytes:,}")
        return
    yield from records_from_feed(path.read_bytes(), str(path))
