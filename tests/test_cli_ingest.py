"""The command's ingest options: feeds/WARC/JSON in, Parquet out, presets, maps, limits."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cleanfeed.cli import main
from tests.conftest import SEED_000
from tests.test_readers_feeds import RSS2

STORY = SEED_000.read_text(encoding="utf-8")


def jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_feed_to_parquet_with_parquet_rejects(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS2)
    out, rej = tmp_path / "a.parquet", tmp_path / "r.parquet"
    assert main(["clean", str(feed), "-o", str(out), "--rejects", str(rej), "-q"]) == 0
    articles = pq.read_table(out).to_pylist()
    rejects = pq.read_table(rej).to_pylist()
    assert len(articles) + len(rejects) == 3
    assert {r["source"] for r in rejects} >= {f"{feed}#3"}
    first = next(a for a in articles if a["source"] == f"{feed}#1")
    assert "old bridge reopened" in first["text"] and first["url"].endswith("/bridge")


def test_preset_and_map(tmp_path: Path) -> None:
    src = tmp_path / "np.jsonl"
    src.write_text(json.dumps({"maintext": STORY, "title": "T", "url": "https://n.example/a",
                               "date_publish": "2024-05-06 07:08:09", "alt": "Other body."})
                   + "\n", encoding="utf-8")
    out = tmp_path / "a.jsonl"
    assert main(["clean", str(src), "-o", str(out), "--preset", "news-please", "-q"]) == 0
    (a,) = jsonl(out)
    assert a["url"] == "https://n.example/a" and a["published"].startswith("2024-05-06")
    assert main(["clean", str(src), "-o", str(out), "--preset", "news-please",
                 "--map", "text=alt", "-q"]) == 0
    (b,) = jsonl(out)
    assert b["text"] == "Other body."


def test_format_override(tmp_path: Path) -> None:
    src = tmp_path / "feed.download"  # an unknown suffix read as text by default
    src.write_bytes(RSS2)
    out = tmp_path / "a.jsonl"
    assert main(["clean", str(src), "-o", str(out), "--format", "feed", "-q"]) == 0
    assert {a["source"] for a in jsonl(out)} <= {f"{src}#1", f"{src}#2"}


def test_bad_map_is_a_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "x.jsonl"
    src.write_text("{}\n")
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(src), "--map", "nosuch=x", "-q"])
    assert exc.value.code == 2


def test_time_limit_option(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(STORY, encoding="utf-8")
    out = tmp_path / "a.jsonl"
    assert main(["clean", str(src), "-o", str(out), "--time-limit", "30", "-q"]) == 0
    assert len(jsonl(out)) == 1
    with pytest.raises(SystemExit):
        main(["clean", str(src), "--time-limit", "0", "-q"])


def test_parquet_without_pyarrow_is_a_usage_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    with pytest.raises(SystemExit) as exit_info:
        main(["clean", str(SEED_000), "-o", str(tmp_path / "a.parquet"), "-q"])
    assert exit_info.value.code == 2
    assert "pip install 'cleanfeed[parquet]'" in capsys.readouterr().err
    assert not (tmp_path / "a.parquet").exists()


def test_explain_reads_what_clean_reads(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """explain takes the same input options as clean: a preset and a forced format."""
    src = tmp_path / "np.jsonl"
    src.write_text(json.dumps({"maintext": STORY, "title": "Preset title"}) + "\n",
                   encoding="utf-8")
    assert main(["explain", str(src), "--preset", "news-please", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "title 'Preset title'" in out and "[link_spam]" in out
    feed = tmp_path / "feed.download"
    feed.write_bytes(RSS2)
    assert main(["explain", str(feed), "--format", "feed", "--color", "never"]) == 0
    assert f"== {feed}#1" in capsys.readouterr().out
    assert main(["explain", str(src), "--max-bytes", "10", "--color", "never"]) == 0
    assert "rejected at read" in capsys.readouterr().out
