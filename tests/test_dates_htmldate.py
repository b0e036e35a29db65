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
    runs: list[int] = []
    search_page = dates._search_page

    def counted(api: object, page: str, options: object) -> str | None:
        runs.append(len(page))
        return search_page(api, page, options)

    monkeypatch.setattr(dates, "_search_page", counted)
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


def _fuzz_strings(n: int) -> list[str]:
    """Seeded strings of digits, separators, words, markup and long digit-free stretches."""
    import random

    rng = random.Random(7)
    atoms = ["2021", "1999", "07", "3", "12", "20190514", "/", ".", "-", " ", "x", "w3.org",
             "©", "٣", "<div class=\"a\">", "</span>", "\n", "href=\"/a/b\"", "é",
             "aaaaaaaaaaaaaaaaaaaaaaaa", "Copyright ", "May 5, 2020", "2030-01-02", "March",
             "th of ", ", ", "Septembre", "\t", "<br>" * 8, "lorem ipsum dolor sit amet, ",
             "_", "²", "2019", "1st", "."]
    return ["".join(rng.choice(atoms) for _ in range(rng.randint(1, 80))) for _ in range(n)]


#: Hand-written edge cases: dates one character apart (the first match consumes the second's
#: leading non-digit), a year after "w3.org", dates at the very start and end, long markup.
_SQUEEZE_CASES = [
    "2020-01-01 2020-01-02",
    "x2020-01-01/2020-01-02x",
    "<a href='http://www.w3.org/2000/svg'>2001</a>" + "<b>" * 30 + " 2002 ",
    "w3.org2004 and w3_org2005 " + "-" * 40 + "13/04/2021" + "." * 20,
    "12.05.21" + " " * 50 + "5/6/19" + "z" * 9 + "05-2019" + "q" * 8 + "2019.11" + "k" * 10,
    "<p>" * 20 + "2018" + "<p>" * 20,
    "٣2020-01-01 ٣٣2021-02-03٣ 19991231 " + "<i>" * 4 + "20001231x",
    "<b>" * 9 + "Published March 5, 2021" + "<i>" * 9 + "\nNovember\n3, 2019" + "=" * 30 + "4",
    "12th of September, 2020 and 3 " + "word " * 12 + "Oct 2018" + "</a>" * 9 + "SmithMarch 4 2017",
    "<p>" * 9 + "x_March 6, 2016" + "<p>" * 9 + "5" + "<p>" * 9 + "of May 2015",
]


@pytest.mark.parametrize("name", sorted(dates._DIGIT_LED))
def test_the_digit_led_patterns_find_the_same_strings_in_the_squeezed_page(name: str) -> None:
    api = dates._htmldate_api()
    assert api is not None and dates._squeezable(api)
    pattern = getattr(api, name)
    found = 0
    for text in _SQUEEZE_CASES + _fuzz_strings(400):
        squeezed = dates._squeeze_page(text)
        assert pattern.findall(squeezed) == pattern.findall(text), text
        found += len(pattern.findall(text))
    assert found > 0  # the strings do exercise the pattern


def _month_name_matches(text: str) -> list[str]:
    """Every match htmldate's ``regex_parse`` loop can meet (it steps one character on)."""
    from htmldate.extractors import LONG_TEXT_PATTERN

    out, pos = [], 0
    while (m := LONG_TEXT_PATTERN.search(text, pos)) is not None:
        out.append(m.group())
        pos = m.start() + 1
    return out


def test_the_month_name_search_finds_the_same_dates_in_the_squeezed_page() -> None:
    from htmldate.extractors import regex_parse

    found = 0
    for text in _SQUEEZE_CASES + _fuzz_strings(400):
        squeezed = dates._squeeze_page(text)
        assert _month_name_matches(squeezed) == _month_name_matches(text), text
        assert regex_parse(squeezed) == regex_parse(text), text
        found += regex_parse(text) is not None
    assert found > 20


def test_squeezing_drops_long_digit_free_markup_and_keeps_prose() -> None:
    page = ("<div class='story'>" * 50 + "<p>Filed 2021-03-04</p>" + "<span>x</span>" * 50
            + "<p>4th of the rainy month called September, 2019</p>")
    squeezed = dates._squeeze_page(page)
    assert len(squeezed) < 120 and "2021-03-04" in squeezed
    assert "4th of the rainy month called September, 2019" in squeezed


#: Pages whose only dates are in the markup, each settled by another step of the page-wide
#: search (copyright year, YYYY-MM, MM/YYYY, a month name, a bare year, nothing).
_SEARCH_PAGES = [
    f"<p>{_STORY}</p><footer>© 2016-2019 Example</footer><p>Archive 2018/03</p>",
    f"<div>{_STORY}</div><span data-x='issue 2017-11'>issue</span>",
    f"<div>{_STORY}</div><span>issue 11/2017</span><span>and 12/2017, 11/2017</span>",
    f"<div>{_STORY}</div><em>14 March 2016</em>",
    f"<div>{_STORY}</div><em>since 2012, see 2012 and w3.org2013</em>",
    f"<div>{_STORY}</div><em>12.05.21 and 3/4/19, 3/4/19</em>",
    f"<div>{_STORY}</div>",
]


@pytest.mark.parametrize("page", _SEARCH_PAGES)
@pytest.mark.parametrize("original", [True, False])
def test_the_page_search_gives_htmldate_search_page_answers(page: str, original: bool) -> None:
    api = dates._htmldate_api()
    assert api is not None
    options = api.Extractor(False, api.get_max_date(None), api.get_min_date(None), original,
                            "%Y-%m-%d")
    assert dates._search_page(api, page, options) == api.search_page(page, options)


def test_the_page_search_pages_exercise_several_answers() -> None:
    api = dates._htmldate_api()
    assert api is not None
    options = api.Extractor(False, api.get_max_date(None), api.get_min_date(None), True,
                            "%Y-%m-%d")
    answers = {dates._search_page(api, page, options) for page in _SEARCH_PAGES}
    assert len(answers) >= 5 and None in answers


#: Elements with and without date cues: the root's own class, a cue only in a later class
#: after an id, itemprop, footer/small (also with a cue of their own), nested candidates.
_CANDIDATE_PAGES = [
    "<html class='meta-root'><body><div class='x'><span id='postDate'>1 May</span></div>"
    "<footer class='byline'>f</footer><small>s</small><p itemprop='dateCreated'>d</p></body>"
    "</html>",
    "<html><body><div id='main' class='post-date'>a</div><div class='a' id='Date'>b</div>"
    "<div class='author-box'><em class='time'>c</em></div><div id='footer-info-lastmod'>m"
    "</div><section data-date='x'>no</section><div class='plain'><i>none</i></div></body>"
    "</html>",
    "<html><body><p>no attributes at all</p><div class='metadata' itemprop='x'>m</div>"
    "<span class='publishedAt fecha'>p</span></body></html>",
]


@pytest.mark.parametrize("html", _CANDIDATE_PAGES)
def test_date_candidates_are_htmldates_own(html: str) -> None:
    api = dates._htmldate_api()
    assert api is not None
    tree = parse_html(html)
    expected = api.date_candidates(tree, True)
    assert dates._date_candidates(api, tree) == expected
    assert len(expected) >= 2
