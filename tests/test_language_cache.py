"""The language model's table cache: built once, mapped afterwards, same answers as building
it from py3langid; a missing, damaged or unwritable cache only costs time, never results."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from cleanfeed import language

TEXTS = [
    "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen.",
    "LE CONSEIL MUNICIPAL A ADOPTÉ LE BUDGET",
    "Городской совет утвердил новый бюджет во вторник.",
    "市议会周二批准了新的预算。",
    "ab",
    "",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder written once for the module (building the model takes seconds)."""
    folder = tmp_path_factory.mktemp("cache")
    language._load_model(folder)
    return folder


@pytest.fixture(scope="module")
def built(cache: Path) -> language._ByteNaiveBayes:
    return language._load_model(None)  # from py3langid, no cache involved


def _same_model(a: language._ByteNaiveBayes, b: language._ByteNaiveBayes) -> None:
    assert a.depth == b.depth and a.classes == b.classes
    for name, array in a.tables().items():
        other = b.tables()[name]
        assert array.dtype == other.dtype and np.array_equal(array, other), name
    for text in TEXTS:
        data = a.encode(text)
        assert Counter(a.features(data).tolist()) == Counter(b.features(data).tolist())
        assert a.rank(text, 5) == b.rank(text, 5)


def test_cache_is_written_then_mapped_with_identical_tables(
        cache: Path, built: language._ByteNaiveBayes, monkeypatch: pytest.MonkeyPatch) -> None:
    files = list(cache.iterdir())
    assert [f.suffix for f in files] == [".bin"]  # one file, no temporary left behind
    assert files[0].stem.startswith(f"langid-f{language.CACHE_FORMAT}-py3langid")

    # a load from the cache must not touch py3langid's compressed model at all
    from py3langid.langid import LanguageIdentifier

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", refuse)
    mapped = language._load_model(cache)
    assert not mapped._weights.flags.writeable  # a read-only map, shared between processes
    _same_model(mapped, built)


@pytest.mark.parametrize("damage", ["truncate", "other_format"])
def test_damaged_cache_is_rebuilt(tmp_path: Path, cache: Path, built: language._ByteNaiveBayes,
                                  damage: str) -> None:
    (good,) = cache.iterdir()
    data = good.read_bytes()
    path = tmp_path / good.name
    if damage == "truncate":  # as a crash mid-write would leave it, were writes not atomic
        path.write_bytes(data[: len(data) // 2])
    else:
        current = f'"format": {language.CACHE_FORMAT}'.encode()
        assert current in data
        path.write_bytes(data.replace(current, b'"format": 0', 1))
    _same_model(language._load_model(tmp_path), built)
    assert path.read_bytes() == data  # and written again, whole


def test_unwritable_cache_folder_falls_back_to_building(
        tmp_path: Path, built: language._ByteNaiveBayes) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    _same_model(language._load_model(blocker / "cache"), built)  # mkdir fails: no error
    assert blocker.read_text() == "not a folder"


def test_cache_folder_comes_from_the_environment(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.CACHE_ENV, str(tmp_path / "mine"))
    assert language.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv(language.CACHE_ENV, "")
    assert language.cache_dir() is None  # disabled
    monkeypatch.delenv(language.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert language.cache_dir() == tmp_path / "xdg" / "cleanfeed"
