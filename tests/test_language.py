"""Language detection: determinism, no global state, abstention with a reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cleanfeed.article import Article
from cleanfeed.language import Detection, detect, detect_language

TEXTS = {
    "en": "The city council approved the new budget on Tuesday after a long debate about "
          "schools, roads and the future of the public library.",
    "de": "Der Stadtrat hat am Dienstag nach einer langen Debatte über Schulen, Straßen und "
          "die Zukunft der Stadtbibliothek den neuen Haushalt beschlossen.",
    "fr": "Le conseil municipal a adopté mardi le nouveau budget après un long débat sur les "
          "écoles, les routes et l'avenir de la bibliothèque.",
    "es": "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate sobre "
          "las escuelas, las carreteras y el futuro de la biblioteca.",
    "pt": "A câmara municipal aprovou na terça-feira o novo orçamento depois de um longo "
          "debate sobre as escolas, as estradas e o futuro da biblioteca.",
    "it": "Il consiglio comunale ha approvato martedì il nuovo bilancio dopo un lungo "
          "dibattito sulle scuole, le strade e il futuro della biblioteca.",
    "hr": "Gradsko vijeće u utorak je nakon duge rasprave o školama, cestama i budućnosti "
          "gradske knjižnice usvojilo novi proračun za sljedeću godinu.",
}
SHORT = ["Haus", "merci beaucoup", "ciao a tutti", "buenos días", "ok", "Straße", "ja"]


@pytest.mark.parametrize(("lang", "text"), sorted(TEXTS.items()))
def test_detects_article_languages(lang: str, text: str) -> None:
    assert detect(text).language == lang
    assert detect(text * 6).language == lang  # long text: fast path


def test_same_text_same_answer_in_any_order() -> None:
    items = list(TEXTS.values()) + SHORT
    forward = [detect(t) for t in items]
    backward = [detect(t) for t in reversed(items)][::-1]
    assert forward == backward
    assert forward == [detect(t) for t in items]


def test_langdetect_global_seed_changes_nothing() -> None:
    from langdetect import DetectorFactory
    from langdetect import detect as global_detect

    before = [detect(t) for t in SHORT + list(TEXTS.values())]
    old = DetectorFactory.seed
    try:
        DetectorFactory.seed = 12345  # what other code does to "make langdetect deterministic"
        global_detect("Some other library detecting its own text here.")
        after = [detect(t) for t in SHORT + list(TEXTS.values())]
    finally:
        DetectorFactory.seed = old
    assert after == before


def test_we_do_not_change_langdetect_or_py3langid_global_state() -> None:
    import py3langid.langid as langid_module
    from langdetect import DetectorFactory, detector_factory

    seed_before = DetectorFactory.seed
    factory_before = detector_factory._factory
    identifier_before = langid_module.IDENTIFIER
    detect(TEXTS["de"])
    detect("Haus")
    assert DetectorFactory.seed == seed_before
    assert detector_factory._factory is factory_before
    assert langid_module.IDENTIFIER is identifier_before


def test_same_answers_in_a_fresh_process() -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]);"
        "from cleanfeed.language import detect;"
        "items = json.loads(sys.argv[2]);"
        "print(json.dumps([[d.language, d.confidence] for d in map(detect, items)]))"
    )
    import json

    items = [*SHORT, TEXTS["hr"], TEXTS["pt"]]
    out = subprocess.run([sys.executable, "-c", code, str(src), json.dumps(items)],
                         capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout) == [[d.language, d.confidence] for d in map(detect, items)]


def test_abstains_on_letterless_text_with_a_reason() -> None:
    found = detect("12.03.2024 — 14:30 — 100%")
    assert found.language is None
    assert "too few letters" in found.reason


def test_letter_threshold_is_an_option() -> None:
    assert detect("Haus", min_letters=10).language is None
    assert detect("Haus", min_letters=10).reason.startswith("too few letters")
    assert detect(TEXTS["de"], min_letters=10).language == "de"


def test_abstains_when_the_vote_is_weak() -> None:
    found = detect("hello", min_confidence=0.99)
    assert found.language is None
    assert "uncertain" in found.reason
    forced = detect("hello", min_confidence=0.0)
    assert forced.language is not None


def test_step_records_the_reason_when_abstaining() -> None:
    art = Article(id="x", source="t", text="2024 — 12:30 — 55%")
    out = detect_language(art)
    assert out.language is None
    assert "too few letters" in out.extra["language_reason"]
    assert isinstance(out.hints["language_detection"], Detection)


def test_step_keeps_a_declared_language() -> None:
    art = Article(id="x", source="t", text=TEXTS["de"], hints={"language_raw": "en-GB"})
    assert detect_language(art).language == "en"


def test_step_detects() -> None:
    out = detect_language(Article(id="x", source="t", text=TEXTS["fr"]))
    assert out.language == "fr"
    assert "language_reason" not in out.extra
