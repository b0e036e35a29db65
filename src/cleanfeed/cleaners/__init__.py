"""The built-in cleaners. Each is a small named step ``(Article) -> Article | Drop`` with one job.

See :mod:`cleanfeed.cleaners.spans` for the shared cutting helper every span-removing cleaner
uses, so removals are recorded and budget-guarded the same way everywhere.
"""

from __future__ import annotations

from cleanfeed.cleaners.spans import Cut, apply_cuts, iter_lines

__all__ = ["Cut", "apply_cuts", "iter_lines"]
