"""Language detection that is deterministic, fast, and says when it does not know.

Two backends vote: py3langid (naive Bayes over byte n-grams, 97 languages) and seeded langdetect
(55 languages; run by langdetect-rs, its bit-for-bit identical Rust port, when installed -- about
50x faster -- else by langdetect itself). Each is an object we own: langdetect's module-level
``detect`` uses a global factory whose seed other code can change, and py3langid's module-level
functions share a global identifier whose language set other code can change; we never touch
either. On long texts, when langdetect and py3langid (on a short prefix, which is where the
speed comes from) agree with high confidence, that is the answer; everything else is decided by
a weighted sum of both backends' probabilities, and we abstain (``language=None`` plus a reason)
when the text is too short or the vote too weak.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from cleanfeed.article import Article

#: Below this many letters we abstain rather than guess (an option of :func:`detect`).
MIN_LETTERS = 3
#: Below this combined probability we abstain (an option of :func:`detect`).
MIN_CONFIDENCE = 0.3
#: Characters of the text that are looked at (the start, where the story is).
SAMPLE_CHARS = 600
#: From this many characters on, when both backends are this sure of the same language (py3langid
#: reading only the first QUICK_CHARS), the full vote is skipped.
LONG_TEXT = 300
SURE = 0.95
QUICK_CHARS = 200
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
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        try:  # same results bit for bit, ~50x faster
            from langdetect_rs.detector_factory import PROFILES_DIRECTORY, DetectorFactory
        except ImportError:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(SEED)  # an instance attribute: DetectorFactory.seed changes nothing
        self.langdetect = factory
        self.langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_LETTER = re.compile(r"[^\W\d_]")
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
    detector: Any = backends.langdetect.create()
    detector.append(sample)
    try:
        return [(_code(p.lang), float(p.prob)) for p in detector.get_probabilities()[:3]]
    except Exception:  # LangDetectException ("no features in text") of either implementation
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
    if len(_LETTER.findall(sample, 0, 4 * min_letters + 64)) < min_letters:
        letters = len(_LETTER.findall(sample))
    else:
        letters = min_letters
    if letters < min_letters:
        return Detection(None, 0.0,
                         f"too few letters to tell the language ({letters} < {min_letters})")
    backends = _get_backends()
    ld = _langdetect_probs(backends, sample)
    if len(sample) >= LONG_TEXT and ld and ld[0][1] >= SURE:
        quick_lang, quick_prob = backends.langid.classify(sample[:QUICK_CHARS])
        if quick_lang == ld[0][0] and quick_prob >= SURE:
            score = round((1 - LANGDETECT_WEIGHT) * float(quick_prob)
                          + LANGDETECT_WEIGHT * ld[0][1], 4)
            return Detection(quick_lang, score, "py3langid+langdetect agree")
    votes: dict[str, float] = {}
    for lang, prob in backends.langid.rank(sample)[:3]:
        votes[lang] = votes.get(lang, 0.0) + (1 - LANGDETECT_WEIGHT) * float(prob)
    for lang, prob in ld:
        votes[lang] = votes.get(lang, 0.0) + LANGDETECT_WEIGHT * prob
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
