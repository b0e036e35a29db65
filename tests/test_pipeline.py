from __future__ import annotations

import pickle

import cleanfeed
from cleanfeed.article import Article, Drop, RawRecord, Reject
from cleanfeed.cleaners.spans import Cut, apply_cuts
from cleanfeed.pipeline import Pipeline, step_name


def upper(article: Article) -> Article:
    return article.evolve(text=article.text.upper())


class DropShort:
    """A configured step: a small class with options in __init__."""

    name = "drop_short"

    def __init__(self, min_chars: int) -> None:
        self.min_chars = min_chars

    def __call__(self, article: Article) -> Article | Drop:
        if len(article.text) < self.min_chars:
            return Drop(f"shorter than {self.min_chars} characters")
        return article


def test_steps_run_in_order_on_a_raw_record() -> None:
    result = Pipeline([upper, DropShort(3)])(RawRecord(source="s", text="hello"))
    assert isinstance(result, Article) and result.text == "HELLO"


def test_drop_becomes_a_reject_with_the_step_name() -> None:
    result = Pipeline([DropShort(10)])(RawRecord(source="f.txt", text="hi"))
    assert isinstance(result, Reject)
    assert (result.stage, result.reason, result.source) == (
        "drop_short", "shorter than 10 characters", "f.txt")


def test_a_failing_step_rejects_one_record_and_the_run_goes_on() -> None:
    def boom(article: Article) -> Article:
        if "bad" in article.text:
            raise ValueError("cannot handle this")
        return article

    pipe = Pipeline([boom])
    out = list(pipe.run([RawRecord(source="1", text="good"), RawRecord(source="2", text="bad"),
                         RawRecord(source="3", text="good too")]))
    assert [type(r).__name__ for r in out] == ["Article", "Reject", "Article"]
    assert out[1].reason == "boom failed: ValueError: cannot handle this"
    assert pipe.stats["articles"] == 2 and pipe.stats["rejected"] == 1


def test_a_step_returning_garbage_is_a_reject_not_a_crash() -> None:
    result = Pipeline([lambda a: None])(RawRecord(source="s", text="x"))  # type: ignore[arg-type, return-value]
    assert isinstance(result, Reject) and "not an Article" in result.reason


def test_reader_rejects_pass_through_and_are_counted() -> None:
    pipe = Pipeline([upper])
    reject = Reject(source="x", reason="empty document", stage="read")
    assert list(pipe.run([reject])) == [reject]
    assert pipe.stats["rejected"] == 1


def test_removals_are_counted_per_step() -> None:
    def cut_first_word(article: Article) -> Article:
        return apply_cuts(article, [Cut(0, 4, "first word")], "cutter", budget=1.0)

    pipe = Pipeline([cut_first_word])
    pipe(RawRecord(source="s", text="junk story"))
    assert pipe.stats["cutter.removed"] == 1


def test_step_name_prefers_name_then_function_then_class() -> None:
    assert step_name(DropShort(1)) == "drop_short"
    assert step_name(upper) == "upper"

    class Plain:
        def __call__(self, a: Article) -> Article:
            return a

    assert step_name(Plain()) == "Plain"


def test_user_step_joins_the_default_pipeline_without_registration() -> None:
    def no_exclamations(article: Article) -> Article:
        return article.evolve(text=article.text.replace("!", "."))

    pipe = cleanfeed.default_pipeline(extra_steps=[no_exclamations])
    result = pipe(RawRecord(source="s", text="The river rose two metres overnight! Roads closed."))
    assert isinstance(result, Article)
    assert result.text == "The river rose two metres overnight. Roads closed."


def test_default_pipeline_pickles_for_worker_processes() -> None:
    pipe = cleanfeed.default_pipeline()
    clone = pickle.loads(pickle.dumps(pipe))
    text = "The council met on Monday and agreed the budget for next year after a long debate."
    a, b = pipe(RawRecord(source="s", text=text)), clone(RawRecord(source="s", text=text))
    assert isinstance(a, Article) and a == b


def test_record_without_content_is_rejected() -> None:
    result = Pipeline([])(RawRecord(source="s"))
    assert isinstance(result, Reject) and result.stage == "read"
