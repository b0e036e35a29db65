"""Language detection that is deterministic, fast, and says when it does not know.

Two backends vote: py3langid's model (naive Bayes over byte n-grams, 97 languages; scored here
with numpy, see :class:`_ByteNaiveBayes`) and seeded langdetect (55 languages; run by
langdetect-rs, its bit-for-bit identical Rust port, when installed -- about 50x faster -- else by
langdetect itself). Each is an object we own: langdetect's module-level ``detect`` uses a global
factory whose seed other code can change, and py3langid's module-level functions share a global
identifier whose language set other code can change; we never touch either. On long texts,
py3langid reading a bounded prefix answers alone when it is all but certain, or together with
langdetect when both are sure of the same language (that is where the speed comes from);
everything else is decided by a weighted sum of both backends' probabilities, and we abstain
(``language=None`` plus a reason) when the text is too short or the vote too weak.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import mmap
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from cleanfeed.article import Article

#: Below this many letters we abstain rather than guess (an option of :func:`detect`).
MIN_LETTERS = 3
#: Below this combined probability we abstain (an option of :func:`detect`).
MIN_CONFIDENCE = 0.3
#: Characters of the text that are looked at (the start, where the story is).
SAMPLE_CHARS = 600
#: From this many characters on, py3langid first reads the first QUICK_CHARS alone: when it is
#: ALONE-sure that is the answer (langdetect is not asked); else when langdetect agrees and both
#: are SURE, that is the answer; else the full vote decides (py3langid's part from the same
#: QUICK_CHARS). ALONE leaves a margin: the most confident wrong py3langid answer seen on the
#: dev set's long texts was 0.9997 (Urdu read as Persian, from 200 characters).
LONG_TEXT = 300
QUICK_CHARS = 400
ALONE = 0.9999
SURE = 0.95
#: Weight of langdetect in the vote (py3langid gets the rest): py3langid is the better model on
#: short texts and knows more languages; langdetect fixes its confusions between close pairs.
LANGDETECT_WEIGHT = 0.3
SEED = 0
#: py3langid's class for "no linguistic content" (ISO 639-2 zxx): never given as a language.
NO_LANGUAGE = "zxx"

#: ``hints`` key under which :func:`detect_language` leaves its :class:`Detection`.
HINT = "language_detection"


@dataclass(frozen=True, slots=True)
class Detection:
    """A language (ISO 639-1) with the vote's confidence, or ``None`` and why not."""

    language: str | None
    confidence: float
    reason: str


class _ByteNaiveBayes:
    """py3langid's model (byte n-grams, naive Bayes), scored with numpy instead of a Python loop.

    py3langid finds its features by walking an automaton over the text one byte at a time in
    Python (~1-2 ms for 600 characters). The automaton's states are the model's n-grams of at
    most ``depth`` bytes, and the state after byte ``i`` is the longest of them that ends at
    ``i``: it only depends on the last ``depth`` bytes. So the features of all positions are
    found at once, ``depth`` array lookups over the whole text, each step feeding the window's
    next byte to the states of the step before. Same model weights, same features and counts
    (tests check them against py3langid itself), same probabilities up to float rounding; the
    weighted sum is an ``einsum``, not BLAS, so it does not depend on the number of threads.

    :func:`_load_model` keeps the tables in a cache file that later processes map instead of
    decompressing py3langid's model and deriving them again.
    """

    def __init__(self, tables: Mapping[str, np.ndarray], classes: Sequence[str],
                 depth: int, root: int) -> None:
        self.depth = depth
        self._root = root  # the start state's first slot
        # Per transition slot (a state's first slot + byte), the next state's first slot and
        # the feature it ends (-1: none): one lookup per byte (py3langid keeps state numbers).
        self._next_base = tables["next_base"]
        self._emit = tables["emit"]
        self._two_base = tables["two_base"]  # first slot after any two bytes from the start
        # float32: converting the float16 rows of each text cost more than the rest
        self._weights = tables["weights"]
        self._prior = tables["prior"]
        self.classes = [str(c) for c in classes]
        first: dict[str, int] = {}
        aliases: list[tuple[int, int]] = []  # (first column, duplicate column) of one label
        for i, c in enumerate(self.classes):
            if c in first:
                aliases.append((first[c], i))
            else:
                first[c] = i
        self._alias_keep = np.array([a for a, _ in aliases], dtype=np.intp)
        self._alias_dupe = np.array([b for _, b in aliases], dtype=np.intp)

    @classmethod
    def from_identifier(cls, identifier: Any) -> _ByteNaiveBayes:
        """The tables of a loaded ``py3langid.langid.LanguageIdentifier``."""
        def unsigned(buffer: Any) -> np.ndarray:
            return np.frombuffer(buffer, dtype=f"u{buffer.itemsize}")

        nextmove = unsigned(identifier.tk_nextmove)  # transition slot -> next state
        rows = unsigned(identifier.tk_row)  # state -> its row of 256 slots
        if len(nextmove) % 256 or not len(rows) or int(nextmove.max()) >= len(rows):
            raise ValueError("py3langid's automaton is not in the expected layout")
        rowbase = rows.astype(np.uint32) << 8  # state -> its first slot (< 2**32: 16-bit rows)
        output = np.asarray(identifier.tk_output, dtype=np.int32)  # state -> feature or -1
        next_base = rowbase[nextmove]
        root = int(rowbase[0])
        first_byte = next_base[root:root + 256].astype(np.intp)
        tables = {
            "next_base": next_base,
            "emit": output[nextmove],
            "two_base": next_base[(first_byte[:, None] + np.arange(256)).ravel()],
            "weights": np.asarray(identifier.nb_ptc, dtype=np.float32),
            "prior": np.asarray(identifier.nb_pc, dtype=np.float32),
        }
        return cls(tables, [str(c) for c in identifier.nb_classes],
                   cls._depth(nextmove.reshape(-1, 256), rows), root)

    def tables(self) -> dict[str, np.ndarray]:
        """The arrays :meth:`__init__` takes (what the cache file stores)."""
        return {"next_base": self._next_base, "emit": self._emit, "two_base": self._two_base,
                "weights": self._weights, "prior": self._prior}

    @staticmethod
    def _depth(transitions: np.ndarray, rows: np.ndarray) -> int:
        """Length in bytes of the longest n-gram state: breadth-first from the start state,
        each row of transitions expanded once (states share rows)."""
        seen = np.zeros(len(rows), dtype=bool)
        seen[0] = True
        expanded = np.zeros(len(transitions), dtype=bool)
        frontier = np.zeros(1, dtype=np.intp)
        depth = 0
        while True:
            todo = np.zeros(len(transitions), dtype=bool)
            todo[rows[frontier]] = True
            todo &= ~expanded
            expanded |= todo
            reached = np.zeros(len(rows), dtype=bool)  # a mask, not np.unique: no sort
            reached[transitions[todo].ravel()] = True
            frontier = np.flatnonzero(reached & ~seen)
            if not len(frontier):
                return depth
            seen[frontier] = True
            depth += 1

    @staticmethod
    def encode(text: str) -> bytes:
        """The bytes the model was trained on: NFC UTF-8, all-capital text lowered."""
        if text.isupper():
            text = text.lower()
        return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")

    def features(self, data: bytes) -> np.ndarray:
        """Feature index at every byte that ends one (others dropped), in text order."""
        depth, next_base, emit = self.depth, self._next_base, self._emit
        head: list[int] = []
        base = self._root
        for byte in data[: depth - 1]:  # the first bytes have shorter windows
            head.append(int(emit[base + byte]))
            base = int(next_base[base + byte])
        span = len(data) - depth + 1
        if span > 0 and depth >= 3:
            b = np.frombuffer(data, dtype=np.uint8).astype(np.intp)
            bases = self._two_base[(b[:span] << 8) | b[1:span + 1]]
            for k in range(2, depth - 1):
                bases = next_base[bases + b[k:span + k]]
            found = np.concatenate((head, emit[bases + b[depth - 1:]]))
        elif span > 0:
            tail = np.frombuffer(data, dtype=np.uint8)[depth - 1:].astype(np.intp)
            if depth == 2:  # the state after the first byte of each window
                tail += next_base[self._root + np.frombuffer(data, dtype=np.uint8)[:span]]
            else:
                tail += self._root
            found = np.concatenate((head, emit[tail]))
        else:
            found = np.array(head, dtype=np.int32)
        return found[found >= 0]

    def probabilities(self, text: str) -> np.ndarray | None:
        """Probability per class (aliases folded into their first column); None: no feature."""
        data = self.encode(text)
        found = self.features(data)
        if not len(found):
            return None
        found.sort()
        edges = np.empty(len(found) + 1, dtype=bool)  # where a run of one feature starts/ends
        edges[0] = edges[-1] = True
        np.not_equal(found[1:], found[:-1], out=edges[1:-1])
        bounds = np.flatnonzero(edges)
        counts = np.diff(bounds).astype(np.float32)
        rows = np.take(self._weights, found[bounds[:-1]], axis=0)
        scores = np.einsum("i,ij->j", np.log1p(counts), rows)
        scores += self._prior
        scores *= 1.0 / math.sqrt(len(data))  # py3langid's calibration across lengths
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        scores[self._alias_keep] += scores[self._alias_dupe]  # one score per label
        scores[self._alias_dupe] = 0.0
        return scores

    def rank(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        """The ``top`` classes, best first (ties by code), or [] when the text has no feature."""
        scores = self.probabilities(text)
        if scores is None:
            return []
        best = np.argsort(-scores, kind="stable")[: top + len(self._alias_dupe)]
        ranked = sorted(((self.classes[i], float(scores[i])) for i in best),
                        key=lambda kv: (-kv[1], kv[0]))
        return ranked[:top]


class _Backends:
    """Both models, loaded once per process on first use; read-only afterwards."""

    def __init__(self) -> None:
        try:  # same results bit for bit, ~50x faster
            from langdetect_rs.detector_factory import PROFILES_DIRECTORY, DetectorFactory
        except ImportError:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(SEED)  # an instance attribute: DetectorFactory.seed changes nothing
        self.langdetect = factory
        self.langid = _load_model(cache_dir())


# --------------------------------------------------------------------------- model cache

#: Environment variable naming the cache folder; set to an empty string to use no cache.
CACHE_ENV = "CLEANFEED_CACHE_DIR"
#: Version of the cache file's layout: bump it when the tables change.
CACHE_FORMAT = 3
_MAGIC = b"CFLANGID"
_ALIGN = 64


def cache_dir() -> Path | None:
    """Where derived model tables are cached: ``$CLEANFEED_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/cleanfeed``, else ``~/.cache/cleanfeed``; ``None`` when disabled."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base:
        return Path(base) / "cleanfeed"
    home = os.path.expanduser("~")
    return None if home.startswith("~") else Path(home) / ".cache" / "cleanfeed"


def _model_file() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def _cache_key(model_file: Path) -> str:
    """The installed py3langid's version and its model file's hash: a new model or loader
    never meets tables derived from an old one."""
    import py3langid

    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:16]
    version = re.sub(r"[^0-9A-Za-z.]+", "_", str(getattr(py3langid, "__version__", "x")))
    return f"langid-f{CACHE_FORMAT}-py3langid{version}-{digest}"


def _load_model(folder: Path | None) -> _ByteNaiveBayes:
    """py3langid's model as our tables: mapped from the cache file when there is a valid one
    (milliseconds; processes share the pages), else built from py3langid's compressed model
    (~1-2 s: LZMA, then our tables) and, when the folder is writable, cached for next time.
    ``folder=None``: no cache.
    """
    model_file = _model_file()
    path = None
    if folder is not None:
        try:
            path = folder / f"{_cache_key(model_file)}.bin"
            return _read_cache(path)
        except (OSError, ValueError, KeyError, TypeError):  # missing, unreadable or damaged
            pass
    from py3langid.langid import LanguageIdentifier

    model = _ByteNaiveBayes.from_identifier(LanguageIdentifier.from_model_file(model_file))
    if path is not None:
        with contextlib.suppress(OSError):  # read-only or full: this process does without
            _write_cache(path, model)
    return model


def _write_cache(path: Path, model: _ByteNaiveBayes) -> None:
    """Write the tables to ``path`` atomically (a temporary file, then a rename), so a reader
    sees the old file, no file or the whole new one, never a part."""
    tables = model.tables()
    layout: dict[str, dict[str, Any]] = {}
    offset = 0
    for name, array in tables.items():
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"format": CACHE_FORMAT, "key": path.stem, "depth": model.depth,
                         "root": model._root, "classes": model.classes, "arrays": layout,
                         "size": offset},
                        sort_keys=True).encode()
    start = -(-(len(_MAGIC) + 8 + len(header)) // _ALIGN) * _ALIGN
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            for name, array in tables.items():
                out.seek(start + layout[name]["offset"])
                out.write(np.ascontiguousarray(array).tobytes())
            out.truncate(start + offset)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _read_cache(path: Path) -> _ByteNaiveBayes:
    """Map the tables of a cache file (read-only; the OS loads pages as they are touched)."""
    with open(path, "rb") as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            raise ValueError(f"{path} is not a cleanfeed model cache")
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
        if header["format"] != CACHE_FORMAT or header["key"] != path.stem:
            raise ValueError(f"{path} is for another model or layout")
        start = -(-f.tell() // _ALIGN) * _ALIGN  # the arrays start after the header
        if os.fstat(f.fileno()).st_size != start + header["size"]:
            raise ValueError(f"{path} has the wrong size")
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    tables = {}
    for name, spec in header["arrays"].items():
        dtype = np.dtype(spec["dtype"])
        count = math.prod(spec["shape"])
        tables[name] = np.frombuffer(mapped, dtype=dtype, count=count,
                                     offset=start + spec["offset"]).reshape(spec["shape"])
    model = _ByteNaiveBayes(tables, header["classes"], int(header["depth"]),
                            int(header["root"]))
    n_slots, n_classes = len(model._next_base), len(model.classes)
    if (n_slots % 256 or model._emit.shape != (n_slots,) or model._two_base.shape != (65536,)
            or model._weights.ndim != 2 or model._weights.shape[1] != n_classes
            or model._prior.shape != (n_classes,) or not 1 <= model.depth <= 64
            or not 0 <= model._root <= n_slots - 256):
        raise ValueError(f"{path} has inconsistent tables")
    return model


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
    # stop at the min_letters-th letter: counting all of a long text's letters costs as much
    # as a model
    letters = sum(1 for _ in islice(_LETTER.finditer(sample), max(min_letters, 0)))
    if letters < min_letters:
        return Detection(None, 0.0,
                         f"too few letters to tell the language ({letters} < {min_letters})")
    backends = _get_backends()
    quick: tuple[str, float] = ("", 0.0)
    ranked: list[tuple[str, float]] | None = None
    if len(sample) >= LONG_TEXT:
        ranked = backends.langid.rank(sample[:QUICK_CHARS])
        if ranked:
            quick = ranked[0]
        if quick[1] >= ALONE:
            return _answer(quick[0], round(quick[1], 4), "py3langid sure", min_confidence)
    ld = _langdetect_probs(backends, sample)
    if quick[0] and ld and ld[0][1] >= SURE and quick[0] == ld[0][0] and quick[1] >= SURE:
        score = round((1 - LANGDETECT_WEIGHT) * quick[1] + LANGDETECT_WEIGHT * ld[0][1], 4)
        return _answer(quick[0], score, "py3langid+langdetect agree", min_confidence)
    votes: dict[str, float] = {}
    if ranked is None:  # long texts: py3langid has read enough in its first QUICK_CHARS
        ranked = backends.langid.rank(sample)
    for lang, prob in ranked:
        votes[lang] = votes.get(lang, 0.0) + (1 - LANGDETECT_WEIGHT) * float(prob)
    for lang, prob in ld:
        votes[lang] = votes.get(lang, 0.0) + LANGDETECT_WEIGHT * prob
    if not votes:
        return Detection(None, 0.0, "no letter sequence either model knows")
    # ties broken by code so the answer never depends on dict order
    lang, score = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    return _answer(lang, round(score, 4), "py3langid+langdetect", min_confidence)


def _answer(lang: str, score: float, reason: str, min_confidence: float) -> Detection:
    """The detection, or an abstention when the vote is weak or the best class is no language."""
    if lang == NO_LANGUAGE:
        return Detection(None, score, f"no language: the text reads as symbols ({lang!r})")
    if score < min_confidence:
        return Detection(None, score, f"language uncertain: best guess {lang!r} at {score:.2f}"
                                      f" < {min_confidence}")
    return Detection(lang, score, reason)


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
