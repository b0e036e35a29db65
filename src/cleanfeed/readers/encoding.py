"""Bytes -> str at the edge: BOM, strict UTF-8, then a declared/detected charset, else a reject."""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodeError(ValueError):
    """The bytes are not text we can trust; the message is the reject reason."""


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KiB: not a text document."""
    head = data[:4096]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
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
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    raise DecodeError(
        f"invalid UTF-8 at byte {utf8_error.start} and no usable declared charset"
    )
