"""parse_date's own fast paths and the rules behind them (hand-written strings)."""

from __future__ import annotations

import pytest

from cleanfeed import dates
from cleanfeed.dates import ParsedDate, parse_date


@pytest.fixture
def no_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if dateparser is consulted: the string must be read by cleanfeed's own code."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("dateparser was consulted")
    monkeypatch.setattr(dates, "_via_dateparser", refuse)


def test_two_digit_year_window_follows_the_fetch_time() -> None:
    # 2050 is 35 years after a 2015 fetch: the previous century
    assert parse_date("3/3/50", languages=["en"], fetched_at="2015-02-15T15:30:00",
                      allow_future=True) == ParsedDate("1950-03-03", "day")
    assert parse_date("12.05.23", fetched_at="2025-02-01T12:00:00Z") == ParsedDate(
        "2023-05-12", "day")
    # no fetch time: strptime's rule (00-68 -> 20xx)
    assert parse_date("3/3/50", languages=["en"]) == ParsedDate("2050-03-03", "day")


def test_spaces_around_the_dots_of_a_numeric_date() -> None:
    assert parse_date("26 . 10.21", fetched_at="2022-01-01T00:00:00Z") == ParsedDate(
        "2021-10-26", "day")
    assert parse_date("30 . 09 . 22 12.12", fetched_at="2023-01-01T00:00:00Z") == ParsedDate(
        "2022-09-30T12:12", "second")
    assert parse_date("26 . 10 . 2100", fetched_at="2023-01-01T00:00:00Z") is None  # future


def test_a_bare_time_is_the_last_such_time_before_the_fetch(no_dateparser: None) -> None:
    assert parse_date("10:04am", fetched_at="2012-11-13T12:00:00") == ParsedDate(
        "2012-11-13T10:04", "second")
    assert parse_date("10:04am", fetched_at="2012-11-13T09:00:00") == ParsedDate(
        "2012-11-12T10:04", "second")
    # allow_future keeps the fetch day
    assert parse_date("10:04am", fetched_at="2012-11-13T09:00:00", allow_future=True) == (
        ParsedDate("2012-11-13T10:04", "second"))
    assert parse_date("16:10 CET", fetched_at="2012-11-13T18:00:00") == ParsedDate(
        "2012-11-13T16:10+01:00", "second")
    # 16:10 CET is 15:10 UTC: still to come at 15:00 UTC, so the day before
    assert parse_date("16:10 CET", fetched_at="2012-11-13T15:00:00") == ParsedDate(
        "2012-11-12T16:10+01:00", "second")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("2 дня назад", "ru", ParsedDate("2014-08-30", "day")),
        ("вчера", "ru", ParsedDate("2014-08-31", "day")),
        ("há 3 horas", "pt", ParsedDate("2014-09-01T07:30+00:00", "second")),
        ("5 saat öncə", "az", ParsedDate("2014-09-01T05:30+00:00", "second")),
        ("3 Wochen", "de", None),  # not a relative phrase of the locale data: left to dateparser
    ],
)
def test_relative_phrases_from_the_locale_data_without_dateparser(
    monkeypatch: pytest.MonkeyPatch, text: str, lang: str, expected: ParsedDate | None
) -> None:
    consulted: list[str] = []
    monkeypatch.setattr(dates, "_via_dateparser",
                        lambda s, *a, **k: consulted.append(s))
    got = parse_date(text, languages=[lang], fetched_at="2014-09-01T10:30:00Z")
    assert got == expected
    assert consulted == ([] if expected else [text])


def test_future_relative_phrases_need_allow_future(no_dateparser: None) -> None:
    # "dentro de" is written in pt-PT's regional data: regional variants count
    kw = {"languages": ["pt"], "fetched_at": "2014-09-01T10:30:00Z"}
    assert parse_date("dentro de 8 meses", allow_future=True, **kw) == ParsedDate(  # type: ignore[arg-type]
        "2015-05-01", "day")
    assert parse_date("dentro de 11 minutos", allow_future=True, **kw) == ParsedDate(  # type: ignore[arg-type]
        "2014-09-01T10:41+00:00", "second")
    assert parse_date("dentro de 8 meses", **kw) is None  # type: ignore[arg-type]


def test_allow_future_reads_weekday_times_in_the_current_week() -> None:
    # Tuesday 13 November 2012, 00:00; "вів о 14:04" = Tuesday at 14:04
    kw = {"languages": ["uk"], "fetched_at": "2012-11-13T00:00:00"}
    assert parse_date("вів о 14:04", allow_future=True, **kw).day == "2012-11-13"  # type: ignore[arg-type, union-attr]
    assert parse_date("вів о 14:04", **kw).day == "2012-11-06"  # type: ignore[arg-type, union-attr]


def test_unknown_language_still_reaches_other_languages_after_english() -> None:
    assert parse_date("1 сер 2015", fetched_at="2016-01-01T00:00:00Z") == ParsedDate(
        "2015-08-01", "day")
    assert parse_date("invalid date string", fetched_at="2016-01-01T00:00:00Z") is None


def test_fallback_languages_are_only_those_that_know_every_word() -> None:
    latin = dates.fallback_languages_for("15 Oktober 2019")
    # "oktober" is German, Dutch, Swedish, Danish... never French or Spanish
    knowing = dates._languages_knowing("15 Oktober 2019", latin)
    assert "de" in knowing and "nl" in knowing and "fr" not in knowing and "es" not in knowing
    # no language knows these words: dateparser is not asked at all
    assert dates._languages_knowing("invalid date string", latin) == ()
    # no letters: every language stays
    assert dates._languages_knowing("12/09/2015", latin) == latin
    # words of the rewrite rules count as known ("einem" is rewritten to "1" in German)
    assert "de" in dates._languages_knowing("vor einem Tag", latin)


# -- day/month order -----------------------------------------------------------------------------


def test_dotted_numeric_dates_are_day_first_even_on_us_sites() -> None:
    assert parse_date("12.05.2023", languages=["en"]) == ParsedDate("2023-05-12", "day")
    assert parse_date("12/05/2023", languages=["en"]) == ParsedDate("2023-12-05", "day")


def test_a_com_site_of_unknown_language_reads_slashed_dates_month_first() -> None:
    assert dates.date_order_for(None, "https://news.example.com/a") == "MDY"
    assert dates.date_order_for(None, "https://news.example.de/a") == "DMY"
    assert dates.date_order_for(["de"], "https://news.example.com/a") == "DMY"
    assert dates.date_order_for(None, None) == "DMY"
    assert parse_date("12/05/2023", url="https://x.com/a") == ParsedDate("2023-12-05", "day")


def test_an_unambiguous_date_on_the_page_sets_the_order_for_the_others() -> None:
    assert dates.page_date_order(["Posted 12/05/2023", "Comment 25/12/2023"]) == "DMY"
    assert dates.page_date_order(["Posted 12/05/2023", "Comment 12/25/2023"]) == "MDY"
    assert dates.page_date_order(["12/25/2023 and 25/12/2023"]) is None  # both: no evidence
    assert dates.page_date_order(["Posted 12/05/2023"]) is None
    # an English .com page that shows 25/12/2023 elsewhere writes day first
    text = "Story\nPosted 12/05/2023\nThe story.\n\nComments\nAnn, 25/12/2023: great"
    published, _ = dates.dates_from_text(text, languages=["en"], url="https://x.com/story")
    assert published == ParsedDate("2023-05-12", "day")
    published, _ = dates.dates_from_text(text.replace("25/12", "01/12"), languages=["en"],
                                         url="https://x.com/story")
    assert published == ParsedDate("2023-12-05", "day")


def test_fallback_languages_follow_the_script_of_the_string() -> None:
    assert dates.fallback_languages_for("1 сер 2015") == ("ru", "uk", "bg")
    assert dates.fallback_languages_for("2016年3月20日") == ("zh", "ja")
    latin = dates.fallback_languages_for("1 Ni 2015")
    assert "en" in latin and "ru" not in latin and "zh" not in latin
    assert dates.fallback_languages_for("Москва 東京") == dates.FALLBACK_LANGUAGES  # mixed


@pytest.mark.parametrize(
    ("text", "lang", "future", "expected"),
    [
        ("1 año 2 meses", "es", False, ParsedDate("2013-07-01", "day")),  # no word: past
        ("hace 1 año y 2 meses", "es", False, ParsedDate("2013-07-01", "day")),
        ("prije 20 sat 5 minuta", "bs-Latn", False,
         ParsedDate("2014-08-31T14:25+00:00", "second")),
        ("2 gün öncə 23 saat öncə", "az", False, ParsedDate("2014-08-29T11:30+00:00", "second")),
        ("Dans 1 année, 1 mois, 1 semaine, 1 jour, 1 heure et 1 minute", "fr", True,
         ParsedDate("2015-10-09T11:31+00:00", "second")),
    ],
)
def test_several_counted_units_from_the_locale_data(
    no_dateparser: None, text: str, lang: str, future: bool, expected: ParsedDate
) -> None:
    assert parse_date(text, languages=[lang], fetched_at="2014-09-01T10:30:00Z",
                      allow_future=future) == expected


@pytest.mark.parametrize("text", [
    "hace 2 días en 3 horas",  # past and future at once
    "hace dos días y 3 horas",  # a number written as a word
    "2 días 3 gatos",  # not a unit
])
def test_compound_phrases_we_cannot_read_go_to_dateparser(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    consulted: list[str] = []
    monkeypatch.setattr(dates, "_via_dateparser", lambda s, *a, **k: consulted.append(s))
    assert parse_date(text, languages=["es"], fetched_at="2014-09-01T10:30:00Z") is None
    assert consulted == [text]


# --------------------------------------------------------------------------------------------
# month and weekday names from dateparser's locale data (no dateparser parser built)

_FETCH = "2024-06-15T12:00:00Z"  # a Saturday


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("ru", "5 марта 2021", ParsedDate("2021-03-05", "day")),
    ("ru", "Пт, 5 марта 2021 г. 09:30", ParsedDate("2021-03-05T09:30", "second")),
    ("uk", "3 травня 2019 14:05", ParsedDate("2019-05-03T14:05", "second")),
    ("cs", "14. srpen 2019", ParsedDate("2019-08-14", "day")),
    ("el", "12 Μαΐου 2020", ParsedDate("2020-05-12", "day")),
    ("th", "15 มกราคม 2020", ParsedDate("2020-01-15", "day")),
    ("bn", "১৭ অক্টোবর ২০১৮", ParsedDate("2018-10-17", "day")),
    ("hr", "6. travnja 2021.", ParsedDate("2021-04-06", "day")),
    ("tr", "8 Haziran 2014 11:07", ParsedDate("2014-06-08T11:07", "second")),
    ("ru", "5 марта 2021 3:05 pm", ParsedDate("2021-03-05T15:05", "second")),
    ("th", "15 มกราคม 2020, 8:13 AM", ParsedDate("2020-01-15T08:13", "second")),
    ("ka", "2015 წ. 12 ივნ", ParsedDate("2015-06-12", "day")),  # year, day, month
    # Devanagari vowel signs stay inside their word: "अपराह्न" (afternoon) is pm
    ("hi", "5 मार्च 2021 3:05 अपराह्न", ParsedDate("2021-03-05T15:05", "second")),
    ("ka", "12 ივნ 2015", ParsedDate("2015-06-12", "day")),
    ("ru", "10 мая", ParsedDate("2024-05-10", "day")),  # no year: the fetch year
    ("en", "Friday", ParsedDate("2024-06-14", "day")),  # the last Friday before the fetch
])
def test_month_and_weekday_names_from_the_locale_data(
    language: str, text: str, expected: ParsedDate
) -> None:
    fetch = dates._fetch_time(_FETCH)
    assert dates._locale_absolute(text, language, fetch) == expected
    # the same answer dateparser gives (with the settings parse_date gives it)
    assert dates._via_dateparser(text, (language,), fetch, "DMY") == expected


def test_month_names_do_not_consult_dateparser(no_dateparser: None) -> None:
    assert parse_date("Пт, 5 марта 2021 г. 09:30", languages=["ru"],
                      fetched_at=_FETCH) == ParsedDate("2021-03-05T09:30", "second")
    assert parse_date("12 Μαΐου 2020", languages=["el"]) == ParsedDate("2020-05-12", "day")
    # a day and month later in the year than the fetch day is last year's only when the
    # past is preferred: left to dateparser
    assert dates._locale_absolute("20 июля", "ru", dates._fetch_time(_FETCH)) is None


@pytest.mark.parametrize(("language", "text"), [
    ("ru", "5 марта 2021 13:05 pm"),  # a 24-hour time with pm
    ("en", "March 5, 2021 3:05 p.m."),  # "p.m." is not a word of the tables
    ("ru", "Вт, 5 марта 2021"),  # the weekday is not the date's (5 March 2021 is a Friday)
    ("ru", "20 июля"),  # after the fetch day: the year depends on the past preference
    ("fr", "mar 5 2021"),  # "mar" is both mardi and mars
    ("en", "Sat 10:30"),  # the fetch day's own weekday: this week's or last week's
    ("ru", "1 ноября 2021 13:00 MSK"),  # a zone
    ("ru", "5 6 марта 2021"),  # two days
    ("ar", "5 مارس 2021"),  # dateparser rewrites Arabic letters before reading them
])
def test_the_dictionary_path_declines_what_it_cannot_read_exactly(
    language: str, text: str
) -> None:
    assert dates._locale_absolute(text, language, dates._fetch_time(_FETCH)) is None


def test_declined_strings_go_to_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = dates._via_dateparser

    def spy(text: str, *args: object, **kwargs: object) -> ParsedDate | None:
        asked.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dates, "_via_dateparser", spy)
    assert parse_date("1 ноября 2021 13:00 MSK", languages=["ru"], fetched_at=_FETCH) == \
        ParsedDate("2021-11-01T13:00+03:00", "second")
    assert parse_date("Вт, 5 марта 2021", languages=["ru"], fetched_at=_FETCH) == \
        ParsedDate("2021-03-05", "day")
    assert asked == ["1 ноября 2021 13:00 MSK", "Вт, 5 марта 2021"]


def test_one_counted_unit_with_words_the_language_skips(no_dateparser: None) -> None:
    # "около" (about) is a word Russian's locale data skips; "пре ... пре ..." repeats the
    # past marker around each unit, whose words come from the phrase templates
    assert parse_date("преди около 5 часа", languages=["bg"],
                      fetched_at="2024-06-15T12:00:00Z") == ParsedDate(
        "2024-06-15T07:00+00:00", "second")
    assert parse_date("пре 2 година пре 3 месеци", languages=["sr-Cyrl"],
                      fetched_at="2024-06-15T12:00:00Z") == ParsedDate("2022-03-15", "day")


def test_counted_units_in_scripts_with_vowel_signs(no_dateparser: None) -> None:
    assert parse_date("2 वर्ष 3 महीने", languages=["hi"], fetched_at=_FETCH) == ParsedDate(
        "2022-03-15", "day")


def test_hyphenated_and_elided_direction_words(no_dateparser: None) -> None:
    # Catalan "d'aquí a" (from now) and Breton "a-benn" (in) are single words of the data
    assert parse_date("d'aquí a 2 hora 5 minut", languages=["ca"], fetched_at=_FETCH,
                      allow_future=True) == ParsedDate("2024-06-15T14:05+00:00", "second")
    assert parse_date("a-benn 2 deiz 3 eur", languages=["br"], fetched_at=_FETCH,
                      allow_future=True) == ParsedDate("2024-06-17T15:00+00:00", "second")


def _dataset() -> list[dict[str, object]]:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / ".." / "shared"
    path = (root if root.exists() else Path("/work/shared")) / "datasets" / "dates" / \
        "dateparser-strings.jsonl"
    if not path.exists():
        pytest.skip("dateparser-strings.jsonl not available")
    return [json.loads(line) for line in path.read_text().splitlines() if line]


@pytest.mark.slow
def test_dictionary_answers_equal_dateparser_on_the_dataset() -> None:
    """Every string of the set the dictionary paths answer: dateparser says the same (the
    relative path adds the fetch time's offset, which dateparser leaves out)."""
    checked = 0
    for row in _dataset():
        language = str(row["lang"] or "en")
        text = dates._STRIP.sub("", " ".join(str(row["input"]).split()))
        fetch = dates._fetch_time(row["relative_base"])  # type: ignore[arg-type]
        past = row["category"] == "incomplete_prefer_past"
        found = dates._locale_absolute(text, language, fetch)
        if found is not None:
            assert found == dates._via_dateparser(text, (language,), fetch, "DMY", past=past)
            checked += 1
        if fetch is None or not row["lang"]:
            continue
        rel = dates._locale_relative(text, (language,), fetch)
        ref = dates._via_dateparser(text, (language,), fetch, "DMY", past=past)
        if rel is not None and ref is not None:
            assert rel.precision == ref.precision and rel.iso.startswith(ref.iso), text
            checked += 1
    assert checked > 800
