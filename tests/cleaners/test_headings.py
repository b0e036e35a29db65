from __future__ import annotations

from cleanfeed.cleaners.headings import headings, is_heading_candidate
from tests.conftest import make

P = ("The committee met for six hours on Tuesday and agreed to publish its findings "
     "before the end of the year.")


def test_inline_heading_moves_to_headings() -> None:
    out = headings(make(f"{P}\n\nThe Importance of Scaling Laws\n\n{P}"))
    assert out.text == f"{P}\n\n{P}"
    assert out.headings == ("The Importance of Scaling Laws",)
    assert out.removed[0].reason == "inline heading"


def test_shouty_video_title_is_a_heading() -> None:
    out = headings(make(f"{P}\nEx-OpenAI VP's SHOCKING DeepSeek WARNING!\n{P}"))
    assert out.headings == ("Ex-OpenAI VP's SHOCKING DeepSeek WARNING!",)


def test_short_exclamation_in_sentence_case_stays() -> None:
    assert not is_heading_candidate("What a night it was for the fans!")


def test_list_of_short_lines_without_prose_after_stays() -> None:
    text = f"{P}\n\nBread\n\nMilk\n\nEggs"
    assert headings(make(text)).text == text


def test_list_items_ending_in_full_stops_stay() -> None:
    text = f"{P}\n\nCheaper engineering.\n\nSynthetic data.\n\n{P}"
    assert headings(make(text)).text == text


def test_soft_wrapped_line_is_not_a_heading() -> None:
    text = f"{P}\nThe council said the money would go to\nroads and schools in the north.\n{P}"
    assert headings(make(text)).text == text


def test_title_line_becomes_the_title_when_there_is_none() -> None:
    out = headings(make(f"Harbor Council Approves Flood Barrier\n{P}"))
    assert out.title == "Harbor Council Approves Flood Barrier"
    assert out.text == P and out.headings == ()


def test_first_line_repeating_the_title_is_dropped() -> None:
    out = headings(make(f"Rail line reopens\n{P}", title="Rail Line Reopens"))
    assert out.text == P and out.title == "Rail Line Reopens"
    assert out.removed[0].reason == "repeats the title"


def test_quoted_line_stays() -> None:
    text = f"{P}\n“We will not give up”\n{P}"
    assert headings(make(text)).text == text


def test_a_long_run_of_short_lines_before_prose_is_a_list_not_headings() -> None:
    items = "\n".join(["2 Cups Sugar", "1 Jar Honey", "Ground Cloves", "Fresh Lemon Juice"])
    text = f"{P}\n{items}\n{P}"
    assert headings(make(text)).text == text
