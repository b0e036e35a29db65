"""Accuracy rules of the HTML path: a section of the story trafilatura dropped (put back from
readability's text), and teaser link lines ("Related: <headline>") cut from the text."""

from __future__ import annotations

import pytest

from cleanfeed import extract as ex
from cleanfeed.article import Article, RawRecord
from cleanfeed.extract import (
    dropped_section,
    extract,
    extract_html,
    parse_html,
    prose_paragraphs,
    section_fuller_wins,
    teaser_line_cuts,
)
from cleanfeed.pipeline import Pipeline
from tests.test_extract import PARAGRAPHS, page

HEADING = "Who pays for the new wall"
SECTION = [
    "The council will borrow most of the money from the regional development fund, which "
    "lends to coastal towns at a low rate, and will repay it over twenty years from the harbour "
    "dues that fishing boats and ferries already pay.",
    "Shop owners on the front asked whether the work would close the promenade in summer, and "
    "the engineers promised that one lane would stay open for walkers and delivery vans through "
    "the whole of the holiday season.",
]
CAPTION = "The old wall after the storm, seen from the ferry pier."


def _sectioned_page() -> str:
    """The story in two containers: the first part, then a section in its own ``<div>``."""
    first = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    section = f"<h2>{HEADING}</h2>" + "".join(f"<p>{p}</p>" for p in SECTION)
    last = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    return page(f"<div class='part'>{first}</div><div class='part'>{section}</div>"
                f"<div class='part'>{last}</div>")


WHOLE = "\n".join([*PARAGRAPHS[:2], HEADING, *SECTION, *PARAGRAPHS[2:]])
WITHOUT = "\n".join(PARAGRAPHS)  # trafilatura's text on such pages: the section gone


def _extract_step(html: str) -> Article:
    out = Pipeline([extract])(RawRecord(source="test", html=html))
    assert isinstance(out, Article)
    return out


# ---- the dropped section -----------------------------------------------------------------------

def test_dropped_section_sees_story_paragraphs_missing_between_kept_ones() -> None:
    tree = parse_html(_sectioned_page())
    assert tree is not None
    paragraphs = prose_paragraphs(tree)
    assert dropped_section(paragraphs, ex._words(WITHOUT))
    assert not dropped_section(paragraphs, ex._words(WHOLE))  # nothing missing
    # missing at the end (after the last kept paragraph): a tail, not a section in the story
    tail = "\n".join([*PARAGRAPHS[:2], *SECTION])
    assert not dropped_section(paragraphs, ex._words(tail))


def test_paragraphs_far_from_the_kept_story_are_not_a_section() -> None:
    """The same paragraphs missing, but deep in a sidebar that shares only ``<body>`` with the
    story: page furniture, not a dropped part of the story."""
    deep = "".join(f"<div class='l{n}'>" for n in range(7))
    html = page(f"<div class='story'><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p></div>"
                f"{deep}" + "".join(f"<p>{p}</p>" for p in SECTION) + "</div>" * 7
                + f"<div class='story'><p>{PARAGRAPHS[2]}</p><p>{PARAGRAPHS[3]}</p></div>")
    tree = parse_html(html)
    assert tree is not None
    assert not dropped_section(prose_paragraphs(tree), ex._words(WITHOUT))


def test_short_blurbs_missing_between_paragraphs_are_not_a_section() -> None:
    """Two one-line blurbs (comment snippets, pull quotes) under 30 words a paragraph."""
    blurbs = ["Readers asked whether the ferry would still run during the building works.",
              "The harbour master said the ferry timetable would not change this winter."]
    html = page("".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
                + "<div>" + "".join(f"<p>{b}</p>" for b in blurbs) + "</div>"
                + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:]))
    tree = parse_html(html)
    assert tree is not None
    assert not dropped_section(prose_paragraphs(tree), ex._words(WITHOUT))


def test_section_fuller_wins_only_when_one_run_of_sentences_is_put_back_inside() -> None:
    assert section_fuller_wins(WITHOUT, WHOLE)
    # the same extra around the story (a teaser box, an intro block): not inside it
    extra = "\n".join([HEADING, *SECTION])
    assert not section_fuller_wins(WITHOUT, WITHOUT + "\n" + extra)
    assert not section_fuller_wins(WITHOUT, extra + "\n" + WITHOUT)
    # a caption under each paragraph: single lines, no run holding the extra
    captions = "\n".join(x for p in PARAGRAPHS[:3] for x in (p, CAPTION)) + "\n" + PARAGRAPHS[3]
    assert not section_fuller_wins(WITHOUT, captions)
    # a run of short lines without sentences (a list of links, code), not a section
    links = "\n".join([*PARAGRAPHS[:2], *(f"Harbour photo gallery part {n}" for n in range(12)),
                       *PARAGRAPHS[2:]])
    assert not section_fuller_wins(WITHOUT, links)
    # not holding trafilatura's text, or nothing more
    assert not section_fuller_wins(WITHOUT, "\n".join([PARAGRAPHS[0], *SECTION, PARAGRAPHS[3]]))
    assert not section_fuller_wins(WITHOUT, WITHOUT)
    assert not section_fuller_wins("", WHOLE)


def test_a_story_whose_section_trafilatura_dropped_is_read_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: WITHOUT)
    found = extract_html(_sectioned_page())
    assert found.extractor == "readability"
    positions = [found.text.index(s) for s in [*PARAGRAPHS[:2], HEADING, *SECTION,
                                                 *PARAGRAPHS[2:]]]
    assert positions == sorted(positions)  # the story whole, in its order
    assert "Privacy Policy" not in found.text


def test_readability_is_not_asked_when_trafilatura_kept_the_section(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []

    def record(*args: object, **kwargs: object) -> str:
        asked.append(args)
        return ""

    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: WHOLE)
    monkeypatch.setattr(ex, "readability_text", record)
    assert extract_html(_sectioned_page()).text == WHOLE
    assert asked == []


# ---- teaser link lines ---------------------------------------------------------------------------

def test_teaser_link_lines_are_cut_and_prose_that_starts_with_a_cue_is_kept() -> None:
    lines = ["Related: Ferry timetable changes for the winter season",
             "- Also read: Ten photos of the flooded harbour",
             "Lesen Sie auch: Der neue Deich in Husum",
             "READ MORE | Storm damage bill tops estimates",
             "Related research shows that higher walls cut flood damage by half in small towns.",
             "Recommended: yes",
             "Recommended: keep the dog indoors until the storm has passed",
             "Most popular: the blue model, which sold out in a week",
             "Read more: " + " ".join(["word"] * 25),
             "Read more about the plans on the council's website."]
    text = "\n".join(lines)
    cut = [text[c.start:c.end] for c in teaser_line_cuts(text)]
    assert cut == lines[:4]
    assert all(c.reason == "link to a related story" for c in teaser_line_cuts(text))


def test_teaser_lines_inside_the_story_are_taken_out_and_recorded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    teaser = "Related: Ferry timetable changes for the winter season"
    text = "\n".join([*PARAGRAPHS[:2], teaser, *PARAGRAPHS[2:]])
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: text)
    out = _extract_step(page("".join(f"<p>{p}</p>" for p in PARAGRAPHS)))
    assert out.text == "\n".join(PARAGRAPHS)  # the story whole, the teaser gone
    assert [(r.cleaner, r.reason, r.text.strip()) for r in out.removed] == [
        ("extract", "link to a related story", teaser)]
