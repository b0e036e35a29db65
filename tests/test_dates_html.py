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


# ---- the tree the extract step parsed, handed to htmldate too ---------------------------

_NO_METADATA_PAGES = [
    # no metadata at all: htmldate's search decides (a byline in a classed element)
    "<html><head><title>Council budget</title></head><body><div class='post-meta'>"
    "Posted on March 3, 2021 by Jane Doe</div>" + _STORY + "</body></html>",
    # a date only in the running text near the top, another in a comment widget below
    "<html><body><h1>Harbour works</h1><p>Updated 14.02.2022</p>" + _STORY
    + "<div class='comments'><p>Reply on 20.02.2022</p></div></body></html>",
    # a copyright year only: htmldate says YYYY-01-01, which nobody confirms
    "<html><body><h1>About us</h1>" + _STORY + "<footer>© 2019 Example Ltd</footer>"
    "</body></html>",
    # a numeric date in a <time> element without datetime and a year-only archive link
    "<html><body><header><time>2020/11/05</time></header>" + _STORY
    + "<aside><a href='/archive/2018'>2018</a></aside></body></html>",
]


@pytest.mark.parametrize("html", _NO_METADATA_PAGES)
def test_htmldate_on_the_shared_tree_gives_the_answer_of_its_own_parse(html: str) -> None:
    from lxml import etree

    from cleanfeed.extract import parse_html

    tree = parse_html(html)
    before = etree.tostring(tree)
    # htmldate itself, on the markup and on the tree the extract step parsed
    assert dates._htmldate(tree, None, None) == dates._htmldate(html, None, None)
    assert (dates._htmldate(tree, None, None, original=False)
            == dates._htmldate(html, None, None, original=False))
    # and the whole search, as the extract step runs it
    assert explain_html_dates(html, tree=tree) == explain_html_dates(html)
    assert etree.tostring(tree) == before  # htmldate pruned a copy, not the shared tree


def test_htmldate_found_a_date_on_the_tree() -> None:
    from cleanfeed.extract import parse_html

    html = _NO_METADATA_PAGES[0]
    published, _, source = explain_html_dates(html, tree=parse_html(html))
    assert published is not None and published.day == "2021-03-03"
    assert source.startswith("htmldate")


def test_a_build_stamp_in_a_comment_is_not_read_from_the_shared_tree() -> None:
    # the extract step's parser drops comments: a page-generation stamp is no publication date
    from cleanfeed.extract import parse_html

    html = ("<html><body><h1>Sofas</h1><ul><li>Sofa A</li><li>Sofa B</li></ul>"
            "<!-- 2026-03-05T21:00:38.792Z, build 3bd05f0 --></body></html>")
    assert dates._htmldate(html, None, None) == ParsedDate("2026-03-05", "day")
    assert dates._htmldate(parse_html(html), None, None) is None


@pytest.mark.parametrize("placeholder", ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00+00:00"])
def test_placeholder_metadata_years_are_skipped(
    monkeypatch: pytest.MonkeyPatch, placeholder: str
) -> None:
    meta = (f'<meta property="article:published_time" content="{placeholder}">'
            '<meta property="article:modified_time" content="2022-05-06T10:00:00+02:00">')
    html = _page(meta=meta, body=_STORY)

    def no_dateparser(*args: object, **kwargs: object) -> None:
        raise AssertionError("a placeholder year went to dateparser")

    monkeypatch.setattr(dates, "_via_dateparser", no_dateparser)
    published, modified = dates_from_html(html, use_htmldate=False)
    assert published is None
    assert modified == ParsedDate("2022-05-06T10:00:00+02:00", "second")
    # a real date after the placeholder is still taken
    meta2 = (f'<meta property="article:published_time" content="{placeholder}">'
             '<meta name="date" content="2021-07-08">')
    assert dates_from_html(_page(meta=meta2, body=_STORY), use_htmldate=False)[0] is not None


def test_visible_text_keeps_tails_of_dropped_elements_on_their_line() -> None:
    html = ("<html><head><title>T</title></head><body><p>Posted <script>var x = 1;</script>"
            "on 3 May 2021<style>p{}</style> by Jane</p><!-- a note 2019 --><p>Next</p>"
            "<noscript>Enable JS</noscript></body></html>")
    from cleanfeed.extract import parse_html

    expected = ["Posted on 3 May 2021 by Jane", "Next"]
    assert dates.visible_text(html).splitlines() == expected
    assert dates.visible_text(html, parse_html(html)).splitlines() == expected
