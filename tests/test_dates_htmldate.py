"""htmldate's search as dates.py runs it (hand-written pages): htmldate's own answers, without
dateparser's all-locale parser, with the page's scripts bounded."""

from __future__ import annotations

import pytest
from lxml import etree

from cleanfeed import dates
from cleanfeed.dates import ParsedDate, dates_from_html, visible_text
from cleanfeed.extract import parse_html

_STORY = "<p>" + "The council met on Tuesday and voted on the new budget. " * 8 + "</p>"

#: Pages without metadata, each answered by another step of htmldate's search.
_PAGES = [
    # a byline element (class cue)
    f"<html><body><h1>Harbour</h1><div class='byline'>By Ann, 03.03.2021</div>{_STORY}"
    "</body></html>",
    # a <time> element's text
    f"<html><body><header><time>2020/11/05</time></header>{_STORY}</body></html>",
    # free text in a paragraph
    f"<html><body><h1>Notes</h1><p>Written 2019-08-14 in Oslo</p>{_STORY}</body></html>",
    # only the markup: a dated link (the page-wide pattern search)
    f"<html><body><h1>Index</h1>{_STORY}<a href='/news/2018/04/09/story.html'>more</a>"
    "</body></html>",
    # a copyright year only
    f"<html><body><h1>About us</h1>{_STORY}<footer>© 2019 Example Ltd</footer></body></html>",
    # a date in a script's data, as htmldate's idiosyncrasies read it
    '<html><head><script>var page = {"datePublished": "2017-06-21T10:00:00"};</script>'
    f"</head><body>{_STORY}</body></html>",
    # nothing at all
    f"<html><body><h1>Sofas</h1>{_STORY}</body></html>",
]


@pytest.mark.parametrize("html", _PAGES)
@pytest.mark.parametrize("original", [True, False])
def test_the_search_gives_htmldate_find_date_answers(html: str, original: bool) -> None:
    from htmldate import find_date

    tree = parse_html(html)
    before = etree.tostring(tree)
    expected = find_date(tree, original_date=original, extensive_search=True)
    got = dates._htmldate(tree, None, None, original=original)
    assert (got.iso if got else None) == expected
    assert etree.tostring(tree) == before  # a copy was pruned, not the caller's tree


def test_the_pages_exercise_several_answers() -> None:
    # the fixtures above are not all "no date": the comparison has something to compare
    found = {dates._htmldate(parse_html(html), None, None) for html in _PAGES}
    assert ParsedDate("2021-03-03", "day") in found
    assert ParsedDate("2018-04-09", "day") in found
    assert None in found


def test_strings_only_dateparser_could_read_do_not_reach_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import htmldate.extractors

    asked: list[str] = []

    def external(string: str) -> None:
        asked.append(string)
        return None

    monkeypatch.setattr(htmldate.extractors, "_external_date", external)
    # a title with a year and a number: htmldate's own parsers cannot read it, so its
    # extensive search would build dateparser's all-locale parser for it
    html = ("<html><head><title>12 trends in harbour building for 2025</title></head>"
            f"<body><h1>12 trends in harbour building for 2025</h1>{_STORY}</body></html>")
    tree = parse_html(html)
    dates._htmldate(tree, None, None)
    assert asked == []
    from htmldate import find_date

    find_date(tree, original_date=True, extensive_search=True)
    assert asked  # htmldate's own search does ask it: the page reaches that step


def test_a_page_with_a_huge_script_still_gets_its_date(monkeypatch: pytest.MonkeyPatch) -> None:
    import htmldate.core

    serialised: list[int] = []
    serialize = htmldate.core.serialize

    def measured(tree: object) -> str:
        page = serialize(tree)
        serialised.append(len(page))
        return page

    monkeypatch.setattr(htmldate.core, "serialize", measured)
    # a multi-megabyte page-state blob without dates, then the date in the markup
    blob = '{"items": [' + ",".join(f'{{"id": {i}, "name": "item {i}"}}' for i in
                                    range(60_000)) + "]}"
    assert len(blob) > 5 * dates.SCRIPT_TEXT_CAP
    html = (f"<html><head><script>window.__STATE__ = {blob};</script></head><body>"
            f"<h1>Harbour</h1>{_STORY}<a href='/news/2018/04/09/story.html'>more</a>"
            "</body></html>")
    tree = parse_html(html)
    before = etree.tostring(tree)
    assert dates._htmldate(tree, None, None) == ParsedDate("2018-04-09", "day")
    assert dates_from_html(html, tree=tree)[0] == ParsedDate("2018-04-09", "day")
    assert etree.tostring(tree) == before  # the blob was cut in htmldate's copy only
    # the page-wide pattern passes read the blob's first part only
    assert serialised and max(serialised) < dates.SCRIPT_TEXT_CAP + len(_STORY) + 1000


def test_a_date_at_the_start_of_a_huge_script_is_still_read() -> None:
    blob = "x" * (2 * dates.SCRIPT_TEXT_CAP)
    html = ('<html><head><script>var page = {"datePublished": "2017-06-21T10:00:00"}; '
            f'var pad = "{blob}";</script></head><body>{_STORY}</body></html>')
    assert dates._htmldate(parse_html(html), None, None) == ParsedDate("2017-06-21", "day")


def test_visible_text_lines() -> None:
    html = ("<html><head><title>T</title><style>p {}</style></head><body><p>  One \n two</p>"
            "<script>var x = 1;</script><div>three\xa0 four<br>five</div></body></html>")
    assert visible_text(html) == "One\ntwo\nthree four\nfive"


def _count_page_searches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import htmldate.core

    runs: list[int] = []
    search_page = htmldate.core.search_page

    def counted(page: str, options: object) -> str | None:
        runs.append(len(page))
        return search_page(page, options)  # type: ignore[arg-type]

    monkeypatch.setattr(htmldate.core, "search_page", counted)
    return runs


def test_without_a_visible_date_htmldate_still_searches_the_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = _count_page_searches(monkeypatch)
    html = ("<html><body><h1>Harbour</h1>" + _STORY
            + "<a href='/news/2018/04/09/older-story.html'>Older story</a></body></html>")
    published, _, source = dates.explain_html_dates(html, tree=parse_html(html))
    assert published == ParsedDate("2018-04-09", "day")
    assert source == "htmldate"
    assert len(runs) == 1
