"""Language detection that is deterministic, fast, and says when it does not know.

Two backends vote: py3langid (naive Bayes over byte n-grams, 97 languages, fast) and langdetect
(seeded, 55 languages). Each is an object we own -- langdetect's module-level ``detect`` uses a
global factory whose seed other code can change, and py3langid's module-level functions share a
global identifier whose language set other code can change; we never touch either. Long texts
that py3langid is sure about skip langdetect entirely (that is where the speed comes from);
everything else is decided by a weighted sum of both backends' probabilities, and we abstain
(``language=None`` plus a reason) when the text is too short or the vote too weak.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from cleanfeed.article import Article

#: Below this many letters we abstain rather than guess (an option of :func:`detect`).
MIN_LETTERS = 3
#: Below this combined probability we abstain (an option of :func:`detect`).
MIN_CONFIDENCE = 0.3
#: Characters of the text that are looked at (the start, where the story is).
SAMPLE_CHARS = 1000
#: From this many characters on, a py3langid answer this sure is taken without a second vote.
LONG_TEXT = 300
SURE = 0.95
#: Weight of langdetect in the vote (py3langid gets the rest): py3langid is the better model on
#: short texts and knows more languages; langdetect fixes its confusions between close pairs.
LANGDETECT_WEIGHT = 0.3
SEED = 0

#: ``hints`` key under which :func:`detect_language` leaves its :class:`Detection`.
HINT = "language_detection"


@dataclass(frozen=True, slots=True)
class Detection:
    """A language (ISO 639-1) with the vote's confidence, or ``None`` and why not."""

    language: str | None
    confidence: float
    reason: str


class _Backends:
    """Both models, loaded once per process on first use; read-only afterwards."""

    def __init__(self) -> None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(SEED)  # an instance attribute: DetectorFactory.seed changes nothing
        self.langdetect = factory
        self.langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_lock = threading.Lock()
_backends: _Backends | None = None


def _get_backends() -> _Backends:
    global _backends
    with _lock:
        if _backends is None:
            _backends = _Backends()
    return _backends


def _code(lang: str) -> str:
    return lang.split("-")[0].lower()


def _langdetect_probs(backends: _Backends, sample: str) -> list[tuple[str, float]]:
    from langdetect.lang_detect_exception import LangDetectException

    detector: Any = backends.langdetect.create()
    detector.append(sample)
    try:
        return [(_code(p.lang), float(p.prob)) for p in detector.get_probabilities()[:3]]
    except LangDetectException:
        return []


def detect(
    text: str,
    *,
    min_letters: int = MIN_LETTERS,
    min_confidence: float = MIN_CONFIDENCE,
    sample_chars: int = SAMPLE_CHARS,
) -> Detection:
    """Best language of ``text`` as an ISO 639-1 code, or an abstention with the reason.

    The same text always gets the same answer, in any process, order or thread.

    >>> detect("Der Bundestag hat am Donnerstag das neue Gesetz beschlossen.").language
    'de'
    >>> detect("12345 !!!").reason
    'too few letters to tell the language (0 < 3)'
    """
    sample = text[:sample_chars]
    letters = sum(ch.isalpha() for ch in sample)
    if letters < min_letters:
        return Detection(None, 0.0,
                         f"too few letters to tell the language ({letters} < {min_letters})")
    backends = _get_backends()
    ranked = backends.langid.rank(sample)[:3]
    best_lang, best_prob = ranked[0]
    if len(sample) >= LONG_TEXT and best_prob >= SURE:
        return Detection(best_lang, round(float(best_prob), 4), "py3langid")
    votes: Counter[str] = Counter()
    for lang, prob in ranked:
        votes[lang] += (1 - LANGDETECT_WEIGHT) * float(prob)
    for lang, prob in _langdetect_probs(backends, sample):
        votes[lang] += LANGDETECT_WEIGHT * prob
    # ties broken by code so the answer never depends on dict order
    lang, score = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    score = round(score, 4)
    if score < min_confidence:
        return Detection(None, score, f"language uncertain: best guess {lang!r} at {score:.2f}"
                                      f" < {min_confidence}")
    return Detection(lang, score, "py3langid+langdetect")


def detect_language(article: Article) -> Article:
    """Step: set ``language`` unless the record declared one; say why when it stays ``None``.

    The :class:`Detection` (with its reason) is left in ``hints["language_detection"]`` for
    ``explain``-style diagnostics; an abstention is also recorded in ``extra["language_reason"]``
    so the reason reaches the output record.
    """
    given = article.hints.get("language_raw")
    if given:
        return article.evolve(language=_code(str(given)))
    found = detect(article.text)
    changed = article.evolve(language=found.language).with_hint(HINT, found)
    if found.language is None:
        changed = changed.evolve(extra={**changed.extra, "language_reason": found.reason})
    return changed


detect_language.name = "language"  # type: ignore[attr-defined]
