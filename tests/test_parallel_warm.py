"""The fork server's warm-up modules load what workers would otherwise each load themselves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

PROBE = """
import json, sys
sys.path.insert(0, {src!r})
import cleanfeed._warm
{extra}
from trafilatura import external
print(json.dumps({{"justext": external.JT_STOPLIST is not None,
                   "modules": sorted(m for m in ("dateparser", "ftfy", "readability")
                                     if m in sys.modules)}}))
"""


def _probe(extra: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(src=str(SRC), extra=extra)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return json.loads(out.splitlines()[-1])


def test_warm_loads_lazy_libraries_and_html_warm_loads_justext() -> None:
    text_run = _probe("")
    assert text_run == {"justext": False, "modules": ["dateparser", "ftfy", "readability"]}
    html_run = _probe("import cleanfeed._warm_html")
    assert html_run["justext"] is True


def test_an_html_run_asks_the_fork_server_for_the_html_warm_up() -> None:
    from cleanfeed.article import RawRecord
    from cleanfeed.parallel import _is_html
    from cleanfeed.readers.documents import RawDocument

    assert _is_html(RawRecord(source="a", html="<p>x</p>"))
    assert _is_html(RawDocument("a.html", b"<p>x</p>", "html", 100))
    assert not _is_html(RawDocument("a.txt", b"x", "text", 100))
    assert not _is_html(RawRecord(source="a", text="x"))
