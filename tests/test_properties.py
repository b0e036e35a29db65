"""Properties over readers, pipeline and writers (hypothesis), and regex denial-of-service checks.

- No exception escapes a reader or the pipeline, whatever the bytes.
- No record is lost: articles + rejects = records read (one result per record in).
- Every output line is valid JSON.
- Every compiled pattern in ``cleanfeed.cleaners`` and every cleaner step finishes a 1 MB line
  of repeated cue words in under a second (found generically: new patterns are covered).
"""

from __future__ import annotations

import importlib
import inspect
import io
import json
import pkgutil
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cleanfeed
import cleanfeed.cleaners
from cleanfeed import defaults
from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.pipeline import Pipeline, step_name
from cleanfeed.readers import read
from cleanfeed.readers.feeds import records_from_feed
from cleanfeed.writers import JsonlWriter, dumps

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

SUFFIXES = [".txt", ".html", ".jsonl", ".json", ".xml", ".atom", ".warc", ".warc.gz",
            ".jsonl.gz"]

# Bytes that look like the formats a little, so the readers get past their first check.
PREFIXES = [b"", b"{", b"[", b'{"text": "', b"<?xml version='1.0'?><rss><channel><item>",
            b"WARC/1.1\r\n", b"\x1f\x8b", b"\xef\xbb\xbf", b"<html><body>"]


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    body = draw(st.binary(max_size=2000) | st.text(max_size=500).map(
        lambda t: t.encode("utf-8", "surrogatepass")))
    return draw(st.sampled_from(PREFIXES)) + body


@SETTINGS
@given(data=hostile_bytes(), suffix=st.sampled_from(SUFFIXES))
def test_readers_never_raise_and_always_say_where(tmp_path: Path, data: bytes,
                                                  suffix: str) -> None:
    path = tmp_path / f"in{suffix}"
    path.write_bytes(data)
    records = list(read([path]))
    for record in records:
        assert isinstance(record, RawRecord | Reject)
        assert record.source.startswith(str(path))
        if isinstance(record, Reject):
            assert record.reason
    results = list(_pipeline().run(records))
    assert len(results) == len(records)  # articles + rejects = records read
    for result in results:
        json.loads(dumps(result.to_dict()))


jsonable = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)
record_objects = st.dictionaries(
    st.sampled_from(["text", "html", "title", "url", "authors", "published", "id", "extra",
                     "language", "x"]) | st.text(max_size=6),
    jsonable, max_size=6)


@SETTINGS
@given(objs=st.lists(record_objects, max_size=8))
def test_jsonl_one_result_per_line(tmp_path: Path, objs: list[dict[str, Any]]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    out = list(read([path]))
    assert [r.source for r in out] == [f"{path}:{i}" for i in range(1, len(objs) + 1)]


feed_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=80)


@SETTINGS
@given(items=st.lists(st.tuples(feed_text, feed_text), max_size=6))
def test_generated_rss_one_result_per_item(items: list[tuple[str, str]]) -> None:
    body = "".join(f"<item><title>{escape(t)}</title><link>https://x.example/{i}</link>"
                   f"<description>{escape(d)}</description></item>"
                   for i, (t, d) in enumerate(items))
    data = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T'
            f"</title>{body}</channel></rss>").encode()
    out = list(records_from_feed(data, "f"))
    if items:
        assert [r.source for r in out] == [f"f#{i}" for i in range(1, len(items) + 1)]
    else:
        assert len(out) == 1 and isinstance(out[0], Reject)


def _pipeline() -> Pipeline:
    return cleanfeed.default_pipeline(fetched_at="2026-01-01T00:00:00+00:00")


#: Any code point, lone surrogates included (hypothesis leaves them out by default).
any_text = st.characters(blacklist_categories=())

record_strategy = st.builds(
    RawRecord,
    source=st.text(min_size=1, max_size=10),
    text=st.none() | st.text(any_text, max_size=400),
    html=st.none() | st.text(any_text, max_size=200).map(
        lambda t: f"<html><body><p>{t}</p></body></html>"),
    title=st.none() | st.text(any_text, max_size=30),
    published=st.none() | st.text(max_size=25),
    authors=st.lists(st.text(max_size=10), max_size=2).map(tuple),
)


@SETTINGS
@given(records=st.lists(record_strategy, max_size=5))
def test_pipeline_loses_nothing_and_writes_valid_json(records: list[RawRecord]) -> None:
    results = list(_pipeline().run(records))
    assert len(results) == len(records)  # articles + rejects = records read
    assert all(isinstance(r, Article | Reject) for r in results)
    for r in results:
        line = dumps(r.to_dict())
        assert len(line.splitlines()) == 1
        assert json.loads(line)["source"] == r.source


@SETTINGS
@given(texts=st.lists(st.text(max_size=200), min_size=1, max_size=4))
def test_writer_output_is_valid_jsonl(texts: list[str]) -> None:
    buf = io.StringIO()
    import sys

    old, sys.stdout = sys.stdout, buf
    try:
        with JsonlWriter(None) as w:
            for i, t in enumerate(texts):
                w.write(Article(id=str(i), source="s", text=t))
    finally:
        sys.stdout = old
    lines = buf.getvalue().splitlines()
    assert len(lines) == len(texts)
    for line in lines:
        json.loads(line)


def test_pipeline_over_real_feeds_counts_add_up() -> None:
    shared = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "inputs"
    if not shared.exists():
        shared = Path("/work/shared/datasets/inputs")
    feed = shared / "feeds" / "trafilatura" / "feed2.rss"
    if not feed.exists():
        pytest.skip("shared data absent")
    records = list(read([feed]))
    results = list(_pipeline().run(records))
    assert len(results) == len(records) > 0


# --- regular-expression denial of service ---------------------------------------------------

LIMIT_S = 1.0


def _cue_phrases() -> list[str]:
    """Every string in every cue file (whatever the file layout)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    folder = resources.files("cleanfeed.cleaners") / "cues"
    if folder.is_dir():
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".json"):
                walk(json.loads(entry.read_text(encoding="utf-8")))
    return sorted(set(found)) or ["read more", "related", "share", "subscribe"]


def hostile_lines() -> dict[str, str]:
    """1 MB single lines built from cue words, the shapes backtracking patterns hate."""
    phrases = _cue_phrases()
    size = 1 << 20

    def fill(unit: str) -> str:
        return (unit * (size // max(1, len(unit)) + 1))[:size]

    return {
        "all cues, spaced": fill(" ".join(phrases) + " "),
        "cues with separators": fill(": ".join(phrases) + " | "),
        "one cue repeated": fill(phrases[0] + " "),
        "cues, no spaces": fill("".join(phrases)),
        "punctuation and digits": fill("© 2024 — » · 12:30 | "),
    }


def hostile_line_runs() -> dict[str, str]:
    """The same cue words as 1 MB of short lines: what the line-wise cleaners really see."""
    phrases = _cue_phrases()
    unit = "\n".join(phrases) + "\n"
    return {"cue lines": (unit * ((1 << 20) // len(unit) + 1))[: 1 << 20]}


def _patterns_in(value: Any, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 2 and isinstance(value, (tuple, list, set, frozenset)):
        for v in value:
            yield from _patterns_in(v, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for v in value.values():
            yield from _patterns_in(v, depth + 1)


def cleaner_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern in ``cleanfeed.cleaners``: module attributes (also inside
    tuples/dicts), class attributes, and what zero-argument cached builders return."""
    found: dict[str, re.Pattern[str]] = {}
    for info in pkgutil.walk_packages(cleanfeed.cleaners.__path__, "cleanfeed.cleaners."):
        module = importlib.import_module(info.name)
        for attr, value in vars(module).items():
            sources: list[Any] = [value]
            if inspect.isclass(value) and value.__module__ == module.__name__:
                sources = list(vars(value).values())
            elif callable(value) and hasattr(value, "cache_info"):
                try:
                    if not inspect.signature(value).parameters:
                        sources = [value()]
                except (TypeError, ValueError):
                    pass
            for source in sources:
                for i, pattern in enumerate(_patterns_in(source)):
                    found.setdefault(f"{info.name}.{attr}[{i}]", pattern)
    return found


@contextmanager
def deadline(seconds: float, what: str) -> Iterator[None]:
    """Fail (not hang) when the block runs past ``seconds``."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not (
            threading.main_thread()):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"{what} took over {seconds} s on a 1 MB line")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_patterns_are_found() -> None:
    patterns = cleaner_patterns()
    assert len(patterns) >= 5  # the finder works (the cleaners compile many patterns)


@pytest.mark.parametrize("name", sorted(cleaner_patterns()))
def test_no_cleaner_pattern_backtracks_on_cue_words(name: str) -> None:
    pattern = cleaner_patterns()[name]
    for label, line in hostile_lines().items():
        start = time.perf_counter()
        with deadline(LIMIT_S * 5, f"{name} on {label}"):
            pattern.search(line)
            pattern.match(line)
            if pattern.groups == 0:
                pattern.sub("", line[:100_000])
        assert time.perf_counter() - start < LIMIT_S, f"{name} on {label}"


def cleaner_steps() -> list[Any]:
    return [s for s in defaults.default_steps()
            if (getattr(s, "__module__", None) or type(s).__module__).startswith(
                "cleanfeed.cleaners")]


@pytest.mark.parametrize("step", cleaner_steps(), ids=step_name)
def test_no_cleaner_step_stalls_on_a_long_cue_line(step: Any) -> None:
    for label, line in hostile_lines().items():
        article = Article(id="x", source="dos", text=line)
        start = time.perf_counter()
        with deadline(LIMIT_S * 5, f"{step_name(step)} on {label}"):
            step(article)
        assert time.perf_counter() - start < LIMIT_S, f"{step_name(step)} on {label}"



@pytest.mark.slow
@pytest.mark.parametrize("step", cleaner_steps(), ids=step_name)
def test_cleaner_steps_scale_linearly_on_many_cue_lines(step: Any) -> None:
    """1 MB of short cue lines must cost about 8x what 128 KB costs, not 64x: a step that
    compares each line with every other line is a denial of service on long inputs.
    (It caught link_spam at 0.35 s / 64 KB -> 26.9 s / 1 MB before main@c7d714a.)"""
    text = hostile_line_runs()["cue lines"]
    timings = []
    for size in (128 << 10, 1 << 20):
        start = time.perf_counter()
        with deadline(120, f"{step_name(step)} on cue lines"):
            step(Article(id="x", source="dos", text=text[:size]))
        timings.append(time.perf_counter() - start)
    small, large = timings
    assert large < max(16 * small, LIMIT_S), f"{step_name(step)}: {small:.2f} s -> {large:.2f} s"
