"""Imported by the worker fork server, after :mod:`cleanfeed._warm`, when a run starts with HTML.

trafilatura falls back to justext on pages where its own extraction finds too little, and
justext's first use loads the stop lists of every language (~0.2 s of CPU). A run of HTML
pages meets such a page early in every worker, so the fork server loads them once for all;
a run of text records never needs them, which is why this is separate from ``_warm``.
"""

from __future__ import annotations

try:
    from cleanfeed.defaults import default_steps
    from cleanfeed.parallel import WARM_UP_SHORT
    from cleanfeed.pipeline import Pipeline

    Pipeline(default_steps())(WARM_UP_SHORT)
except Exception:  # the server must start even if warming fails; workers then warm themselves
    pass
