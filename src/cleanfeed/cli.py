"""The ``cleanfeed`` command: a thin layer over the library.

Data goes to stdout or ``-o``; progress, rejects and the summary go to stderr. Exit codes:
0 ok, 1 some records rejected with ``--strict``, 2 usage error. A closed pipe
(``cleanfeed clean x | head``) ends the run quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Literal, TextIO, overload

from cleanfeed import __version__, default_pipeline
from cleanfeed.article import Article, Reject
from cleanfeed.dedup import (
    DEFAULT_THRESHOLD,
    MODES,
    Deduplicator,
    IndexMismatchError,
    as_reject,
)
from cleanfeed.limits import time_limited
from cleanfeed.pipeline import Pipeline
from cleanfeed.readers import DEFAULT_MAX_BYTES, FORMATS, PRESETS, RawDocument, Record, read
from cleanfeed.writers import Writer, open_writer

#: Without ``--rejects``, at most this many rejects are listed on stderr.
SHOWN_REJECTS = 20


class UsageError(Exception):
    """Bad arguments: reported on one line, exit code 2."""


def _iso_datetime(value: str) -> str:
    """``--fetched-at``: an ISO 8601 date or date-time; a naive one is taken as UTC."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date-time: {value!r} (e.g. 2025-01-31T15:10:00+00:00)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.isoformat()


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _threshold(value: str) -> float:
    try:
        t = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 < t <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {t}")
    return t


def _add_input_options(command: argparse.ArgumentParser) -> None:
    """How inputs are read: shared by ``clean`` and ``explain``, so what one reads the other
    can explain."""
    command.add_argument("--max-bytes", metavar="N", type=_positive_int,
                         default=DEFAULT_MAX_BYTES,
                         help="reject documents larger than N bytes "
                              f"(default {DEFAULT_MAX_BYTES:,})")
    command.add_argument("--format", choices=sorted(FORMATS), default=None,
                         help="read every input as this format, whatever its suffix")
    command.add_argument("--preset", choices=sorted(PRESETS), default=None,
                         help="field names of a scraper's JSON/JSONL output (e.g. news-please)")
    command.add_argument("--map", metavar="FIELD=KEY", action="append", default=[],
                         help="take FIELD from input key KEY (dotted path, a|b fallbacks); "
                              "repeatable, overrides --preset")


@overload
def _read(inputs: Sequence[str], args: argparse.Namespace,
          decode_later: Literal[False] = ...) -> Iterator[Record]: ...


@overload
def _read(inputs: Sequence[str], args: argparse.Namespace,
          decode_later: bool) -> Iterator[Record | RawDocument]: ...


def _read(inputs: Sequence[str], args: argparse.Namespace,
          decode_later: bool = False) -> Iterator[Record] | Iterator[Record | RawDocument]:
    try:
        return read(inputs, max_bytes=args.max_bytes, preset=args.preset,
                    field_map=args.map, format=args.format, decode_later=decode_later)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleanfeed",
        description="Turn scraped articles into clean canonical articles (JSONL).",
    )
    parser.add_argument("--version", action="version", version=f"cleanfeed {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    clean = sub.add_parser(
        "clean", help="clean files, folders or stdin into JSONL articles",
        description="Clean .txt, .html, .json, .jsonl(.gz), feed (.xml/.rss/.atom) and WARC "
                    "(.warc/.warc.gz/.wet) files, folders (recursively) or - (stdin).",
    )
    clean.add_argument("inputs", nargs="*", metavar="INPUT",
                       help="files, folders, or - for stdin (default: stdin when piped)")
    clean.add_argument("-o", "--output", metavar="OUT", default=None,
                       help="output file, written atomically: JSONL, or Parquet when it ends in "
                            ".parquet; default stdout")
    clean.add_argument("--rejects", metavar="FILE", default=None,
                       help="write every record that did not become an article here, with why")
    clean.add_argument("--fetched-at", metavar="ISO", type=_iso_datetime, default=None,
                       help="fetch time for records without one; relative dates resolve against it")
    _add_input_options(clean)
    clean.add_argument("--time-limit", metavar="SECONDS", type=float, default=None,
                       help="reject a record whose cleaning takes longer than this")
    clean.add_argument("--strict", action="store_true",
                       help="exit with status 1 when any record was rejected (duplicates "
                            "do not count)")
    clean.add_argument("-q", "--quiet", action="store_true",
                       help="no progress and no summary on stderr")
    clean.add_argument("--workers", metavar="N", type=_positive_int, default=None,
                       help="worker processes (default: all cores; 1: in this process); "
                            "the output is the same, in the same order")
    clean.add_argument("--dask", metavar="ADDR", default=None,
                       help="clean on Dask: a scheduler address (tcp://host:8786) or 'local' "
                            "for a local cluster of --workers processes (needs cleanfeed[dask])")
    clean.add_argument("--dedup", choices=MODES, default="near",
                       help="duplicate detection: off, exact (same words) or near (default)")
    clean.add_argument("--threshold", metavar="J", type=_threshold, default=DEFAULT_THRESHOLD,
                       help=f"near-duplicate similarity, 0-1 (default {DEFAULT_THRESHOLD})")
    clean.add_argument("--keep-duplicates", action="store_true",
                       help="write duplicates to the output, marked with duplicate_of and "
                            "similarity (default: they go to the rejects, reason duplicate)")
    clean.add_argument("--index", metavar="PATH", default=None,
                       help="persistent SQLite dedup index: dedup against earlier runs too")
    clean.add_argument("--learn-boilerplate", action="store_true",
                       help="two passes over the inputs: first learn the lines that recur "
                            "across text dumps of a site (menus, footers, slogans), then clean "
                            "with them removed (files only: stdin cannot be read twice)")
    clean.add_argument("--seen-lines", metavar="PATH", default=None,
                       help="a learned boilerplate model: used if PATH exists; with "
                            "--learn-boilerplate, this run's lines are added and PATH is saved")

    explain = sub.add_parser(
        "explain", help="show what each cleaner removed from one input, and why",
        description="Run the pipeline on one input and list every removed span.",
    )
    explain.add_argument("input", metavar="FILE", help="a file (or - for stdin)")
    explain.add_argument("--fetched-at", metavar="ISO", type=_iso_datetime, default=None)
    _add_input_options(explain)
    explain.add_argument("--text", action="store_true", help="also print the clean text")
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colour the report (auto: when the output is a terminal)")
    return parser


class Progress:
    """A one-line progress counter on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.last = 0.0
        self.shown = False

    def update(self, done: int, articles: int, rejects: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\r{done:,} records: {articles:,} articles, {rejects:,} rejected")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _inputs(given: Sequence[str]) -> list[str]:
    if given:
        return list(given)
    if sys.stdin is not None and not sys.stdin.isatty():
        return ["-"]
    raise UsageError("no input given: name files or folders, or pipe data and use -")


def _writer(path: str | None) -> Writer:
    """The output writer; a missing optional dependency or an impossible target is a usage
    error (one line, exit 2), not a traceback."""
    try:
        return open_writer(path)
    except (RuntimeError, ValueError) as exc:
        raise UsageError(f"cannot write {path}: {exc}") from None


def run_clean(args: argparse.Namespace) -> int:
    inputs = _inputs(args.inputs)
    pipeline = default_pipeline(fetched_at=args.fetched_at)
    if args.learn_boilerplate or args.seen_lines:
        pipeline = _with_seen_lines(pipeline, inputs, args)
    if args.time_limit is not None:
        if args.time_limit <= 0:
            raise UsageError("--time-limit must be positive")
        pipeline = Pipeline(time_limited(pipeline.steps, args.time_limit),
                            fetched_at=args.fetched_at)
    # Local workers decode .txt/.html files themselves (parallel.imap), off this process.
    records = _read(inputs, args, decode_later=not args.dask)
    results: Iterable[Article | Reject] = _results(pipeline, records, args)
    progress = Progress(sys.stderr, not args.quiet)
    started = time.monotonic()
    counts = {"records": 0, "articles": 0, "rejected": 0, "duplicates": 0}
    shown = 0
    try:
        with ExitStack() as stack:
            if args.index and args.dedup == "off":
                raise UsageError("--index needs --dedup exact or near")
            if args.dedup != "off":
                try:
                    dedup = Deduplicator(args.dedup, args.threshold, index=args.index)
                except IndexMismatchError as exc:
                    raise UsageError(str(exc)) from None
                stack.callback(dedup.close)
                results = dedup.run(results)
                if not args.keep_duplicates:
                    results = map(as_reject, results)
            out = stack.enter_context(_writer(args.output))  # .parquet -> Parquet
            rejects = stack.enter_context(_writer(args.rejects)) if args.rejects else None
            for result in results:
                counts["records"] += 1
                if isinstance(result, Article):
                    counts["articles"] += 1
                    out.write(result)
                else:
                    counts["rejected"] += 1
                    if result.stage == "dedup":
                        counts["duplicates"] += 1
                    if rejects is not None:
                        rejects.write(result)
                    elif shown < SHOWN_REJECTS and not args.quiet:
                        shown += 1
                        progress.close()
                        print(f"cleanfeed: rejected {result.source}: {result.reason}",
                              file=sys.stderr)
                progress.update(counts["records"], counts["articles"], counts["rejected"])
    finally:
        progress.close()
    if not args.quiet:
        _summary(counts, args, time.monotonic() - started, shown)
    return 1 if args.strict and counts["rejected"] > counts["duplicates"] else 0


def _with_seen_lines(pipeline: Pipeline, inputs: list[str],
                     args: argparse.Namespace) -> Pipeline:
    """The pipeline with a learned boilerplate model (``--learn-boilerplate``/``--seen-lines``)."""
    from cleanfeed.cleaners.boilerplate import SeenLines, use_seen_lines

    path = args.seen_lines
    if args.learn_boilerplate and "-" in inputs:
        raise UsageError("--learn-boilerplate reads the inputs twice and cannot re-read stdin: "
                         "save the data to a file, or learn a model from files first with "
                         "--learn-boilerplate --seen-lines PATH and use --seen-lines PATH here")
    seen = None
    if path and os.path.exists(path):
        try:
            seen = SeenLines.load(path)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    elif path and not args.learn_boilerplate:
        raise UsageError(f"--seen-lines {path}: no such model (learn one with "
                         "--learn-boilerplate --seen-lines PATH)")
    if args.learn_boilerplate:
        seen = seen or SeenLines()
        try:
            seen.learn(read(inputs, max_bytes=args.max_bytes, preset=args.preset,
                            field_map=args.map, format=args.format))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if path:
            seen.save(path)
    return use_seen_lines(pipeline, seen)


def _results(pipeline: Pipeline, records: Iterable[Record | RawDocument],
             args: argparse.Namespace) -> Iterator[Article | Reject]:
    """The cleaned stream, in input order: in-process, in worker processes, or on Dask."""
    if args.dask:
        from cleanfeed import distributed

        try:
            distributed.require_dask()
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise UsageError(str(exc)) from None
        # A task runs in a worker thread: the limit is a watchdog thread there (thread_limit)
        return distributed.imap(pipeline, records, address=args.dask, n_workers=args.workers,
                                time_limit=args.time_limit)
    from cleanfeed import parallel

    # The time limit is first a SIGALRM inside each step (cleanfeed.limits, a clean reject
    # naming the step); the worker watchdog, later, catches code that signals cannot stop.
    watchdog = None if args.time_limit is None else args.time_limit + max(1.0, args.time_limit)
    return parallel.imap(pipeline, records, workers=args.workers, timeout=watchdog)


def _summary(counts: dict[str, int], args: argparse.Namespace, seconds: float,
             shown: int) -> None:
    where = f" -> {args.output}" if args.output else ""
    line = (f"cleanfeed: {counts['records']:,} records: {counts['articles']:,} articles, "
            f"{counts['rejected']:,} rejected{where} ({seconds:.1f} s)")
    if counts["duplicates"]:
        line += f"; {counts['duplicates']:,} of the rejects are duplicates"
    if args.rejects:
        line += f"; rejects in {args.rejects}"
    elif counts["rejected"] > shown:
        line += f"; {counts['rejected'] - shown:,} rejects not listed (use --rejects FILE)"
    print(line, file=sys.stderr)


_COLORS = {"cleaner": "\033[36m", "reason": "\033[33m", "text": "\033[2m", "head": "\033[1m",
           "bad": "\033[31m", "reset": "\033[0m"}


def _explain_lines(results: Iterable[Article | Reject], show_text: bool,
                   color: bool) -> Iterator[str]:
    def c(kind: str, s: str) -> str:
        return f"{_COLORS[kind]}{s}{_COLORS['reset']}" if color else s

    for result in results:
        if isinstance(result, Reject):
            yield c("head", f"== {result.source}") + c("bad", f"  rejected at {result.stage}: "
                                                              f"{result.reason}")
            continue
        a = result
        facts = [f"id {a.id}", f"language {a.language or '-'}",
                 f"published {a.published or '-'}"]
        if a.title:
            facts.insert(0, f"title {a.title!r}")
        yield c("head", f"== {a.source}") + "  " + ", ".join(facts)
        if not a.removed:
            yield "   nothing removed"
        for r in a.removed:
            yield f"   [{c('cleaner', r.cleaner)}] {c('reason', r.reason)}"
            for line in r.text.split("\n"):
                yield "      " + c("text", line)
        for note in a.hints.get("guarded", ()):
            yield f"   [{c('cleaner', note)}] " + c("bad", "cuts reverted: over the removal budget")
        if show_text:
            yield ""
            yield a.text
        yield ""


def run_explain(args: argparse.Namespace) -> int:
    pipeline = default_pipeline(fetched_at=args.fetched_at)
    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    for line in _explain_lines(pipeline.run(_read([args.input], args)), args.text, color):
        print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "clean":
            return run_clean(args)
        return run_explain(args)
    except UsageError as exc:
        parser.error(str(exc))  # exits 2
    except BrokenPipeError:
        # The reader of our stdout went away (| head): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("cleanfeed: interrupted; no output file was written", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"cleanfeed: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
