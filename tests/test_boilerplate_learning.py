"""Batch learning of a site's boilerplate: SeenLines persistence, bounded memory, and the
``cleanfeed clean --learn-boilerplate`` / ``--seen-lines`` flags. Dumps written for the test."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import cleanfeed
from cleanfeed.article import RawRecord
from cleanfeed.cleaners.boilerplate import SeenLines, StripBoilerplate, use_seen_lines
from cleanfeed.cli import main

#: Looks like prose, so the record-by-record scorer keeps it: only repetition gives it away.
SLOGAN = "The Harbour Gazette has reported on this town since 1887, every single day."
assert len(SLOGAN) <= 80  # longer lines need one document more (LONG_LINE)
STORIES = [
    "The council approved the new harbour budget on Tuesday after a debate that ran past "
    "midnight. Members argued over the cost of dredging and the timetable for the new quay.",
    "Heavy rain flooded the lower town on Sunday, and the ferry service was suspended for the "
    "day. Engineers said the sea wall held, but two roads remain closed until Friday.",
    "The school board voted to extend the library's opening hours during exam season. Parents "
    "had asked for a quiet place for students to revise in the evenings and at weekends.",
]


def dump(story: str) -> str:
    return f"{SLOGAN}\n\n{story}\n"


def write_jsonl(path: Path, stories: list[str], site: str = "gazette.example") -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i, story in enumerate(stories):
            f.write(json.dumps({"url": f"https://www.{site}/news/{i}", "text": dump(story)}) + "\n")
    return path


def texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_learned_line_is_cut_that_one_record_alone_keeps() -> None:
    records = [RawRecord(source=str(i), text=dump(s), url=f"https://gazette.example/{i}")
               for i, s in enumerate(STORIES)]
    plain = cleanfeed.default_pipeline()
    assert all(SLOGAN in a.text for a in map(plain, records))  # type: ignore[union-attr]
    seen = SeenLines()
    assert seen.learn(records) == 3
    learned = use_seen_lines(cleanfeed.default_pipeline(), seen)
    for record, story in zip(records, STORIES, strict=True):
        article = learned(record)
        assert article.text == story  # type: ignore[union-attr]
        assert [r.cleaner for r in article.removed] == ["boilerplate"]  # type: ignore[union-attr]


def test_learning_skips_html_records_and_rejects() -> None:
    seen = SeenLines()
    html = RawRecord(source="p.html", html="<p>x</p>", text=dump(STORIES[0]))
    assert seen.learn([html, cleanfeed.Reject(source="r", reason="bad", stage="read")]) == 0
    assert seen.documents == 0


def test_lines_of_another_site_are_not_learned_for_this_one() -> None:
    seen = SeenLines(min_docs=2, min_docs_any=5)
    for story in STORIES[:2]:
        seen.add(dump(story), key="gazette.example")
    assert seen.is_boilerplate(SLOGAN, key="gazette.example")
    assert not seen.is_boilerplate(SLOGAN, key="other.example")  # 2 < min_docs_any


def test_save_and_load_give_the_same_model_and_the_same_bytes(tmp_path: Path) -> None:
    seen = SeenLines.fit([dump(s) for s in STORIES], ["gazette.example"] * 3)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    seen.save(first)
    loaded = SeenLines.load(first)
    loaded.save(second)
    assert first.read_bytes() == second.read_bytes()
    assert loaded.is_boilerplate(SLOGAN, "gazette.example")
    assert not loaded.is_boilerplate(STORIES[0], "gazette.example")
    assert loaded.documents == 3


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="seen-lines model"):
        SeenLines.load(bad)
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(ValueError, match="seen-lines model"):
        SeenLines.load(bad)


def test_memory_is_bounded_and_recurring_lines_survive_pruning() -> None:
    seen = SeenLines(max_lines=200)
    for i in range(300):  # 300 documents, each with unique lines plus one shared footer
        seen.add(f"Unique line number {i} of this test\nAnother unique line {i}\n"
                 "Copyright Gazette Media, all of it", key="")
        assert len(seen._any) + len(seen._by_key) <= 200
    assert seen.is_boilerplate("Copyright Gazette Media, all of it")
    again = SeenLines(max_lines=200)
    for i in range(300):
        again.add(f"Unique line number {i} of this test\nAnother unique line {i}\n"
                  "Copyright Gazette Media, all of it", key="")
    assert again._any == seen._any  # pruning depends on the input order only


def test_step_without_a_model_ignores_site_keys() -> None:
    step = StripBoilerplate()
    text = dump(STORIES[0])
    assert step.seen is None
    assert cleanfeed.clean(text).text.startswith(SLOGAN)  # type: ignore[union-attr]


# ---- the command line ---------------------------------------------------------------------

def test_cli_learn_boilerplate_cuts_lines_repeated_across_the_batch(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "dumps.jsonl", STORIES)
    plain, learned = tmp_path / "plain.jsonl", tmp_path / "learned.jsonl"
    assert main(["clean", str(data), "-o", str(plain), "-q"]) == 0
    assert main(["clean", str(data), "-o", str(learned), "-q", "--learn-boilerplate"]) == 0
    assert all(t.startswith(SLOGAN) for t in texts(plain))
    assert texts(learned) == STORIES


def test_cli_learned_output_is_deterministic(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "dumps.jsonl", STORIES)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    ma, mb = tmp_path / "a.model", tmp_path / "b.model"
    for out, model in ((a, ma), (b, mb)):
        assert main(["clean", str(data), "-o", str(out), "-q", "--learn-boilerplate",
                     "--seen-lines", str(model)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert ma.read_bytes() == mb.read_bytes()


def test_cli_seen_lines_model_is_reused_on_a_later_run(tmp_path: Path) -> None:
    model = tmp_path / "gazette.model"
    crawl = write_jsonl(tmp_path / "crawl.jsonl", STORIES[:2])
    assert main(["clean", str(crawl), "-o", str(tmp_path / "x.jsonl"), "-q",
                 "--learn-boilerplate", "--seen-lines", str(model)]) == 0
    assert json.loads(model.read_text(encoding="utf-8"))["documents"] == 2
    later = write_jsonl(tmp_path / "later.jsonl", STORIES[2:])  # one new page of the site
    out = tmp_path / "later-clean.jsonl"
    assert main(["clean", str(later), "-o", str(out), "-q", "--seen-lines", str(model)]) == 0
    assert texts(out) == STORIES[2:]
    # the model is read, not written, without --learn-boilerplate
    assert json.loads(model.read_text(encoding="utf-8"))["documents"] == 2


def test_cli_seen_lines_model_works_with_stdin(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "m.model"
    data = write_jsonl(tmp_path / "d.jsonl", STORIES)
    assert main(["clean", str(data), "-o", str(tmp_path / "x.jsonl"), "-q",
                 "--learn-boilerplate", "--seen-lines", str(model)]) == 0
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data.read_bytes())))
    out = tmp_path / "o.jsonl"
    assert main(["clean", "-", "--format", "jsonl", "-o", str(out), "-q",
                 "--seen-lines", str(model)]) == 0
    assert texts(out) == STORIES


def test_cli_learning_from_stdin_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["clean", "-", "--learn-boilerplate"])
    assert exc.value.code == 2
    assert "cannot re-read stdin" in capsys.readouterr().err


def test_cli_missing_or_broken_model_is_a_usage_error(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", STORIES)
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(data), "--seen-lines", str(tmp_path / "missing.model")])
    assert exc.value.code == 2
    assert "no such model" in capsys.readouterr().err
    broken = tmp_path / "broken.model"
    broken.write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(data), "--seen-lines", str(broken)])
    assert exc.value.code == 2
    assert "seen-lines model" in capsys.readouterr().err
