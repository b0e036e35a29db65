"""cleanfeed: scraped, messy articles in; clean canonical article objects out.

>>> import cleanfeed
>>> article = cleanfeed.clean("Some story text that is long enough to be a story. " * 3)
>>> article.text.startswith("Some story")
True
"""

from __future__ import annotations

from collections.abc import Sequence

from cleanfeed.article import Article, Drop, RawRecord, Reject, Removal
from cleanfeed.pipeline import Pipeline, StepLike, step_name
from cleanfeed.readers import read
from cleanfeed.writers import JsonlWriter, ParquetWriter, open_writer

__version__ = "0.1.0"


def default_steps() -> list[StepLike]:
    """The default steps, in order: extract, normalise, cut junk, dates, language, id."""
    from cleanfeed import defaults

    return defaults.default_steps()


def default_pipeline(*, fetched_at: str | None = None,
                     extra_steps: Sequence[StepLike] = ()) -> Pipeline:
    """The default pipeline; ``extra_steps`` run after the built-in cleaners, before dates."""
    from cleanfeed import defaults

    return Pipeline(defaults.default_steps(extra_steps), fetched_at=fetched_at)


def clean(text_or_record: str | RawRecord, *, source: str = "<string>",
          fetched_at: str | None = None) -> Article | Reject:
    """Clean one text (or record) with the default pipeline."""
    record = (RawRecord(source=source, text=text_or_record)
              if isinstance(text_or_record, str) else text_or_record)
    return default_pipeline(fetched_at=fetched_at)(record)


__all__ = [
    "Article", "Drop", "JsonlWriter", "ParquetWriter", "Pipeline", "RawRecord", "Reject",
    "Removal", "__version__", "clean", "default_pipeline", "default_steps", "open_writer",
    "read", "step_name",
]
