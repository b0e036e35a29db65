"""Publication dates: one test per rule users rely on (fixtures written here, plus the seeds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleanfeed.article import Article, RawRecord
from cleanfeed.dates import (
    ParsedDate,
    assign_dates,
    date_from_url,
    dates_from_html,
    dates_from_text,
    find_date_in_line,
    parse_date,
)
from cleanfeed.defaults import default_steps
from cleanfeed.pipeline import Pipeline

FETCHED = "2025-02-01T12:00:00+00:00"


def _article(text: str = "Body.", **hints: object) -> Article:
    return Article(id="x", source="t", text=text, fetched_at=FETCHED, hints=hints)


# -- precision and offsets ---------------------------------------------------------------------


def test_a_bare_day_stays_a_day_never_midnight() -> None:
    assert parse_date("2025-01-31") == ParsedDate("2025-01-31", "day")
    assert parse_date("31. Januar 2025", languages=["de"]) == ParsedDate("2025-01-31", "day")
    assert parse_date("January 31, 2025") == ParsedDate("2025-01-31", "day")


def test_a_time_without_zone_stays_without_zone() -> None:
    assert parse_date("2025-01-31 15:10") == ParsedDate("2025-01-31T15:10", "second")


def test_publisher_offset_is_kept_and_day_not_shifted_to_utc() -> None:
    late = parse_date("2019-10-19T23:30:00-05:00")
    assert late == ParsedDate("2019-10-19T23:30:00-05:00", "second")
    assert late.day == "2019-10-19"  # in UTC it would already be the 20th
    assert parse_date("Fri, 09 Sep 2005 13:51:39 -0700").iso == "2005-09-09T13:51:39-07:00"
    assert parse_date("2019-10-19T03:00:00.000Z").iso == "2019-10-19T03:00:00+00:00"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Published Jan. 31, 2025 3:10 pm ET", "2025-01-31T15:10-05:00"),  # winter: EST
        ("Published July 4, 2024 3:10 pm ET", "2024-07-04T15:10-04:00"),  # summer: EDT
        ("Updated March 9, 2024 9:00 am PT", "2024-03-09T09:00-08:00"),  # day before DST
        ("Updated March 11, 2024 9:00 am PT", "2024-03-11T09:00-07:00"),  # day after DST
        ("Oct. 2, 2023 11:05 a.m. CT", "2023-10-02T11:05-05:00"),
        ("Sep 03 2014 | 4:32 pm EDT", "2014-09-03T16:32-04:00"),  # explicit abbreviation
    ],
)
def test_us_zone_abbreviations_follow_daylight_saving(line: str, iso: str) -> None:
    assert find_date_in_line(line) == ParsedDate(iso, "second")


# -- relative dates and the fetch time ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Updated 2 hours ago", ParsedDate("2025-02-01T10:00+00:00", "second")),
        ("vor 3 Tagen", ParsedDate("2025-01-29", "day")),
        ("il y a 2 jours", ParsedDate("2025-01-30", "day")),
        ("hace 1 semana", ParsedDate("2025-01-25", "day")),
        ("há 5 minutos", ParsedDate("2025-02-01T11:55+00:00", "second")),
        ("3 giorni fa", ParsedDate("2025-01-29", "day")),
        ("yesterday", ParsedDate("2025-01-31", "day")),
        ("gestern um 14:30", ParsedDate("2025-01-31T14:30", "second")),
    ],
)
def test_relative_dates_use_the_fetch_time(text: str, expected: ParsedDate) -> None:
    assert parse_date(text, fetched_at=FETCHED) == expected


def test_relative_dates_follow_the_fetch_offset() -> None:
    found = parse_date("2 hours ago", fetched_at="2025-02-01T09:00:00+01:00")
    assert found == ParsedDate("2025-02-01T07:00+01:00", "second")


def test_relative_dates_without_fetch_time_are_not_guessed_from_the_clock() -> None:
    assert parse_date("2 hours ago") is None
    assert parse_date("yesterday") is None
    assert find_date_in_line("Updated 2 hours ago") is None


def test_no_date_in_the_future_of_the_fetch_time() -> None:
    assert parse_date("March 3, 2026", fetched_at=FETCHED) is None
    assert parse_date("2025-02-02T09:00:00+00:00", fetched_at=FETCHED) is None
    assert find_date_in_line("Event on 3 March 2026", fetched_at=FETCHED) is None
    # a naive local time a few hours "ahead" of UTC may be the same moment elsewhere
    assert parse_date("2025-02-01 20:00", fetched_at=FETCHED) is not None
    assert parse_date("March 3, 2026", fetched_at=FETCHED, allow_future=True) is not None


# -- junk ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    ["100M", "hello 4000", "+49 30 1234567", "(030) 12 34 56 78", "4000", "1,000,000",
     "3.5", "Raised $12.5M in 2024", "ISBN 978-3-16-148410-0", "Call 555-1234", "v2.10.3"],
)
def test_numbers_are_not_dates(junk: str) -> None:
    assert parse_date(junk, fetched_at=FETCHED) is None
    assert find_date_in_line(junk, fetched_at=FETCHED) is None


def test_impossible_days_are_rejected() -> None:
    assert parse_date("2025-02-30") is None
    assert find_date_in_line("31.04.2024") is None


# -- languages and day/month order --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "langs", "iso"),
    [
        ("By Jane Doe | Published January 5, 2024, 8:15 AM", ["en"], "2024-01-05T08:15"),
        ("Veröffentlicht am 31. Januar 2025, 15:10 Uhr", ["de"], "2025-01-31T15:10"),
        ("Publié le 3 février 2024 à 10h30", ["fr"], "2024-02-03T10:30"),
        ("Publicado el 5 de marzo de 2024", ["es"], "2024-03-05"),
        ("Publicado em 12 de maio de 2023 às 14:05", ["pt"], "2023-05-12T14:05"),
        ("Pubblicato il 12 maggio 2023 alle 14:05", ["it"], "2023-05-12T14:05"),
        (" fecha 12/05/2023", ["es"], "2023-05-12"),
        ("Di., 25.01.2022 - 14:45", ["de"], "2022-01-25T14:45"),
    ],
)
def test_multilingual_bylines(line: str, langs: list[str], iso: str) -> None:
    assert find_date_in_line(line, languages=langs).iso == iso


def test_day_month_order_follows_language_and_site() -> None:
    assert parse_date("12/05/2023 18:40", languages=["de"]).iso == "2023-05-12T18:40"
    assert parse_date("12/05/2023 18:40", languages=["en"]).iso == "2023-12-05T18:40"
    uk = parse_date("12/05/2023", languages=["en"], url="https://www.example.co.uk/news/x")
    assert uk.iso == "2023-05-12"
    assert parse_date("31/01/2025", languages=["en"]).iso == "2025-01-31"  # unambiguous


def test_other_languages_go_through_dateparser() -> None:
    assert parse_date("13 января 2015 г. в 13:34", languages=["ru"]).iso == "2015-01-13T13:34"
    # a relative day stays a day: dateparser's clock time from the fetch time is not kept
    assert parse_date("2 дня назад", languages=["ru"], fetched_at=FETCHED) == ParsedDate(
        "2025-01-30", "day")
    assert parse_date("3 часа назад", languages=["ru"], fetched_at=FETCHED) == ParsedDate(
        "2025-02-01T09:00+00:00", "second")
    assert parse_date("2 дня назад", languages=["ru"]) is None  # no fetch time, no answer


# -- HTML ---------------------------------------------------------------------------------------

_PAGE = """<html><head>
<script type="application/ld+json">{json}</script>{meta}
</head><body><article><h1>Title</h1><p>{body}</p></article></body></html>"""


def _page(jsonld: object = None, meta: str = "", body: str = "Some text.") -> str:
    return _PAGE.format(json=json.dumps(jsonld or {}), meta=meta, body=body)


def test_html_json_ld_first_with_offset_kept() -> None:
    html = _page(
        {"@context": "https://schema.org", "@graph": [
            {"@type": "VideoObject", "uploadDate": "2015-01-16T10:00:00+01:00"},
            {"@type": "NewsArticle", "datePublished": "2020-02-19T18:37:32+01:00",
             "dateModified": "2020-02-20T08:00:00+01:00"}]},
        meta='<meta property="article:published_time" content="2020-02-18T10:00:00+01:00">',
    )
    published, modified = dates_from_html(html)
    assert published == ParsedDate("2020-02-19T18:37:32+01:00", "second")
    assert modified == ParsedDate("2020-02-20T08:00:00+01:00", "second")


def test_html_meta_when_no_json_ld() -> None:
    meta = '<meta property="article:published_time" content="2022-01-26T14:35:56+01:00">'
    html = _page(meta=meta)
    assert dates_from_html(html)[0].iso == "2022-01-26T14:35:56+01:00"


def test_html_visible_byline_when_no_metadata() -> None:
    html = _page(body="Von Anna Muster, veröffentlicht am 14. März 2021. Der Rat tagte lange.")
    assert dates_from_html(html)[0] == ParsedDate("2021-03-14", "day")


def test_url_dates() -> None:
    assert date_from_url("https://x.com/2019/10/18/story") == ParsedDate("2019-10-18", "day")
    assert date_from_url("https://x.com/news/20231108/story").iso == "2023-11-08"
    assert date_from_url("https://x.com/2019/10/story") is None  # no day
    assert date_from_url("https://x.com/id/12345678901") is None


# -- plain text and the step ---------------------------------------------------------------------


def test_text_byline_beats_dates_in_a_listing() -> None:
    text = "\n".join([
        "Home | News | Sport",
        "Most read",
        "Storm hits coast 12.03.2024",
        "Markets fall 11.03.2024",
        "Council votes 10.03.2024",
        "Local library reopens after renovation",
        "Veröffentlicht am 09.03.2024, 10:15 Uhr",
        "The library on Main Street reopened on Saturday after two years of work.",
    ] + ["More paragraphs of the story."] * 10)
    published, _ = dates_from_text(text, languages=["de"])
    assert published == ParsedDate("2024-03-09T10:15", "second")


def test_text_updated_stamp_becomes_modified() -> None:
    text = "Story title\nPublished 3 March 2024\nUpdated 5 March 2024\nThe story."
    published, modified = dates_from_text(text)
    assert published.day == "2024-03-03"
    assert modified.day == "2024-03-05"


def test_step_prefers_the_record_date_then_stamps() -> None:
    art = _article(published_raw="2024-05-06T07:08:09+02:00", stamp_dates=("12/05/2023",))
    assert assign_dates(art).published == "2024-05-06T07:08:09+02:00"
    art = _article(stamp_dates=("Updated 2 hours ago", "Published Jan. 31, 2025 3:10 pm ET"))
    out = assign_dates(art)
    assert (out.published, out.published_precision) == ("2025-01-31T15:10-05:00", "second")
    assert out.modified == "2025-02-01T10:00+00:00"
    art = _article(stamp_dates=("12/05/2023 18:40",), language_raw="es")
    assert assign_dates(art).published == "2023-05-12T18:40"


def test_step_uses_html_dates_hint() -> None:
    art = _article(html_dates=(ParsedDate("2020-01-02", "day"), None))
    out = assign_dates(art)
    assert (out.published, out.published_precision) == ("2020-01-02", "day")


def test_step_skips_future_and_junk() -> None:
    art = _article(published_raw="2030-01-01", stamp_dates=("100M",), )
    assert assign_dates(art).published is None


SEEDS = next((p for p in (Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds",
                          Path("/work/shared/seeds")) if p.exists()), None)


@pytest.mark.skipif(SEEDS is None, reason="seeds not available")
@pytest.mark.parametrize(
    ("name", "published", "precision"),
    [("000_735f9fa0de04fba4.txt", "2025-01-31T15:10", "second"),
     ("004_dc40990bf602bae7.txt", "2025-01-31", "day")],
)
def test_seeds_through_the_default_pipeline(name: str, published: str, precision: str) -> None:
    assert SEEDS is not None
    text = (SEEDS / name).read_text()
    out = Pipeline(default_steps())(RawRecord(source=name, text=text,
                                              fetched_at="2025-02-01T08:00:00Z"))
    assert isinstance(out, Article)
    assert (out.published, out.published_precision) == (published, precision)


def test_seed_stamps_parse() -> None:
    assert parse_date("2025-01-31 15:10") == ParsedDate("2025-01-31T15:10", "second")
    assert parse_date(" date 2025-01-31 ") == ParsedDate("2025-01-31", "day")


_PREFILTER_LINES = [
    "Posted 2025-01-31T15:10:00+01:00 by Jane", "31. Januar 2025, 15:10 Uhr",
    "Monday, January 31st 2025 at 3pm", "12/05/23 18:40", "31.01.25", "26 . 10.21",
    "Price 12.50 - 3 items - order 1234", "Call 555-12-34", "Chapter 3.2.1", "1999/2000 season",
    "Updated 3 hours ago", "vor 2 Tagen, 12.3.", "2024 Jun 30", "Sep 16", "v2.1.0 (2023)",
]


@pytest.mark.parametrize("line", _PREFILTER_LINES)
def test_the_digit_prefilter_only_skips_patterns_that_cannot_match(
    monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    import re

    from cleanfeed import dates

    fetch = "2025-02-03T12:00:00+01:00"
    fast = dates.find_dates_in_line(line, fetched_at=fetch)
    always = re.compile("")  # every pattern runs on every line
    monkeypatch.setattr(dates, "_YEAR_LIKE", always)
    monkeypatch.setattr(dates, "_NUM_LIKE", always)
    assert dates.find_dates_in_line(line, fetched_at=fetch) == fast
