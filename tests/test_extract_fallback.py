"""trafilatura's own fallback (readability and justext inside it) runs only where it can change
its extractor's text: the gate (:func:`cleanfeed.extract.needs_fallback`) and what it costs; on
a short text, only the justext candidate its full pass would end with
(:func:`cleanfeed.extract.justext_text`)."""

from __future__ import annotations

import sys
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
#: A story of six long paragraphs (justext wants long, stop-word-rich paragraphs).
FERRY = [
    "The ferry company said on Monday that it would add a second boat to the winter timetable, "
    "because the queues at the pier had grown longer every week since the bridge was closed.",
    "Passengers who spoke to us at the terminal said that they were glad of the news, but several "
    "of them added that the fares had risen twice this year and that the boat would not help.",
    "The company's chief executive told the council that the second boat would run from the first "
    "of December until the end of March, and that it would be reviewed once the bridge reopened.",
    "A spokesman for the council said that the bridge repairs were on schedule and that the road "
    "over it should be open again in the spring, although he would not give a firm date for it.",
    "Local shops on the island have said that trade fell by almost a third in the weeks after the "
    "closure, as visitors from the mainland were put off by the long waits for the only ferry.",
    "The harbour master said that there was room at the pier for both boats to load at the same "
    "time, and that the extra crossings would not cause any problems for the fishing fleet.",
]
MENUS = f"<div class='menu'><ul>{LINKS}</ul></div>"


def ferry_page(rest: str, *, head: str = "", lead: int = 2) -> str:
    """The ferry story's first ``lead`` paragraphs in an ``<article>``, then ``rest`` (the
    others, in whatever markup), among three long link menus: trafilatura's text is short."""
    story = "".join(f"<p>{p}</p>" for p in FERRY[:lead])
    return (f"<html><head>{head}</head><body>{MENUS}<article><h1>Ferry adds a second boat</h1>"
            f"{story}</article>{rest}{MENUS}{MENUS}</body></html>")


def full_pass(tree: Any) -> str:
    """trafilatura's text with its whole fallback, as the main pass once asked for it."""
    return ex._untable(trafilatura.bare_extraction(
        tree, with_metadata=False, include_comments=False, include_tables=True,
        deduplicate=False).text)


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


def test_the_reasons_are_told_apart() -> None:
    assert ex.fallback_reason("", body(), never) == "empty"
    assert ex.fallback_reason(words(300), body(("p", words(300), {})), lambda: 10_000) == "flat"
    text = words(100)
    structured = body(("head", "Title", {"rend": "h2"}), ("p", text, {}))
    assert ex.fallback_reason(text, structured, lambda: 501) == "short"
    assert ex.fallback_reason(text, structured, lambda: 499) is None


def test_a_clean_story_is_read_by_trafilaturas_extractor_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html(page(STORY_BODY))
    assert tree is not None
    full = full_pass(tree)
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
    assert text == full_pass(tree)
    assert all(p in text for p in PARAGRAPHS)


def _short(html: str) -> Any:
    tree = parse_html(html)
    assert tree is not None
    doc = trafilatura.bare_extraction(tree, with_metadata=False, include_comments=False,
                                      include_tables=True, deduplicate=False, fast=True)
    assert ex.fallback_reason(doc.text, doc.body, lambda: visible_words(tree)) == "short"
    return tree


def test_a_short_text_takes_justexts_story_without_a_second_trafilatura_pass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the rest of the story sits in a box trafilatura prunes as a sidebar; justext reads it
    tree = _short(ferry_page("<div class='sidebar'>"
                             + "".join(f"<p>{p}</p>" for p in FERRY[2:]) + "</div>"))
    calls = _recorded(monkeypatch)
    text = ex._trafilatura_text(tree, None)
    assert calls == [True]
    assert text.split("\n") == FERRY  # the headline goes: justext keeps long paragraphs
    monkeypatch.undo()
    assert text == full_pass(tree)  # the text trafilatura's full pass ends with too


def test_a_short_text_that_holds_the_story_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    # trafilatura's retry found the paragraphs in bare divs: justext has nothing more to add
    tree = _short(ferry_page("<div>" + "".join(f"<div>{p}</div>" for p in FERRY[1:]) + "</div>",
                             lead=1))
    calls = _recorded(monkeypatch)
    text = ex._trafilatura_text(tree, None)
    assert calls == [True]
    assert text.split("\n") == ["Ferry adds a second boat", *FERRY]


@pytest.mark.parametrize("forum", [False, True], ids=["blog", "forum-thread"])
def test_comment_sections_count_for_justext_only_on_a_forum_thread(forum: bool) -> None:
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", '
          '"@type": "DiscussionForumPosting", "headline": "Second ferry"}</script>')
    posts = "".join(f"<div class='comment'><p>{p}</p></div>" for p in FERRY[2:])
    tree = _short(ferry_page(f"<div class='comments'>{posts}</div>", head=ld if forum else ""))
    text = ex._trafilatura_text(tree, None)
    assert all(p in text for p in FERRY[:2])
    assert all(p in text for p in FERRY[2:]) == forum
    assert text == full_pass(tree)


def test_without_trafilaturas_justext_pieces_its_full_pass_runs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    tree = _short(ferry_page("<div class='sidebar'>"
                             + "".join(f"<p>{p}</p>" for p in FERRY[2:]) + "</div>"))
    monkeypatch.setitem(sys.modules, "trafilatura.external", None)  # its import fails
    assert ex.justext_text(tree, 10) is None
    calls = _recorded(monkeypatch)
    text = ex._trafilatura_text(tree, None)
    assert calls == [True, False]
    assert all(p in text for p in FERRY)


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
