from __future__ import annotations

import copy as copy_module
import dataclasses
import json
import pickle

import pytest

from cleanfeed.article import Article, RawRecord, Reject, Removal, stable_id
from cleanfeed.writers import dumps


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


def _full_article() -> Article:
    return Article(
        id="1", source="f.jsonl:3", text="Body.", url="https://e.org/a", title="T", site="e.org",
        authors=("A", "B"), published="2025-01-31T15:10:00-05:00", published_precision="second",
        modified="2025-02-01", language="en", fetched_at="2026-01-01T00:00:00+00:00",
        headings=("H",), removed=(Removal("promos", "ad", "Advertisement"),
                                  Removal("chrome", "share", "Share this")),
        duplicate_of="0", similarity=0.75, extra={"category": "x"}, hints={"guarded": ("c",)},
    )


@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_records_pickle_to_equal_frozen_copies_with_the_same_json(protocol: int) -> None:
    """Workers send records and results by pickle: every field (hints too) must survive."""
    raw = RawRecord(source="s", text="t", html="<p>", url="u", title="T", id="i",
                    published="p", modified="m", fetched_at="f", site="e", authors=("A",),
                    language="de", extra={"k": [1]})
    reject = Reject(source="s", reason="r", stage="dedup", id="i", duplicate_of="d",
                    similarity=0.9)
    article = _full_article()
    for obj in (raw, reject, article, article.removed[0]):
        copy = pickle.loads(pickle.dumps(obj, protocol))
        assert type(copy) is type(obj) and copy == obj
        assert all(getattr(copy, f.name) == getattr(obj, f.name)
                   for f in dataclasses.fields(obj))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(copy, dataclasses.fields(obj)[0].name, "other")
    copy = pickle.loads(pickle.dumps(article, protocol))
    assert copy.hints == {"guarded": ("c",)}
    assert dumps(copy.to_dict()) == dumps(article.to_dict())
    assert hash(copy.removed) == hash(article.removed)
    assert copy_module.deepcopy(article) == article and copy_module.copy(reject) == reject


def test_pickle_state_is_the_field_values_in_order() -> None:
    """The state format of ``dataclasses``' own pickling (a list of field values), so
    pickles made before the cheaper state load, and the other way round."""
    article = _full_article()
    values = [getattr(article, f.name) for f in dataclasses.fields(Article)]
    assert list(article.__getstate__()) == values
    blank = Article.__new__(Article)
    blank.__setstate__(values)
    assert blank == article and blank.hints == article.hints
    with pytest.raises(ValueError):  # a truncated state is an error, not a half-built record
        Article.__new__(Article).__setstate__(values[:-1])


def test_evolve_gives_what_dataclasses_replace_gives() -> None:
    """evolve skips replace's per-call fields() walk; the copy must be the same one."""
    from dataclasses import FrozenInstanceError, replace

    base = Article(id="a1", source="s.txt", text="Body.", title="T", authors=("Ana Ruiz",),
                   extra={"k": 1}, hints={"html": "<p>x</p>"})
    for changes in ({"duplicate_of": "a0", "similarity": 0.93}, {"text": "Other."},
                    {"title": None, "authors": ()}, {}):
        got = base.evolve(**changes)
        assert got == replace(base, **changes)
        assert got.to_dict() == replace(base, **changes).to_dict()
        assert got.hints is base.hints
    assert base.duplicate_of is None  # the original is untouched
    with pytest.raises(TypeError, match="no field 'dup'"):
        base.evolve(dup="a0")
    with pytest.raises(FrozenInstanceError):
        base.evolve(text="x").text = "y"  # type: ignore[misc]
    assert base.with_hint("k", 2).hints == {"html": "<p>x</p>", "k": 2}
