"""Stdin: sniffed (JSONL, WARC, feed, text) or forced with ``format``."""

from __future__ import annotations

import gzip
import io
import json
import sys

import pytest

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers import read, sniff
from tests.test_readers_feeds import ATOM, RSS2
from tests.test_readers_warc import PAGE, http, info, warc_record


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def from_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes,
               format: str | None = None) -> list[RawRecord | Reject]:
    monkeypatch.setattr(sys, "stdin", FakeStdin(data))
    return list(read(["-"], format=format))


def test_sniff() -> None:
    assert sniff(b'  {"text": 1}') == "jsonl"
    assert sniff(b"WARC/1.1\r\n") == "warc" and sniff(gzip.compress(b"x")) == "warc"
    assert sniff(b"\xef\xbb\xbf<?xml version='1.0'?><rss/>") == "feed"
    assert sniff(ATOM) == "feed"
    assert sniff(b' [{"text": "a"}]') == "json"
    assert sniff(b"Just a story.") == "text"


def test_feed_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    out = from_stdin(monkeypatch, RSS2)
    assert [r.source for r in out] == ["<stdin>#1", "<stdin>#2", "<stdin>#3"]


def test_warc_gz_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastwarc")
    first = gzip.compress(info(), mtime=0)
    data = first + gzip.compress(
        warc_record("response", "https://a.example/", http(PAGE.encode())), mtime=0)
    (rec,) = from_stdin(monkeypatch, data)
    assert isinstance(rec, RawRecord) and rec.source == f"<stdin>@{len(first)}"
    assert rec.html == PAGE


def test_forced_json_array_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    out = from_stdin(monkeypatch, json.dumps([{"text": "a"}, {"text": "b"}]).encode(),
                     format="json")
    assert [(r.source, r.text) for r in out] == [("<stdin>#1", "a"), ("<stdin>#2", "b")]
