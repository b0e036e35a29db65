from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from cleanfeed.cleaners.normalize import normalize, normalize_text
from tests.conftest import make


def test_mojibake_is_repaired_but_typographic_quotes_are_kept() -> None:
    assert normalize_text("Itâ€™s “fine” — really") == "It’s “fine” — really"


def test_line_breaks_spaces_and_invisible_characters_are_unified() -> None:
    raw = "Line\u00a0one\u200b\r\nLine  two\r\rLine\tthree\u2028end"
    assert normalize_text(raw) == "Line one\nLine two\n\nLine three\nend"


def test_lone_surrogates_are_replaced_not_fatal() -> None:
    out = normalize_text("bad \ud800 char")
    assert out == "bad \ufffd char"
    out.encode("utf-8")


def test_title_is_normalised_to_one_line() -> None:
    a = normalize(make("x", title="  Big\u00a0news\nToday "))
    assert a.title == "Big news Today"


@given(st.text(max_size=300))
@example("â\xa0Ü\x86")  # space clean-up once made ftfy repair on the second pass
def test_normalize_is_idempotent_and_always_encodable(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    once.encode("utf-8")
