"""Both seeds end to end through the default pipeline: the junk gone, every story line kept."""

from __future__ import annotations

import cleanfeed
from cleanfeed.article import Article, RawRecord
from tests.conftest import SEED_000, SEED_004

SEED_004_HEADINGS = (
    "DeepSeek’s Role in Redefining AI Innovation",
    "The Importance of AI Scaling Laws",
    "Ex-OpenAI VP’s SHOCKING DeepSeek WARNING!",
    "Geopolitical Competition: The U.S. and China’s AI Race",
    "Strategic Foresight and Ethical AI Development",
    "Export Controls and the Imperative for Global Governance",
)


def _clean(path) -> Article:  # type: ignore[no-untyped-def]
    result = cleanfeed.clean(RawRecord(source=str(path), text=path.read_text(encoding="utf-8")))
    assert isinstance(result, Article)
    return result


def test_seed_000() -> None:
    raw = SEED_000.read_text(encoding="utf-8").split("\n")
    cue = raw.index("Read More")
    a = _clean(SEED_000)
    paragraphs = a.text.split("\n\n")
    assert paragraphs == raw[:cue]  # every story paragraph, in order, nothing else
    assert a.published == "2025-01-31T15:10" and a.published_precision == "second"
    assert a.language == "en"
    assert {r.cleaner for r in a.removed} == {"link_spam", "stamps"}
    removed = "\n".join(r.text for r in a.removed)
    for junk in raw[cue:]:
        assert junk.strip() in removed


def test_seed_004() -> None:
    raw = [ln for ln in SEED_004.read_text(encoding="utf-8").split("\n") if ln.strip()]
    a = _clean(SEED_004)
    assert a.headings == SEED_004_HEADINGS
    story = [ln for ln in raw[1:] if ln not in SEED_004_HEADINGS]
    assert a.text.split("\n\n") == story
    assert a.published == "2025-01-31" and a.published_precision == "day"
    assert a.language == "en"
    assert a.removed[0].text == "date 2025-01-31"


def test_seeds_are_deterministic_across_pipelines() -> None:
    first = [_clean(p).to_dict() for p in (SEED_000, SEED_004)]
    second = [_clean(p).to_dict() for p in (SEED_000, SEED_004)]
    assert first == second
    assert first[0]["id"] != first[1]["id"]
