"""``.json`` files and the JSONL field-map presets (news-please, trafilatura, ...)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers import read
from cleanfeed.readers.presets import PRESETS, apply_field_map, build_field_map

NEWS_PLEASE = {
    "authors": ["Kim Lee", "Sam Roe"], "date_download": "2026-01-05 10:00:00",
    "date_modify": None, "date_publish": "2026-01-04 09:30:00", "description": "Teaser.",
    "filename": "x.json", "language": "en", "source_domain": "news.example",
    "maintext": "The council voted on Tuesday.", "title": "Council votes",
    "url": "https://news.example/council",
}

TRAFILATURA = {
    "title": "Tram line opens", "author": "Ana Ruiz; Bo Li", "source": "https://t.example/tram",
    "source-hostname": "T Example", "hostname": "t.example", "date": "2026-02-01",
    "text": "The tram line opened.", "raw_text": "raw", "language": "de", "excerpt": "e",
    "filedate": "2026-02-02", "categories": "", "tags": "", "fingerprint": "f", "id": None,
}


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"text": "Hello there.", "url": "https://x.example/"}))
    (rec,) = read([path])
    assert isinstance(rec, RawRecord)
    assert rec.source == str(path) and rec.text == "Hello there."


def test_json_array_sources_and_bad_items(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"text": "One."}, 3, {"title": "no body"}, {"html": "<p>x</p>"}]))
    out = list(read([path]))
    assert [r.source for r in out] == [f"{path}#{i}" for i in range(1, 5)]
    assert [type(r).__name__ for r in out] == ["RawRecord", "Reject", "Reject", "RawRecord"]


@pytest.mark.parametrize("content, reason", [
    ("{not json", "invalid JSON"), ("[]", "empty"), ('"just a string"', "expected a JSON object"),
    ("[" * 100_000 + "]" * 100_000, "invalid JSON"),
])
def test_json_bad_files(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    (rej,) = read([path])
    assert isinstance(rej, Reject) and reason in rej.reason


def test_news_please_preset_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "np.jsonl"
    path.write_text(json.dumps(NEWS_PLEASE) + "\n")
    (rec,) = read([path], preset="news-please")
    assert isinstance(rec, RawRecord)
    assert rec.text == "The council voted on Tuesday." and rec.title == "Council votes"
    assert rec.published == "2026-01-04 09:30:00" and rec.fetched_at == "2026-01-05 10:00:00"
    assert rec.modified is None and rec.site == "news.example"
    assert rec.authors == ("Kim Lee", "Sam Roe") and rec.language == "en"
    assert rec.extra == {"description": "Teaser.", "filename": "x.json", "date_modify": None}
    (plain,) = read([path])  # without the preset the body is not found: a clear reject
    assert isinstance(plain, Reject) and "no 'text'" in plain.reason


def test_trafilatura_preset_and_map_override(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(TRAFILATURA))
    (rec,) = read([path], preset="trafilatura")
    assert isinstance(rec, RawRecord)
    assert rec.url == "https://t.example/tram" and rec.authors == ("Ana Ruiz", "Bo Li")
    assert rec.site == "T Example" and rec.published == "2026-02-01" and rec.text.startswith("The")
    (raw,) = read([path], preset="trafilatura", field_map=["text=raw_text"])
    assert isinstance(raw, RawRecord) and raw.text == "raw"


def test_map_fallbacks_nested_and_collisions() -> None:
    fmap = build_field_map(None, ["text=body.main|summary", "title=headline"])
    got = apply_field_map({"body": {"main": ""}, "summary": "S", "title": "old",
                           "headline": "H"}, fmap)
    assert got["text"] == "S" and got["title"] == "H" and got["title_original"] == "old"
    assert got["body"] == {"main": ""}


@pytest.mark.parametrize("bad", ["text", "=x", "nosuchfield=x"])
def test_bad_map_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match="--map"):
        build_field_map(None, [bad])


def test_unknown_preset_lists_known_ones() -> None:
    with pytest.raises(ValueError, match="news-please"):
        read([], preset="nope")
    assert {"news-please", "trafilatura", "ccnet", "realnews", "common-crawl-news"} <= set(
        PRESETS)


def test_long_jsonl_line_rejected_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"text": "x" * 5000}) + "\n" + json.dumps({"text": "ok"}) + "\n")
    out = list(read([path], max_bytes=1000))
    assert isinstance(out[0], Reject) and "over the limit" in out[0].reason
    assert isinstance(out[1], RawRecord) and out[1].source == f"{path}:2"


SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "inputs"
if not SHARED.exists():
    SHARED = Path("/work/shared/datasets/inputs")


@pytest.mark.skipif(not (SHARED / "jsonl").exists(), reason="shared data absent")
def test_real_scraper_outputs_with_presets() -> None:
    (np,) = read([SHARED / "jsonl" / "news-please" / "sample.json"], preset="news-please")
    assert isinstance(np, RawRecord) and np.url and np.text and np.published
    grover = list(read([SHARED / "jsonl" / "grover-realnews" / "realnews_tiny.jsonl"],
                       preset="realnews"))
    assert grover and all(isinstance(r, RawRecord) and r.text and r.url for r in grover)


# --- streamed JSON arrays ------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cleanfeed.readers.jsonl import ArrayError, _Stream, iter_json_array  # noqa: E402

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=10)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(json_values, max_size=6), indent=st.sampled_from([None, 1]),
       chunk=st.integers(min_value=1, max_value=9))
def test_streamed_array_matches_json_loads(items: list[object], indent: int | None,
                                           chunk: int) -> None:
    import io

    data = json.dumps(items, indent=indent, ensure_ascii=False).encode()
    old = _Stream.CHUNK
    _Stream.CHUNK = chunk  # tiny chunks: every item straddles a boundary
    try:
        got = list(iter_json_array(io.BytesIO(data), 10_000))
    finally:
        _Stream.CHUNK = old
    assert got == items


def test_streamed_array_skips_an_oversized_item(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    items = [{"text": "a"}, {"text": "x" * 5000, "nested": [{"q": "]}\\\""}]}, "y" * 3000,
             {"text": "b"}]
    path.write_text(json.dumps(items))
    out = list(read([path], max_bytes=1000))
    assert [type(r).__name__ for r in out] == ["RawRecord", "Reject", "Reject", "RawRecord"]
    assert "over the limit" in out[1].reason and "over the limit" in out[2].reason
    assert out[3].source == f"{path}#4" and out[3].text == "b"


def test_streamed_array_cut_short_keeps_what_came_before(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps([{"text": "a"}, {"text": "b"}, {"text": "c"}])[:-12])
    out = list(read([path]))
    assert [r.source for r in out] == [f"{path}#1", f"{path}#2", str(path)]
    assert isinstance(out[2], Reject) and "after item 2" in out[2].reason


def test_not_an_array_raises() -> None:
    import io

    with pytest.raises(ArrayError):
        list(iter_json_array(io.BytesIO(b'{"a": 1}'), 100))


@settings(max_examples=60, deadline=None)
@given(items=st.lists(json_values, max_size=6), chunk=st.integers(min_value=1, max_value=9),
       limit=st.integers(min_value=1, max_value=60))
def test_streamed_array_rejects_exactly_the_oversized_items(items: list[object], chunk: int,
                                                            limit: int) -> None:
    import io

    old = _Stream.CHUNK
    _Stream.CHUNK = chunk
    try:
        got = list(iter_json_array(io.BytesIO(json.dumps(items).encode()), limit))
    finally:
        _Stream.CHUNK = old
    expected = ["too big" if len(json.dumps(i)) > limit else i for i in items]
    assert ["too big" if isinstance(g, ArrayError) else g for g in got] == expected
