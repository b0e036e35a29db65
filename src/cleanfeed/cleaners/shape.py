"""Line-shape signals shared by the cleaners: is a line headline-like, prose, a list item?

These are the general signals (length, end punctuation, capitalisation) that tell a story's
sentences from the titles and labels pasted around them, in any language with cased letters.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"^\s*(?:[-*•·▪►»›◦‣–—]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"[^\W_][\w'’.-]*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…。]['\"”’»)\]]*$")
# Lowercase words that stay lowercase in English/Romance/German title case.
_MINOR = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "da", "das", "de", "del", "della",
    "der", "di", "die", "do", "dos", "e", "el", "et", "for", "from", "für", "il", "im", "in",
    "into", "is", "la", "las", "le", "les", "lo", "los", "mit", "nor", "o", "of", "on", "or",
    "ou", "per", "than", "the", "to", "un", "und", "une", "via", "von", "vs", "with", "y", "zu",
})


def strip_bullet(line: str) -> str:
    """The line without a leading list marker ("- ", "• ", "3. ")."""
    return _BULLET.sub("", line, count=1).strip()


def has_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def words(line: str) -> list[str]:
    return _WORD.findall(line)


def ends_sentence(line: str) -> bool:
    """Ends with sentence punctuation (optionally followed by closing quotes/brackets)."""
    return bool(_SENTENCE_END.search(line.strip()))


def title_case_ratio(line: str) -> float:
    """Share of non-minor words that start with an upper-case letter or digit."""
    ws = [w for w in words(line) if w.casefold() not in _MINOR]
    if not ws:
        return 0.0
    return sum(1 for w in ws if w[0].isupper() or w[0].isdigit()) / len(ws)


def is_headline_like(line: str, *, max_words: int = 20, max_chars: int = 160) -> bool:
    """A short line that reads like a title: no full stop at its end, few words.

    Titles may end in "?" or "!" but not in ".", ",", ";" or ":".
    """
    text = strip_bullet(line)
    if not text or len(text) > max_chars:
        return False
    n = len(words(text))
    if n == 0 or n > max_words:
        return False
    if text[-1] in ".,;:" and not text.endswith("..."):
        return False
    return any(ch.isalpha() for ch in text)


def is_prose(line: str, *, min_words: int = 12) -> bool:
    """A line that reads like running text: enough words and sentence punctuation at its end."""
    text = line.strip()
    return len(words(text)) >= min_words and ends_sentence(text)
