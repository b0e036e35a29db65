"""Accuracy rules of the HTML path: the prose block against trafilatura's extra, and the title
line at the top of the extracted text."""

from __future__ import annotations

import pytest

from cleanfeed import extract as ex
from cleanfeed.article import Article, RawRecord
from cleanfeed.extract import (
    doubt_of,
    extract,
    extract_html,
    parse_html,
    prose_block_wins,
    prose_stats,
)
from cleanfeed.pipeline import Pipeline
from tests.test_extract import LIST_ITEMS, PARAGRAPHS, STORY_BODY, page

TEASERS = ["Storm damage bill tops estimates as insurers count the cost",
           "Ferry service resumes after the storm with a reduced timetable",
           "Ten photos of the flooded harbour and the clean-up that followed",
           "Mayor answers readers' questions about the new sea wall plans",
           "Pick Six newsletter: the day's big stories in your inbox",
           "Thanks for signing up! Keep an eye on your inbox"]
STORY = "\n".join(PARAGRAPHS)
PADDED = STORY + "\n" + "\n".join(f"- {t}" for t in TEASERS)


def _extract_step(html: str, title: str | None = None) -> Article:
    out = Pipeline([extract])(RawRecord(source="test", html=html, title=title))
    assert isinstance(out, Article)
    return out


# ---- the prose block -------------------------------------------------------------------------

def test_prose_stats_finds_the_block_that_holds_the_paragraphs() -> None:
    html = ("<html><body><div id='story'>\n<p>one two three four five six</p>\n"
            "<p>seven eight nine ten</p>\n<ul><li>eleven twelve</li></ul>\n</div>\n"
            "<div><p>thirteen fourteen</p></div></body></html>")
    tree = parse_html(html)
    assert tree is not None
    # 12 paragraph words; the story div holds 10 of them and, with its list, 12 words
    page_words, block = prose_stats(tree)
    assert (page_words, len(block)) == (12, 12)
    assert block[-2:] == ["eleven", "twelve"]


def test_readability_is_asked_for_short_texts_and_texts_padded_around_the_prose_block() -> None:
    block = STORY.lower().split()
    page_words = len(block)
    assert doubt_of(block[:40], page_words, block) == "short"
    padded = block + " ".join(TEASERS).lower().split()
    assert doubt_of(padded, page_words, block) == "over_block"
    assert doubt_of(block, page_words, block) is None  # took the block: no doubt
    # prose spread over many blocks: a long text is no sign of padding
    assert doubt_of(padded, page_words, block[:30]) is None
    # the block is not inside the text: trafilatura took something else, not the block padded
    assert doubt_of(" ".join(TEASERS * 4).lower().split(), page_words, block) is None
    assert doubt_of(padded, 0, []) == "no_prose"  # no paragraphs to judge it by: asked


def test_prose_block_wins_over_trafilaturas_teaser_list() -> None:
    page_words = len(STORY.split())
    assert prose_block_wins(PADDED, STORY, page_words)


def test_prose_block_does_not_win_when_trafilatura_has_little_extra() -> None:
    page_words = len(STORY.split())
    assert not prose_block_wins(STORY + "\nFiled under: harbour", STORY, page_words)


CTA = ("Book a free consultation with our harbour engineers today and get a quote for "
       "your own sea defences within a week")


def test_a_small_box_under_the_story_is_padding_too() -> None:
    """A call to action of about a tenth of the story's words (over 7%) is enough for the
    block to win; a one-line tag (a few words) is not."""
    page_words = len(STORY.split())
    assert 0.07 * page_words < len(CTA.split()) < 0.2 * page_words
    boxed = STORY + "\n" + CTA
    assert doubt_of(boxed.lower().split(), page_words, STORY.lower().split()) == "over_block"
    assert prose_block_wins(boxed, STORY, page_words)
    assert prose_block_wins(CTA + "\n" + STORY, STORY, page_words)


def test_a_block_with_four_fifths_of_the_paragraph_words_is_the_prose_block() -> None:
    block = STORY.lower().split()
    boxed = block + CTA.lower().split()
    assert doubt_of(boxed, int(len(block) / 0.8), block) == "over_block"
    # under 0.8 of the page's paragraph words: the story is spread over more blocks
    assert doubt_of(boxed, int(len(block) / 0.75), block) is None


def test_prose_block_does_not_win_when_it_is_not_the_page_prose() -> None:
    """A story told in a list (few ``<p>`` words): readability's short block is not the page's
    paragraph text, so trafilatura's fuller text stays."""
    story_in_lists = PARAGRAPHS[0] + "\n" + "\n".join(f"- {t}" for t in TEASERS * 3)
    assert not prose_block_wins(story_in_lists, PARAGRAPHS[0], page_words=3 * 27)


def test_prose_block_must_be_inside_trafilaturas_text() -> None:
    other = "\n".join(reversed(TEASERS)) + "\nA different story altogether about ferries."
    assert not prose_block_wins(PADDED, other, len(other.split()))


def _prose_page() -> str:
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    teasers = "".join(f'<li><a href="/s/{i}">{t}</a></li>' for i, t in enumerate(TEASERS))
    return (f"<html><head><title>Sea wall vote</title></head><body><main>"
            f"<div class='story'>{story}</div><div class='more'><ul>{teasers}</ul></div>"
            f"</main></body></html>")


def test_trafilatura_padded_with_teasers_gives_way_to_the_story_block(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: PADDED)
    found = extract_html(_prose_page())
    assert found.extractor == "readability"
    assert all(p in found.text for p in PARAGRAPHS)  # the story kept whole
    assert all(t not in found.text for t in TEASERS)


def test_a_story_with_its_own_list_is_kept_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura's text is the story with its list: not longer than the story block, so
    readability is not even asked."""
    def fail(*args: object, **kwargs: object) -> str:
        raise AssertionError("readability consulted on a page trafilatura read whole")

    monkeypatch.setattr(ex, "readability_text", fail)
    found = extract_html(page(STORY_BODY))
    assert all(p in found.text for p in PARAGRAPHS)
    assert all(item in found.text for item in LIST_ITEMS)


# ---- the title line --------------------------------------------------------------------------

#: The story as paragraphs only: trafilatura's text (patched below) is then all of its block.
PLAIN_BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)

def test_the_headline_at_the_top_is_taken_out_and_recorded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    headline = "Harbour town votes to rebuild its sea wall"
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: headline + "\n" + STORY)
    out = _extract_step(page(PLAIN_BODY))
    assert out.title == headline
    assert out.text == STORY
    assert [(r.cleaner, r.reason, r.text) for r in out.removed] == [
        ("extract", "repeats the title", headline)]


def test_a_title_with_the_site_name_still_matches_its_headline(
        monkeypatch: pytest.MonkeyPatch) -> None:
    headline = "Harbour town votes to rebuild its sea wall"
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: headline + "\n" + STORY)
    out = _extract_step(page(PLAIN_BODY), title=f"{headline} | Port Elin Gazette")
    assert out.text == STORY


def test_a_first_sentence_that_starts_like_the_title_is_story(
        monkeypatch: pytest.MonkeyPatch) -> None:
    first = "Harbour town votes to rebuild its sea wall, and the vote was close."
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: first + "\n" + STORY)
    out = _extract_step(page(PLAIN_BODY))
    assert out.text == first + "\n" + STORY
    assert out.removed == ()


def test_a_short_part_of_the_title_is_not_a_headline(monkeypatch: pytest.MonkeyPatch) -> None:
    """"Review | Gazette" parts into "Review": too short to stand for the headline, so a first
    line "Gazette" or "Review" stays unless it is the whole title."""
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: "Gazette\n" + STORY)
    out = _extract_step(page(PLAIN_BODY), title="Review | Gazette")
    assert out.text.startswith("Gazette\n")


# ---- the author bio at the end ---------------------------------------------------------------

BIO = ("Jane Doe is the Gazette's harbour reporter and has covered the town council, the "
       "ferries and the weather on this coast since 2011.")
CONTACT = "Write to Jane Doe at jane.doe@gazette.example"


def test_an_author_bio_after_the_story_is_taken_out_and_recorded() -> None:
    """The page's author (meta author and byline: Jane Doe) described in the last paragraph of
    the article, and her contact line: both go, the story stays whole."""
    out = _extract_step(page(STORY_BODY + f"<p>{BIO}</p><p>{CONTACT}</p>"))
    assert out.authors == ("Jane Doe",)
    assert all(p in out.text for p in PARAGRAPHS)
    assert all(item in out.text for item in LIST_ITEMS)
    assert BIO not in out.text and "jane.doe@" not in out.text
    assert out.text.rstrip().endswith(PARAGRAPHS[3])
    assert ("extract", "author bio at the end") in {(r.cleaner, r.reason) for r in out.removed}


def test_a_last_paragraph_quoting_someone_else_is_kept() -> None:
    """A closing quote that names another person, and a closing paragraph that names the
    author only deep in the sentence, are story."""
    ending = ("The work will be paid for in three instalments, the council's treasurer told "
              "the meeting, and the first will go out in May, as Jane Doe reported last week.")
    quote = "Ana Ruiz is relieved: the bakery can finally plan for next winter, she said."
    out = _extract_step(page(STORY_BODY + f"<p>{ending}</p><p>{quote}</p>"))
    assert ending in out.text and quote in out.text
    assert all(r.reason != "author bio at the end" for r in out.removed)


def test_a_long_ending_that_names_the_author_is_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past a third of the text from the author's name to the end, it is not a bio box."""
    first_person = "Jane Doe writes: " + " ".join(PARAGRAPHS[1:])
    text = PARAGRAPHS[0] + "\n" + first_person
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: text)
    out = _extract_step(page(STORY_BODY))
    assert out.text == text


def test_bio_cut_needs_a_full_name_and_a_later_line() -> None:
    story = "\n".join(PARAGRAPHS)
    assert ex.author_bio_cut(story + "\n" + BIO, ("Jane Doe",)) is not None
    assert ex.author_bio_cut(story + "\n" + BIO, ("Jane",)) is None  # one word: not a name
    assert ex.author_bio_cut(story + "\n" + BIO, ()) is None
    assert ex.author_bio_cut(BIO, ("Jane Doe",)) is None  # the only line is never a bio
    cut = ex.author_bio_cut(story + "\n" + BIO + "\nSubscribe", ("Jane Doe",))
    assert cut is not None and (story + "\n" + BIO + "\nSubscribe")[cut.start:].startswith(BIO)


# ---- the story's structure dropped by trafilatura ----------------------------------------------

PICKS = [("Lighthouse Bakery", ["Sourdough baked before dawn", "Open on Sunday mornings"]),
         ("Harbour Fish Bar", ["Fish landed the same day", "Tables on the quay"]),
         ("The Old Ropewalk", ["Local beer on tap", "Live music on Fridays"])]


def _listicle() -> str:
    body = f"<p>{PARAGRAPHS[0]}</p>"
    for n, (name, points) in enumerate(PICKS, 1):
        body += (f"<h2>{n}. {name}</h2><p>{PARAGRAPHS[n]}</p><h3>What we like</h3><ul>"
                 + "".join(f"<li>{p}</li>" for p in points) + "</ul>")
    return page(body + "<p>Prices were checked in March and may have changed since then, "
                       "so call ahead before you make the trip to the harbour.</p>")


def _prose_only(text: str) -> str:
    """trafilatura's text as it comes out on such pages: the paragraphs, the headings and
    list items gone."""
    return "\n".join(line for line in text.split("\n") if len(line.split()) >= 8)


def test_dropped_structure_counts_the_blocks_headings_and_items_missing_from_the_text() -> None:
    tree = parse_html(_listicle())
    assert tree is not None
    _, block = ex.prose_block(tree)
    whole = ex._words(ex.readability_text(_listicle()))
    assert ex.dropped_structure(block, whole) == 0
    prose = ex._words(_prose_only(ex.readability_text(_listicle())))
    item_words = sum(len((f"{n}. {name} What we like " + " ".join(points)).split())
                     for n, (name, points) in enumerate(PICKS, 1))
    assert ex.dropped_structure(block, prose) == item_words
    assert ex.dropped_structure(None, prose) == 0


def test_a_listicle_whose_items_trafilatura_dropped_is_read_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    prose = _prose_only(ex.readability_text(_listicle()))
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: prose)
    found = extract_html(_listicle())
    assert found.extractor == "readability"
    assert all(p in found.text for p in PARAGRAPHS)  # the story kept whole, in order
    for n, (name, points) in enumerate(PICKS, 1):
        assert f"{n}. {name}" in found.text and all(p in found.text for p in points)
    assert "Storm damage bill" not in found.text and "Privacy Policy" not in found.text


def test_readability_is_not_asked_when_trafilatura_kept_the_items(
        monkeypatch: pytest.MonkeyPatch) -> None:
    whole = ex.readability_text(_listicle())
    asked: list[object] = []  # recorded, not raised: a failing readability is caught

    def record(*args: object, **kwargs: object) -> str:
        asked.append(args)
        return ""

    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: whole)
    monkeypatch.setattr(ex, "readability_text", record)
    assert extract_html(_listicle()).text == whole
    assert asked == []


def test_structure_fuller_wins_only_with_story_lines_inside_the_story() -> None:
    story = "\n".join(PARAGRAPHS)
    items = "\n".join(LIST_ITEMS)
    inside = "\n".join([*PARAGRAPHS[:2], "Three phases", items, *PARAGRAPHS[2:]])
    assert ex.structure_fuller_wins(story, inside)
    # the same extra lines around the story: a teaser rail or a byline block, not the story
    assert not ex.structure_fuller_wins(story, story + "\n" + "\n".join(TEASERS))
    assert not ex.structure_fuller_wins(story, "\n".join(TEASERS) + "\n" + story)
    # the extra is cue chrome, or a caption repeated under every picture
    ads = "\n".join([PARAGRAPHS[0], "Advertisement", PARAGRAPHS[1], "VIDEO", PARAGRAPHS[2],
                     "Advertisement", PARAGRAPHS[3]])
    assert not ex.structure_fuller_wins(story, ads)
    caption = "Photo: the harbour wall after the storm, Port Elin Gazette"
    captions = "\n".join(x for p in PARAGRAPHS[:3] for x in (p, caption)) + "\n" + PARAGRAPHS[3]
    assert not ex.structure_fuller_wins(story, captions)
    # not fuller, or not holding trafilatura's text
    assert not ex.structure_fuller_wins(story, story)
    assert not ex.structure_fuller_wins(story, "\n".join([PARAGRAPHS[0], items, PARAGRAPHS[1]]))
    assert not ex.structure_fuller_wins("", inside)


# ---- a small story block wrapped in page furniture ---------------------------------------------

BANNERS = ["Free standard shipping on orders over forty dollars, see our delivery page for rates",
           "Members save ten percent on every order placed before the end of the month",
           "Download our app for early access to sales and new products every week",
           "Returns are free within thirty days when the item comes back in its box"]
PRAISE = ["I highly recommend this shop, the staff were friendly and the parcel came quickly",
          "Great service from start to finish and the prices were fair, five stars from me",
          "They answered every question I had and followed up after the delivery arrived",
          "Best online shop I have used this year and I will certainly order again soon"]
ELSEWHERE = ["Our stores are open seven days a week across the region with free parking nearby",
             "Gift cards can be bought online or in store and never expire after purchase",
             "Careers at our company include roles in retail, logistics and customer care"]


def _furnished_page() -> str:
    def div(name: str, texts: list[str]) -> str:
        return f"<div class='{name}'>" + "".join(f"<p>{t}</p>" for t in texts) + "</div>"

    return ("<html><head><title>Sea wall vote</title></head><body>"
            + div("banners", BANNERS) + div("story", PARAGRAPHS) + div("praise", PRAISE)
            + "".join(f"<section><p>{t}</p></section>" for t in ELSEWHERE) + "</body></html>")


FURNISHED = "\n".join([*BANNERS, *PARAGRAPHS, *PRAISE])


def test_a_small_block_wrapped_in_furniture_is_doubted() -> None:
    block = STORY.lower().split()
    words = FURNISHED.lower().split()
    page_words = len(words) + len(" ".join(ELSEWHERE).split())
    assert len(words) >= 2 * len(block) and page_words >= 1.1 * len(words)
    assert ex.small_block_doubt(words, page_words, block)
    # the page's prose is all in trafilatura's text: a story over several blocks, no doubt
    assert not ex.small_block_doubt(words, len(words), block)
    # trafilatura's text is not twice the block, or the block is not inside it, or is tiny
    assert not ex.small_block_doubt(block + PRAISE[0].lower().split(), page_words, block)
    assert not ex.small_block_doubt(" ".join(BANNERS * 6).lower().split(), page_words, block)
    assert not ex.small_block_doubt(words, page_words, block[:40])


def test_block_alone_wins_only_when_the_second_pass_is_that_block() -> None:
    block = STORY.lower().split()
    assert ex.block_alone_wins(FURNISHED, STORY, block)
    assert not ex.block_alone_wins(FURNISHED, PARAGRAPHS[0], block)  # a fragment of it
    assert not ex.block_alone_wins(FURNISHED, "", block)
    other = "\n".join(ELSEWHERE * 3)  # block-sized but not inside trafilatura's text
    assert not ex.block_alone_wins(FURNISHED, other, block)


def test_the_precision_pass_takes_the_story_out_of_its_furniture(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: FURNISHED)
    monkeypatch.setattr(ex, "_precision_text", lambda tree, url: STORY)
    found = extract_html(_furnished_page())
    assert found.extractor == "trafilatura-precision"
    assert found.text == STORY  # the story whole, the banners and praise gone


def test_the_precision_pass_is_not_run_when_trafilatura_took_the_page_prose(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A story over several blocks: trafilatura's text holds the page's paragraph words, so
    no second trafilatura pass, and the story stays whole."""
    runs: list[object] = []

    def record(tree: object, url: object) -> str:
        runs.append(url)
        return STORY

    whole = "\n".join([*BANNERS, *PARAGRAPHS, *PRAISE, *ELSEWHERE])
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: whole)
    monkeypatch.setattr(ex, "_precision_text", record)
    found = extract_html(_furnished_page())
    assert runs == [] and found.text == whole
