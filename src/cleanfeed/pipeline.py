"""A pipeline is a plain list of steps, run in order over each record.

A *step* is any callable ``(Article) -> Article | Drop``: a function, or an instance of a small
class whose ``__init__`` takes options and whose ``__call__`` does the work. Its name (for
removal records and stats) is its ``name`` attribute, else its ``__name__``, else its class
name. There is no registry: to add a cleaner, put it in the list.

The pipeline turns every failure into a :class:`Reject` with the step's name and a reason, so
one bad record never stops a batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeAlias

from cleanfeed.article import Article, Drop, RawRecord, Reject

#: What a pipeline step is: any ``(Article) -> Article | Drop`` callable.
StepLike: TypeAlias = Callable[[Article], "Article | Drop"]
Result: TypeAlias = "Article | Reject"


def step_name(step: object) -> str:
    """The name a step records its removals and counts under."""
    name = getattr(step, "name", None) or getattr(step, "__name__", None)
    return str(name or type(step).__name__)


class Pipeline:
    """Runs ``steps`` in order; counts what each did in :attr:`stats`.

    >>> from cleanfeed.article import RawRecord
    >>> def shout(a): return a.evolve(text=a.text.upper())
    >>> Pipeline([shout])(RawRecord(source="x", text="hi")).text
    'HI'
    """

    def __init__(self, steps: Sequence[StepLike], *, fetched_at: str | None = None) -> None:
        for step in steps:
            if not callable(step):
                raise TypeError(f"pipeline step {step!r} is not callable")
        self.steps: list[StepLike] = list(steps)
        self.fetched_at = fetched_at
        self.stats: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"Pipeline([{', '.join(step_name(s) for s in self.steps)}])"

    def __call__(self, record: RawRecord | Article) -> Result:
        """Clean one record: an :class:`Article`, or a :class:`Reject` saying why not."""
        if isinstance(record, RawRecord):
            if record.text is None and record.html is None:
                self.stats["rejected"] += 1
                return Reject(source=record.source, reason="record has neither text nor html",
                              stage="read", id=record.id)
            article = Article.from_raw(record)
        else:
            article = record
        if self.fetched_at and not article.fetched_at:
            article = article.evolve(fetched_at=self.fetched_at)
        for step in self.steps:
            name = step_name(step)
            before = len(article.removed)
            try:
                result = step(article)
            except Exception as exc:  # a broken step or pathological input rejects one record only
                self.stats[f"{name}.errors"] += 1
                self.stats["rejected"] += 1
                return Reject(source=article.source, stage=name, id=article.id,
                              reason=f"{name} failed: {type(exc).__name__}: {exc}")
            if isinstance(result, Drop):
                self.stats[f"{name}.dropped"] += 1
                self.stats["rejected"] += 1
                return Reject(source=article.source, reason=result.reason, stage=name,
                              id=article.id)
            if not isinstance(result, Article):
                self.stats["rejected"] += 1
                return Reject(source=article.source, stage=name, id=article.id,
                              reason=f"{name} returned {type(result).__name__}, not an Article")
            for removal in result.removed[before:]:
                self.stats[f"{removal.cleaner}.removed"] += 1
            article = result
        self.stats["articles"] += 1
        return article

    def run(self, records: Iterable[RawRecord | Article | Reject]) -> Iterator[Result]:
        """Clean a stream lazily, in order. Rejects from the reader pass straight through."""
        for record in records:
            if isinstance(record, Reject):
                self.stats["rejected"] += 1
                yield record
            else:
                yield self(record)
