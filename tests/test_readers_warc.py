"""WARC/WET reader: HTML responses become records; damage becomes rejects, never silence."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers import read
from cleanfeed.readers.warc import HttpError, gzip_damage, parse_http

pytest.importorskip("fastwarc")

PAGE = ("<html><head><title>Harbour news</title></head><body><article><p>The harbour "
        "opened a new pier on Friday.</p></article></body></html>")


def warc_record(warc_type: str, uri: str | None, block: bytes,
                content_type: str = "application/http; msgtype=response",
                date: str = "2026-03-04T05:06:07Z", length: int | None = None) -> bytes:
    """One WARC/1.1 record built by hand (so damaged ones are easy to make)."""
    head = [b"WARC/1.1", f"WARC-Type: {warc_type}".encode(),
            b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>",
            f"WARC-Date: {date}".encode()]
    if uri:
        head.append(f"WARC-Target-URI: {uri}".encode())
    head += [f"Content-Type: {content_type}".encode(),
             f"Content-Length: {len(block) if length is None else length}".encode()]
    return b"\r\n".join(head) + b"\r\n\r\n" + block + b"\r\n\r\n"


def http(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
         extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def info() -> bytes:
    return warc_record("warcinfo", None, b"software: test\r\n",
                       content_type="application/warc-fields")


def gz(*records: bytes) -> bytes:
    return b"".join(gzip.compress(r, mtime=0) for r in records)


@pytest.fixture()
def crawl() -> list[bytes]:
    chunked_body = PAGE.encode()
    chunked = (f"{len(chunked_body[:40]):x}\r\n".encode() + chunked_body[:40] + b"\r\n"
               + f"{len(chunked_body[40:]):x}\r\n".encode() + chunked_body[40:] + b"\r\n0\r\n\r\n")
    return [
        info(),
        warc_record("request", "https://a.example/1", b"GET /1 HTTP/1.1\r\n\r\n",
                    content_type="application/http; msgtype=request"),
        warc_record("response", "https://a.example/1", http(PAGE.encode())),
        warc_record("response", "https://a.example/logo.png", http(b"\x89PNG...", "image/png")),
        warc_record("response", "https://a.example/old", http(b"", status="301 Moved")),
        warc_record("response", "<https://a.example/latin>",
                    http(PAGE.replace("pier", "quai à café").encode("cp1252"),
                         "text/html; charset=windows-1252")),
        warc_record("response", "https://a.example/gz",
                    http(gzip.compress(PAGE.encode(), mtime=0),
                         extra="Content-Encoding: gzip\r\n")),
        warc_record("response", "https://a.example/chunked",
                    http(chunked, extra="Transfer-Encoding: chunked\r\n")),
        warc_record("response", "https://a.example/junk", http(bytes(range(256)) * 8)),
    ]


def test_warc_html_responses(tmp_path: Path, crawl: list[bytes]) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(b"".join(crawl))
    out = list(read([path]))
    offsets = [sum(len(r) for r in crawl[:i]) for i in range(len(crawl))]
    recs = [r for r in out if isinstance(r, RawRecord)]
    assert [r.url for r in recs] == ["https://a.example/1", "https://a.example/latin",
                                     "https://a.example/gz", "https://a.example/chunked"]
    assert recs[0].source == f"{path}@{offsets[2]}"
    assert recs[0].html == PAGE and recs[0].fetched_at == "2026-03-04T05:06:07Z"
    assert recs[1].html is not None and "quai à café" in recs[1].html
    assert recs[2].html == PAGE and recs[3].html == PAGE
    (junk,) = [r for r in out if isinstance(r, Reject)]
    assert junk.source == f"{path}@{offsets[8]}" and "binary" in junk.reason


def test_warc_gz_offsets_are_compressed_offsets(tmp_path: Path, crawl: list[bytes]) -> None:
    path = tmp_path / "crawl.warc.gz"
    members = [gzip.compress(r, mtime=0) for r in crawl]
    path.write_bytes(b"".join(members))
    recs = [r for r in read([path]) if isinstance(r, RawRecord)]
    assert len(recs) == 4
    assert recs[0].source == f"{path}@{sum(len(m) for m in members[:2])}"


def test_truncated_record_is_a_reject(tmp_path: Path, crawl: list[bytes]) -> None:
    data = b"".join(crawl[:3])
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:-60])
    out = list(read([path]))
    assert len(out) == 1 and isinstance(out[0], Reject)
    assert "truncated" in out[0].reason
    assert out[0].source == f"{path}@{len(b''.join(crawl[:2]))}"


def test_truncated_gzip_member_is_reported(tmp_path: Path, crawl: list[bytes]) -> None:
    data = gz(*crawl[:3], crawl[5])
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:-30])
    out = list(read([path]))
    assert [type(r).__name__ for r in out] == ["RawRecord", "Reject"]
    assert "truncated" in out[1].reason
    assert gzip_damage(path) is not None
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(data)
    assert gzip_damage(whole) is None


def test_bad_header_stops_with_reject_after_good_records(tmp_path: Path,
                                                          crawl: list[bytes]) -> None:
    path = tmp_path / "bad.warc"
    path.write_bytes(b"".join(crawl[:3]) + b"garbage, not a WARC header\r\n\r\n" + crawl[2])
    out = list(read([path]))
    assert [type(r).__name__ for r in out] == ["RawRecord", "Reject"]
    assert "cannot be read after the record at offset" in out[1].reason


def test_wet_conversion_records(tmp_path: Path) -> None:
    text = "Plain extracted text of a page.\nSecond line."
    path = tmp_path / "crawl.warc.wet"
    path.write_bytes(info() + warc_record("conversion", "https://w.example/", text.encode(),
                                          content_type="text/plain"))
    (rec,) = read([path])
    assert isinstance(rec, RawRecord) and rec.text == text and rec.html is None
    assert rec.url == "https://w.example/"


def test_record_over_max_bytes(tmp_path: Path, crawl: list[bytes]) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(b"".join(crawl[:3]))
    (rej,) = read([path], max_bytes=100)
    assert isinstance(rej, Reject) and "over the limit" in rej.reason


def test_oversized_non_html_is_skipped_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "big.warc"
    video = warc_record("response", "https://a.example/video", http(b"\x00" * 5000, "video/mp4"))
    path.write_bytes(video + warc_record("response", "https://a.example/page",
                                         http(PAGE.encode() * 40)))
    out = list(read([path], max_bytes=4000))
    assert len(out) == 1 and isinstance(out[0], Reject)
    assert "over the limit" in out[0].reason and out[0].source == f"{path}@{len(video)}"


def test_crawler_truncation_is_kept_in_extra(tmp_path: Path) -> None:
    path = tmp_path / "t.warc"
    rec = warc_record("response", "https://a.example/", http(PAGE.encode()))
    path.write_bytes(rec.replace(b"WARC-Date:", b"WARC-Truncated: length\r\nWARC-Date:", 1))
    (out,) = read([path])
    assert isinstance(out, RawRecord) and out.extra == {"warc_truncated": "length"}


def test_empty_and_non_warc(tmp_path: Path) -> None:
    empty = tmp_path / "e.warc.gz"
    empty.write_bytes(b"")
    other = tmp_path / "o.warc"
    other.write_bytes(b"hello, I am not a WARC file\n")
    out = list(read([empty, other]))
    assert [type(r).__name__ for r in out] == ["Reject", "Reject"]


def test_gzip_bomb_body_is_bounded() -> None:
    bomb = zlib.compress(b"<p>" + b"a" * 5_000_000, 9)
    with pytest.raises(HttpError, match="decompresses to over"):
        parse_http(http(bomb, extra="Content-Encoding: deflate\r\n"), max_bytes=1_000_000)


SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "inputs"
if not SHARED.exists():
    SHARED = Path("/work/shared/datasets/inputs")


@pytest.mark.skipif(not (SHARED / "hostile" / "warc-truncated").exists(),
                    reason="shared data absent")
def test_real_truncated_warcs_report_damage() -> None:
    folder = SHARED / "hostile" / "warc-truncated"
    for name in ("warcfile.warc.gz.trunc70000", "dolma-sample-0000.warc.gz.trunc100001",
                 "warcfile.warc.trunc300000"):
        out = list(read([folder / name], format="warc"))
        assert any(isinstance(r, RawRecord) for r in out), name
        assert isinstance(out[-1], Reject) and "truncated" in out[-1].reason, name
    clipped = list(read([SHARED / "warc" / "resiliparse" / "clipped.warc.gz"]))
    assert len(clipped) == 1 and isinstance(clipped[0], Reject)
