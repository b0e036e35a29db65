"""Text normalisation for duplicate detection: what counts as "the same words".

Copies of one story differ in case, quote style, dashes, spacing and line breaks. None of
that is content, so it is folded away before hashing: lower-casing, and every run of non-word
characters becomes one space. Word characters are ASCII letters and digits and every
non-ASCII character except U+0080-U+00BF (Latin-1 punctuation, no-break space),
U+2000-U+207F (typographic quotes, dashes, spaces) and U+3000-U+303F (CJK punctuation):
exactly what the vectorised byte classifier in :mod:`cleanfeed.dedup.fingerprints` sees in
UTF-8, so this function is its readable reference.

Unicode compatibility forms (ligatures, full-width letters) are not folded: NFKC costs more
than the rest of fingerprinting together and such forms rarely differ between copies.

Changing anything here changes every fingerprint, so :data:`NORMALISER_VERSION` is stored in
persistent indexes and a mismatch is refused.
"""

from __future__ import annotations

import re

#: Bump whenever :func:`normalise` can return a different string for the same input.
NORMALISER_VERSION = 1

_NON_WORD = re.compile("[^0-9A-Za-z\u00c0-\u1fff\u2080-\u2fff\u3040-\U0010ffff]+")


def normalise(text: str) -> str:
    """Words of ``text``, lower-cased, separated by single spaces (no leading/trailing space).

    >>> normalise("  “Hello,”  she said —\\nHELLO again! 3.5%")
    'hello she said hello again 3 5'
    """
    return _NON_WORD.sub(" ", text.lower()).strip()
