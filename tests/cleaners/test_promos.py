from __future__ import annotations

import pytest

from cleanfeed.cleaners.promos import classify, promos
from tests.conftest import make


@pytest.mark.parametrize(("line", "group"), [
    ("ADVERTISEMENT", "ads"), ("Anzeige", "ads"), ("Publicidad", "ads"),
    ("Share this article", "share"), ("Share on Facebook", "share"), ("Compartir", "share"),
    ("Follow us on Twitter for the latest updates", "follow"), ("Suivez-nous sur X", "follow"),
    ("Subscribe to our newsletter", "subscribe"), ("Iscriviti alla newsletter", "subscribe"),
    ("We use cookies to improve your experience. By continuing you accept them.", "cookie"),
    ("© 2025 Example Media. All rights reserved.", "copyright"),
    ("Copyright 2024 Foo Inc", "copyright"), ("Todos los derechos reservados", "copyright"),
    ("CLICK HERE TO GET THE NEWS APP", "cta"), ("Click here to report a typo.", "cta"),
    ("Comments", "comments"), ("12 Comments »", "comments"), ("Kommentare", "comments"),
    ("Filed under: politics, Europe | Tagged: elections", "taxonomy"),
    ("Follow the Institute on Twitter | Like us on Facebook", "follow"),
    ("Follow City News on Facebook, Twitter and Instagram.", "follow"),
    ("The post Ten Ways To Save appeared first on Money Blog.", "feed"),
    ("Source: https://example.org/2017/12/26/story/", "link"),
    ("https://example.org/a/b/c", "link"),
    ("Read more great articles here: https://example.org", "more_links"),
    ("To read more posts like this visit My Blog at www.example.co.uk", "more_links"),
])
def test_calls_to_action_and_notices(line: str, group: str) -> None:
    assert classify(line) == group


@pytest.mark.parametrize("line", [
    "Share prices fell 3% on Monday.",
    "Subscribers can read the full report online.",
    "Sign up for the class at the library before Friday.",
    "Copyright cases are rising in the courts, experts say.",
    "The ad campaign cost the party two million euros.",
    "Followers of the team gathered outside the stadium.",
    "Follow the money, the prosecutor told the jury on Tuesday.",
    "The report is available at https://example.org/report and runs to 80 pages.",
    "Tags on the luggage showed it had travelled through three airports.",
    '{ category : "Fruits" , price : "$1" , stocked : true , name : "Apple" } ,',
])
def test_story_sentences_that_start_with_cue_words_stay(line: str) -> None:
    assert classify(line) is None


def test_promos_cuts_lines_and_records_why() -> None:
    story = "The museum will open a new wing in May, the director announced on Friday."
    out = promos(make(f"{story}\nShare this article\n{story}\nAdvertisement"))
    assert out.text == f"{story}\n{story}"
    assert [r.reason for r in out.removed] == ["share/social button text",
                                               "advertisement label"]
