from __future__ import annotations

import dataclasses
import json

import pytest

from cleanfeed.article import Article, RawRecord, Reject, Removal, stable_id


def test_article_is_frozen() -> None:
    a = Article(id="1", source="s", text="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.text = "y"  # type: ignore[misc]


def test_to_dict_round_trip_keeps_every_field() -> None:
    a = Article(
        id="1", source="f.jsonl:3", text="Body.", url="https://e.org/a", title="T",
        authors=("A", "B"), published="2025-01-31T15:10:00-05:00", published_precision="second",
        language="en", headings=("H",), removed=(Removal("promos", "ad", "Advertisement"),),
        extra={"category": "x"}, hints={"html": "<p>"},
    )
    data = json.loads(json.dumps(a.to_dict()))
    assert data["removed"] == [{"cleaner": "promos", "reason": "ad", "text": "Advertisement"}]
    assert "hints" not in data
    assert Article.from_dict(data) == a


def test_from_dict_puts_unknown_keys_in_extra() -> None:
    a = Article.from_dict({"id": "1", "source": "s", "text": "t", "mystery": 5})
    assert a.extra == {"mystery": 5}


def test_stable_id_depends_on_identity_and_content_only() -> None:
    a = Article(id="x", source="s", text="Body", url="https://e.org/1")
    assert stable_id(a) == stable_id(a.evolve(id="other", language="de"))
    assert stable_id(a) != stable_id(a.evolve(text="Body!"))
    assert stable_id(a) != stable_id(a.evolve(url="https://e.org/2"))
    assert len(stable_id(a)) == 16


def test_from_raw_moves_raw_values_into_hints() -> None:
    raw = RawRecord(source="s", html="<p>x</p>", published="yesterday", id="r1", extra={"k": 1})
    a = Article.from_raw(raw)
    assert a.id == "r1" and a.text == "" and a.extra == {"k": 1}
    assert a.hints["html"] == "<p>x</p>" and a.hints["published_raw"] == "yesterday"


def test_reject_dict_names_duplicate_only_when_set() -> None:
    assert "duplicate_of" not in Reject(source="s", reason="r", stage="read").to_dict()
    d = Reject(source="s", reason="duplicate", stage="dedup", duplicate_of="a", similarity=0.9)
    assert d.to_dict()["duplicate_of"] == "a"
