"""Field maps for the JSON that common scrapers write, so their output reads without glue code.

A field map says where each record field comes from: ``{"text": "maintext"}`` reads the
record's ``text`` from the input key ``maintext``. A source may be a dotted path into nested
objects (``meta.published``) and may list fallbacks with ``|`` (``maintext|description``):
the first one present and non-empty wins. Input keys a map does not use are kept in ``extra``.

>>> build_field_map("news-please", ["text=maintext|description"])["text"]
'maintext|description'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

#: Record fields a map may fill (the :class:`~cleanfeed.article.RawRecord` fields).
TARGETS = ("text", "html", "url", "title", "id", "published", "modified", "fetched_at", "site",
           "authors", "language")

_NEWS_PLEASE = {
    "text": "maintext", "title": "title|title_page|title_rss", "url": "url",
    "published": "date_publish", "modified": "date_modify", "fetched_at": "date_download",
    "authors": "authors", "site": "source_domain", "language": "language",
}

#: Preset name -> field map. Each names the tool whose documented output shape it reads.
PRESETS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    # news-please's JSON (also what its Common Crawl news mode, CC-NEWS -> JSON, writes).
    "news-please": MappingProxyType(_NEWS_PLEASE),
    "common-crawl-news": MappingProxyType(_NEWS_PLEASE),
    # trafilatura --json / output_format="json" (with metadata).
    "trafilatura": MappingProxyType({
        "text": "text|raw_text", "title": "title", "url": "source|url", "published": "date",
        "fetched_at": "filedate", "authors": "author", "site": "source-hostname|hostname",
        "language": "language",
    }),
    # CCNet / Dolma-style Common Crawl text dumps.
    "ccnet": MappingProxyType({
        "text": "raw_content|text", "title": "title", "url": "url",
        "fetched_at": "date_download", "site": "source_domain", "language": "language",
    }),
    # Grover RealNews JSONL.
    "realnews": MappingProxyType({
        "text": "text", "title": "title", "url": "url", "published": "publish_date",
        "fetched_at": "warc_date", "authors": "authors", "site": "domain",
    }),
})


def build_field_map(preset: str | None = None, overrides: Iterable[str] = ()) -> dict[str, str]:
    """A preset's map with ``FIELD=KEY`` overrides applied (the CLI's ``--map``).

    Raises ``ValueError`` with a usable message for an unknown preset, field or bad override.
    """
    result: dict[str, str] = {}
    if preset:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; known: {', '.join(sorted(PRESETS))}")
        result.update(PRESETS[preset])
    for item in overrides:
        target, sep, source = item.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not target or not source:
            raise ValueError(f"--map wants FIELD=KEY, got {item!r}")
        if target not in TARGETS:
            raise ValueError(f"--map: unknown field {target!r}; fields: {', '.join(TARGETS)}")
        result[target] = source
    return result


def lookup(obj: Mapping[str, Any], path: str) -> tuple[str | None, Any]:
    """The first ``|``-alternative of ``path`` that is present and non-empty, as
    ``(top-level key used, value)``; ``(None, None)`` when none is."""
    for alternative in path.split("|"):
        alternative = alternative.strip()
        value: Any = obj
        for part in alternative.split("."):
            if not isinstance(value, Mapping) or part not in value:
                value = None
                break
            value = value[part]
        if value not in (None, "", [], {}):
            return alternative.split(".", 1)[0], value
    return None, None


def apply_field_map(obj: Mapping[str, Any], field_map: Mapping[str, str]) -> dict[str, Any]:
    """``obj`` re-keyed by ``field_map``: mapped fields under their record names, every key the
    map did not consume kept as is (it lands in ``extra``)."""
    if not field_map:
        return dict(obj)
    used: set[str] = set()
    mapped: dict[str, Any] = {}
    for target, path in field_map.items():
        key, value = lookup(obj, path)
        if key is not None:
            used.add(key)
            mapped[target] = value
    # An unused input key that collides with a mapped field is kept, renamed, not overwritten.
    rest = {(f"{k}_original" if k in mapped else k): v
            for k, v in obj.items() if k not in used}
    return {**rest, **mapped}
