from __future__ import annotations

import pytest

from cleanfeed.cleaners.link_spam import LinkSpam, is_cue_line, link_spam
from tests.conftest import make

STORY = ("The city council approved the new budget on Monday after a long debate about "
         "school funding and road repairs.")


@pytest.mark.parametrize("cue", ["Read More", "READ MORE:", "Related Articles", "» Lee también",
                                 "Lesen Sie auch:", "À lire aussi", "Leia também", "Leggi anche",
                                 "You may also like"])
def test_cue_lines_in_six_languages(cue: str) -> None:
    assert is_cue_line(cue)


def test_cue_block_at_the_end_is_removed_with_its_items() -> None:
    text = f"{STORY}\n{STORY}\nRead More\n- Ten games to play this winter\n- Why bitcoin fell?\n"
    out = link_spam(make(text))
    assert out.text == f"{STORY}\n{STORY}"
    assert out.removed[0].reason == "cue line 'Read More' followed by 2 headline-like lines"


def test_block_in_the_middle_stops_at_the_next_prose_line() -> None:
    text = f"{STORY}\nRelated\nMayor unveils plan for new park\n{STORY}"
    out = link_spam(make(text))
    assert out.text == f"{STORY}\n{STORY}"


def test_read_more_inside_a_sentence_stays() -> None:
    text = f"{STORY} Read more about the study in the journal's edition.\n{STORY}"
    assert link_spam(make(text)).text == text


def test_a_sentence_line_starting_with_read_more_stays() -> None:
    text = f"{STORY}\nRead more about the study in the journal's edition.\n{STORY}"
    assert link_spam(make(text)).text == text


def test_one_line_read_more_link_is_removed() -> None:
    text = f"{STORY}\nREAD MORE: Port expansion plans face new delays\n{STORY}"
    out = link_spam(make(text))
    assert out.text == f"{STORY}\n{STORY}"
    assert out.removed[0].reason == "one-line link to another story"


def test_a_lone_cue_line_goes_and_the_story_after_it_stays() -> None:
    out = link_spam(make(f"{STORY}\nRead More\n{STORY}"))
    assert out.text == f"{STORY}\n{STORY}"
    assert out.removed[0].reason == "cue line 'Read More' with no links after it"


def test_item_count_is_bounded() -> None:
    items = "\n".join(f"- Headline number {i}" for i in range(5))
    out = LinkSpam(max_items=2)(make(f"{STORY}\n{STORY}\n{STORY}\nRead More\n{items}"))
    assert "Headline number 2" in out.text and "Headline number 1" not in out.text


def test_seed_000_read_more_block_goes_and_every_story_line_stays(samples) -> None:  # type: ignore[no-untyped-def]
    text = (samples / "000_735f9fa0de04fba4.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    cue = lines.index("Read More")
    out = link_spam(make(text))
    for story_line in lines[:cue]:
        assert story_line in out.text
    for junk in lines[cue:cue + 11]:
        assert junk not in out.text
    assert len(out.removed) == 1 and out.removed[0].text.count("\n- ") == 10
