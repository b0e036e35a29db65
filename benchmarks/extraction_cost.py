"""Where the HTML path's CPU time above trafilatura's goes, and what two levers would save.

Usage::

    python benchmarks/extraction_cost.py [DATASET_DIR ...] [--limit N]

For each dataset (default: the two extraction sets) it prints, per page of the whole set:

1. The fallback gate (``cleanfeed.extract.needs_fallback``): on how many pages trafilatura's
   fast pass is followed by its full pass (the fast pass's time is then spent for nothing),
   that time by the gate's reason, and on how many of those pages the full pass's text is the
   fast pass's. trafilatura's main extractor keeps teasers in fast mode only, so the full pass
   cannot reuse the fast pass's extraction.
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


def _gate_reason(doc: Any, tree: Any) -> str | None:
    """Why :func:`needs_fallback` asks for the full pass (``None``: it does not)."""
    if doc is None or isinstance(doc, dict):
        return "no result"
    text, body = doc.text or "", doc.body
    if not ex.needs_fallback(text, body, lambda: ex.visible_words(tree)):
        return None
    if not text.strip() or body is None or not len(body):
        return "empty"
    if all(el.tag == "p" and not len(el) and not el.attrib for el in body) and (
            len(body) == 1
            or len(text.split()) >= ex.FALLBACK_FLAT_SHARE * ex.visible_words(tree)):
        return "flat"
    return "short"


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
    wasted: dict[str, float] = {}
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
        why = _gate_reason(doc, tree)
        if why is not None:
            wasted[why] = wasted.get(why, 0.0) + spent
            full = _fast_and_full(tree, page.url, False)
            same = doc is not None and full is not None and (full.text or "") == (doc.text or "")
            reasons[(why, same)] += 1
        seen: list[Any] = []
        ex._readability_or_nothing = lambda tr, seen=seen: (seen.append(copy.deepcopy(tr)), "")[1]
        try:
            ex._extract(page.html, tree, page.url, None)
        finally:
            ex._readability_or_nothing = original
        asked.extend(seen[:1])
    print(f"\n=== {directory.name}: {n} pages ===")
    print(f"full pass after the fast one on {sum(reasons.values())} pages; fast pass spent for "
          f"nothing: {sum(wasted.values()) / n * 1000:.1f} ms/page")
    for why in sorted(wasted):
        same = reasons[(why, True)]
        total = same + reasons[(why, False)]
        print(f"  {why:10s} {total:3d} pages ({same} with the full text = the fast text): "
              f"{wasted[why] / n * 1000:5.1f} ms/page")
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
