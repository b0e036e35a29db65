"""trafilatura's own fallback (readability and justext inside it) runs only where it can change
its extractor's text: the gate (:func:`cleanfeed.extract.needs_fallback`) and what it costs."""

from __future__ import annotations

from typing import Any

import pytest
import trafilatura
from lxml import etree

from cleanfeed import extract as ex
from cleanfeed.extract import needs_fallback, parse_html, visible_words
from tests.test_extract import PARAGRAPHS, STORY_BODY, page

LINKS = "".join(f'<li><a href="/s/{i}">Another headline number {i} about the harbour</a></li>'
                for i in range(60))
#: The story in bare divs between two long link lists: trafilatura's extractor alone takes a
#: small share of the page's words.
DIV_STORY = (f"<html><body><div class='menu'><ul>{LINKS}</ul></div><div class='x'>"
             + "".join(f"<div>{p}</div>" for p in PARAGRAPHS)
             + f"</div><div class='menu'><ul>{LINKS}</ul></div></body></html>")
#: Nothing but plain paragraphs: trafilatura's text is the page dumped whole.
FLAT_PAGE = "<html><body>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</body></html>"


def body(*children: tuple[str, str, dict[str, str]]) -> Any:
    root = etree.Element("body")
    for tag, text, attrib in children:
        el = etree.SubElement(root, tag, attrib)
        el.text = text
    return root


def words(n: int) -> str:
    return " ".join(["word"] * n)


def never() -> int:
    raise AssertionError("the page's words were counted where nothing needs them")


def test_nothing_extracted_needs_the_fallback() -> None:
    assert needs_fallback("", body(), never)
    assert needs_fallback("   ", None, never)


def test_a_structured_text_of_3000_characters_or_more_never_counts_the_page() -> None:
    text = words(700)  # 3,499 characters
    structured = body(("head", "Title", {"rend": "h2"}), ("p", text, {}))
    assert not needs_fallback(text, structured, never)


def test_a_short_text_is_doubted_only_when_it_is_a_small_share_of_the_page() -> None:
    text = words(100)
    structured = body(("head", "Title", {"rend": "h2"}), ("p", text, {}))
    assert needs_fallback(text, structured, lambda: 501)      # under a fifth of the page
    assert not needs_fallback(text, structured, lambda: 499)  # a fifth or more: kept


def test_plain_paragraphs_are_doubted_as_one_block_or_as_the_whole_page() -> None:
    one = body(("p", words(300), {}))
    assert needs_fallback(words(300), one, lambda: 10_000)
    many = body(*[("p", words(250), {})] * 4)
    assert needs_fallback(words(1000), many, lambda: 1200)       # 0.83 of the page
    assert not needs_fallback(words(1000), many, lambda: 1300)   # 0.77: a story among chrome
    formatted = body(*[("p", words(250), {"rend": "x"})] * 4)    # not a plain dump
    assert not needs_fallback(words(1000), formatted, never)


def test_a_few_plain_paragraphs_lost_in_a_big_page_are_short_all_the_same() -> None:
    two = body(("p", words(60), {}), ("p", words(60), {}))
    counts: list[int] = []

    def page() -> int:
        counts.append(1)
        return 3000

    assert needs_fallback(words(120), two, page)
    assert counts == [1]  # counted once for both tests


def test_short_is_measured_as_trafilatura_does_on_the_body_text() -> None:
    # list items: 3,104 characters as text (with the "- " marks), 2,874 as the body's text
    text = "\n".join(["- " + words(5)] * 115)
    items = body(*[("item", words(5), {})] * 115)
    assert len(text) > 3000
    assert needs_fallback(text, items, lambda: 10_000)


def test_visible_words_leave_out_scripts_and_styles_but_not_the_text_after_them() -> None:
    tree = parse_html("<html><head><style>p { color: red }</style></head><body><p>one two</p>"
                      "<script>var a = 1 + 2;</script>three<noscript>x y</noscript></body></html>")
    assert tree is not None
    assert visible_words(tree) == 3


def _recorded(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    calls: list[bool] = []
    run = trafilatura.bare_extraction

    def record(*args: Any, **kwargs: Any) -> Any:
        calls.append(bool(kwargs.get("fast")))
        return run(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", record)
    return calls


def test_a_clean_story_is_read_by_trafilaturas_extractor_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html(page(STORY_BODY))
    assert tree is not None
    full = ex._untable(trafilatura.bare_extraction(
        tree, with_metadata=False, include_comments=False, include_tables=True,
        deduplicate=False).text)
    calls = _recorded(monkeypatch)
    text = ex._trafilatura_text(tree, None)
    assert calls == [True]  # one pass, without the fallback
    assert text == full     # and the same text the fallback would have left
    assert all(p in text for p in PARAGRAPHS)


@pytest.mark.parametrize("html", [DIV_STORY, FLAT_PAGE], ids=["short-share", "page-dump"])
def test_an_extraction_that_under_delivers_is_redone_with_the_fallback(
        monkeypatch: pytest.MonkeyPatch, html: str) -> None:
    tree = parse_html(html)
    assert tree is not None
    calls = _recorded(monkeypatch)
    text = ex._trafilatura_text(tree, None)
    assert calls == [True, False]
    monkeypatch.undo()
    assert text == ex._untable(trafilatura.bare_extraction(
        tree, with_metadata=False, include_comments=False, include_tables=True,
        deduplicate=False).text)
    assert all(p in text for p in PARAGRAPHS)


def test_the_precision_pass_keeps_trafilaturas_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html(page(STORY_BODY))
    assert tree is not None
    calls = _recorded(monkeypatch)
    ex._precision_text(tree, None)
    assert calls == [False]


@pytest.mark.parametrize(("markup", "name"), [
    ('<a rel="author" href="/u/ana">Ana Ruiz</a>', "Ana Ruiz"),
    ('<meta itemprop="author" content="Ana Ruiz">', "Ana Ruiz"),
    ('<p class="story-byline">By Ana Ruiz</p>', "Ana Ruiz"),
    ('<span class="author-name">Ana Ruiz</span>', "Ana Ruiz"),
    ('<a rel="nofollow author">Ana Ruiz</a><span rel="authors">Ana Ruiz</span>', None),
])
def test_the_byline_element_is_found_by_its_attributes(markup: str, name: str | None) -> None:
    tree = parse_html(f"<html><body><h1>Sea wall</h1>{markup}<p>{PARAGRAPHS[0]}</p></body></html>")
    assert tree is not None
    assert ex._byline(tree) == name


def test_the_first_byline_in_the_page_wins() -> None:
    tree = parse_html('<html><body><p class="byline">By Jo Park</p>'
                      '<a rel="author">Ana Ruiz</a></body></html>')
    assert tree is not None
    assert ex._byline(tree) == "Jo Park"
