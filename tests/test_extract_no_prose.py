"""A page with no ``<p>`` prose at all (its story in ``<div>``s and ``<br>`` lines): the
paragraph measures that judge trafilatura's text are blind there, so readability's second
opinion is asked and :func:`cleanfeed.extract.arbitrate` decides."""

from __future__ import annotations

import pytest

from cleanfeed import extract as ex
from cleanfeed.article import Article, RawRecord
from cleanfeed.extract import doubt_of, extract
from cleanfeed.pipeline import Pipeline
from tests.test_extract import NAV, PARAGRAPHS

STORY = "\n".join(PARAGRAPHS)


def _div_page() -> str:
    """A news page laid out without a single ``<p>``: the byline and the story in divs."""
    story = "".join(f"<div class='txt'>{p}<br></div>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour town votes to rebuild its sea wall</title></head><body>
<div class="top"><ul>{NAV}</ul></div>
<div class="article"><h1>Harbour town votes to rebuild its sea wall</h1>
<div class="by">By Jane Doe</div>{story}</div>
<div class="foot"><a href="/about">About us</a> <a href="/contact">Contact</a></div>
</body></html>"""


def _extract_step(html: str) -> Article:
    out = Pipeline([extract])(RawRecord(source="test", html=html))
    assert isinstance(out, Article)
    return out


def test_a_page_without_paragraphs_is_doubted() -> None:
    words = STORY.lower().split()
    assert doubt_of(words, 0, []) == "no_prose"
    assert doubt_of([], 0, []) is None  # nothing to judge: the empty-text paths handle it
    assert ex.paragraph_words(ex.parse_html(_div_page())) == 0


def test_readability_fuller_text_wins_on_a_page_without_paragraphs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura kept the first half of a div-laid story; readability has all of it."""
    monkeypatch.setattr(ex, "_trafilatura_text", lambda tree, url: "\n".join(PARAGRAPHS[:2]))
    out = _extract_step(_div_page())
    assert out.hints["extracted_from_html"] == "readability"
    assert all(p in out.text for p in PARAGRAPHS)
    assert "About us" not in out.text and "Business" not in out.text


def test_the_story_is_kept_whole_when_trafilatura_had_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Readability is asked, but trafilatura's whole story stands (arbitrate keeps it unless
    readability's text is fuller)."""
    asked: list[int] = []
    real = ex._readability_or_nothing

    def counted(tree: object) -> str:
        asked.append(1)
        return real(tree)  # type: ignore[arg-type]

    monkeypatch.setattr(ex, "_readability_or_nothing", counted)
    out = _extract_step(_div_page())
    assert asked == [1]
    assert all(p in out.text for p in PARAGRAPHS)
    assert "About us" not in out.text


def test_pages_with_paragraphs_are_not_asked_for_this(monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual page: its paragraphs judge trafilatura's text, no second parse here."""
    from tests.test_extract import STORY_BODY, page

    monkeypatch.setattr(ex, "_readability_or_nothing",
                        lambda tree: pytest.fail("readability asked"))
    out = _extract_step(page(STORY_BODY))
    assert all(p in out.text for p in PARAGRAPHS)
