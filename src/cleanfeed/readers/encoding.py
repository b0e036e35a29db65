"""Bytes -> str at the edge: BOM, strict UTF-8, a declared charset, then detection, else a reject.

Only decoding happens here. Mojibake repair (``ftfy.fix_encoding``) is a cleaner's job
(``cleaners/normalize.py``), so a reader never rewrites text it decoded correctly.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def codecs_name(label: str) -> str | None:
    """The canonical codec name for a charset label, or ``None`` if Python does not know it."""
    try:
        return codecs.lookup(label.strip()).name
    except LookupError:
        return None


_HIGH_BYTES = bytes(range(0x80, 0x100))
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def looks_like_broken_utf8(data: bytes) -> bool:
    """Mostly valid UTF-8 multi-byte sequences with a few invalid bytes: damaged UTF-8, not a
    legacy charset. Legacy text (cp1252, Shift-JIS...) forms valid sequences only here and
    there, so guessing a charset for damaged UTF-8 would just turn its good part into mojibake.
    """
    head = data[:65536]
    high = len(head) - len(head.translate(None, _HIGH_BYTES))
    if high == 0:
        return False
    covered = sum(len(m) for m in _UTF8_MULTIBYTE.findall(head))
    return covered >= 6 and covered / high >= 0.8


class DecodeError(ValueError):
    """The bytes are not text we can trust; the message is the reject reason."""


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KiB: not a text document."""
    head = data[:4096]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.05


def decode(data: bytes, *, declared: str | None = None) -> str:
    """Decode document bytes, or raise :class:`DecodeError` with a reason fit for a reject."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {name} after a byte-order mark: {exc.reason}") from exc
    if looks_binary(data):
        raise DecodeError("binary data, not text (NUL or control bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if declared:
        if codecs_name(declared) == "utf-8" or looks_like_broken_utf8(data):
            raise DecodeError(f"invalid UTF-8 at byte {utf8_error.start}: {utf8_error.reason} "
                              f"(declared {declared})")
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    elif looks_like_broken_utf8(data):
        raise DecodeError(f"invalid UTF-8 at byte {utf8_error.start}: {utf8_error.reason} "
                          "in text that is otherwise UTF-8")
    detected = detect(data)
    if detected is not None:
        return detected
    raise DecodeError(
        f"invalid UTF-8 at byte {utf8_error.start}, no usable declared charset, "
        "and charset detection found none"
    )


#: Detection looks at this many bytes at most: enough to be sure, bounded on 100 MB inputs.
DETECT_BYTES = 256 * 1024


#: Never guessed without a BOM: they decode almost any even-length bytes into CJK noise.
_NEVER_GUESS = ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be", "utf_7"]
#: Among equally good guesses, the web's most common legacy charset wins.
_PREFERRED = ("cp1252", "iso8859_15", "latin_1")


def detect(data: bytes) -> str | None:
    """Decode with the charset charset-normalizer finds in the first :data:`DETECT_BYTES`,
    or ``None`` when it finds none the whole document decodes cleanly with.

    charset-normalizer ranks many single-byte charsets as equally good on short Western text
    (``cp1250`` turns "naïve" into "naďve"), so ties go to :data:`_PREFERRED`.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:DETECT_BYTES], cp_exclusion=_NEVER_GUESS))
    if not matches:
        return None
    best = min((m.chaos, m.coherence * -1) for m in matches)
    tied = [m.encoding for m in matches if (m.chaos, m.coherence * -1) == best]
    encoding = next((e for e in _PREFERRED if e in tied), tied[0])
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None
    return text if plausible_text(text, encoding) else None


#: Charsets of scripts written without spaces between words.
_UNSPACED = ("cp932", "shift_jis", "euc_jp", "iso2022_jp", "gb2312", "gbk", "gb18030", "big5",
             "big5hkscs", "cp950", "cp949", "euc_kr", "tis_620", "cp874")


def plausible_text(text: str, encoding: str) -> bool:
    """Does a guessed decoding read like text? Random high bytes decode "cleanly" in any
    single-byte charset, but real text in those scripts has spaces between words and is mostly
    letters; junk (``Ă( ˇâ(ˇđ(ŚĽ``) has neither."""
    sample = text[:20_000]
    if len(sample) < 40:
        return True
    letters = sum(ch.isalpha() for ch in sample)
    spaces = sum(ch in " \t\r\n" for ch in sample)  # not NBSP: \xa0 is a common junk byte
    if letters < 0.5 * (len(sample) - spaces):
        return False
    return encoding in _UNSPACED or spaces >= 0.03 * len(sample)
