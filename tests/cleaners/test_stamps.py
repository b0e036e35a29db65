from __future__ import annotations

import pytest

from cleanfeed.cleaners.stamps import Stamps, match_stamp, stamps
from tests.conftest import make

STORY = "The mayor opened the new bridge on Tuesday, two years after construction began."


@pytest.mark.parametrize(("line", "date"), [
    (" date 2025-01-31 ", "2025-01-31"),
    ("2025-01-31 15:10", "2025-01-31 15:10"),
    ("Published: Jan. 31, 2025 3:10 pm ET", "Jan. 31, 2025 3:10 pm ET"),
    ("Updated 2 hours ago", "2 hours ago"),
    (" fecha 12/05/2023", "12/05/2023"),
    ("12/05/2023 18:40", "12/05/2023 18:40"),
    ("Veröffentlicht am 3. März 2024, 14:30 Uhr", "3. März 2024, 14:30 Uhr"),
    ("Publié le 5 janvier 2024 à 10h30", "5 janvier 2024 à 10h30"),
    ("Publicado em 7 de maio de 2024", "7 de maio de 2024"),
    ("Pubblicato il 9 aprile 2024", "9 aprile 2024"),
    ("hace 3 horas", "hace 3 horas"),
    ("Friday, January 31, 2025", "Friday, January 31, 2025"),
    ("Updated at 1:23 p.m.", "1:23 p.m."),
    # the dates module's vocabulary: a time written before the date, a short pt weekday
    ("Published 10:02 AM EST Nov 19, 2019", "10:02 AM EST Nov 19, 2019"),
    ("Sexta, 12 de maio de 2023", "Sexta, 12 de maio de 2023"),
])
def test_whole_line_date_stamps_are_recognised(line: str, date: str) -> None:
    assert match_stamp(line) == date


@pytest.mark.parametrize("line", [
    "The deal closed on 2025-01-31 after talks.",
    "100M", "hello 4000", "2024", "Call 555-123-4567", "Read More",
    "Published in Nature, the study covers 2,000 patients.",
    "1:23",
    "12 May 2023 - 14 May 2023",  # two dates: a range, not a stamp
    "31/31/2023",  # not a calendar day
])
def test_numbers_and_sentences_are_not_stamps(line: str) -> None:
    assert match_stamp(line) is None


def test_stamps_at_both_ends_are_cut_and_kept_for_the_date_step() -> None:
    a = make(f" date 2025-01-31 \n\n{STORY}\n{STORY}\n2025-01-31 15:10")
    out = stamps(a)
    assert out.text == f"{STORY}\n{STORY}"
    assert out.hints["stamp_dates"] == ("date 2025-01-31", "2025-01-31 15:10")
    assert [r.reason for r in out.removed] == ["date stamp at the top: '2025-01-31'",
                                               "date stamp at the end: '2025-01-31 15:10'"]


def test_a_date_line_in_the_middle_of_the_story_stays() -> None:
    lines = [STORY] * 4 + ["2025-01-31"] + [STORY] * 4
    a = make("\n".join(lines))
    assert stamps(a).text == a.text


def test_a_record_that_is_only_a_date_is_left_alone() -> None:
    assert stamps(make("2025-01-31")).text == "2025-01-31"


def test_edge_lines_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Stamps(edge_lines=0)
