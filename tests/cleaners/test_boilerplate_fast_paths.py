"""The speed-ups of the text-dump step give the same answers as the definitions they replace.

Each fast path (a set lookup or ``str`` method instead of a regex call) is checked against the
regex it stands for on hand-written lines chosen to sit on the edges: odd whitespace, punctuation
touching a cue word, Unicode letters and digits.
"""

from __future__ import annotations

import re

import pytest

from cleanfeed.cleaners import boilerplate as bp
from cleanfeed.cleaners.spans import tidy


@pytest.mark.parametrize("text", [
    "Hello World", "the Quick brown", "", "1234 --", "ÉCOLE été", "Straße", "ǅemal", "İstanbul",
    "日本語 テキスト", "a1B2c3", "ALL CAPS",
])
def test_letter_counts_match_str_methods(text: str) -> None:
    assert bp.letter_counts(text) == (sum(map(str.islower, text)), sum(map(str.isalpha, text)))


@pytest.mark.parametrize("line", [
    "* Home", "*\u00a0Home", "•\tItem", "*Home", "- ", "-", "o Item", "only text", "» Next",
    "12. Twelfth", "1) First", "1234. Not a bullet", "  +   spaced out  ", "*\u2003Em space",
])
def test_bullet_fast_path_matches_the_bullet_regex(line: str) -> None:
    body = line.strip()
    m = bp._BULLET.match(body)
    expected = body[m.end():] if m else body
    features = bp.line_features.__wrapped__(line)
    assert features.bullet is (m is not None)
    assert features.words == len(expected.split())


@pytest.mark.parametrize("line", [
    "home share more", "Share  Share", "search", "menu 2024", "photos videos",
    "Share this story", "email", "sharing is caring", "pubblicità", "Suscríbete ya", "share¹",
])
def test_plain_cue_count_matches_the_cue_regex(line: str) -> None:
    low = line.lower()
    assert low.replace(" ", "").isalnum()  # the lines the set-lookup path is used for
    tokens = line.split()
    assert bp._cue_words(tokens, low, plain=True) == bp._cue_words(tokens, low, plain=False)


@pytest.mark.parametrize("line", [
    "share,", "(share", "x.share", "share.com", "’share", "@share", "share’s", "_share",
    "Share/Print", "a/share", "—share—",
])
def test_cue_lines_with_punctuation_still_use_the_regex(line: str) -> None:
    low = line.lower()
    assert not low.replace(" ", "").isalnum() and line[-1] not in bp._END_CHARS
    features = bp.line_features.__wrapped__(line)
    cues = len(bp._CUE_WORD.findall(low))
    assert features.chrome is (cues >= 1 or bp._PHRASES.search(low) is not None)


def test_wall_prefilter_keeps_every_wall_start() -> None:
    for start in bp.WALL_STARTS:
        assert bp.line_features.__wrapped__(start.capitalize()).wall, start
        assert bp.line_features.__wrapped__(f"12 {start}").wall, start
    assert not bp.line_features.__wrapped__("Relatedly, the ferry runs again.").wall


def test_one_word_lines_find_phrases_written_as_one_word() -> None:
    assert bp.line_features.__wrapped__("Advertisement").chrome
    assert bp.line_features.__wrapped__("Newsletters").chrome
    assert bp.line_features.__wrapped__("©2025").chrome  # not plain: the regex path
    assert not bp.line_features.__wrapped__("Harbour").chrome


def test_caption_prefilter_keeps_every_caption_start() -> None:
    for start in bp.CAPTION_STARTS:
        assert bp.line_features.__wrapped__(f"{start.title()} Jane Doe").caption, start


def test_score_memo_equals_the_score_function() -> None:
    weights = bp.Weights(short=-2.5, bullet=-5.0)
    memo = bp._score_memo(weights)
    for line in ["Home", "* Home", "Comments", "Share on Facebook", "",
                 "The council approved the new budget on Tuesday after a long debate.",
                 "Phase      Months   Cost"]:
        features = bp.line_features(line)
        expected = bp._score(features, False, weights) if line.strip() else 0.0
        assert memo[features] == expected, line


@pytest.mark.parametrize("text", [
    "a\n\n\n\nb", "a\n\nb", "\n\n\na  \n\t\n\n\nb\n\n\n", "x \u00a0\ny\r\n\n\n\nz", "",
])
def test_tidy_matches_its_definition(text: str) -> None:
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    assert tidy(text) == re.sub(r"\n{3,}", "\n\n", lines).strip("\n")


def test_the_step_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bp, "MAX_CACHED_LINES", 5)
    bp.clear_caches()
    text = "\n".join(f"Line number {i} of a long menu" for i in range(20))
    first = bp.story_lines(text)
    assert bp._features.cache_info().currsize == 20  # filled by one document
    assert bp.story_lines("Another page\nwith two lines.") is not None
    assert bp._features.cache_info().currsize == 2  # emptied before the next one
    assert bp.story_lines(text) == first  # the cache never changes an answer


def test_clear_caches_empties_every_cache() -> None:
    bp.story_lines("Home\nThe council approved the new budget on Tuesday after a long debate.")
    bp.line_features("Home")
    bp.clear_caches()
    assert bp._features.cache_info().currsize == 0
    assert bp.line_features.cache_info().currsize == 0
    assert not bp._SHARED
