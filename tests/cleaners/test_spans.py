from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleanfeed.cleaners.spans import Cut, apply_cuts, iter_lines, tidy
from tests.conftest import make


def test_whole_line_cut_takes_its_line_break() -> None:
    a = make("one\ntwo\nthree")
    out = apply_cuts(a, [Cut(4, 7, "junk")], "t")
    assert out.text == "one\nthree"
    assert [(r.cleaner, r.reason, r.text) for r in out.removed] == [("t", "junk", "two")]


def test_overlapping_cuts_merge_and_keep_the_first_reason() -> None:
    a = make("aaaa bbbb cccc dddd eeee ffff")
    out = apply_cuts(a, [Cut(5, 12, "first"), Cut(10, 14, "second")], "t")
    assert out.text == "aaaa  dddd eeee ffff"
    assert [r.reason for r in out.removed] == ["first"]


def test_headings_are_kept_in_headings() -> None:
    a = make("Title Line\nBody text here.")
    out = apply_cuts(a, [Cut(0, 10, "heading", heading=True)], "h")
    assert out.headings == ("Title Line",) and out.text == "Body text here."


def test_budget_guard_reverts_a_cleaner_that_would_remove_most_of_the_text() -> None:
    a = make("short junk\n" + "x" * 5)
    out = apply_cuts(a, [Cut(0, 10, "junk")], "greedy", budget=0.5)
    assert out.text == a.text and out.removed == ()
    assert out.hints["guarded"] == ("greedy",)


def test_iter_lines_offsets_slice_back_to_the_line() -> None:
    text = "a\n\nbc\n"
    assert [text[ln.start:ln.end] for ln in iter_lines(text)] == ["a", "", "bc", ""]


@given(st.text(alphabet="ab \n", max_size=60), st.lists(st.tuples(
    st.integers(0, 60), st.integers(0, 60)), max_size=5))
def test_nothing_is_lost_every_removed_char_is_recorded(text: str,
                                                        spans: list[tuple[int, int]]) -> None:
    cuts = [Cut(min(s, e, len(text)), min(max(s, e), len(text)), "r") for s, e in spans]
    out = apply_cuts(make(text), cuts, "t", budget=1.0)
    kept = sorted((out.text + "".join(r.text for r in out.removed)).replace(" ", "")
                  .replace("\n", ""))
    assert kept == sorted(text.replace(" ", "").replace("\n", ""))


@given(st.text(max_size=200))
def test_tidy_is_idempotent(text: str) -> None:
    assert tidy(tidy(text)) == tidy(text)
