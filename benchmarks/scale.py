"""Throughput and peak memory of the default pipeline: in-process vs N worker processes vs Dask.

Each measurement runs in a fresh subprocess (so imports, worker start-up and memory are all
counted) while this script samples the memory of that subprocess and all its descendants
(workers, forkserver, Dask scheduler/nannies/workers) every 0.1 s: the summed RSS (counts
pages shared between processes once per process, so it over-states), the summed USS (memory
private to the run's processes: what would grow if anything buffered the corpus), and the
main process's own RSS. Every run hashes its JSONL output; the ``same`` column
says whether it is byte-identical to the in-process run.

The corpus is the ``text/`` and ``html/`` files of ``datasets/extraction/`` (scrapinghub and
wcxb-dev-sample), streamed from disk and cycled to the requested number of records; kind
``html-all`` adds the 300 pages of ``datasets/dates/htmldate-dev/`` (741 distinct pages).
Cycling repeats documents, and one process meets its own repeats again (warm caches of
strings, patterns, seen lines) while workers meet a repeat only when it lands on the same
worker: that flatters the in-process run. ``--distinct`` reads every file at most once (the
record count is capped at the number of files), the fair comparison.

    python benchmarks/scale.py                      # throughput table, text and html
    python benchmarks/scale.py --memory 1000,100000 --memory-pipeline light
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

FETCHED = "2026-01-01T00:00:00+00:00"
#: Memory samples are taken every 0.1 s; USS (private memory) every this many samples.
USS_EVERY = 10
TREE_EVERY = 10  # list the process tree every 10th sample (a second)


def default_data() -> Path:
    local = ROOT / ".." / "shared" / "datasets"
    return local if local.exists() else Path("/work/shared/datasets")


def corpus_files(data: Path, kind: str) -> list[Path]:
    files: list[Path] = []
    folder = "html" if kind == "html-all" else kind
    for bench in ("scrapinghub", "wcxb-dev-sample"):
        files.extend(sorted((data / "extraction" / bench / folder).glob("*")))
    if kind == "html-all":
        files.extend(sorted((data / "dates" / "htmldate-dev" / "html").glob("*")))
    if not files:
        raise SystemExit(f"no {kind} files under {data / 'extraction'}")
    return files


def stream(files: list[Path], n: int, decode_later: bool = False) -> Iterator[object]:
    """``n`` records, cycling through ``files`` read lazily; ``#k`` marks the k-th pass
    (``n`` no larger than the number of files: each file once). ``decode_later``: undecoded
    bytes, decoded where they are cleaned (as the CLI reads for local runs)."""
    from cleanfeed.readers import read

    produced = 0
    rounds = 0
    while produced < n:
        for path in files:
            for record in read([path], decode_later=decode_later):
                if rounds:
                    record = dataclasses.replace(record, source=f"{record.source}#{rounds}")
                yield record
                produced += 1
                if produced >= n:
                    return
        rounds += 1


def light_steps() -> list[object]:
    """The default pipeline without its two costly library calls (trafilatura, langdetect):
    used only to push 100k records through the parallel machinery in minutes."""
    from cleanfeed.dates import assign_dates
    from cleanfeed.defaults import assign_id, require_text

    return [require_text, assign_dates, assign_id]


def run_one(mode: str, kind: str, n: int, workers: int, data: Path, pipeline_kind: str,
            decode: str = "worker") -> dict:
    """One measured run, inside the child process. ``decode``: ``worker`` (the CLI's way: the
    reader hands over bytes, decoded where the record is cleaned) or ``reader`` (decoded by the
    reader, in the main process); Dask always gets decoded records."""
    from cleanfeed import default_pipeline
    from cleanfeed.article import Reject
    from cleanfeed.pipeline import Pipeline
    from cleanfeed.writers import dumps

    if pipeline_kind == "light":
        pipeline = Pipeline(light_steps(), fetched_at=FETCHED)
    else:
        pipeline = default_pipeline(fetched_at=FETCHED)
    records = stream(corpus_files(data, kind), n,
                     decode_later=decode == "worker" and mode != "dask")
    digest = hashlib.sha256()
    count = rejected = 0
    first = None
    run = None
    start = time.perf_counter()
    parent_cpu = time.process_time()
    if mode == "dask":
        from cleanfeed import distributed

        results = distributed.imap(pipeline, records, address="local", n_workers=workers)
    else:
        from cleanfeed import parallel

        if mode == "serial":
            results = parallel.imap(pipeline, records, workers=1)
        else:  # what imap(workers=N) runs for this many records, kept for its stats
            run = parallel.ParallelRun(pipeline, workers=workers, clean_while_starting=True)
            results = run.run(records)
    for result in results:
        if first is None:
            first = time.perf_counter() - start
        digest.update(dumps(result.to_dict()).encode("utf-8"))
        digest.update(b"\n")
        count += 1
        rejected += isinstance(result, Reject)
    seconds = time.perf_counter() - start
    parent_cpu = time.process_time() - parent_cpu
    here = run.stats["cleaned_here"] if run is not None else 0
    here_cpu = run.stats["cleaned_here_cpu_us"] / 1e6 if run is not None else 0.0
    return {"seconds": seconds, "first_s": first or 0.0, "records": count, "rejected": rejected,
            "sha": digest.hexdigest()[:12], "parent_cpu_s": parent_cpu,
            "cleaned_here": here, "cleaned_here_cpu_s": here_cpu}


def measure(mode: str, kind: str, n: int, workers: int, data: Path, pipeline_kind: str,
            language_cache: str = "user", decode: str = "worker") -> dict:
    """Run one measurement in a subprocess, sampling the memory of its whole process tree.

    ``language_cache``: ``user`` (the user's cache of the language model's tables, as a user
    runs), ``fresh`` (an empty cache folder: the run builds and writes it, a first run ever) or
    ``off`` (no cache: every process builds the tables, e.g. a read-only home).
    """
    import shutil
    import tempfile

    import psutil

    cmd = [sys.executable, __file__, "--one", mode, kind, str(n), str(workers), str(data),
           pipeline_kind, decode]
    # As if cleanfeed were installed: Python 3.11's fork server ignores the parent's sys.path,
    # so without this it could not preload cleanfeed._warm and every worker would warm itself.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    fresh = tempfile.mkdtemp(prefix="cleanfeed-cache-") if language_cache == "fresh" else None
    if fresh:
        env["CLEANFEED_CACHE_DIR"] = fresh
    elif language_cache == "off":
        env["CLEANFEED_CACHE_DIR"] = ""
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    root = psutil.Process(child.pid)
    peak_rss = peak_uss = peak_parent = 0
    cpu: dict[int, float] = {}  # pid -> last seen user+system seconds
    # pid -> "main" (the run's process), "start" (its own children: the fork server, which
    # imports and warms once, and the resource tracker) or "worker" (their children)
    role: dict[int, str] = {}
    load_before = os.getloadavg()[0]
    sampler_cpu = time.process_time()
    samples = 0
    procs: list = []
    while child.poll() is None:
        rss = uss = 0
        # USS needs /proc/PID/smaps, ~1 ms of this process's CPU per worker and sample: read
        # it every USS_EVERY-th sample only, so that on a machine with no spare core the
        # sampler does not take a measurable share of the cores it measures (RSS is cheap).
        full = samples % USS_EVERY == 0
        samples += 1
        # Listing the tree reads every /proc/PID/stat on the machine (~1/3 of the sampler's
        # CPU at 10 samples a second); workers live for the whole run, so list it once a second.
        if samples % TREE_EVERY == 1 or not procs:
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
        for proc in procs:
            try:
                info = proc.memory_full_info() if full else proc.memory_info()
                times = proc.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            cpu[proc.pid] = times.user + times.system
            if proc.pid not in role:
                try:
                    parent = proc.ppid()
                except psutil.NoSuchProcess:
                    continue
                role[proc.pid] = ("main" if proc.pid == child.pid else
                                  "start" if parent == child.pid else "worker")
            rss += info.rss
            uss += info.uss if full else 0
            if proc.pid == child.pid:
                peak_parent = max(peak_parent, info.rss)
        peak_rss, peak_uss = max(peak_rss, rss), max(peak_uss, uss)
        time.sleep(0.1)
    sampler_cpu = time.process_time() - sampler_cpu
    out, _ = child.communicate()
    if fresh:
        shutil.rmtree(fresh, ignore_errors=True)
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {child.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    by_role = {name: sum(c for pid, c in cpu.items() if role.get(pid) == name)
               for name in ("start", "worker")}
    result.update(rss_mb=peak_rss / 2**20, uss_mb=peak_uss / 2**20,
                  parent_mb=peak_parent / 2**20, cpu_s=sum(cpu.values()),
                  start_cpu_s=by_role["start"], worker_cpu_s=by_role["worker"],
                  load=(load_before + os.getloadavg()[0]) / 2, sampler_cpu_s=sampler_cpu)
    return result


def pool_ms(run: dict) -> str:
    """The main process's CPU per record for what it does as a pool (read, send, take results
    in, write), without the records it cleaned itself while the workers started."""
    if not run["cleaned_here"] and run["worker_cpu_s"] == 0:
        return "-"  # in-process: everything is cleaning
    rest = run["records"] - run["cleaned_here"]
    return f"{1000 * (run['parent_cpu_s'] - run['cleaned_here_cpu_s']) / max(1, rest):.2f}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        mode, kind, n, workers, data, pipeline_kind, decode = sys.argv[2:9]
        print(json.dumps(run_one(mode, kind, int(n), int(workers), Path(data), pipeline_kind,
                                 decode)))
        return
    from cleanfeed.parallel import default_workers

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default_data())
    ap.add_argument("--kinds", default="text,html", help="corpora: text, html (comma-separated)")
    ap.add_argument("--records", default="882,441",
                    help="records per corpus, in the order of --kinds (cycled from the files)")
    ap.add_argument("--distinct", action="store_true",
                    help="each file at most once (records capped at the number of files): no "
                         "repeated documents, which warm one process's caches")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--modes", default="serial,parallel,dask")
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; the best is reported")
    ap.add_argument("--memory", default="", help="record counts for the memory check, "
                                                 "e.g. 1000,100000 (parallel mode)")
    ap.add_argument("--memory-pipeline", choices=("default", "light"), default="default")
    ap.add_argument("--memory-kind", default="text")
    ap.add_argument("--memory-modes", default="parallel")
    ap.add_argument("--decode", choices=("worker", "reader"), default="worker",
                    help="where .txt/.html bytes are decoded: in the process that cleans the "
                         "record (default, as the CLI) or by the reader in the main process")
    ap.add_argument("--language-cache", choices=("user", "fresh", "off"), default="user",
                    help="the language model's table cache: the user's (default), a fresh "
                         "empty one per run (a first run ever), or none")
    args = ap.parse_args()

    kinds = [k for k in args.kinds.split(",") if k]
    sizes = [int(x) for x in args.records.split(",")]
    if args.distinct:
        sizes = [min(n, len(corpus_files(args.data, kind)))
                 for kind, n in zip(kinds, sizes, strict=False)]
    print(f"# cleanfeed scale benchmark: {os.cpu_count()} CPUs, workers={args.workers}, "
          f"python {sys.version.split()[0]}, language cache: {args.language_cache}, "
          f"{'distinct documents' if args.distinct else 'documents cycled'}, "
          f"decoded in the {args.decode}")
    if kinds and args.modes:
        print("\n| corpus | records | mode | workers | seconds (each run) | first result s "
              "| records/s (best) | speed-up | CPU ms/record | load avg | peak RSS MiB, all "
              "| peak USS MiB, all | main RSS MiB | sampler CPU s | main CPU ms/record "
              "| workers CPU ms/record | start-up CPU s | cleaned in main "
              "| main CPU ms/record as a pool | same output |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for kind, n in zip(kinds, sizes, strict=False):
            base: dict | None = None
            for mode in args.modes.split(","):
                w = 1 if mode == "serial" else args.workers
                runs = [measure(mode, kind, n, w, args.data, "default", args.language_cache,
                                args.decode) for _ in range(args.repeat)]
                best = min(runs, key=lambda r: r["seconds"])
                if mode == "serial":
                    base = best
                speed = base["seconds"] / best["seconds"] if base else float("nan")
                same = "yes" if base and best["sha"] == base["sha"] else (
                    "-" if not base else "NO")
                all_s = "/".join(f"{r['seconds']:.1f}" for r in runs)
                print(f"| {kind} | {best['records']} | {mode} | {w} | {all_s} | "
                      f"{best['first_s']:.2f} | "
                      f"{best['records'] / best['seconds']:.1f} | {speed:.2f}x | "
                      f"{1000 * best['cpu_s'] / best['records']:.1f} | {best['load']:.1f} | "
                      f"{best['rss_mb']:.0f} | {best['uss_mb']:.0f} | {best['parent_mb']:.0f} "
                      f"| {best['sampler_cpu_s']:.1f} "
                      f"| {1000 * best['parent_cpu_s'] / best['records']:.2f} "
                      f"| {1000 * best['worker_cpu_s'] / best['records']:.1f} "
                      f"| {best['start_cpu_s']:.1f} | {best['cleaned_here']} "
                      f"| {pool_ms(best)} | {same} |",
                      flush=True)
    if args.memory:
        print(f"\nMemory vs input size ({args.memory_kind} corpus, {args.memory_pipeline} "
              "pipeline):\n")
        print("| records | mode | workers | seconds | records/s | peak RSS MiB, all "
              "| peak USS MiB, all | main RSS MiB |")
        print("|---|---|---|---|---|---|---|---|")
        for n in [int(x) for x in args.memory.split(",")]:
            for mode in args.memory_modes.split(","):
                w = 1 if mode == "serial" else args.workers
                r = measure(mode, args.memory_kind, n, w, args.data, args.memory_pipeline,
                            args.language_cache, args.decode)
                print(f"| {r['records']} | {mode} | {w} | {r['seconds']:.1f} | "
                      f"{r['records'] / r['seconds']:.0f} | {r['rss_mb']:.0f} | "
                      f"{r['uss_mb']:.0f} | {r['parent_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
