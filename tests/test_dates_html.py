"""How dates_from_html settles disagreements between its sources (hand-written pages)."""

from __future__ import annotations

import json

import pytest

from cleanfeed import dates
from cleanfeed.dates import ParsedDate, dates_from_html, explain_html_dates


def _page(jsonld: object = None, meta: str = "", body: str = "Some text.") -> str:
    return (f'<html><head><script type="application/ld+json">{json.dumps(jsonld or {})}</script>'
            f"{meta}</head><body><article><h1>Title</h1>{body}</article></body></html>")


_STORY = "<p>" + "The council met on Tuesday and voted on the new budget. " * 8 + "</p>"


def _article_jsonld(published: str, modified: str | None = None) -> dict[str, str]:
    node = {"@type": "NewsArticle", "datePublished": published}
    if modified:
        node["dateModified"] = modified
    return node


def test_byline_that_prints_the_modified_day_wins() -> None:
    html = _page(_article_jsonld("2021-01-01T11:00:00+01:00", "2023-04-01T10:00:00+02:00"),
                 body="<p class='byline'>Aktualisiert am 01.04.2023</p>" + _STORY)
    published, modified, source = explain_html_dates(html)
    assert published == ParsedDate("2023-04-01T10:00:00+02:00", "second")
    assert modified == published
    assert source == "metadata+byline"


def test_byline_that_prints_a_second_published_value_wins() -> None:
    meta = '<meta property="article:published_time" content="2022-01-06T08:29:34+01:00">'
    html = _page(_article_jsonld("2022-01-04T07:29:00+00:00"), meta=meta,
                 body="<p>By Jane Doe | January 6, 2022</p>" + _STORY)
    assert dates_from_html(html)[0] == ParsedDate("2022-01-06T08:29:34+01:00", "second")


def test_metadata_published_kept_when_the_byline_confirms_nothing_else() -> None:
    # the byline shows a third day: no agreement, so the first metadata value stands
    html = _page(_article_jsonld("2020-09-26T22:00:27+01:00", "2020-09-28T08:39:12+01:00"),
                 body="<p>Posted 5 November 2020</p>" + _STORY)
    assert explain_html_dates(html)[0:3:2] == (
        ParsedDate("2020-09-26T22:00:27+01:00", "second"), "metadata")
    # no visible date at all: published stays published, modified stays modified
    html = _page(_article_jsonld("2020-09-26T22:00:27+01:00", "2020-09-28T08:39:12+01:00"),
                 body=_STORY)
    published, modified = dates_from_html(html)
    assert published is not None and published.day == "2020-09-26"
    assert modified is not None and modified.day == "2020-09-28"


def test_metadata_that_agrees_is_not_second_guessed_by_the_text() -> None:
    html = _page(_article_jsonld("2020-09-26T22:00:27+01:00", "2020-09-26T23:00:00+01:00"),
                 body="<p>Posted 5 November 2020</p>" + _STORY)
    assert explain_html_dates(html)[2] == "metadata"


def _fake_htmldate(original: str | None, latest: str | None):  # type: ignore[no-untyped-def]
    def fake(html: str, url: str | None, fetch: object, *, original_: bool = True,
             **kw: bool) -> ParsedDate | None:
        value = original if kw.get("original", True) else latest
        return ParsedDate(value, "day") if value else None
    return fake


@pytest.mark.parametrize(
    ("original", "latest", "expected", "source"),
    [
        # htmldate's two searches disagree: it guessed among several days; the byline decides
        ("2016-06-16", "2021-11-19", "2021-10-16", "htmldate+byline"),
        # both searches agree: htmldate is kept even though the text shows another day
        ("2021-10-20", "2021-10-20", "2021-10-20", "htmldate"),
    ],
)
def test_htmldate_unsure_then_the_byline_decides(
    monkeypatch: pytest.MonkeyPatch, original: str, latest: str, expected: str, source: str
) -> None:
    monkeypatch.setattr(dates, "_htmldate", _fake_htmldate(original, latest))
    html = _page(body="<p>Veröffentlicht am 16.10.2021</p>" + _STORY)
    published, _, got_source = explain_html_dates(html)
    assert (published.day if published else None, got_source) == (expected, source)


def test_htmldate_answer_that_is_the_declared_modified_day_yields_to_the_byline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dates, "_htmldate", _fake_htmldate("2020-06-02", "2020-06-02"))
    meta = '<meta property="article:modified_time" content="2020-06-02T11:57:06+02:00">'
    html = _page(meta=meta, body="<p>31. März 2020</p>" + _STORY)
    published, modified, source = explain_html_dates(html)
    assert published == ParsedDate("2020-03-31", "day")
    assert modified is not None and modified.day == "2020-06-02"
    assert source == "htmldate+byline"


def test_htmldate_bare_year_dropped_unless_confirmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "_htmldate", _fake_htmldate("1998-01-01", "1998-01-01"))
    html = _page(body="<p>© 1998 Example Institute</p>" + _STORY)
    assert explain_html_dates(html)[0:3:2] == (None, "none")
    # the URL carries that very day: a real New Year's Day story
    published, _, source = explain_html_dates(html, "https://x.org/1998/01/01/story")
    assert published == ParsedDate("1998-01-01", "day")
    assert source in ("text", "url")
    # a visible date replaces the bare year
    html = _page(body="<p>Posted 17 January 2022</p><p>© 1998 Example Institute</p>" + _STORY)
    assert explain_html_dates(html)[0:3:2] == (ParsedDate("2022-01-17", "day"), "text")


def test_a_declared_legacy_charset_does_not_garble_the_decoded_page() -> None:
    # the caller decoded the bytes already; the stale declaration must not decode them again
    html = ('<html><head><meta charset="iso-8859-1"></head><body><h1>Titel</h1>'
            "<p>Veröffentlicht am 31. März 2020</p>" + _STORY + "</body></html>")
    assert dates.visible_text(html).splitlines()[1] == "Veröffentlicht am 31. März 2020"
    assert dates_from_html(html, use_htmldate=False)[0] == ParsedDate("2020-03-31", "day")


def test_an_already_parsed_tree_gives_the_same_answer_and_is_left_unchanged() -> None:
    from lxml import etree

    html = _page(_article_jsonld("2021-01-01T11:00:00+01:00", "2023-04-01T10:00:00+02:00"),
                 body="<p class='byline'>Aktualisiert am 01.04.2023</p>" + _STORY)
    tree = dates._parse_html(html)
    before = etree.tostring(tree)
    assert explain_html_dates(html, tree=tree) == explain_html_dates(html)
    assert etree.tostring(tree) == before
