"""The text-dump path: page chrome around a story cut out of plain text, the story kept whole."""

from __future__ import annotations

import cleanfeed
from cleanfeed.article import Article, RawRecord
from cleanfeed.cleaners.boilerplate import (
    SeenLines,
    StripBoilerplate,
    clean_dumps,
    line_features,
    normalise_line,
    story_lines,
)
from tests.conftest import SEED_000, SEED_004, make

MENU = """\
Skip to content
* Home
* World
* Business
+ Markets
+ Companies
* Sport
* Culture
Search
Sign in
"""

STORY = """\
Harbour town votes to rebuild its flooded sea wall

The town council of Port Elin voted on Tuesday to rebuild the sea wall that failed during \
the January storms, after three hours of debate in a packed hall.
The new wall will be two metres higher than the old one, and its cost will be shared \
between the town and the regional government, the mayor said.
The plan lists the work in three phases:
* Clearing the rubble left on the beach by the storm.
* Driving new steel piles along the old line.
* Pouring the concrete cap and the walkway.
“We cannot wait for another winter like the last one,” said Ana Ruiz, who runs a bakery \
on the front and whose shop was flooded twice.
Costs by phase:
Phase      Months   Cost
Clearing   2        0.4m
Piles      6        3.1m
Cap        4        1.2m
Work should begin in April and last just over a year, according to the council's own \
timetable, which residents can read at the town hall.
"""

FOOTER = """\
Share this:
* Facebook
* Twitter
* Email
Related stories
* Storm damage bill tops estimates
* Ferry service resumes after storm
Comments
jdoe says:
Finally! This should have been done ten years ago, and everybody in town knows it.
© 2024 Port Elin Gazette. All rights reserved.
Privacy Policy | Terms of Use | Contact
"""

DUMP = MENU + STORY + FOOTER


def _story_sentences(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def test_dump_keeps_the_whole_story_with_its_list_quote_and_table() -> None:
    out = StripBoilerplate()(make(DUMP))
    for line in _story_sentences(STORY)[1:]:  # the headline is chrome-like, the rest is story
        assert line in out.text, line
    for junk in ("Skip to content", "* Business", "Sign in", "Share this:", "Related stories",
                 "Storm damage bill", "jdoe says:", "ten years ago", "All rights reserved",
                 "Privacy Policy"):
        assert junk not in out.text, junk


def test_every_removal_is_recorded_under_the_step_name() -> None:
    out = StripBoilerplate()(make(DUMP))
    assert out.removed
    assert {r.cleaner for r in out.removed} == {"boilerplate"}
    removed = "\n".join(r.text for r in out.removed)
    assert "* World" in removed and "Privacy Policy | Terms of Use | Contact" in removed


def test_clean_article_passes_untouched() -> None:
    text = "\n".join(_story_sentences(STORY)[1:4])
    out = StripBoilerplate()(make(text))
    assert out.text == text
    assert out.removed == ()


def test_short_closing_line_of_a_clean_article_is_kept() -> None:
    body = _story_sentences(STORY)[1]
    text = f"{body}\n{body}\nThanks for reading."
    assert StripBoilerplate()(make(text)).text == text


def test_seeds_lose_no_story_line() -> None:
    for path in (SEED_000, SEED_004):
        text = path.read_text(encoding="utf-8")
        out = StripBoilerplate()(make(text))
        for line in text.split("\n"):
            f = line_features(line)
            if f.prose and "Read More" not in line and not f.bullet:
                assert line.strip() in out.text, line


def test_html_extracted_articles_are_left_to_the_html_path() -> None:
    article = make(DUMP).with_hint("extracted_from_html", "trafilatura")
    assert StripBoilerplate()(article) is article


def test_text_with_no_story_is_left_alone() -> None:
    text = "* Home\n* News\n* Sport\nSearch"
    assert StripBoilerplate()(make(text)).text == text


def test_seen_lines_learn_site_boilerplate_from_the_batch() -> None:
    promo = ("Our journalism depends on readers like you, so please consider supporting the "
             "Gazette with a subscription today.")
    stories = [
        "The bakery on the front reopened on Monday after months of repairs to its flooded floor.",
        "The ferry to the islands will run twice a day again from next week, the operator said.",
        "Schools in the district will close early on Friday for a staff training day, as planned.",
        "The library will stay open late on Thursdays through the winter, the council announced.",
    ]
    texts = [f"{s}\n{s}\n{promo}" for s in stories]
    # a long line needs min_docs + 1 documents: 3 copies of one story are not boilerplate
    assert not SeenLines.fit(texts[:3], ["gazette"] * 3, min_docs=3).is_boilerplate(
        promo, "gazette")
    seen = SeenLines.fit(texts, ["gazette"] * 4, min_docs=3)
    assert seen.is_boilerplate(promo, "gazette")
    assert not seen.is_boilerplate(stories[0], "gazette")
    assert not seen.is_boilerplate(promo, "another-site")  # 4 documents < min_docs_any + 1
    out = StripBoilerplate(seen)(make(texts[0], site="gazette"))
    assert promo not in out.text and stories[0] in out.text
    assert StripBoilerplate()(make(texts[0], site="gazette")).text == texts[0]  # prose alone


def test_copies_of_one_story_do_not_erase_each_other() -> None:
    story = "\n".join(_story_sentences(STORY)[1:])
    seen = SeenLines.fit([story] * 6)
    out = StripBoilerplate(seen)(make(story))
    assert out.text == story  # every line "seen": no story run, nothing cut


def test_lines_are_keyed_without_bullets_case_or_digits() -> None:
    assert normalise_line("  * Posted 12 Comments ") == normalise_line("posted 7 comments")


def test_story_lines_marks_runs_and_keeps_blank_lines() -> None:
    keep = story_lines(DUMP)
    lines = DUMP.split("\n")
    assert not keep[lines.index("* Home")]
    assert keep[lines.index("* Driving new steel piles along the old line.")]


def test_clean_dumps_is_deterministic() -> None:
    texts = [DUMP, MENU + "A different story about the harbour, told in one long sentence here."]
    assert clean_dumps(texts) == clean_dumps(list(texts))


def test_default_pipeline_cleans_a_text_dump() -> None:
    result = cleanfeed.clean(RawRecord(source="dump.txt", text=DUMP))
    assert isinstance(result, Article)
    assert "Driving new steel piles along the old line." in result.text
    assert "Skip to content" not in result.text and "Privacy Policy" not in result.text


def test_date_stamp_next_to_the_story_is_left_for_the_stamps_step() -> None:
    story = "\n".join(_story_sentences(STORY)[1:])
    out = StripBoilerplate()(make(MENU + "2024-03-05 09:30\n" + story + "\n" + FOOTER))
    assert out.text.startswith("2024-03-05 09:30\n")
    result = cleanfeed.clean(RawRecord(source="d.txt", text=MENU + "2024-03-05 09:30\n" + story))
    assert isinstance(result, Article)
    assert result.published is not None and result.published.startswith("2024-03-05")
    assert "2024-03-05 09:30" not in result.text


def test_short_read_more_tail_is_left_to_link_spam() -> None:
    story = "\n".join(_story_sentences(STORY)[1:])
    tail = "Read More\n- Storm damage bill tops estimates\n- Ferry service resumes after storm"
    assert StripBoilerplate()(make(story + "\n" + tail)).text.endswith(tail)
    result = cleanfeed.clean(RawRecord(source="d.txt", text=story + "\n" + tail))
    assert isinstance(result, Article)
    assert "Ferry service resumes" not in result.text
    assert {r.cleaner for r in result.removed} >= {"link_spam"}


def test_two_pages_of_a_site_teach_its_template_but_copies_teach_nothing() -> None:
    body_a = "\n".join(_story_sentences(STORY)[1:])
    body_b = ("The ferry to the islands will run twice a day again from next week, the operator "
              "said on Monday after repairs to the pier were finished ahead of schedule.")
    banner = "Support local news: become a member"
    seen = SeenLines.fit([f"{banner}\n{body_a}", f"{banner}\n{body_b}"], ["gazette"] * 2)
    assert seen.is_boilerplate(banner, "gazette")
    out = StripBoilerplate(seen)(make(f"{banner}\n{body_a}", site="gazette"))
    assert out.text == body_a
    # the same story twice (another menu, same prose): its short lines are not "seen"
    copies = SeenLines.fit([MENU + STORY, "* Home\n" + STORY], ["gazette"] * 2)
    assert not copies.is_boilerplate("Costs by phase:", "gazette")
    kept = StripBoilerplate(copies)(make(STORY, site="gazette")).text
    assert "Costs by phase:" in kept and "Clearing   2        0.4m" in kept


def test_walls_are_whole_words_not_prefixes() -> None:
    assert line_features("Comments").wall and line_features("12 comments").wall
    assert line_features("Related stories").wall
    assert not line_features("Commentators were divided on the plan.").wall
    assert not line_features("Relatedly, the ferry will run again.").wall


def test_a_lede_above_a_share_bar_stays_with_the_story() -> None:
    """Precision first: a share bar between the lede and the body is chrome, not the end of a
    section, so the lede paragraph is never cut with it."""
    from cleanfeed.cleaners.boilerplate import StripBoilerplate
    from tests.conftest import make

    lede = ("The Harbor City council voted 7-2 on Thursday to build a movable flood barrier at "
            "the mouth of the old port, ending a debate that has lasted almost a decade.")
    body = ("The barrier, estimated to cost $240 million, will be raised during storm surges "
            "and lowered the rest of the year so that ships can pass, engineers said.")
    out = StripBoilerplate()(make(f"{lede}\nShare this article\n{body}\n{body}"))
    assert lede in out.text and body in out.text
