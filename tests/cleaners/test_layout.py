from __future__ import annotations

from cleanfeed.cleaners.layout import paragraphs, unwrap
from tests.conftest import make


def test_one_paragraph_per_line_becomes_blank_line_separated() -> None:
    assert paragraphs(make("First.\nSecond.\nThird.")).text == "First.\n\nSecond.\n\nThird."


def test_a_list_inside_blank_line_paragraphs_keeps_its_lines() -> None:
    text = "Intro.\n\nItems:\n- a\n\nMore text.\n\nEnd."
    assert paragraphs(make(text)).text == text


def test_soft_wrapped_sentence_is_joined() -> None:
    out = unwrap(make("The council said the money would go to\nroads and schools.\nNext one."))
    assert out.text == "The council said the money would go to roads and schools.\nNext one."


def test_lines_after_a_full_stop_are_not_joined() -> None:
    text = "It ended.\nlowercase brand names start lines too."
    assert unwrap(make(text)).text == text
