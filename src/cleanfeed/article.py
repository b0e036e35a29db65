"""The canonical record types: what readers produce, what cleaners pass along, what writers emit.

Everything downstream of the readers speaks :class:`Article`; everything that could not become
one is a :class:`Reject` with a reason. Records are frozen: a step returns a modified copy made
with :func:`dataclasses.replace` (``article.evolve(...)``), so a step can never corrupt the input
another step (or the caller) still holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from typing import Any, TypeVar

_T = TypeVar("_T")

#: Bumped whenever a field is renamed or its meaning changes; written into every JSON record.
SCHEMA_VERSION = 1


def _fast_pickle(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass a cheaper pickle state than ``dataclasses``' own.

    Records cross process boundaries by pickle (``--workers``, Dask), and the stock
    ``__getstate__``/``__setstate__`` of a frozen slots dataclass calls ``fields()`` for every
    object, i.e. for every :class:`Removal` of every article: that was most of the unpickling
    cost in the parent of a parallel run. Here the field names and slot setters are looked up
    once. The state is the same one (field values in field order; a list from older pickles
    is read too), so equality, hashing, frozenness and the JSON output do not change.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    get_all = attrgetter(*names)
    # a slot's member descriptor sets the value without the frozen class's __setattr__
    setters: tuple[Callable[[Any, Any], None], ...] = tuple(
        getattr(cls, name).__set__ for name in names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return get_all(self)

    def __setstate__(self: Any, state: Sequence[Any]) -> None:
        for put, value in zip(setters, state, strict=True):
            put(self, value)

    position = {name: i for i, name in enumerate(names)}

    def _evolve(self: Any, changes: Mapping[str, Any]) -> Any:
        """``dataclasses.replace`` without its ``fields()`` walk and ``__init__`` call (a
        pipeline copies each article once per step, dedup once per duplicate)."""
        if type(self) is not cls:  # a subclass may add fields: the general path
            return replace(self, **changes)
        values = list(get_all(self))
        for name, value in changes.items():
            if name not in position:
                raise TypeError(f"{cls.__name__} has no field {name!r}")
            values[position[name]] = value
        new = object.__new__(cls)
        for put, value in zip(setters, values, strict=True):
            put(new, value)
        return new

    setattr(cls, "__getstate__", __getstate__)  # noqa: B010 - assigning a method names it
    setattr(cls, "__setstate__", __setstate__)  # noqa: B010
    setattr(cls, "_evolve", _evolve)  # noqa: B010
    return cls


@_fast_pickle
@dataclass(frozen=True, slots=True)
class Removal:
    """One span a cleaner took out of the body, kept so nothing is silently lost."""

    cleaner: str
    reason: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"cleaner": self.cleaner, "reason": self.reason, "text": self.text}


@_fast_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class RawRecord:
    """An input record as a reader adapted it, before any cleaning.

    Either ``text`` or ``html`` (or both) carries the content. ``published``/``modified``/
    ``fetched_at`` are the raw strings as found; the date step normalises them.
    """

    source: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    id: str | None = None
    published: str | None = None
    modified: str | None = None
    fetched_at: str | None = None
    site: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@_fast_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """A canonical article. Field names are part of the public JSON schema: never rename them.

    ``hints`` is scratch space steps use to pass facts along (raw date strings, HTML, date
    candidates); it is never serialised and never compared.
    """

    id: str
    source: str
    text: str
    url: str | None = None
    title: str | None = None
    site: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    published_precision: str | None = None
    modified: str | None = None
    language: str | None = None
    fetched_at: str | None = None
    headings: tuple[str, ...] = ()
    removed: tuple[Removal, ...] = ()
    duplicate_of: str | None = None
    similarity: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    hints: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def evolve(self, **changes: Any) -> Article:
        """A copy with ``changes`` applied (attrs' ``evolve``)."""
        return self._evolve(changes)  # type: ignore[attr-defined]

    def with_hint(self, key: str, value: Any) -> Article:
        return self.evolve(hints={**self.hints, key: value})

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape: fixed key order, tuples as lists, no hints."""
        out: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for f in fields(self):
            if f.name == "hints":
                continue
            value = getattr(self, f.name)
            if f.name == "removed":
                value = [r.to_dict() for r in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        """Inverse of :meth:`to_dict` (unknown keys go to ``extra``)."""
        known = {f.name for f in fields(cls)} - {"hints"}
        kwargs: dict[str, Any] = {}
        extra = dict(data.get("extra") or {})
        for key, value in data.items():
            if key == "schema":
                continue
            if key not in known:
                extra[key] = value
                continue
            if key == "removed":
                value = tuple(Removal(**r) for r in value or ())
            elif key in ("authors", "headings"):
                value = tuple(value or ())
            kwargs[key] = value
        kwargs["extra"] = extra
        return cls(**kwargs)

    @classmethod
    def from_raw(cls, raw: RawRecord) -> Article:
        """Adapt a reader's record into an (uncleaned) article.

        The content identity is finalised by :func:`stable_id` once the text is clean; until
        then ``id`` is the record's own id or a hash of its source.
        """
        hints: dict[str, Any] = {}
        if raw.html is not None:
            hints["html"] = raw.html
        if raw.published:
            hints["published_raw"] = raw.published
        if raw.modified:
            hints["modified_raw"] = raw.modified
        if raw.language:
            hints["language_raw"] = raw.language
        if raw.id:
            hints["id_given"] = True
        return cls(
            id=raw.id or _hash(raw.source),
            source=raw.source,
            text=raw.text or "",
            url=raw.url,
            title=raw.title,
            site=raw.site,
            authors=tuple(raw.authors),
            fetched_at=raw.fetched_at,
            extra=dict(raw.extra),
            hints=hints,
        )


@dataclass(frozen=True, slots=True)
class Drop:
    """Returned by a step instead of an article: this record cannot become an article."""

    reason: str


@_fast_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    """A record that did not become an article, with where and why. Written to the rejects file."""

    source: str
    reason: str
    stage: str
    id: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "source": self.source,
            "stage": self.stage,
            "reason": self.reason,
            "id": self.id,
        }
        if self.duplicate_of is not None:
            out["duplicate_of"] = self.duplicate_of
            out["similarity"] = self.similarity
        return out


def _hash(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def stable_id(article: Article) -> str:
    """A 16-hex-digit id from the article's identity (url or source) and its clean content.

    Same input, same id, in any process: no randomness, no clock.
    """
    identity = article.url or article.source
    return _hash(identity, article.title or "", article.text)
