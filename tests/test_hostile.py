"""Hostile input: every case is one reject with a clear reason, and the batch goes on."""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path

import pytest

import cleanfeed
from cleanfeed.article import Article, RawRecord, Reject
from cleanfeed.limits import TimeLimited, TimeLimitExceeded, signals_available, time_limited
from cleanfeed.pipeline import Pipeline

STORY = ("<html><body><article><h1>Storm passes</h1><p>The storm passed the coast on Sunday "
         "night and left no damage behind, the harbour master said on Monday morning.</p>"
         "<p>Fishing boats went out again at dawn.</p></article></body></html>")

LOL = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def hostile_files(folder: Path) -> dict[str, str]:
    """name -> a word the reject reason must contain."""
    cases: dict[str, tuple[bytes, str]] = {
        "bomb.xml": (('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">' + LOL + "]>"
                      "<rss><channel><item><title>&lol9;</title><description>&lol9;"
                      "</description></item></channel></rss>").encode(), "entities"),
        "xxe.rss": (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    b"<rss><channel><item><description>&x;</description></item></channel></rss>",
                    "entities"),
        "junk.html": (bytes(range(256)) * 64, "binary"),
        "script.html": (b"<html><head><script>var a = 1;</script></head><body><script>"
                        b"document.write('x')</script></body></html>", "no main content"),
        "deep.html": (b"<html><body>" + b"<div>" * 10_000 + b"<p>x</p>" + b"</div>" * 10_000,
                      "nesting"),
        "broken.txt": ("Größe und Übermaß sind gemeint. ".encode() * 5 + b"\xff\xfe\xfd"
                       + "Straße.".encode(), "invalid UTF-8"),
        "cut.jsonl.gz": (gzip.compress(b'{"text": "fine"}\n' * 20)[:-10], "truncated"),
        "deep.jsonl": (b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b"}\n", "invalid JSON"),
        "empty.txt": (b"   \n", "empty"),
    }
    for name, (data, _) in cases.items():
        (folder / name).write_bytes(data)
    return {name: word for name, (_, word) in cases.items()}


def test_hostile_batch_goes_on(tmp_path: Path) -> None:
    expected = hostile_files(tmp_path)
    (tmp_path / "zz-good.html").write_text(STORY, encoding="utf-8")
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # 100 MB document (sparse): rejected by size, never read
        fh.truncate(100 * 1024 * 1024)
    expected["huge.txt"] = "over the limit"
    pipeline = cleanfeed.default_pipeline()
    results = list(pipeline.run(cleanfeed.read([tmp_path])))
    articles = [r for r in results if isinstance(r, Article)]
    rejects = [r for r in results if isinstance(r, Reject)]
    gz_lines = [a for a in articles if Path(a.source.split(":")[0]).name == "cut.jsonl.gz"]
    assert 0 < len(gz_lines) < 20  # the lines before the cut are kept
    assert [a.source for a in articles if a not in gz_lines] == [str(tmp_path / "zz-good.html")]
    assert "storm passed the coast" in articles[-1].text
    by_file: dict[str, list[Reject]] = {}
    for r in rejects:
        name = Path(re.split(r"[:#@]\d+$", r.source)[0]).name
        by_file.setdefault(name, []).append(r)
    for name, word in expected.items():
        assert name in by_file, f"{name}: no reject"
        assert any(word in r.reason for r in by_file[name]), (name, by_file[name])


def test_hundred_megabyte_jsonl_line_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"text": "' + b"x" * (100 * 1024 * 1024) + b'"}\n')
        fh.write(json.dumps({"text": "after the big one"}).encode() + b"\n")
    out = list(cleanfeed.read([path], max_bytes=1024 * 1024))
    assert isinstance(out[0], Reject) and "over the limit" in out[0].reason
    assert isinstance(out[1], RawRecord) and out[1].text == "after the big one"


SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "inputs"
if not SHARED.exists():
    SHARED = Path("/work/shared/datasets/inputs")


@pytest.mark.skipif(not (SHARED / "hostile").exists(), reason="shared data absent")
def test_real_hostile_xml_refused() -> None:
    folder = SHARED / "hostile" / "derived"
    out = list(cleanfeed.read([folder]))
    assert len(out) == 4 and all(isinstance(r, Reject) and "entities" in r.reason for r in out)
    xmltest = SHARED / "hostile" / "defusedxml-xmltestdata"
    for name in ("xmlbomb.xml", "xmlbomb2.xml", "quadratic.xml", "external.xml", "cyclic.xml"):
        rejects = [r for r in cleanfeed.read([xmltest / name]) if isinstance(r, Reject)]
        assert rejects and "entities" in rejects[0].reason, name


# --- the per-record time limit --------------------------------------------------------------

def backtrack(article: Article) -> Article:
    """A step with a catastrophic regex: exponential on a run of a's with no b."""
    re.match(r"(a+)+b", "a" * 40)
    return article


@pytest.mark.skipif(not signals_available(), reason="needs SIGALRM in the main thread")
def test_time_limit_turns_a_runaway_step_into_a_reject() -> None:
    pipeline = Pipeline(time_limited([backtrack], 0.2))
    start = time.monotonic()
    results = list(pipeline.run([RawRecord(source="slow", text="x"),
                                 RawRecord(source="next", text="y")]))
    assert time.monotonic() - start < 5
    assert isinstance(results[0], Reject) and "TimeLimitExceeded" in results[0].reason
    assert "backtrack" in results[0].reason
    assert isinstance(results[1], Reject)  # same step, same fate: the batch still finished


@pytest.mark.skipif(not signals_available(), reason="needs SIGALRM in the main thread")
def test_time_limit_survives_a_step_that_swallows_exceptions() -> None:
    def stubborn(article: Article) -> Article:
        for _ in range(3):  # like a library with a broad ``except Exception`` around its work
            try:
                time.sleep(5)
            except Exception:
                continue
        return article

    start = time.monotonic()
    result = Pipeline(time_limited([stubborn], 0.1))(RawRecord(source="s", text="x"))
    assert time.monotonic() - start < 3
    assert isinstance(result, Reject) and "TimeLimitExceeded" in result.reason


def test_time_limit_spans_the_record_and_passes_fast_steps() -> None:
    def quick(a: Article) -> Article:
        return a.evolve(text=a.text.upper())

    result = Pipeline(time_limited([quick, quick], 5))(RawRecord(source="s", text="hi"))
    assert isinstance(result, Article) and result.text == "HI"
    spent = Article(id="x", source="s", text="t", hints={"deadline": time.monotonic() - 1})
    with pytest.raises(TimeLimitExceeded, match="before quick"):
        TimeLimited(quick, 5)(spent)
    with pytest.raises(ValueError):
        time_limited([quick], 0)
