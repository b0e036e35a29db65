"""Decoding at the edge: BOM, strict UTF-8, declared charset, detection; damage is a reject."""

from __future__ import annotations

import codecs

import pytest

from cleanfeed.readers.encoding import DecodeError, decode

WESTERN = ("Die Größe des Übermaßes überraschte die Jury. Café, crème brûlée und naïve "
           "Fragen über Äpfel, Öl und Übungen für Straßenmusiker.")
RUSSIAN = "Привет! Это небольшая новость о погоде в Москве: завтра будет снег и ветер."


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF8, "utf-8"), (b"", "utf-16"),
                                         (b"", "utf-32")])
def test_bom(bom: bytes, codec: str) -> None:
    assert decode(bom + WESTERN.encode(codec)) == WESTERN


def test_declared_charset_used_when_not_utf8() -> None:
    assert decode(RUSSIAN.encode("koi8-r"), declared="koi8-r") == RUSSIAN


def test_detection_without_declaration() -> None:
    assert decode(WESTERN.encode("cp1252")) == WESTERN
    assert decode(RUSSIAN.encode("cp1251")) == RUSSIAN


def test_damaged_utf8_is_a_reject_not_mojibake() -> None:
    data = WESTERN.encode("utf-8")
    broken = data[:40] + b"\xff\xfe" + data[40:]
    with pytest.raises(DecodeError, match="invalid UTF-8 at byte"):
        decode(broken)
    with pytest.raises(DecodeError, match="declared utf-8"):
        decode(broken, declared="utf-8")


def test_binary_is_a_reject() -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode(bytes(range(256)) * 4)

