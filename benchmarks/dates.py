"""Date benchmark: cleanfeed vs htmldate, trafilatura's date and dateparser, same data, one run.

Three tables:

1. HTML pages (``dates/htmldate-dev``): exact-day accuracy of the publication date.
2. The same pages as plain-text dumps (visible text only, made here from the HTML), with and
   without the page URL: what a pipeline fed scraped text has to work with.
3. ``dates/dateparser-strings.jsonl``: share of strings parsed to the expected value, and speed.
4. ``--only speed`` (not in the default run): CPU time of ``dates_from_html`` per page, as the
   extract step calls it (on the tree it parsed), on the extraction datasets and htmldate-dev,
   without and with a fetch time (a fetch time rejects later dates, so more pages reach
   htmldate's page-wide search). Each set runs in its own fresh process: first pass cold,
   second warm; the slowest page of the cold pass is named.

Pages are also scored on the even and odd halves of the set (a rule tuned on one half should
hold on the other); ``--misses`` lists every HTML page cleanfeed gets wrong with the evidence
that won. The strings table runs each system in its own fresh process (first pass cold, second
warm) and reports wall-clock and CPU-time rates.

Usage: ``python benchmarks/dates.py [--data DIR] [--only html,text,strings,speed] [--misses]``
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cleanfeed.dates import (  # noqa: E402
    ParsedDate,
    dates_from_html,
    dates_from_text,
    parse_date,
)


def default_data() -> Path:
    shared = (ROOT / ".." / "shared").resolve()
    return (shared if shared.exists() else Path("/work/shared")) / "datasets"


def visible_text(html: str) -> str:
    """The page's visible text, one block per line: what a naive scraper saves."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "head", "svg"]):
        tag.decompose()
    lines = (" ".join(line.split()) for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def decode(data: bytes) -> str:
    """UTF-8, else the charset the page declares, else cp1252 (old European pages)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = re.search(rb"charset=[\"']?([\w-]+)", data[:4096], re.I)
    for name in ([m[1].decode("ascii")] if m else []) + ["cp1252"]:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def load_pages(data: Path) -> list[dict]:
    base = data / "dates" / "htmldate-dev"
    pages = json.loads((base / "expected.json").read_text())["pages"]
    for page in pages:
        page["html"] = decode((base / "html" / page["file"]).read_bytes())
    return pages


def _day(value: ParsedDate | str | None) -> str | None:
    if value is None:
        return None
    return value.day if isinstance(value, ParsedDate) else str(value)[:10]


def run_pages(pages: list[dict], systems: dict[str, Callable[[dict], str | None]]) -> None:
    """Accuracy on all pages and on the even/odd halves (pages in file order): a rule chosen
    by looking at one half should hold on the other."""
    print("| system | exact day | even half | odd half | pages/s |\n|---|---|---|---|---|")
    for name, fn in systems.items():
        hits = []
        start = time.perf_counter()
        for page in pages:
            try:
                got = fn(page)
            except Exception:  # a peer crashing on one page counts as a miss
                got = None
            hits.append(got == page["date"])
        elapsed = time.perf_counter() - start
        rate = len(pages) / elapsed
        cells = []
        for part in (hits, hits[0::2], hits[1::2]):
            cells.append(f"{sum(part) / len(part):.3f} ({sum(part)}/{len(part)})")
        print(f"| {name} | {' | '.join(cells)} | {rate:.0f} |")


def print_misses(pages: list[dict]) -> None:
    """Every page cleanfeed gets wrong: label, answer, which evidence won, the candidates."""
    from cleanfeed.dates import explain_html_dates

    print("\n## cleanfeed misses on the HTML pages\n")
    for index, page in enumerate(pages):
        published, modified, source = explain_html_dates(page["html"], page["url"])
        if _day(published) != page["date"]:
            half = "even" if index % 2 == 0 else "odd"
            print(f"- [{index} {half}] {page['url'][:80]}\n    label {page['date']}  got "
                  f"{published.iso if published else None} ({source})  modified "
                  f"{modified.iso if modified else None}")


def html_table(pages: list[dict]) -> None:
    from htmldate import find_date
    from trafilatura import extract_metadata

    from cleanfeed.extract import parse_html

    print(f"\n## HTML pages (htmldate-dev, {len(pages)} pages)\n")
    run_pages(pages, {
        "cleanfeed dates_from_html": lambda p: _day(dates_from_html(p["html"], p["url"])[0]),
        # as the extract step calls it: the page parsed once, the tree shared with htmldate
        "cleanfeed dates_from_html(tree=parse_html(html))": lambda p: _day(dates_from_html(
            p["html"], p["url"], tree=parse_html(p["html"]))[0]),
        "htmldate find_date(original_date, extensive_search)": lambda p: find_date(
            p["html"], url=p["url"], original_date=True, extensive_search=True),
        "trafilatura extract_metadata().date": lambda p: (
            extract_metadata(p["html"], default_url=p["url"]).date),
    })


def as_html(text: str) -> str:
    """htmldate reads HTML only: each text line becomes a paragraph."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    return f"<html><body>{body}</body></html>"


def text_table(pages: list[dict]) -> None:
    from htmldate import find_date

    for page in pages:
        page["text"] = visible_text(page["html"])
    print(f"\n## Plain-text dumps of the same pages ({len(pages)} pages, visible text only)\n")
    run_pages(pages, {
        "cleanfeed dates_from_text (text only)": lambda p: _day(dates_from_text(p["text"])[0]),
        "cleanfeed dates_from_text (text + url)": lambda p: _day(
            dates_from_text(p["text"], url=p["url"])[0]),
        "htmldate find_date on the text": lambda p: find_date(
            as_html(p["text"]), original_date=True, extensive_search=True),
        "htmldate find_date on the text + url": lambda p: find_date(
            as_html(p["text"]), url=p["url"], original_date=True, extensive_search=True),
    })


def _matches(expected: str | None, got: datetime | ParsedDate | None) -> bool:
    """Same instant (aware), same wall time (naive), or same day for a day-precision answer."""
    if got is None or expected is None:
        return got is None and expected is None
    exp = datetime.fromisoformat(expected)
    if isinstance(got, ParsedDate):
        if got.precision == "day":
            return exp.date().isoformat() == got.day
        got = datetime.fromisoformat(got.iso)
    if exp.tzinfo is not None and got.tzinfo is not None:
        return exp == got
    return exp.replace(tzinfo=None) == got.replace(tzinfo=None)


def _string_rows(data: Path) -> list[dict]:
    return [json.loads(line) for line in
            (data / "dates" / "dateparser-strings.jsonl").read_text().splitlines() if line]


def _past(row: dict) -> bool:
    """Rows from dateparser's test_preferably_past_dates were made with PREFER_DATES_FROM=past:
    both systems get that setting there (cleanfeed's default, ``allow_future=False``)."""
    return bool(row["category"] == "incomplete_prefer_past")


def _cleanfeed_string(row: dict) -> ParsedDate | None:
    langs = [row["lang"]] if row["lang"] else None
    return parse_date(row["input"], languages=langs, fetched_at=row["relative_base"],
                      allow_future=not _past(row))


def _dateparser_string(row: dict) -> datetime | None:
    import dateparser

    base = datetime.fromisoformat(row["relative_base"] or "2000-01-01T00:00:00")
    settings = {"RELATIVE_BASE": base, "PREFER_DAY_OF_MONTH": "first"}
    if _past(row):
        settings["PREFER_DATES_FROM"] = "past"
    return dateparser.parse(row["input"], languages=[row["lang"]] if row["lang"] else None,
                            settings=settings)


STRING_SYSTEMS = {"cleanfeed parse_date": _cleanfeed_string, "dateparser.parse": _dateparser_string}


def strings_worker(name: str, data: Path) -> None:
    """Two passes of one system in this (fresh) process; prints one JSON line.

    The first pass is cold: dateparser compiles each language's patterns on first use. Both
    systems import dateparser before the clock starts, so neither pays an import the other
    does not, and neither runs after the other has warmed dateparser's caches.
    """
    import dateparser.date  # noqa: F401

    rows = _string_rows(data)
    fn = STRING_SYSTEMS[name]
    out: dict[str, list[float] | int] = {"n": len(rows), "wall": [], "cpu": []}
    for _ in range(2):
        ok = 0
        start, cpu = time.perf_counter(), time.process_time()
        for row in rows:
            try:
                got = fn(row)
            except Exception:
                got = None
            ok += _matches(row["expected"], got)
        out["wall"].append(time.perf_counter() - start)  # type: ignore[union-attr]
        out["cpu"].append(time.process_time() - cpu)  # type: ignore[union-attr]
        out["ok"] = ok
    print(json.dumps(out))


def strings_table(data: Path) -> None:
    import os
    import subprocess

    n = len(_string_rows(data))
    print(f"\n## dateparser-strings.jsonl ({n} strings)\n")
    print(f"load average before: {os.getloadavg()[0]:.1f}; each system runs in its own fresh "
          "process (first pass cold, second warm); strings/s by wall clock / by CPU time\n")
    print("| system | correct | first pass (cold) | second pass (warm) |")
    print("|---|---|---|---|")
    for name in STRING_SYSTEMS:
        done = subprocess.run(
            [sys.executable, __file__, "--data", str(data), "--strings-worker", name],
            check=True, capture_output=True, text=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        cells = [f"{r['n'] / w:.0f} / {r['n'] / c:.0f}"
                 for w, c in zip(r["wall"], r["cpu"], strict=True)]
        print(f"| {name} | {r['ok'] / r['n']:.4f} ({r['ok']}/{r['n']}) | {cells[0]} | "
              f"{cells[1]} |")


#: The fetch time the speed table also runs with (``benchmarks/scale.py`` uses it too).
SPEED_FETCHED_AT = "2026-01-01T00:00:00+00:00"
SPEED_SETS = ("extraction/scrapinghub", "extraction/wcxb-dev-sample", "dates/htmldate-dev")


def _speed_pages(data: Path, name: str) -> list[tuple[str, str, str | None]]:
    """(id, html, url) of one set, in id order."""
    base = data / name
    if name == "dates/htmldate-dev":
        rows = json.loads((base / "expected.json").read_text())["pages"]
        return sorted((r["file"], decode((base / "html" / r["file"]).read_bytes()), r["url"])
                      for r in rows)
    manifest = sorted(json.loads((base / "manifest.json").read_text(encoding="utf-8")),
                      key=lambda m: m["id"])
    return [(m["id"], (base / "html" / f"{m['id']}.html").read_bytes().decode(
        m.get("html_encoding") or "utf-8", errors="replace"), m.get("url")) for m in manifest]


def speed_worker(data: Path, name: str, fetched_at: str | None) -> None:
    """One set, two passes, in this fresh process: CPU ms per page and the slowest page."""
    from cleanfeed.extract import parse_html

    pages = [(pid, page, url, parse_html(page)) for pid, page, url in _speed_pages(data, name)]
    cpu: list[float] = []
    slowest: tuple[float, str] = (0.0, "")
    for n in range(2):
        times = []
        for pid, page, url, tree in pages:
            start = time.process_time()
            dates_from_html(page, url, fetched_at=fetched_at, tree=tree)
            times.append((time.process_time() - start, pid))
        cpu.append(sum(t for t, _ in times))
        if n == 0:
            slowest = max(times)
    print(json.dumps({"n": len(pages), "cpu": cpu, "slowest": slowest}))


def speed_table(data: Path) -> None:
    import os
    import subprocess

    print("\n## dates_from_html CPU time per page (each set in a fresh process)\n")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| set | fetched_at | pages | first pass (cold) | second pass (warm) "
          "| slowest page (cold) |")
    print("|---|---|---|---|---|---|")
    for name in SPEED_SETS:
        if not (data / name).exists():
            continue
        for fetched in ("none", SPEED_FETCHED_AT):
            done = subprocess.run(
                [sys.executable, __file__, "--data", str(data), "--speed-worker", name, fetched],
                check=True, capture_output=True, text=True)
            r = json.loads(done.stdout.strip().splitlines()[-1])
            cold, warm = (1000 * c / r["n"] for c in r["cpu"])
            slow_s, slow_id = r["slowest"]
            print(f"| {name.split('/')[-1]} | {fetched} | {r['n']} | {cold:.1f} ms | "
                  f"{warm:.1f} ms | {slow_id} {1000 * slow_s:.0f} ms |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--only", default="html,text,strings")
    parser.add_argument("--misses", action="store_true",
                        help="also list the HTML pages cleanfeed misses and which source won")
    parser.add_argument("--strings-worker", choices=sorted(STRING_SYSTEMS),
                        help=argparse.SUPPRESS)
    parser.add_argument("--speed-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_worker:
        warnings.simplefilter("ignore")
        name, fetched = args.speed_worker
        speed_worker(args.data, name, None if fetched == "none" else fetched)
        return 0
    if args.strings_worker:
        warnings.simplefilter("ignore")
        strings_worker(args.strings_worker, args.data)
        return 0
    warnings.simplefilter("ignore")
    only = set(args.only.split(","))
    if only & {"html", "text"}:
        pages = load_pages(args.data)
        if "html" in only:
            html_table(pages)
            if args.misses:
                print_misses(pages)
        if "text" in only:
            text_table(pages)
    if "strings" in only:
        strings_table(args.data)
    if "speed" in only:
        speed_table(args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
