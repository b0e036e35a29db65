"""Imported by the worker fork server, after :mod:`cleanfeed._warm`, when a run's first record
is an HTML page and its pipeline dates pages (see :func:`cleanfeed.parallel.preload_for`).

htmldate hands dateparser the strings its own patterns do not read, through a parser for all
of dateparser's ~200 locales, whose first such call compiles every locale's patterns (~3.7 s
of CPU). Each worker would pay that on its first such page (one process pays it once);
compiled here, in the server the workers are forked from, every worker inherits it. A
text-only run does not import this module: there it would cost a core for seconds.
"""

from __future__ import annotations

try:
    from htmldate.extractors import get_external_parser

    get_external_parser().get_date_data("warm-up text with no date in any language")
except Exception:  # an internal of htmldate's: if it moves, workers compile on first use
    pass
