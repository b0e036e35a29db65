"""The page chrome that ends an extracted text ("Comments", "Sign up now", "Filed under: ...")
is cut (:func:`cleanfeed.extract.trailing_chrome_cut`); the story's own ending, and a credit or
rights line under it, are kept."""

from __future__ import annotations

import pytest

from cleanfeed import extract as ex
from cleanfeed.article import Article, RawRecord
from cleanfeed.extract import extract, trailing_chrome_cut
from cleanfeed.pipeline import Pipeline
from tests.test_extract import LIST_ITEMS, PARAGRAPHS, STORY_BODY, page

STORY = "\n".join(PARAGRAPHS)
CHROME = ["Filed under: Harbour | Storms", "More Great Stories", "Sign up now", "Comments"]


def _extract_step(html: str) -> Article:
    out = Pipeline([extract])(RawRecord(source="test", html=html))
    assert isinstance(out, Article)
    return out


def _rest(text: str) -> str:
    cut = trailing_chrome_cut(text)
    return text if cut is None else text[:cut.start]


def test_the_chrome_lines_after_the_story_are_cut_together() -> None:
    text = STORY + "\n" + "\n".join(CHROME)
    assert _rest(text).rstrip() == STORY
    assert _rest(STORY + "\nhttps://example.org/sea-wall\nAdvertisement").rstrip() == STORY


def test_a_story_that_ends_in_a_short_sentence_is_kept_whole() -> None:
    """Short closing lines that read as prose are story: the run never starts."""
    for ending in ("The vote was 12 to 3.", "\u201cWe will be ready,\u201d she said.",
                   "Read the council's report online."):
        assert trailing_chrome_cut(STORY + "\n" + ending) is None
    assert trailing_chrome_cut(STORY) is None


def test_the_run_stops_at_the_last_line_of_story() -> None:
    """Chrome between story paragraphs is not the tail: only the run after the last prose
    line goes."""
    kept = PARAGRAPHS[0] + "\nShare\n" + "\n".join(PARAGRAPHS[1:])
    assert _rest(kept + "\nComments").rstrip() == kept


def test_a_credit_or_rights_line_stops_the_run() -> None:
    """"(c) Gazette", "Photo: ...", "Copyright ..." name the story's source: kept, and the
    chrome under them still goes."""
    for credit in ("\u00a9 Port Elin Gazette", "Photo: Jane Doe",
                   "Copyright 2024 Port Elin Gazette. All rights reserved."):
        assert _rest(STORY + "\n" + credit + "\nComments").rstrip() == STORY + "\n" + credit
        assert trailing_chrome_cut(STORY + "\n" + credit) is None


def test_long_lines_the_first_line_and_a_large_share_are_never_cut() -> None:
    long_cue = "Subscribe to our newsletter for the day's top stories from the harbour and more"
    assert trailing_chrome_cut(STORY + "\n" + long_cue) is None  # more than 8 words
    assert trailing_chrome_cut("Subscribe") is None  # the only line
    short = "The wall failed in January."
    assert trailing_chrome_cut(short + "\n" + "\n".join(CHROME)) is None  # most of the words


def test_the_extract_step_cuts_and_records_the_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura's text ending in a comments header and a newsletter prompt: both go, recorded,
    and the story with its list stays whole."""
    monkeypatch.setattr(ex, "_trafilatura_text",
                        lambda tree, url: STORY + "\nSign up now\nComments")
    out = _extract_step(page(STORY_BODY))
    assert out.text == STORY
    assert ("extract", "page chrome after the story") in {(r.cleaner, r.reason)
                                                           for r in out.removed}


def test_a_real_page_keeps_its_story_whole() -> None:
    """A page whose article ends with its story, then a comments header inside the article."""
    out = _extract_step(page(STORY_BODY + "<p>Comments</p>"))
    assert all(p in out.text for p in PARAGRAPHS)
    assert all(item in out.text for item in LIST_ITEMS)
    assert out.text.rstrip().endswith(PARAGRAPHS[3])
    assert "Comments" not in out.text.splitlines()
