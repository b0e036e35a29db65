"""Cue vocabularies (data files in ``cues/<lang>.json``) compiled once into lookups.

Boilerplate knowledge is data, not code: to add a language, add a JSON file with the same
groups (``related``, ``share``, ``subscribe``, ``follow``, ``cookie``, ``ads``, ``copyright``,
``date_labels``...). Month and weekday names and relative phrases are not cues: they live in
:mod:`cleanfeed.dates`, the one date vocabulary. Every language's cues are active for
every article, since junk is often in another language than the story (an English site's
Spanish edition, say).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

GROUPS = (
    "related", "share", "subscribe", "follow", "cookie", "ads", "copyright", "date_labels",
    "comments", "cta", "taxonomy", "social", "more_links",
)

_KEY_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


def key(text: str) -> str:
    """The comparison form of a line: case-folded, accents kept, punctuation and bullets gone."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return _KEY_STRIP.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Cues:
    """All languages' cues, merged per group, in comparison form (see :func:`key`)."""

    groups: dict[str, frozenset[str]]
    languages: tuple[str, ...]

    def phrases(self, group: str) -> frozenset[str]:
        return self.groups[group]


@lru_cache(maxsize=1)
def load() -> Cues:
    """Read every ``cues/*.json`` once (sorted, so the result never depends on listing order)."""
    groups: dict[str, set[str]] = {g: set() for g in GROUPS}
    langs: list[str] = []
    folder = resources.files("cleanfeed.cleaners") / "cues"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name.startswith("_"):
            continue  # "_name.json": a step's own vocabulary, see vocabulary()
        langs.append(entry.name[:-5])
        data = json.loads(entry.read_text(encoding="utf-8"))
        for group in GROUPS:
            groups[group].update(key(p) for p in data.get(group, ()))
    return Cues(
        groups={g: frozenset(v) for g, v in groups.items()},
        languages=tuple(langs),
    )


def alternation(phrases: frozenset[str] | set[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any run of non-word chars."""
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    return "|".join(r"[\W_]+".join(re.escape(w) for w in p.split()) for p in ordered)


@cache
def vocabulary(name: str) -> dict[str, tuple[str, ...]]:
    """A step's own word lists from ``cues/_<name>.json`` (lists only; ``_comment`` skipped)."""
    entry = resources.files("cleanfeed.cleaners") / "cues" / f"_{name}.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
