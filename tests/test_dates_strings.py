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
