"""Unicode and whitespace normalisation: the first cleaner, so every later pattern sees one form.

Mojibake is repaired with ftfy's ``fix_encoding`` only: it undoes wrong decodings ("â€™" -> "’")
without ``fix_text``'s rewriting of quotes and dashes, which would change what the author wrote.
"""

from __future__ import annotations

import re
import unicodedata

from cleanfeed.article import Article
from cleanfeed.cleaners.spans import tidy

# Zero-width characters and the BOM carry no text; other C0/C1 controls are noise from bad dumps.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile("\r\n|\r|\u2028|\u2029|\x0c|\x85")
# Lone surrogates (from bad JSON escapes) cannot be encoded as UTF-8; replace, never crash.
_SURROGATES = re.compile("[\ud800-\udfff]")


def normalize_text(text: str) -> str:
    """Repair mojibake, NFC, one kind of line break and space, no invisible characters.

    >>> normalize_text("Itâ€™s\\r\\n\\r\\n\\r\\n  a\\u00a0 test\\u200b ")
    'It’s\\n\\na test'
    """
    text = _SURROGATES.sub("\ufffd", text)
    if not _looks_mojibaked(text):
        return _tidy_once(text)
    import ftfy

    # ftfy judges a string as a whole, so the space and control clean-up can turn what it left
    # alone into a sequence it repairs ("â\xa0Ü\x86" -> "â Ü†" -> "â ܆"): repair and clean
    # until nothing changes (twice is almost always enough), so the result is a fixpoint.
    for _ in range(6):
        fixed = _tidy_once(ftfy.fix_encoding(text))
        if fixed == text:
            break
        text = fixed
    return text


def _tidy_once(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return tidy(text)


def _looks_mojibaked(text: str) -> bool:
    # ftfy is only worth its cost when characters typical of UTF-8 read as Latin-1/cp1252 occur.
    return any(ch in text for ch in "ÃÂâ€Å¢Ð")


def normalize(article: Article) -> Article:
    """Step: normalise the body and the title (nothing is removed, so nothing is recorded)."""
    title = normalize_text(article.title).replace("\n", " ") if article.title else article.title
    return article.evolve(text=normalize_text(article.text), title=title or None)
