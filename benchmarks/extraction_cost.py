"""Where the HTML path's CPU time above trafilatura's goes, and what two levers would save.

Usage::

    python benchmarks/extraction_cost.py [DATASET_DIR ...] [--limit N]

For each dataset (default: the two extraction sets) it prints, per page of the whole set:

1. The fallback gate (``cleanfeed.extract.fallback_reason``): on how many pages trafilatura's
   fast pass comes up empty, a page dump or short, and by reason the fast pass's time, the time
   of trafilatura's full pass on those pages (what the step ran on all of them before), and on
   how many of them the step's text is the full pass's. On short pages the step asks only the
   justext candidate the full pass ends with (``cleanfeed.extract.justext_text``): its time is
   printed beside the full pass's.
2. readability-lxml against trafilatura's vendored port (``trafilatura.readability_lxml``) on
   the pages where the extract step asks readability: CPU time and how many texts are the same
   (whitespace collapsed). A faster port is a lever only if its texts are the same.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import cleanfeed.extract as ex  # noqa: E402
from extraction import _default_data, load_pages  # noqa: E402


def _fast_and_full(tree: Any, url: str | None, fast: bool) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(
        tree, url=url, with_metadata=False, include_comments=False, include_tables=True,
        deduplicate=False, favor_precision=False, fast=fast)


def _readability_texts(tree: Any) -> tuple[str, float, str, float]:
    """readability-lxml's and the vendored port's text (words joined) and CPU seconds."""
    import lxml.html
    from readability import Document
    from trafilatura.readability_lxml import Document as Vendored

    def words(summary: str) -> str:
        return " ".join(lxml.html.fromstring(summary).text_content().split()) if summary.strip() \
            else ""

    t = time.process_time()
    a = words(Document(copy.deepcopy(tree)).summary(html_partial=True))
    ta = time.process_time() - t
    t = time.process_time()
    try:
        b = words(Vendored(copy.deepcopy(tree)).summary())
    except Exception:  # the port raises on some pages: counted as a different text
        b = "<error>"
    return a, ta, b, time.process_time() - t


def run(directory: Path, limit: int | None) -> None:
    pages = load_pages(directory, limit)
    n = len(pages)
    fast: dict[str, float] = {}
    full: dict[str, float] = {}
    justext: dict[str, float] = {}
    reasons: Counter[tuple[str, bool]] = Counter()
    asked: list[Any] = []
    original = ex._readability_or_nothing
    for page in pages:
        tree = ex.parse_html(page.html)
        if tree is None:
            continue
        t = time.process_time()
        doc = _fast_and_full(tree, page.url, True)
        spent = time.process_time() - t
        if doc is None or isinstance(doc, dict):
            why: str | None = "no result"
        else:
            why = ex.fallback_reason(doc.text or "", doc.body,
                                     lambda tree=tree: ex.visible_words(tree))
        if why is not None:
            fast[why] = fast.get(why, 0.0) + spent
            t = time.process_time()
            whole = _fast_and_full(tree, page.url, False)
            full[why] = full.get(why, 0.0) + time.process_time() - t
            if why == "short":
                t = time.process_time()
                ex.justext_text(tree, len(" ".join(doc.body.itertext()).strip()))
                justext[why] = justext.get(why, 0.0) + time.process_time() - t
            ours = ex._trafilatura_text(tree, page.url)
            same = whole is not None and ours == ex._untable(whole.text or "")
            reasons[(why, same)] += 1
        seen: list[Any] = []
        ex._readability_or_nothing = lambda tr, seen=seen: (seen.append(copy.deepcopy(tr)), "")[1]
        try:
            ex._extract(page.html, tree, page.url, None)
        finally:
            ex._readability_or_nothing = original
        asked.extend(seen[:1])
    print(f"\n=== {directory.name}: {n} pages ===")
    print(f"trafilatura's fast pass under-delivers on {sum(reasons.values())} pages; CPU per "
          "page of the whole set:")
    for why in sorted(fast):
        same = reasons[(why, True)]
        total = same + reasons[(why, False)]
        step = (f"justext candidate {justext[why] / n * 1000:5.1f} ms/page" if why in justext
                else "the step runs the full pass")
        print(f"  {why:10s} {total:3d} pages ({same} with the step's text = the full pass's): "
              f"fast pass {fast[why] / n * 1000:5.1f} ms/page, full pass "
              f"{full[why] / n * 1000:5.1f} ms/page, {step}")
    rows = [_readability_texts(tree) for tree in asked]
    same = sum(a == b for a, _, b, _ in rows)
    print(f"readability asked on {len(rows)} pages: readability-lxml "
          f"{sum(r[1] for r in rows) / n * 1000:.1f} ms/page, vendored port "
          f"{sum(r[3] for r in rows) / n * 1000:.1f} ms/page; same text on {same} of {len(rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, help="only the first N pages of each dataset")
    args = parser.parse_args()
    data = _default_data()
    for directory in args.datasets or [data / "scrapinghub", data / "wcxb-dev-sample"]:
        run(directory, args.limit)


if __name__ == "__main__":
    main()
