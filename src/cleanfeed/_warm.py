"""Imported once by the worker fork server (:mod:`cleanfeed.parallel`) to start workers warm.

Cleaning one small page with the default pipeline imports trafilatura and the cleaners and
loads the language profiles (~0.8 s of CPU). Done here, in the server that forks the workers,
every worker inherits all of it instead of paying for it again; a replacement for a stuck
worker starts in a fraction of a second. The libraries the steps load only on the first record
that needs them (ftfy for mojibake, dateparser and its locale and time-zone tables for dates
the fast patterns cannot read, readability and charset detection for HTML) are loaded here
too (~0.5 s): each of N workers would otherwise load them itself. Importing this module has
no other effect.
"""

from __future__ import annotations

try:
    from cleanfeed.defaults import default_steps
    from cleanfeed.parallel import WARM_UP
    from cleanfeed.pipeline import Pipeline

    Pipeline(default_steps())(WARM_UP)
except Exception:  # the server must start even if warming fails; workers then warm themselves
    pass

try:
    import charset_normalizer  # noqa: F401
    import dateparser
    import ftfy  # noqa: F401
    import readability  # noqa: F401

    dateparser.parse("1 March 2026 10:00 CET")  # builds its English and time-zone tables
except Exception:  # an optional warm-up: a worker loads what it needs anyway
    pass
