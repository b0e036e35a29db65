"""Main-content extraction benchmark: cleanfeed against trafilatura and readability-lxml.

Usage::

    python benchmarks/extraction.py [DATASET_DIR ...] [--limit N] [--half even|odd] [--passes N]
        [--only NAME ...] [--halves]

Each DATASET_DIR holds ``manifest.json``, ``html/<id>.html``, ``truth/<id>.txt`` and optionally
``text/<id>.txt`` (the whole visible page as plain text). Default: the two extraction sets under
``../shared/datasets/extraction/``. Every extractor runs on the same pages in one run; the table
gives mean per-page precision / recall / F1 of whitespace tokens (bag of tokens, with counts),
per page type where the manifest has one, and time per page. The HTML extractors run interleaved
page by page; each one's CPU time is also given as a ratio to trafilatura's default ``extract``
(``cleanfeed`` is the whole ``extract`` step: parse, extraction, metadata and the date search).
The text-dump path is scored against the raw dump. ``--half`` keeps every other page (sorted by
id) to check generalisation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _default_data() -> Path:
    shared = ROOT / ".." / "shared"
    if not shared.exists():
        shared = Path("/work/shared")
    return shared / "datasets" / "extraction"


@dataclass(frozen=True)
class Page:
    id: str
    url: str | None
    page_type: str | None
    domain: str | None
    html: str
    truth: str
    text: str | None


def load_pages(directory: Path, limit: int | None = None, half: str | None = None) -> list[Page]:
    """The pages of one dataset, in id order."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest.sort(key=lambda m: m["id"])
    if half:
        manifest = manifest[(0 if half == "even" else 1)::2]
    if limit:
        manifest = manifest[:limit]
    pages = []
    for m in manifest:
        pid = m["id"]
        raw = (directory / "html" / f"{pid}.html").read_bytes()
        html = raw.decode(m.get("html_encoding") or "utf-8", errors="replace")
        text_path = directory / "text" / f"{pid}.txt"
        pages.append(Page(
            id=pid, url=m.get("url"), page_type=m.get("page_type"), domain=m.get("domain"),
            html=html, truth=(directory / "truth" / f"{pid}.txt").read_text(encoding="utf-8"),
            text=text_path.read_text(encoding="utf-8") if text_path.exists() else None,
        ))
    return pages


def prf(output: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of whitespace tokens (multiset overlap)."""
    out, ref = Counter(output.split()), Counter(truth.split())
    n_out, n_ref = sum(out.values()), sum(ref.values())
    if not n_out and not n_ref:
        return 1.0, 1.0, 1.0
    if not n_out or not n_ref:
        return (1.0 if not n_out else 0.0), (1.0 if not n_ref else 0.0), 0.0
    common = sum((out & ref).values())
    p, r = common / n_out, common / n_ref
    return p, r, (2 * p * r / (p + r) if common else 0.0)


# ---- extractors: (html, url) -> text -------------------------------------------------------

def cleanfeed_html(html: str, url: str | None) -> str:
    """cleanfeed's ``extract`` step alone, as the pipeline runs it on an HTML record."""
    from cleanfeed.article import RawRecord
    from cleanfeed.extract import extract
    from cleanfeed.pipeline import Pipeline

    result = Pipeline([extract])(RawRecord(source=url or "<page>", html=html, url=url))
    return getattr(result, "text", "")


def cleanfeed_pipeline(html: str, url: str | None) -> str:
    """The whole default pipeline (extract, then the text cleaners) on an HTML record."""
    import cleanfeed
    from cleanfeed.article import RawRecord

    result = cleanfeed.default_pipeline()(RawRecord(source=url or "<page>", html=html, url=url))
    return getattr(result, "text", "")


def trafilatura_default(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def trafilatura_precision(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, favor_precision=True) or ""


def trafilatura_metadata(html: str, url: str | None) -> str:
    """trafilatura with its metadata search (title, author, date via htmldate, ...): the peer
    doing the work cleanfeed's ``extract`` step does (it finds the date and metadata too)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return (getattr(doc, "text", None) or "") if doc is not None else ""


def readability_lxml(html: str, url: str | None) -> str:
    import lxml.html
    from readability import Document

    summary = Document(html, url=url).summary(html_partial=True)
    if not summary.strip():
        return ""
    root = lxml.html.fromstring(summary)
    for el in root.iter():  # keep words of adjacent blocks apart
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return root.text_content()


_BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
           "blockquote", "pre", "section", "article", "dd", "dt", "figcaption", "table"}

HTML_EXTRACTORS: dict[str, Callable[[str, str | None], str]] = {
    "cleanfeed": cleanfeed_html,
    "cleanfeed-pipeline": cleanfeed_pipeline,
    "trafilatura": trafilatura_default,
    "trafilatura-precision": trafilatura_precision,
    "trafilatura-metadata": trafilatura_metadata,
    "readability-lxml": readability_lxml,
}


def _site(url: str | None) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url or "").netloc.removeprefix("www.")


def text_batch(pages: list[Page]) -> list[str]:
    """The text-dump step over the whole batch, so lines recurring across pages are learned."""
    from cleanfeed.cleaners.boilerplate import clean_dumps

    return clean_dumps([p.text or "" for p in pages], sites=[_site(p.url) for p in pages])


def text_single(pages: list[Page]) -> list[str]:
    """The text-dump step record by record, nothing learned from the batch."""
    from cleanfeed.cleaners.boilerplate import clean_dumps

    return clean_dumps([p.text or "" for p in pages], learn=False)


def text_pipeline(pages: list[Page]) -> list[str]:
    """The whole default pipeline on text records (record by record, as ``cleanfeed.clean``)."""
    import cleanfeed
    from cleanfeed.article import RawRecord

    pipeline = cleanfeed.default_pipeline()
    out = []
    for p in pages:
        result = pipeline(RawRecord(source=p.id, text=p.text or "", url=p.url))
        out.append(getattr(result, "text", ""))
    return out


def _cold_caches() -> None:
    """Each text path starts with cold line caches, so no path is timed on another's work."""
    from cleanfeed.cleaners import boilerplate

    boilerplate.clear_caches()


TEXT_PATHS: dict[str, Callable[[list[Page]], list[str]]] = {
    "cleanfeed-text-batch": text_batch,
    "cleanfeed-text-single": text_single,
    "cleanfeed-pipeline-text": text_pipeline,
    "raw dump": lambda pages: [p.text or "" for p in pages],
}


# ---- running -------------------------------------------------------------------------------

@dataclass
class Score:
    p: list[float]
    r: list[float]
    f: list[float]

    @classmethod
    def empty(cls) -> Score:
        return cls([], [], [])

    def add(self, scores: tuple[float, float, float]) -> None:
        self.p.append(scores[0])
        self.r.append(scores[1])
        self.f.append(scores[2])

    def row(self) -> str:
        n = len(self.f) or 1
        p, r, f = sum(self.p) / n, sum(self.r) / n, sum(self.f) / n
        return f"{p:6.3f} {r:6.3f} {f:6.3f} {len(self.f):5d}"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_html(pages: list[Page], names: list[str], passes: int = 1) -> dict[str, list[str]]:
    """Every extractor on every page, interleaved page by page (so a change in the machine's load
    hits all of them alike), timed in CPU and wall time; ratios are to trafilatura's default.

    With ``passes`` > 1 the pages are run again: the first pass includes one-time costs that a
    long crawl pays once (dateparser compiles each language's patterns on first sight).
    """
    outputs: dict[str, list[str]] = {name: [] for name in names}
    for name in names:
        with contextlib.suppress(Exception):  # warm-up: imports and lazy set-up are not timed
            HTML_EXTRACTORS[name](pages[0].html, pages[0].url)
    for n in range(passes):
        cpu = dict.fromkeys(names, 0.0)
        wall = dict.fromkeys(names, 0.0)
        load_before = _load()
        for page in pages:
            for name in names:
                fn = HTML_EXTRACTORS[name]
                start, start_cpu = time.perf_counter(), time.process_time()
                try:
                    out = fn(page.html, page.url)
                except Exception as exc:  # a peer crashing on a page scores 0 there
                    print(f"  {name} failed on {page.id}: {type(exc).__name__}: {exc}",
                          file=sys.stderr)
                    out = ""
                cpu[name] += time.process_time() - start_cpu
                wall[name] += time.perf_counter() - start
                if n == 0:
                    outputs[name].append(out)
        print(f"  pass {n + 1}/{passes}, load average {load_before} -> {_load()}")
        base = cpu.get("trafilatura")
        for name in names:
            ratio = f"  {cpu[name] / base:5.2f}x trafilatura (CPU)" if base else ""
            print(f"  {name:24s} {len(pages) / wall[name]:7.1f} pages/s  "
                  f"({1000 * wall[name] / len(pages):6.1f} ms/page wall, "
                  f"{1000 * cpu[name] / len(pages):6.1f} ms/page CPU){ratio}", flush=True)
    return outputs


def html_parts(pages: list[Page], passes: int = 1) -> None:
    """CPU time of each part of cleanfeed's HTML path, each timed alone, beside trafilatura's
    default ``extract`` on the same page: where the time above trafilatura goes."""
    import copy

    from cleanfeed import extract as ex
    from cleanfeed.dates import dates_from_html

    for page in pages[:3]:  # warm-up: imports and lazy set-up are not timed
        ex.extract_html(page.html, url=page.url)
        trafilatura_default(page.html, page.url)
    parts = ["parse", "metadata", "trafilatura (tree)", "paragraph words", "second opinion",
             "dates_from_html", "trafilatura default"]
    for n in range(passes):
        cpu = dict.fromkeys(parts, 0.0)
        asked = 0
        for page in pages:
            t0 = time.process_time()
            tree = ex.parse_html(page.html)
            t1 = time.process_time()
            if tree is None:
                continue
            ex.page_metadata(tree, page.url)
            t2 = time.process_time()
            text = ex._trafilatura_text(tree, page.url)
            t3 = time.process_time()
            words, block_el = ex.prose_block(tree)
            block = ex._words(block_el.text_content()) if block_el is not None else []
            found = ex._words(text)
            asks = (ex.doubt_of(found, words, block) is not None
                    or ex.dropped_structure(block_el, found) >= ex.DROPPED_SHARE * len(found) > 0)
            precision = not asks and ex.small_block_doubt(found, words, block)
            t4 = time.process_time()
            if asks:
                asked += 1
                ex.readability_text(copy.deepcopy(tree))
            elif precision:  # the second trafilatura pass, timed in the same column
                asked += 1
                ex._precision_text(tree, page.url)
            t5 = time.process_time()
            dates_from_html(page.html, page.url, tree=tree)
            t6 = time.process_time()
            trafilatura_default(page.html, page.url)
            t7 = time.process_time()
            for part, spent in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                           t6 - t5, t7 - t6), strict=True):
                cpu[part] += spent
        ours = sum(cpu[p] for p in parts[:-1])
        print(f"  parts, pass {n + 1}/{passes} (load average {_load()}), CPU ms/page; "
              f"a second opinion (readability or trafilatura favor_precision) on "
              f"{asked}/{len(pages)} pages")
        for part in parts:
            print(f"    {part:22s} {1000 * cpu[part] / len(pages):7.1f}")
        print(f"    {'sum of ours':22s} {1000 * ours / len(pages):7.1f}  "
              f"({ours / cpu[parts[-1]]:.2f}x trafilatura default)", flush=True)


def report(title: str, pages: list[Page], outputs: dict[str, list[str]],
           halves: bool = False) -> None:
    """Mean P/R/F1 per extractor and page type; with ``halves`` also on the even and odd
    pages (by position in id order, as ``--half`` picks them) to check generalisation."""
    types = sorted({p.page_type for p in pages if p.page_type})
    print(f"\n{title}")
    header = f"  {'extractor':24s} {'group':14s} {'P':>6s} {'R':>6s} {'F1':>6s} {'pages':>5s}"
    print(header)
    for name, outs in outputs.items():
        groups: dict[str, Score] = defaultdict(Score.empty)
        for n, (page, out) in enumerate(zip(pages, outs, strict=True)):
            s = prf(out, page.truth)
            names = ["all", *([page.page_type] if page.page_type else [])]
            for group in names:
                groups[group].add(s)
                if halves:
                    groups[f"{group} {'even' if n % 2 == 0 else 'odd'}"].add(s)
        for group in ["all", *types]:
            for key in [group, f"{group} even", f"{group} odd"]:
                if key in groups:
                    print(f"  {name:24s} {key:14s} {groups[key].row()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", type=Path,
                        help="dataset folders (default: scrapinghub and wcxb-dev-sample)")
    parser.add_argument("--limit", type=int, help="only the first N pages of each dataset")
    parser.add_argument("--half", choices=["even", "odd"], help="every other page only")
    parser.add_argument("--passes", type=int, default=1,
                        help="time the HTML extractors over the pages N times (default 1)")
    parser.add_argument("--parts", action="store_true",
                        help="time each part of cleanfeed's HTML path alone (with --passes)")
    parser.add_argument("--halves", action="store_true",
                        help="also report the even and odd pages apart (one run, both halves)")
    parser.add_argument("--only", nargs="+", choices=[*HTML_EXTRACTORS, "text"],
                        help="run only these extractors (default: all, plus the text path)")
    args = parser.parse_args(argv)
    datasets = args.datasets or [_default_data() / "scrapinghub",
                                 _default_data() / "wcxb-dev-sample"]
    chosen = args.only or [*HTML_EXTRACTORS, "text"]
    for directory in datasets:
        pages = load_pages(directory, args.limit, args.half)
        print(f"\n=== {directory.name}: {len(pages)} pages ===")
        if args.parts:
            html_parts(pages, args.passes)
            continue
        names = [n for n in chosen if n in HTML_EXTRACTORS]
        if names:
            report("HTML pages", pages, run_html(pages, names, args.passes), args.halves)
        with_text = [p for p in pages if p.text is not None]
        if "text" in chosen and with_text:
            print()
            outputs = {}
            for name, fn in TEXT_PATHS.items():
                _cold_caches()
                start = time.process_time()
                outputs[name] = fn(with_text)
                elapsed = max(time.process_time() - start, 1e-9)
                print(f"  {name:24s} {len(with_text) / elapsed:7.0f} docs/s  "
                      f"({1000 * elapsed / len(with_text):.2f} ms/doc CPU)", flush=True)
            report("plain-text dumps", with_text, outputs, args.halves)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
