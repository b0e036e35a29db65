"""``word_alternation``: the trie form of a word list matches exactly what the plain
alternation (longest word first) matches, alone and inside the date patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from cleanfeed import dates
from cleanfeed.dates import MONTHS, word_alternation


def _plain(words: Iterable[str]) -> str:
    """The plain alternation the trie replaced: every word, longest first."""
    return "|".join(sorted((re.escape(w) for w in set(words)), key=len, reverse=True))


_Found = list[tuple[tuple[int, int], dict[str, "str | None"]]]


def _matches(pattern: re.Pattern[str], text: str) -> _Found:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


def test_trie_shape_shares_prefixes() -> None:
    assert word_alternation(["jan", "january"]) == "jan(?:uary)?"
    assert word_alternation(["a-b", "a"]) == r"a(?:\-b)?"
    assert re.fullmatch(word_alternation(["mar", "march", "mars", "marzo"]), "marzo")


def test_same_words_match_alone() -> None:
    words = [*MONTHS, "segunda-feira", "l'altro ieri"]
    trie = re.compile(rf"(?:{word_alternation(words)})", re.I)
    plain = re.compile(rf"(?:{_plain(words)})", re.I)
    for w in words:
        for text in (w, w.upper(), w.title(), f"x {w}.", f"{w}{w}", w[:-1]):
            assert _matches(trie, text) == _matches(plain, text)


def test_backtracking_to_a_shorter_word_is_kept() -> None:
    # "mar" must be tried after "march" fails: "March5" is not "mar" + "ch5", but "Mar 5" is
    # "mar"; "sept." and "sep" likewise
    for words in (["mar", "march"], ["sep", "sept", "september"]):
        for tail in (r"\s*\d", r"ch\d", r"\.", r"t\.\s\d"):
            trie = re.compile(rf"(?P<w>{word_alternation(words)}){tail}", re.I)
            plain = re.compile(rf"(?P<w>{_plain(words)}){tail}", re.I)
            for text in ("March 5", "Mar 5", "march5", "Sept. 3", "sep.", "Sept 3", "mar.",
                         "SEPTEMBER 1", "Septt. 4"):
                assert _matches(trie, text) == _matches(plain, text), (words, tail, text)


_DATE_LINES = [
    "Published: Mon, 31 January 2025 15:10 CET", "Jan. 31st 2025, 3:10 pm ET",
    "mardi 4 mars 2025 à 10h30", "31. Januar 2025", "Sonnabend, 1. März 2025",
    "segunda-feira, 3 de março de 2025", "le 1er janvier 2025", "Sept 3, 2024 | Sep. 4 2024",
    "By Jane Doe - Updated Marzo 5, 2024", "Posted on Wed Dec 11 2014 10:06am",
    "Do 12. Dez 2024", "Mar 2024 Mar 5 2024 March 5th, 2024", "dimanche 2 juin 2024 - 18:05",
]


def test_date_patterns_find_the_same_dates() -> None:
    for kind, pattern in dates._PATTERNS:
        plain = re.compile(pattern.pattern.replace(dates._MONTH_RE, _plain(MONTHS))
                           .replace(dates._WEEKDAY_RE, _plain(dates._WEEKDAYS)), re.I)
        assert plain.pattern != pattern.pattern or kind in ("ymd", "num")
        for line in _DATE_LINES:
            assert _matches(pattern, line) == _matches(plain, line), (kind, line)


_VOCAB = sorted({*MONTHS, *dates._WEEKDAYS})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_VOCAB), st.sampled_from(
    [" ", ", ", ". ", "1", "31", "2024", "de ", "th ", "x", "-"])), max_size=12))
def test_date_patterns_agree_on_word_soup(parts: list[str]) -> None:
    line = "".join(parts)
    for _, pattern in dates._PATTERNS[1:3]:  # the two patterns that hold month/weekday names
        plain = re.compile(pattern.pattern.replace(dates._MONTH_RE, _plain(MONTHS))
                           .replace(dates._WEEKDAY_RE, _plain(dates._WEEKDAYS)), re.I)
        assert _matches(pattern, line) == _matches(plain, line)


_RELATIVE_LINES = [
    "Posted 2 hours ago", "an hour ago | 3 Tagen", "vor 3 Tagen aktualisiert", "il y a 2 jours",
    "hace 5 minutos", "há 2 semanas", "2 giorni fa", "3 uur geleden", "today at 10:15",
    "Yesterday, 9:30 pm", "gestern um 18:00 Uhr", "avant-hier", "l'altro ieri alle 10",
    "hier à 10h", "just now", "à l'instant", "the agora, hace un año", "vorgestern",
    "one year ago, a year ago", "updated today", "aujourd’hui", "Heute 12:00",
]


def test_relative_patterns_find_the_same_phrases() -> None:
    unit = _plain(dates._REL_UNIT)
    day_words = _plain(dates._DAY_WORDS)
    words = _plain([*dates._DAY_WORDS, "just now", "gerade eben", "à l'instant", "ahora mismo",
                    "agora mesmo", "proprio ora", "ago", "fa", "atrás", "atras", "geleden",
                    "vor", "hace", "há", "ha", "faz"])
    maybe = re.compile(r"\d|(?<!\w)(?:" + words + r"|il\s+y\s+a)(?!\w)", re.I)
    dayword = re.compile(dates._DAYWORD_RE.pattern.replace(
        word_alternation(dates._DAY_WORDS), day_words), re.I)
    assert dayword.pattern != dates._DAYWORD_RE.pattern
    for line in [*_RELATIVE_LINES, *_DATE_LINES, "no date here", "Zoe a fait"]:
        assert bool(dates._MAYBE_DATE.search(line)) == bool(maybe.search(line)), line
        assert _matches(dates._DAYWORD_RE, line) == _matches(dayword, line), line
        for pattern in dates._REL_PATTERNS:
            plain = re.compile(pattern.pattern.replace(dates._UNIT_RE, unit), re.I)
            assert plain.pattern != pattern.pattern
            assert _matches(pattern, line) == _matches(plain, line), line
            assert bool(pattern.fullmatch(line)) == bool(plain.fullmatch(line)), line
