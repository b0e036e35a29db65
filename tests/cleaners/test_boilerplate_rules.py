"""Text-dump rules added for held-out accuracy: each with a dump where it must fire and a text
where the story must be kept whole. Every dump here is written for the test."""

from __future__ import annotations

from cleanfeed.article import Article
from cleanfeed.cleaners.boilerplate import (
    StripBoilerplate,
    line_features,
    story_lines,
)

PARAS = [
    "The council of Port Elin voted on Tuesday to rebuild the sea wall that failed during the "
    "January storms, after three hours of debate in a packed hall.",
    "The new wall will be two metres higher than the old one, and its cost will be shared "
    "between the town and the regional government, the mayor said.",
    "Work should begin in April and last just over a year, according to the council's own "
    "timetable, which residents can read at the town hall.",
]
STORY = "\n\n".join(PARAS)
MENU = "* Home\n* News\n* Sport\n* Weather\nSearch\nSign in\n\n"


def cleaned(text: str) -> str:
    return StripBoilerplate()(Article(id="t", source="t", text=text)).text


def test_unended_sentence_length_lines_are_headlines_not_prose() -> None:
    headline = "Ferry company says the winter timetable will start two weeks later this year"
    assert line_features(headline).headline and not line_features(headline).prose
    assert line_features(headline + ".").prose  # the same words as a sentence are prose


def test_a_related_headline_list_after_the_story_goes() -> None:
    related = "\n".join([
        "More from the coast",
        "Ferry company says the winter timetable will start two weeks later this year",
        "Fishermen in the north bay count the cost of a storm that nobody forecast",
        "Council opens consultation on parking charges along the seafront next spring",
        "Lifeboat crew rescues two walkers cut off by the tide near the old lighthouse",
    ])
    out = cleaned(MENU + STORY + "\n\n" + related + "\n\n© 2026 Gazette Media")
    assert out == STORY


def test_sub_headings_and_list_lines_inside_a_story_stay() -> None:
    text = (PARAS[0] + "\n\nWhat the plan says about the quay and the old harbour buildings\n\n"
            + PARAS[1] + "\n\nThe works are planned in these phases\n"
            "* Clearing the rubble left on the beach by the storm\n"
            "* Driving new steel piles along the line of the old wall\n\n" + PARAS[2])
    assert cleaned(MENU + text + "\n\n© 2026 Gazette Media\nPrivacy policy") == text
    assert cleaned(text) == text  # a clean article passes untouched


def test_a_cookie_notice_is_chrome_at_any_length() -> None:
    notice = ("This website uses cookies to improve your experience while you navigate through "
              "the website, and some of them are stored in your browser because they are needed "
              "for the basic functions of the site to work as expected.")
    assert line_features(notice).chrome
    assert cleaned(MENU + STORY + "\n\n" + notice + "\n\nAccept") == STORY


def test_notice_words_inside_a_story_sentence_do_not_make_it_chrome() -> None:
    line = ("The regulator said the company's cookie banner broke the law, and that users had "
            "never been told which data was kept or for how long it was stored.")
    assert line_features(line).prose and not line_features(line).chrome


def test_a_long_line_without_punctuation_is_a_tag_cloud_not_prose() -> None:
    tags = " ".join(["harbour", "ferry", "council", "storm", "weather", "tides", "lifeboat",
                     "fishing", "tourism", "parking", "schools", "budget", "elections", "sport",
                     "football", "sailing", "rowing", "festival", "music", "theatre", "library",
                     "museum", "history", "planning", "housing", "roads", "buses", "trains",
                     "health", "hospital", "police", "courts", "business", "jobs", "shops",
                     "markets", "farming", "wildlife", "beaches", "walks", "food"])
    assert not line_features(tags).prose
    out = cleaned(MENU + "Tags\n" + tags + "\n\n" + STORY + "\n\nShare\nTweet")
    assert out == STORY


def test_one_cue_word_does_not_make_a_sentence_case_list_item_chrome() -> None:
    assert not line_features("- More expensive than the other courses").chrome
    assert not line_features("- Not recommended for beginners in the field").chrome
    assert line_features("More Stories").chrome and line_features("Share on Facebook").chrome
    assert line_features("Read more").chrome


def test_nothing_after_a_comments_wall_comes_back_as_story() -> None:
    comment = ("If you ask me the council should have rebuilt the wall years ago, and the town "
               "would have been spared the whole sorry business of the flooded shops and the "
               "closed road, which cost everyone on the front a great deal of money and time.")
    text = (MENU + STORY + "\n\nShare this:\n* Facebook\n* Twitter\n\n12 Comments\n"
            "1. harbourwatcher says:\nJanuary 3, 2026 at 9:14 am\n" + comment + "\n"
            "2. seafront_sam says:\nJanuary 3, 2026 at 9:30 am\nAgreed.\n\nLeave a Reply\n"
            "Your email address will not be published.\nPost Comment\n© 2026 Gazette Media\n")
    assert cleaned(text) == STORY


def test_a_list_heavy_story_is_kept_whole_across_its_lists() -> None:
    """A listicle: prose sections split by bullet lists with no chrome in between, opening with
    a numbered heading and ending with a list: nothing in it is page chrome."""
    sections = []
    for i, para in enumerate(PARAS):
        sections.append(f"{i + 1}. Option {i + 1}\n\n{para}\n\n- Duration: {i + 2} months\n"
                        f"- Price: {100 * (i + 1)} euros\n- Location: online or in person\n"
                        f"- Recognised: in most countries\n- Level: beginner to advanced\n")
    text = "\n".join(sections).strip()
    assert cleaned(text) == text
    keep = story_lines(text)  # one run from the first paragraph to the last
    first = text.split("\n").index(PARAS[0])
    last = text.split("\n").index(PARAS[-1])
    assert all(keep[first:last + 1])


def test_a_list_heavy_story_in_a_page_dump_loses_only_the_chrome() -> None:
    """Lists between paragraphs stay. (A list after the last paragraph, next to the footer,
    cannot be told from a related-links list by its shape: it goes with the footer.)"""
    body = "\n\n".join(f"- Duration: {i + 2} months\n- Price: {100 * (i + 1)} euros\n"
                       f"- Location: online or in person\n\n{para}"
                       for i, para in enumerate(PARAS))
    body = body.split("\n\n", 1)[1]  # starts with the first paragraph
    assert cleaned(MENU + body + "\n\nShare this:\n* Facebook\n* Twitter\n"
                   "© 2026 Gazette Media\nPrivacy policy") == body


def test_a_menu_without_cue_words_at_the_top_of_a_dump_is_kept() -> None:
    """Precision first: with no chrome line at an edge, nothing there is cut (by design)."""
    menu = "* World\n* Business\n* Markets\n* Culture\n\n"
    assert cleaned(menu + STORY) == menu.strip() + "\n\n" + STORY


def test_photo_captions_and_credits_go_even_inside_the_story() -> None:
    caption = ("Workers pour concrete for the new sea wall at Port Elin on Monday, "
               "March 2, 2026. (AP Photo/Jane Doe)")
    credit = "Photo by Jane Doe/Getty Images"
    text = (MENU + PARAS[0] + "\n\n" + caption + "\n\n" + PARAS[1] + "\n\n" + credit + "\n\n"
            + PARAS[2] + "\n\n© 2026 Gazette Media")
    article = StripBoilerplate()(Article(id="t", source="t", text=text))
    assert article.text == "\n\n".join(PARAS)
    reasons = {r.text: r.reason for r in article.removed}
    assert reasons[caption].startswith("photo caption") and reasons[credit].startswith("photo")


def test_a_story_sentence_with_parentheses_or_a_photo_word_is_not_a_caption() -> None:
    for line in ("The agency said the report (published in May) was wrong.",
                 "Photographers gathered outside the court before the verdict was read.",
                 "The vote was close (12 to 11), and the mayor abstained (as is the custom)"):
        assert not line_features(line).caption, line
    text = PARAS[0] + "\n\nThe vote was close (12 to 11), and the mayor abstained (as usual)"
    assert cleaned(text) == text
