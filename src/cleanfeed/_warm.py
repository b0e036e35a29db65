"""Imported once by the worker fork server (:mod:`cleanfeed.parallel`) to start workers warm.

Cleaning one small page with the default pipeline imports trafilatura, dateparser and the
cleaners and loads the language profiles (~2 s of CPU). Done here, in the server that forks the
workers, every worker inherits all of it instead of paying for it again; a replacement for a
stuck worker starts in a fraction of a second. Importing this module has no other effect.
"""

from __future__ import annotations

try:
    from cleanfeed.defaults import default_steps
    from cleanfeed.parallel import WARM_UP
    from cleanfeed.pipeline import Pipeline

    Pipeline(default_steps())(WARM_UP)
except Exception:  # the server must start even if warming fails; workers then warm themselves
    pass
