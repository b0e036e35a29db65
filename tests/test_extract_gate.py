"""The HTML path's one parse, its second-opinion gate and the rules it arbitrates with."""

from __future__ import annotations

import lxml.html
import pytest

from cleanfeed import extract as ex
from cleanfeed.dates import dates_from_html, visible_text
from cleanfeed.extract import (
    arbitrate,
    extract_html,
    page_metadata,
    paragraph_words,
    parse_html,
)
from tests.test_extract import PARAGRAPHS, STORY_BODY, page

POSTS = [
    ("mira", "I have been baking sourdough for two years and my loaves still come out flat in "
             "winter, even though I keep the starter on top of the fridge where it is warm."),
    ("tomek", "Flat loaves in winter usually mean the dough is under-proofed, so give the bulk "
              "ferment an extra hour or two and judge it by the size of the dough, not the clock."),
    ("ana_r", "I had the same trouble until I started using warmer water when mixing, about "
              "twenty-eight degrees, and the difference in the oven spring was obvious at once."),
    ("mira", "Thank you both, I tried a longer bulk ferment with warmer water yesterday and the "
             "loaf rose far better, with an open crumb and a crust that crackled as it cooled."),
]


def thread_page() -> str:
    posts = "".join(
        f'<div class="post"><div class="meta"><a href="/u/{user}">{user}</a> 3 hours ago</div>'
        f"<p>{text}</p></div>" for user, text in POSTS)
    return f"""<!DOCTYPE html><html><head><title>Why is my sourdough flat? | Bakers</title></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/latest">Latest</a></li>
<li><a href="/top">Top</a></li></ul></nav></header>
<main><h1>Why is my sourdough flat in winter?</h1><div class="thread">{posts}</div></main>
<footer><a href="/about">About</a> <a href="/privacy">Privacy</a></footer></body></html>"""


def _serialised(tree: lxml.html.HtmlElement) -> bytes:
    return lxml.html.tostring(tree)


def test_one_parse_serves_every_reader_and_is_left_unchanged() -> None:
    html = page(STORY_BODY)
    tree = parse_html(html)
    assert tree is not None
    before = _serialised(tree)
    from_tree = extract_html(html, tree=tree, url="https://gazette.example/sea-wall")
    assert _serialised(tree) == before  # every reader works on a copy or only reads
    assert from_tree == extract_html(html, url="https://gazette.example/sea-wall")
    assert dates_from_html(html, tree=tree) == dates_from_html(html)
    assert visible_text(html, tree) == visible_text(html)
    assert _serialised(tree) == before


def test_a_tree_alone_is_enough() -> None:
    tree = parse_html(page(STORY_BODY))
    found = extract_html(tree=tree)
    assert PARAGRAPHS[0] in found.text
    assert found.published == "2024-03-05T09:30:00+00:00"


def test_not_html_at_all_gives_no_text() -> None:
    assert extract_html("").text == ""
    assert extract_html(b"").text == ""


def test_readability_is_not_asked_when_trafilatura_took_the_page_prose(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []  # recorded, not raised: extract catches a failing second opinion

    def record(*args: object, **kwargs: object) -> str:
        asked.append(args)
        return ""

    monkeypatch.setattr(ex, "readability_text", record)
    found = extract_html(page(STORY_BODY))
    assert asked == []
    assert found.extractor == "trafilatura"
    assert all(p in found.text for p in PARAGRAPHS)  # the story is kept whole


def test_a_thread_trafilatura_files_away_is_read_by_readability(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """When trafilatura's text is next to nothing of a page full of paragraphs (as when it
    takes forum posts for comments), readability's prose wins, all posts and in order."""
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: "Home\nLatest\nTop")
    found = extract_html(thread_page())
    assert found.extractor == "readability"
    positions = [found.text.index(text) for _, text in POSTS]
    assert positions == sorted(positions)
    assert "Privacy" not in found.text


def test_a_story_trafilatura_cut_short_is_taken_whole_from_readability(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: PARAGRAPHS[0])
    found = extract_html(page(STORY_BODY))
    assert found.extractor == "readability"
    assert all(p in found.text for p in PARAGRAPHS)


def test_paragraph_words_count_prose_not_link_lists() -> None:
    html = ("<html><body><p>one two three four five</p>"
            "<p><a href='/a'>Home</a> <a href='/b'>World news today</a></p>"
            "<p>six seven <a href='/c'>eight</a> nine ten</p></body></html>")
    tree = parse_html(html)
    assert tree is not None
    assert paragraph_words(tree) == 10


def test_arbitrate_takes_the_fuller_story_when_it_holds_most_of_trafilaturas() -> None:
    # trafilatura kept the first paragraphs and a teaser; readability the whole story
    main = "\n".join(PARAGRAPHS[:2]) + "\nMore from the harbour desk"
    full = "\n".join(PARAGRAPHS)
    assert arbitrate(main, full) == (full, "readability")


def test_arbitrate_does_not_take_a_fuller_text_whose_extra_is_chrome() -> None:
    story = "\n".join(PARAGRAPHS)
    chrome = story + "\nShare\nSign in\nSubscribe\nFollow us on Facebook\nRead more"
    assert arbitrate(story, chrome) == (story, "trafilatura")


def test_arbitrate_near_empty_rule_needs_the_page_size() -> None:
    story = "\n".join(PARAGRAPHS)
    crumbs = "Home\nLatest\nTop\nPrivacy\nAbout\nMore"
    assert arbitrate(crumbs, story, page_words=len(story.split())) == (story, "readability")
    # without knowing the page holds that much prose, disjoint texts keep trafilatura's
    assert arbitrate(crumbs, story) == (crumbs, "trafilatura")


def test_metadata_from_meta_tags_and_a_byline_element() -> None:
    html = """<html><head><title>Sea wall vote | Gazette</title>
<meta property="og:site_name" content="Port Elin Gazette"></head><body>
<article><h1>Sea wall vote</h1><p class="byline">By Ana Ruiz</p><p>Text.</p></article>
</body></html>"""
    tree = parse_html(html)
    assert tree is not None
    meta = page_metadata(tree, "https://gazette.example/a")
    assert meta.title == "Sea wall vote"
    assert meta.site == "Port Elin Gazette"
    assert meta.authors == ("Ana Ruiz",)


def test_a_long_author_box_is_not_a_byline() -> None:
    html = """<html><head><title>Sea wall vote</title></head><body><article>
<div class="byline">Ana Ruiz has covered the harbour for the Gazette since 2009 and
writes about fishing, ferries and the weather.</div><p>Text.</p></article></body></html>"""
    tree = parse_html(html)
    assert tree is not None
    assert page_metadata(tree).authors == ()
