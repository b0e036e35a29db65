"""Reader benchmarks: which parser to use, and what the readers cost.

Prints Markdown tables:

1. feeds: fastfeedparser vs feedparser on every real feed in ``inputs/feeds`` (time, entries,
   failures), plus peak memory on the hostile XML (each run in a child process with a memory
   cap, since feedparser's fallback parser expands entities without bound);
2. WARC: FastWARC vs warcio iterating every response record and reading its payload;
3. ``cleanfeed.read`` throughput per format, and the pathological-nesting check's cost.

Usage: ``python benchmarks/readers.py [DATA_DIR] [--repeat N]`` (default data dir:
``../shared/datasets`` next to the repo, else ``/work/shared/datasets``).
"""

from __future__ import annotations

import argparse
import gc
import io
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def default_data() -> Path:
    from _data import datasets_dir  # the benchmarks' shared locator (../shared/datasets)

    return datasets_dir()


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (seconds) and the last result."""
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def feed_files(inputs: Path) -> list[Path]:
    folders = [inputs / "feeds" / "real-news", inputs / "feeds" / "fastfeedparser-integration",
               inputs / "feeds" / "trafilatura", inputs / "hostile" / "real-malformed-feeds"]
    files = []
    for folder in folders:
        files += sorted(p for p in folder.glob("*") if p.suffix in (".xml", ".rss", ".atom")
                        or p.name.endswith(".rdf.xml"))
    return files


def bench_feeds(inputs: Path, repeat: int) -> None:
    import fastfeedparser
    import feedparser

    files = feed_files(inputs)
    blobs = [p.read_bytes() for p in files]
    total_mb = sum(map(len, blobs)) / 1e6

    def run(parse: Callable[[bytes], object], entries_of: Callable[[object], int]
            ) -> tuple[int, int]:
        entries = failures = 0
        for blob in blobs:
            try:
                n = entries_of(parse(blob))
            except Exception:
                n = 0
            entries += n
            failures += n == 0
        return entries, failures

    rows = []
    t_fast, (e_fast, f_fast) = timed(  # type: ignore[misc]
        lambda: run(fastfeedparser.parse, lambda d: len(d["entries"])), repeat)
    rows.append((f"fastfeedparser {version('fastfeedparser')}", t_fast, e_fast, f_fast))
    t_fp, (e_fp, f_fp) = timed(  # type: ignore[misc]
        lambda: run(feedparser.parse, lambda d: len(d["entries"])), repeat)
    rows.append((f"feedparser {version('feedparser')}", t_fp, e_fp, f_fp))
    print(f"\n### Feeds: {len(files)} real feeds, {total_mb:.1f} MB (best of {repeat})\n")
    print("| parser | time (s) | MB/s | entries | feeds with 0 entries |")
    print("|---|---:|---:|---:|---:|")
    for name, t, e, f in rows:
        print(f"| {name} | {t:.3f} | {total_mb / t:.1f} | {e} | {f} |")
    print(f"\nfeedparser / fastfeedparser time: {t_fp / t_fast:.1f}x")


def _instant(value: str | None) -> object:
    """A date string as an aware instant (or the string, if it does not parse)."""
    if not value:
        return None
    from dateutil import parser as dateparser

    try:
        return dateparser.parse(value).timestamp()
    except (ValueError, OverflowError, TypeError):
        return value


def bench_feed_fields(inputs: Path) -> None:
    """How often cleanfeed's records agree field by field between the two backends."""
    from cleanfeed.article import RawRecord
    from cleanfeed.readers.feeds import feedparser_backend, records_from_feed

    fields = ("title", "url", "authors", "published", "text")
    agree = dict.fromkeys(fields, 0)
    pairs = skipped = 0
    for path in feed_files(inputs):
        data = path.read_bytes()
        a = [r for r in records_from_feed(data, "x") if isinstance(r, RawRecord)]
        b = [r for r in records_from_feed(data, "x", backend=feedparser_backend)
             if isinstance(r, RawRecord)]
        if len(a) != len(b):
            skipped += 1
            continue
        for x, y in zip(a, b, strict=True):
            pairs += 1
            for f in fields:
                if f == "published":  # fastfeedparser gives ISO UTC, feedparser the raw string
                    agree[f] += _instant(x.published) == _instant(y.published)
                else:
                    agree[f] += getattr(x, f) == getattr(y, f)
    print(f"\n### Feed records, fastfeedparser vs feedparser backend: {pairs} entry pairs "
          f"({skipped} feeds skipped: different entry counts)\n")
    print("| field | same value |")
    print("|---|---:|")
    for f in fields:
        print(f"| {f} | {agree[f]}/{pairs} ({agree[f] / max(pairs, 1):.0%}) |")
    print("\n(published compared as instants; where text differs, see RESULTS-ingest.md)")


HOSTILE_CHILD = """
import resource, sys, time
which, path = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
start = time.perf_counter()
try:
    if which == 'cleanfeed':
        sys.path.insert(0, sys.argv[3])
        from cleanfeed.readers.feeds import records_from_feed
        out = list(records_from_feed(data, 'x'))
        result = out[0].reason[:40] if out and hasattr(out[0], 'reason') else f'{len(out)} records'
    elif which == 'fastfeedparser':
        import fastfeedparser
        result = f"{len(fastfeedparser.parse(data)['entries'])} entries"
    else:
        import feedparser
        result = f"{len(feedparser.parse(data)['entries'])} entries"
except Exception as exc:
    result = type(exc).__name__
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{time.perf_counter() - start:.2f}|{peak:.0f}|{result}")
"""


def bench_hostile_feeds(inputs: Path) -> None:
    folder = inputs / "hostile" / "derived"
    files = sorted(folder.glob("*.xml"))
    print("\n### Hostile XML: each parse in a child process, 2 GB address-space cap, 60 s cap\n")
    print("| file | parser | time (s) | peak RSS (MB) | result |")
    print("|---|---|---:|---:|---|")
    for path in files:
        for which in ("cleanfeed", "fastfeedparser", "feedparser"):
            cmd = [sys.executable, "-c", HOSTILE_CHILD, which, str(path), str(ROOT / "src")]
            try:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=60,
                    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)))
                line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
                parts = line.split("|", 2)
                if len(parts) == 3:
                    t, peak, result = parts
                else:
                    t, peak, result = "-", "-", f"died (exit {proc.returncode}: memory cap)"
            except subprocess.TimeoutExpired:
                t, peak, result = ">60", "-", "killed after 60 s"
            print(f"| {path.name} | {which} | {t} | {peak} | {result} |")


def warc_files(inputs: Path) -> list[Path]:
    names = ["resiliparse/warcfile.warc", "resiliparse/warcfile.warc.gz",
             "commoncrawl-whirlwind/whirlwind.warc.gz", "commoncrawl-whirlwind/whirlwind.warc",
             "dolma/sample-0000.warc.gz", "dolma/sample-0001.warc.gz", "warcio/example.warc.gz",
             "warcio/example-iana.org-chunked.warc"]
    return [inputs / "warc" / n for n in names if (inputs / "warc" / n).exists()]


def bench_warc(inputs: Path, repeat: int) -> None:
    from fastwarc.warc import ArchiveIterator, WarcRecordType
    from warcio.archiveiterator import ArchiveIterator as WarcioIterator

    files = warc_files(inputs)
    blobs = [p.read_bytes() for p in files]
    total_mb = sum(map(len, blobs)) / 1e6

    def fast() -> tuple[int, int]:
        n = size = 0
        for blob in blobs:
            for rec in ArchiveIterator(io.BytesIO(blob), record_types=WarcRecordType.response,
                                       parse_http=False, fsspec_args=False):
                size += len(rec.reader.read())
                n += 1
        return n, size

    def slow() -> tuple[int, int]:
        n = size = 0
        for blob in blobs:
            for rec in WarcioIterator(io.BytesIO(blob)):
                if rec.rec_type == "response":
                    size += len(rec.content_stream().read())
                    n += 1
        return n, size

    t_fast, (n_fast, _) = timed(fast, repeat)  # type: ignore[misc]
    t_slow, (n_slow, _) = timed(slow, repeat)  # type: ignore[misc]
    print(f"\n### WARC: {len(files)} files, {total_mb:.1f} MB on disk (best of {repeat})\n")
    print("| library | time (s) | MB/s (on disk) | response records |")
    print("|---|---:|---:|---:|")
    print(f"| FastWARC {version('FastWARC')} | {t_fast:.3f} | {total_mb / t_fast:.1f} | {n_fast} |")
    print(f"| warcio {version('warcio')} | {t_slow:.3f} | {total_mb / t_slow:.1f} | {n_slow} |")
    print(f"\nwarcio / FastWARC time: {t_slow / t_fast:.1f}x (FastWARC: whole block, "
          "undecoded; warcio: HTTP-decoded payload)")


def bench_read(data: Path, repeat: int) -> None:
    from cleanfeed.article import Reject
    from cleanfeed.readers import read
    from cleanfeed.readers.documents import pathological_html

    inputs = data / "inputs"
    cases = [
        ("feeds (real-news)", [inputs / "feeds" / "real-news"], None),
        ("WARC/WET (warc/)", [inputs / "warc"], None),
        ("JSONL (grover-realnews)", [inputs / "jsonl" / "grover-realnews"], "realnews"),
        ("HTML pages (scrapinghub)", [data / "extraction" / "scrapinghub" / "html"], None),
    ]
    print(f"\n### cleanfeed.read throughput (reading + decoding only, best of {repeat})\n")
    print("| input | MB | records | rejects | time (s) | MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, paths, preset in cases:
        if not all(p.exists() for p in paths):
            continue
        mb = sum(f.stat().st_size for p in paths for f in p.rglob("*") if f.is_file()) / 1e6
        t, out = timed(lambda paths=paths, preset=preset: list(read(paths, preset=preset)),
                       repeat)
        recs = out  # type: ignore[assignment]
        rejects = sum(isinstance(r, Reject) for r in recs)  # type: ignore[union-attr]
        print(f"| {label} | {mb:.1f} | {len(recs) - rejects} | {rejects} | {t:.3f} | "  # type: ignore[arg-type]
              f"{mb / t:.1f} |")
    html_dir = data / "extraction" / "scrapinghub" / "html"
    if html_dir.exists():
        pages = [p.read_text(encoding="utf-8", errors="replace")
                 for p in sorted(html_dir.glob("*.html"))]
        mb = sum(map(len, pages)) / 1e6
        t, _ = timed(lambda: [pathological_html(p) for p in pages], repeat)
        print(f"\npathological-nesting check: {len(pages)} pages, {mb:.1f} M chars, {t:.3f} s "
              f"({1000 * t / len(pages):.1f} ms/page), flagged "
              f"{sum(1 for p in pages if pathological_html(p))}")


MEMORY_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[2])
from cleanfeed.readers import read
from cleanfeed.article import Reject
import fastwarc.warc  # imported up front so the baseline includes it

def status(key):  # /proc, not getrusage: ru_maxrss survives exec and counts the parent's fork
    for line in open('/proc/self/status'):
        if line.startswith(key + ':'):
            return int(line.split()[1]) / 1024
start = time.perf_counter()
base = status('VmRSS')
n = rejects = 0
for r in read([sys.argv[1]]):
    n += 1
    rejects += isinstance(r, Reject)
print(f"{n}|{rejects}|{time.perf_counter() - start:.2f}|{base:.0f}|{status('VmHWM'):.0f}")
"""


def bench_memory(records: int) -> None:
    """Peak memory reading big generated files: it should not grow with the file."""
    import gzip
    import json
    import tempfile

    page = ("<html><body><article>" + "<p>A sentence of the generated story, number {i}.</p>"
            * 60 + "</article></body></html>")
    print("\n### Memory: generated inputs, read in a child process (Linux VmRSS, VmHWM)\n")
    print("| input | size (MB) | records | rejects | time (s) | RSS after import (MB) | "
          "peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp, "big.warc.gz")
        plain = Path(tmp, "big.warc")
        jsonl = Path(tmp, "big.jsonl")
        array = Path(tmp, "big.json")
        with warc.open("wb") as w, plain.open("wb") as pw, jsonl.open("w", encoding="utf-8") as j, \
                array.open("w", encoding="utf-8") as a:
            a.write("[\n")
            for i in range(records):
                body = page.replace("{i}", str(i)).encode()
                http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                        + body)
                head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://g.example/{i}"
                        f"\r\nWARC-Date: 2026-01-01T00:00:00Z\r\nContent-Type: application/http;"
                        f" msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
                w.write(gzip.compress(head + http + b"\r\n\r\n", compresslevel=1, mtime=0))
                pw.write(head + http + b"\r\n\r\n")
                line = json.dumps({"html": body.decode(), "url": f"https://g.example/{i}"})
                j.write(line + "\n")
                a.write(("," if i else "") + line + "\n")
            a.write("]\n")
        for path in (plain, warc, jsonl, array):
            cmd = [sys.executable, "-c", MEMORY_CHILD, str(path), str(ROOT / "src")]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            n, rej, t, base, peak = proc.stdout.strip().splitlines()[-1].split("|")
            print(f"| {path.name} | {path.stat().st_size / 1e6:.1f} | {n} | {rej} | {t} | {base} | "
                  f"{peak} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=default_data())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-hostile", action="store_true")
    parser.add_argument("--memory-records", type=int, default=20_000,
                        help="records in the generated big WARC/JSONL (0: skip)")
    args = parser.parse_args()
    inputs = args.data / "inputs"
    print(f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}, data {args.data}")
    bench_feeds(inputs, args.repeat)
    bench_feed_fields(inputs)
    if not args.skip_hostile:
        bench_hostile_feeds(inputs)
    bench_warc(inputs, args.repeat)
    bench_read(args.data, args.repeat)
    if args.memory_records:
        bench_memory(args.memory_records)


if __name__ == "__main__":
    main()
