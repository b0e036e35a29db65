"""The HTML path: main content out of hand-written pages, arbitration between the two extractors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import cleanfeed
from cleanfeed.article import Article, Drop, RawRecord
from cleanfeed.extract import (
    Extracted,
    _untable,
    arbitrate,
    extract,
    extract_html,
    readability_text,
    readable_length,
)
from tests.conftest import make

PARAGRAPHS = [
    "The town council of Port Elin voted on Tuesday to rebuild the sea wall that failed during "
    "the January storms, after three hours of debate in a packed hall.",
    "The new wall will be two metres higher than the old one, and its cost will be shared "
    "between the town and the regional government, the mayor said.",
    "Engineers who inspected the old wall found that the storm had washed out the sand behind "
    "it, so the concrete face simply tipped over into the harbour.",
    "Work should begin in April and last just over a year, according to the council's own "
    "timetable, which residents can read at the town hall.",
]
LIST_ITEMS = ["Clearing the rubble left on the beach by the storm",
              "Driving new steel piles along the old line",
              "Pouring the concrete cap and the walkway"]
QUOTE = ("We cannot wait for another winter like the last one, said Ana Ruiz, who runs a "
         "bakery on the front and whose shop was flooded twice.")
TABLE = [("Clearing", "2 months"), ("Piles", "6 months"), ("Cap", "4 months")]

NAV = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in
              ["Home", "World", "Business", "Markets", "Sport", "Culture", "Travel"])
RELATED = "".join(f'<li><a href="/story/{i}">{t}</a></li>' for i, t in enumerate(
    ["Storm damage bill tops estimates", "Ferry service resumes after storm",
     "Ten photos of the flooded harbour", "Mayor answers readers' questions"]))


def page(body: str, *, title: str = "Harbour town votes to rebuild its sea wall") -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Port Elin Gazette</title>
<meta property="og:title" content="{title}">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-05T09:30:00+00:00">
</head><body>
<header><nav><ul>{NAV}</ul></nav><form><input name="q"><button>Search</button></form></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By Jane Doe, 5 March 2024</p>
{body}
</article>
<aside class="share">Share this: <a href="#">Facebook</a> <a href="#">Twitter</a></aside>
<section class="related"><h3>Related stories</h3><ul>{RELATED}</ul></section>
</main>
<footer><p>© 2024 Port Elin Gazette. All rights reserved.</p>
<a href="/privacy">Privacy Policy</a> <a href="/terms">Terms of Use</a></footer>
</body></html>"""


STORY_BODY = (
    f"<p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p>"
    "<h2>Three phases</h2>"
    + "<ul>" + "".join(f"<li>{item}</li>" for item in LIST_ITEMS) + "</ul>"
    + f"<blockquote><p>{QUOTE}</p></blockquote>"
    + f"<p>{PARAGRAPHS[2]}</p>"
    + "<table><tr><th>Phase</th><th>Duration</th></tr>"
    + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in TABLE) + "</table>"
    + f"<p>{PARAGRAPHS[3]}</p>"
)


def test_story_is_kept_whole_with_its_list_quote_and_table() -> None:
    text = extract_html(page(STORY_BODY)).text
    for sentence in [*PARAGRAPHS, *LIST_ITEMS, QUOTE]:
        assert sentence in text, sentence
    for phase, duration in TABLE:
        assert phase in text and duration in text
    for junk in ("Markets", "Storm damage bill", "Privacy Policy", "All rights reserved",
                 "Share this"):
        assert junk not in text, junk


def test_table_rows_come_out_as_cells_not_bars() -> None:
    text = extract_html(page(STORY_BODY)).text
    assert "|" not in text and "---" not in text
    assert any(line.startswith("Piles") and "6 months" in line for line in text.split("\n"))


def test_metadata_comes_with_the_text() -> None:
    found = extract_html(page(STORY_BODY), url="https://gazette.example/sea-wall")
    assert found.title == "Harbour town votes to rebuild its sea wall"
    assert found.authors == ("Jane Doe",)
    assert found.published == "2024-03-05T09:30:00+00:00"  # the offset the page gave


def test_arbitrate_prefers_the_tighter_text_when_the_extra_lines_are_chrome() -> None:
    story = "\n".join(PARAGRAPHS)
    padded = "Share\nSign in\nFollow us on Facebook\n" + story + "\nRead more\nAdvertisement"
    assert arbitrate(padded, story) == (story, "readability")


def test_arbitrate_prefers_the_fuller_text_when_the_extra_lines_are_prose() -> None:
    short = PARAGRAPHS[0]
    full = "\n".join(PARAGRAPHS)
    assert arbitrate(short, full) == (full, "readability")


def test_arbitrate_keeps_trafilatura_when_readability_finds_little_or_something_else() -> None:
    story = "\n".join(PARAGRAPHS)
    assert arbitrate(story, "") == (story, "trafilatura")
    assert arbitrate(story, "Home") == (story, "trafilatura")
    other = ("A completely different text about the weather in the mountains this week, with "
             "snow expected on the high passes and rain in the valleys below them.")
    assert arbitrate(story, other) == (story, "trafilatura")
    assert arbitrate("", story) == (story, "readability")


def test_arbitrate_keeps_the_prose_trafilatura_found_beyond_readability() -> None:
    story = "\n".join(PARAGRAPHS)
    assert arbitrate(story, "\n".join(PARAGRAPHS[:3])) == (story, "trafilatura")


def test_readability_text_puts_blocks_on_their_own_lines() -> None:
    text = readability_text(page(STORY_BODY))
    assert PARAGRAPHS[0] in text.split("\n")
    assert all(item in text.split("\n") for item in LIST_ITEMS)
    assert "Piles\t6 months" in text.split("\n")


def test_extract_step_replaces_html_with_text_and_marks_the_source() -> None:
    article = Article.from_raw(RawRecord(source="p.html", html=page(STORY_BODY)))
    out = extract(article)
    assert isinstance(out, Article)
    assert PARAGRAPHS[0] in out.text
    assert "html" not in out.hints
    assert out.hints["extracted_from_html"] in {"trafilatura", "readability"}
    assert out.title == "Harbour town votes to rebuild its sea wall"
    dated = cleanfeed.clean(RawRecord(source="p.html", html=page(STORY_BODY)))
    assert isinstance(dated, Article) and dated.published is not None
    assert dated.published.startswith("2024-03-05")


def test_extract_step_leaves_text_records_alone() -> None:
    article = make("Plain text, no HTML.")
    assert extract(article) is article


def test_page_without_content_is_dropped_or_falls_back_to_given_text() -> None:
    empty = Article.from_raw(RawRecord(source="e.html", html="<html><body></body></html>"))
    assert isinstance(extract(empty), Drop)
    with_text = Article.from_raw(RawRecord(source="e.html", html="<html><body></body></html>",
                                           text="The feed's own summary of the story."))
    out = extract(with_text)
    assert isinstance(out, Article) and out.text == "The feed's own summary of the story."


def test_broken_html_does_not_crash_the_pipeline() -> None:
    result = cleanfeed.clean(RawRecord(source="b.html", html="<html><p>unclosed <b>tags"))
    assert result is not None  # an Article or a Reject with a reason, never an exception


def test_default_pipeline_on_an_html_record_keeps_the_story() -> None:
    result = cleanfeed.clean(RawRecord(source="p.html", html=page(STORY_BODY)))
    assert isinstance(result, Article)
    for sentence in PARAGRAPHS:
        assert sentence in result.text
    assert "Privacy Policy" not in result.text


def test_extracted_is_a_plain_value() -> None:
    assert Extracted(text="x") == Extracted(text="x")


def test_trafilatura_text_loses_empty_items_and_table_bars_only() -> None:
    raw = "Story line.\n- \n-\n- A real item\n| Phase | Cost |\n| --- | --- |\n| Piles | 3.1m |"
    assert _untable(raw) == "Story line.\n- A real item\nPhase\tCost\nPiles\t3.1m"
    assert _untable("A | B is not a table row") == "A | B is not a table row"


_SPACES_AND_TEXT = st.text(alphabet=st.sampled_from(
    [" ", "\t", "\n", "\r", "\xa0", "\u2009", "\u3000", "\x0b", "\x0c", "\x85", "a", "b", "."]),
    max_size=60)


@given(_SPACES_AND_TEXT, st.integers(0, 300), _SPACES_AND_TEXT)
def test_readable_length_is_the_length_of_readabilitys_cleaned_text(
        head: str, blanks: int, tail: str) -> None:
    from readability.readability import clean

    for text in (head + tail, head + " " * blanks + tail, head + "\n" + " " * blanks + tail):
        assert readable_length(text) == len(clean(text))


def test_readabilitys_link_density_is_measured_the_same_way() -> None:
    import copy
    from pathlib import Path

    import lxml.html
    from readability import Document

    from cleanfeed.extract import _readability_document, parse_html
    from tests.test_extract_fallback import DIV_STORY, FLAT_PAGE

    links = "".join(f"<li><a href='/n/{i}'>Teaser  headline\t{i}</a>  </li>\n" for i in range(30))
    menu_page = page(f"<ul class='nav'>{links}</ul>{STORY_BODY}<ul>{links}</ul>")
    pages = [page(STORY_BODY), menu_page, DIV_STORY, FLAT_PAGE,
             Path("samples/page.html").read_text(encoding="utf-8")]
    for html in pages:
        tree = parse_html(html)
        assert tree is not None
        ours = _readability_document()(copy.deepcopy(tree)).summary(html_partial=True)
        assert ours == Document(copy.deepcopy(tree)).summary(html_partial=True)
        assert lxml.html.fromstring(ours).text_content().strip()
