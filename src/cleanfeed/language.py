"""Language detection that is deterministic and never touches langdetect's global state.

langdetect's module-level ``detect`` uses a global factory whose seed other code can change; we
load our own factory once, seed it, and detect on a bounded sample so long articles stay fast.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cleanfeed.article import Article

#: Below this many letters we abstain rather than guess.
MIN_LETTERS = 20
#: Characters of the text that are looked at (the start, where the story is).
SAMPLE_CHARS = 2000
SEED = 0


@dataclass(frozen=True, slots=True)
class Detection:
    language: str | None
    confidence: float
    reason: str


_lock = threading.Lock()
_factory = None


def _get_factory():  # type: ignore[no-untyped-def]
    global _factory
    with _lock:
        if _factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.set_seed(SEED)
            _factory = factory
    return _factory


def detect(text: str, *, min_letters: int = MIN_LETTERS) -> Detection:
    """Best language of ``text`` as ISO 639-1, or an abstention with the reason."""
    sample = text[:SAMPLE_CHARS]
    letters = sum(ch.isalpha() for ch in sample)
    if letters < min_letters:
        return Detection(None, 0.0,
                         f"too few letters to tell the language ({letters} < {min_letters})")
    from langdetect.lang_detect_exception import LangDetectException

    detector = _get_factory().create()
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError) as exc:
        return Detection(None, 0.0, f"no language found: {exc}")
    lang = best.lang.split("-")[0]
    return Detection(lang, float(best.prob), "langdetect")


def detect_language(article: Article) -> Article:
    """Step: set ``language`` unless the record already declared one."""
    given = article.hints.get("language_raw")
    if given:
        return article.evolve(language=str(given).split("-")[0].lower())
    found = detect(article.text)
    return article.evolve(language=found.language)


detect_language.name = "language"  # type: ignore[attr-defined]
