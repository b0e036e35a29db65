"""The numpy scorer of py3langid's model and the fast paths of detect: same features, same
probabilities, same answers in every order and thread, reasons that say which path answered."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from cleanfeed import language
from cleanfeed.language import detect

# Written for these tests: several scripts, accents, all capitals, combining marks, digits.
SAMPLES = [
    "",
    "a",
    "ab",
    "abcde",
    "abcdef",
    "abcdefg",
    "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen.",
    "LE CONSEIL MUNICIPAL A ADOPTÉ LE BUDGET",
    "Cafe\u0301 au lait, cre\u0300me bru\u0302le\u0301e",  # combining accents: NFC matters
    "Городской совет утвердил новый бюджет во вторник после долгих дебатов.",
    "市议会周二在长时间辩论后批准了新的预算。",
    "Η δημοτική επιτροπή ενέκρινε τον νέο προϋπολογισμό την Τρίτη.",
    "مجلس المدينة وافق على الميزانية الجديدة يوم الثلاثاء",
    "12.03.2024 — 14:30 — 100% 🙂",
]
LONG_DE = (
    "Der Stadtrat hat am Dienstag nach einer langen und teilweise hitzigen Debatte über "
    "Schulen, Straßen, Radwege und die Zukunft der Stadtbibliothek den neuen Haushalt für "
    "das kommende Jahr beschlossen. Die Opposition kritisierte vor allem die geplanten "
    "Kürzungen bei den Jugendzentren, während die Mehrheit auf die gestiegenen Kosten für "
    "Energie und Personal verwies. Der Bürgermeister kündigte an, im Frühjahr erneut über "
    "die Finanzierung der Sportvereine zu sprechen."
)


@pytest.fixture(scope="module")
def models() -> tuple[language._ByteNaiveBayes, object]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return (language._get_backends().langid,
            LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))


def _reference_counts(identifier: object, data: bytes) -> Counter[int]:
    from py3langid.langid import visit_counts

    found = visit_counts(identifier.tk_nextmove, identifier._rowbase,  # type: ignore[attr-defined]
                         identifier.tk_output, data)  # type: ignore[attr-defined]
    return found or Counter()


@pytest.mark.parametrize("text", SAMPLES)
def test_features_are_py3langids(models: tuple, text: str) -> None:
    ours, theirs = models
    data = ours.encode(text)
    assert data == theirs._encode(text)
    assert Counter(ours.features(data).tolist()) == _reference_counts(theirs, data)


def test_features_of_random_bytes_are_py3langids(models: tuple) -> None:
    """The windowed walk must hold for any byte sequence, not only for language-like text."""
    ours, theirs = models
    rng = random.Random(4)
    for _ in range(200):
        alphabet = rng.choice([range(256), range(0x61, 0x7B), range(0xC0, 0x100)])
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 64)))
        assert Counter(ours.features(data).tolist()) == _reference_counts(theirs, data)


def test_model_depth_is_the_longest_ngram(models: tuple) -> None:
    ours, _ = models
    assert 2 <= ours.depth <= 8  # py3langid's n-grams are a few bytes long


@pytest.mark.parametrize("text", [t for t in SAMPLES if t])
def test_probabilities_match_py3langid(models: tuple, text: str) -> None:
    ours, theirs = models
    mine = ours.probabilities(text)
    reference = theirs._decide(text)
    if mine is None:  # no feature: py3langid gives every class the same score
        assert not _reference_counts(theirs, ours.encode(text))
        return
    assert mine.sum() == pytest.approx(1.0, abs=1e-5)
    assert np.allclose(mine, reference, atol=1e-4)
    assert ours.classes[int(mine.argmax())] == theirs.classify(text)[0]


def test_rank_is_best_first_with_one_entry_per_label(models: tuple) -> None:
    ours, _ = models
    ranked = ours.rank(LONG_DE, 5)
    assert ranked[0][0] == "de"
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
    assert len({lang for lang, _ in ranked}) == len(ranked) == 5
    assert ours.rank("", 3) == []


def test_long_sure_text_is_answered_by_py3langid_alone() -> None:
    found = detect(LONG_DE)
    assert (found.language, found.reason) == ("de", "py3langid sure")
    assert found.confidence >= language.ALONE


def test_short_text_always_takes_the_vote() -> None:
    text = LONG_DE[: language.LONG_TEXT - 1]
    assert detect(text).reason.startswith("py3langid+langdetect")


def test_no_feature_in_either_model_abstains() -> None:
    found = detect("....", min_letters=0, min_confidence=0.0)
    assert found.language is None
    assert found.reason == "no letter sequence either model knows"


def test_same_answers_in_threads_and_orders() -> None:
    items = SAMPLES + [LONG_DE, LONG_DE[:120], LONG_DE.upper()] * 3
    serial = [detect(t) for t in items]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(detect, items))
        shuffled = items[::-1]
        backwards = list(pool.map(detect, shuffled))[::-1]
    assert threaded == serial
    assert backwards == serial


def test_symbols_are_no_language() -> None:
    """py3langid's "zxx" (no linguistic content) is not an ISO 639-1 language: abstain."""
    found = detect("⛔⛔⛔ ✔ ∑∫ 🙂🙂", min_letters=0, min_confidence=0.0)
    assert found.language is None
    assert "no language" in found.reason


def test_min_confidence_also_binds_the_fast_paths() -> None:
    assert detect(LONG_DE, min_confidence=1.01).language is None
    assert detect(LONG_DE, min_confidence=1.01).reason.startswith("language uncertain")
