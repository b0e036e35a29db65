"""Writers: JSONL and Parquet carry the same columns; bad strings never crash a write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleanfeed.article import Article, Reject, Removal
from cleanfeed.writers import JsonlWriter, ParquetWriter, open_writer

pq = pytest.importorskip("pyarrow.parquet")

ARTICLES = [
    Article(id=f"id{i}", source=f"s#{i}", text=f"Body {i} \udcff end", title="T",
            authors=("A", "B"), headings=("H",), published="2026-01-01T00:00:00+00:00",
            removed=(Removal("promos", "cue: subscribe", "Subscribe now"),),
            extra={"k": [1, {"n": None}], "s": "v"}, similarity=0.5 if i else None)
    for i in range(5)
]


def jsonl_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_parquet_has_jsonl_columns_and_values(tmp_path: Path) -> None:
    with open_writer(tmp_path / "a.jsonl") as jw, open_writer(tmp_path / "a.parquet") as pw:
        assert isinstance(jw, JsonlWriter) and isinstance(pw, ParquetWriter)
        for a in ARTICLES:
            jw.write(a)
            pw.write(a)
    rows_j = jsonl_rows(tmp_path / "a.jsonl")
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column_names == list(rows_j[0])
    rows_p = table.to_pylist()
    for rj, rp in zip(rows_j, rows_p, strict=True):
        assert json.loads(rp.pop("extra")) == rj.pop("extra")
        # JSONL keeps a lone surrogate as a JSON escape; Arrow needs valid UTF-8, so Parquet
        # holds the same escape as text
        assert rj["text"] == "Body 0 \udcff end".replace("0", str(rj["id"])[-1])
        rj["text"] = rj["text"].encode("utf-8", "backslashreplace").decode()
        assert rp == rj
    assert rows_p[0]["text"] == "Body 0 \\udcff end"


def test_parquet_row_groups_and_rejects(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    with ParquetWriter(path, row_group_size=2) as w:
        for i in range(5):
            w.write(Reject(source=f"f:{i}", reason="bad", stage="read"))
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 5 and meta.num_row_groups == 3
    assert pq.read_table(path).column("source").to_pylist() == [f"f:{i}" for i in range(5)]


def test_parquet_is_atomic_and_refuses_mixed_kinds(tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    with pytest.raises(TypeError), ParquetWriter(path) as w:
        w.write(ARTICLES[0])
        w.write(Reject(source="x", reason="r", stage="read"))
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_parquet_deterministic_and_empty(tmp_path: Path) -> None:
    for name in ("x.parquet", "y.parquet"):
        with ParquetWriter(tmp_path / name) as w:
            for a in ARTICLES:
                w.write(a)
    assert (tmp_path / "x.parquet").read_bytes() == (tmp_path / "y.parquet").read_bytes()
    with ParquetWriter(tmp_path / "e.parquet"):
        pass
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0


def test_parquet_refuses_stdout() -> None:
    with pytest.raises(ValueError, match="stdout"):
        ParquetWriter("-")


def test_jsonl_survives_lone_surrogates_and_line_separators(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with JsonlWriter(path) as w:
        w.write(Article(id="1", source="s", text="a\ud800b\u2028c\x85d", title="\udfff"))
    raw = path.read_text(encoding="utf-8")
    assert len(raw.splitlines()) == 1
    (row,) = jsonl_rows(path)
    assert row["text"] == "a\ud800b\u2028c\x85d" and row["title"] == "\udfff"
