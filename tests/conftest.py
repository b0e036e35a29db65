from __future__ import annotations

from pathlib import Path

import pytest

from cleanfeed.article import Article

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED_000 = SAMPLES / "000_735f9fa0de04fba4.txt"
SEED_004 = SAMPLES / "004_dc40990bf602bae7.txt"


def make(text: str, **fields: object) -> Article:
    """An uncleaned article with ``text`` (what a step receives)."""
    return Article(id="t", source="test", text=text, **fields)  # type: ignore[arg-type]


@pytest.fixture
def samples() -> Path:
    return SAMPLES
