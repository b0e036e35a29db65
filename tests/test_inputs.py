"""The basic input paths of issue 2: folders (recursively), .jsonl.gz, html files, stdin."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from cleanfeed.article import RawRecord, Reject
from cleanfeed.readers import read

STORY = "The library reopened on Monday after eight months of repairs to its roof and windows."


def test_folders_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "b" / "deep" / "z.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b" / "notes.bin").write_bytes(b"\x00\x01")  # unknown suffix inside a folder
    (tmp_path / ".hidden.txt").write_text(STORY, encoding="utf-8")
    sources = [r.source for r in read([tmp_path])]
    assert sources == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "deep" / "z.txt")]


def test_jsonl_gz_records_carry_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": STORY, "url": "https://e.org/1", "tags": ["x"]}) + "\n")
        fh.write("\n")
        fh.write(json.dumps({"html": "<p>" + STORY + "</p>", "authors": "Ann Lee"}) + "\n")
    records = list(read([path]))
    assert [r.source for r in records] == [f"{path}:1", f"{path}:3"]
    first, second = records
    assert isinstance(first, RawRecord) and first.extra == {"tags": ["x"]}
    assert isinstance(second, RawRecord) and second.authors == ("Ann Lee",)


def test_truncated_gzip_ends_in_a_reject_after_the_good_records(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    payload = gzip.compress(("\n".join(json.dumps({"text": f"{STORY} {i}"})
                                       for i in range(200)) + "\n").encode())
    path.write_bytes(payload[: len(payload) // 2])
    records = list(read([path]))
    assert isinstance(records[-1], Reject) and "truncated or corrupt" in records[-1].reason
    assert all(isinstance(r, RawRecord) for r in records[:-1])


def test_wrongly_typed_fields_are_a_reject_with_the_field_named(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"text": {"nested": 1}}) + "\n" + json.dumps([1, 2]) + "\n",
                    encoding="utf-8")
    first, second = read([path])
    assert isinstance(first, Reject) and "field 'text' must be a string" in first.reason
    assert isinstance(second, Reject) and "expected a JSON object" in second.reason


def test_html_file_declaring_its_charset_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes('<html><head><meta charset="iso-8859-1"></head><body><p>Caf\xe9 '
                     'society</p></body></html>'.encode("latin-1"))
    (record,) = read([path])
    assert isinstance(record, RawRecord) and "Café society" in (record.html or "")
