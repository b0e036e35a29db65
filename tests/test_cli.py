from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cleanfeed.cli import main
from tests.conftest import ROOT, SAMPLES, SEED_000, SEED_004

# The command as a user runs it, in a child process (works installed or from a checkout).
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cleanfeed", *args], input=stdin,
                          capture_output=True, timeout=120, check=False, env=ENV)


def lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_clean_seeds_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    proc = run("clean", str(SEED_000), str(SEED_004), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    records = lines(out)
    assert [r["source"] for r in records] == [str(SEED_000), str(SEED_004)]
    assert [r["published"] for r in records] == ["2025-01-31T15:10", "2025-01-31"]
    assert b"2 records: 2 articles, 0 rejected" in proc.stderr
    for key in ("id", "url", "title", "text", "published", "published_precision", "language",
                "site", "authors", "source", "headings", "removed", "duplicate_of"):
        assert key in records[0]


def test_samples_folder_counts_add_up_and_rejects_have_reasons(tmp_path: Path) -> None:
    out, rej = tmp_path / "a.jsonl", tmp_path / "r.jsonl"
    assert main(["clean", str(SAMPLES), "-o", str(out), "--rejects", str(rej), "-q"]) == 0
    articles, rejects = lines(out), lines(rej)
    inputs = len(list(SAMPLES.glob("*.txt"))) + len(list(SAMPLES.glob("*.html")))
    inputs += sum(1 for _ in (SAMPLES / "records.jsonl").open())
    assert len(articles) + len(rejects) == inputs
    assert all(r["reason"] and r["source"] for r in rejects)


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["clean", str(SAMPLES), "-o", str(a), "-q"]) == 0
    assert main(["clean", str(SAMPLES), "-o", str(b), "-q"]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_bad_inputs_are_rejected_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "bad-utf8.txt").write_bytes(b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" * 40)
    with (tmp_path / "huge.txt").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # a 50 MB file, sparse on disk
    shutil.copy(SEED_000, tmp_path / "good.txt")
    out, rej = tmp_path / "out" / "a.jsonl", tmp_path / "r.jsonl"
    proc = run("clean", str(tmp_path), "-o", str(out), "--rejects", str(rej), "--strict")
    assert proc.returncode == 1  # --strict and some rejects
    assert b"Traceback" not in proc.stderr
    assert [Path(r["source"]).name for r in lines(out)] == ["good.txt"]
    reasons = {Path(r["source"]).name: r["reason"] for r in lines(rej)}
    assert reasons["empty.txt"] == "empty document"
    assert "binary" in reasons["junk.txt"]
    assert "UTF-8" in reasons["bad-utf8.txt"]
    assert "over the limit" in reasons["huge.txt"]


def test_jsonl_from_stdin_keeps_unknown_fields_and_rejects_bad_lines() -> None:
    data = (b'{"text": "The festival opened on Friday with a parade through the old town.", '
            b'"category": "culture", "id": "r1"}\n{not json\n')
    proc = run("clean", "-", stdin=data)
    assert proc.returncode == 0
    record = json.loads(proc.stdout.decode().splitlines()[0])
    assert record["id"] == "r1" and record["extra"] == {"category": "culture"}
    assert record["source"] == "<stdin>:1"
    assert b"rejected <stdin>:2: invalid JSON" in proc.stderr


def test_usage_errors_exit_2() -> None:
    assert run("clean", "x.txt", "--fetched-at", "yesterday").returncode == 2
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2


def test_fetched_at_resolves_relative_stamps(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Updated 2 hours ago\nThe bridge reopened to traffic this morning after "
                   "repairs that took three weeks, officials said.\n", encoding="utf-8")
    out = tmp_path / "a.jsonl"
    assert main(["clean", str(src), "-o", str(out), "-q",
                 "--fetched-at", "2025-03-02T09:00:00+00:00"]) == 0
    record = lines(out)[0]
    assert record["fetched_at"] == "2025-03-02T09:00:00+00:00"
    assert record["removed"][0]["text"] == "Updated 2 hours ago"


def test_explain_lists_each_removal_with_cleaner_and_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", str(SEED_000), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "[link_spam] cue line 'Read More' followed by 10 headline-like lines" in out
    assert "[stamps] date stamp at the end: '2025-01-31 15:10'" in out
    assert "\033[" not in out


def test_explain_colours_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SEED_004), "--color", "always"]) == 0
    assert "\033[36mheadings\033[0m" in capsys.readouterr().out


def test_closed_pipe_exits_quietly() -> None:
    proc = subprocess.run(
        f"{sys.executable} -m cleanfeed clean {SAMPLES} | head -c 10",
        shell=True, capture_output=True, timeout=120, check=False, env=ENV)
    assert proc.returncode == 0
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr


def test_output_is_not_written_when_the_run_fails(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "a.jsonl"
    out.write_text("previous\n", encoding="utf-8")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("cleanfeed.cli.Progress.update", interrupted)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["clean", str(SEED_000), "-o", str(out)]) == 130
    assert out.read_text(encoding="utf-8") == "previous\n"
