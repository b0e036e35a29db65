"""Boilerplate removal for plain-text page dumps (no HTML): menus, share bars, footers.

A naive scraper saves the whole visible page: navigation lists, the title, bylines, the story,
then related links and the footer. Without markup the signals left are the lines themselves:

* each line is scored as *prose* (long, sentence punctuation, mostly lower-case words: positive,
  by its length) or *chrome* (short, bulleted, title-cased, link-like, cue words such as "Share"
  or "Sign in", or seen in many other documents of the batch: negative);
* the story is the contiguous run of lines with the highest total score (a maximum-sum segment,
  as in Body Text Extraction); a second run is kept too when it is nearly as strong, so a story
  split by an advert block survives. Lists, tables and short lines *inside* the run are kept:
  they belong to the story;
* lines recurring across documents of the same site or batch are boilerplate whatever they look
  like: :class:`SeenLines` learns them from a batch and is then passed to the step.

Clean articles pass untouched: a text that is prose from top to bottom is one run already.
Every removal goes through :func:`~cleanfeed.cleaners.spans.apply_cuts` (recorded, budget-guarded).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b
from itertools import accumulate, compress
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from cleanfeed.article import Article
from cleanfeed.cleaners.cues import vocabulary
from cleanfeed.cleaners.link_spam import is_cue_line
from cleanfeed.cleaners.spans import Cut, apply_cuts
from cleanfeed.cleaners.stamps import match_stamp
from cleanfeed.pipeline import Pipeline

#: Bullet markers of list items in text dumps (lynx/html2text/w3m styles) and numbered items.
_BULLET = re.compile(r"^\s*(?:[*+\-•·○◦▪►»>o]|\d{1,3}[.)])\s+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_URL = re.compile(r"https?://|www\.|\S+@\S+\.\w+")
_DIGITS = re.compile(r"\d+")

#: The scorer's vocabularies are data (``cues/_boilerplate.json``), like every cleaner's cues:
#: words that mark chrome on a short line (English plus the commonest equivalents; in a
#: sentence they are just words), phrases that make a short line chrome wherever it is, and
#: how lines that open a section which is not the story (comments, related links) begin and
#: end; the story run does not cross such a "wall" unless the prose on both sides outweighs it.
_VOCAB = vocabulary("boilerplate")
CHROME_CUES: frozenset[str] = frozenset(_VOCAB["chrome_words"])
CHROME_PHRASES: tuple[str, ...] = _VOCAB["chrome_phrases"]
WALL_STARTS: tuple[str, ...] = _VOCAB["wall_starts"]
_WALL_START = re.compile("(?:" + "|".join(map(re.escape, WALL_STARTS)) + r")(?!\w)")
WALL_ENDS: tuple[str, ...] = _VOCAB["wall_ends"]
_GLUED = re.compile(r"[a-z][A-Z][a-z]")
_COLUMNS = re.compile(r"\S(?: {2,}|\t)\S")
_FIRST = itemgetter(0)


class LineFeatures(NamedTuple):
    """What the scorer knows about one line (a tuple: built once per distinct line, and much
    cheaper to build than a frozen dataclass)."""

    words: float  # words, counting two CJK characters as one word
    prose: bool
    chrome: bool
    bullet: bool
    wall: bool
    table: bool = False  # cells laid out in columns: a table row, part of whatever surrounds it
    headline: bool = False  # a sentence-length line without an end: a heading or a link's title
    caption: bool = False  # a photo caption or credit: not the story even inside it


@lru_cache(maxsize=1 << 16)  # pure: menus and footers repeat across a batch, so cache hits
def normalise_line(text: str) -> str:
    """The key a line is counted under: no bullet, lower case, digits and spaces collapsed."""
    text = text.strip()
    if text[:1] in _BULLET_START:
        text = _BULLET.sub("", text)
    text = text.lower()
    if not text.isalpha():
        text = _DIGITS.sub("0", text)
    return " ".join(text.split())


def _line_features(text: str) -> LineFeatures:
    """Cheap, language-light signals: length, punctuation, case, bullets, link-likeness, cues.

    Runs once per distinct line of every dump, so it is written for speed: literal vocabularies
    are searched with ``str`` methods (``in``, ``startswith``) rather than regexes, which scan a
    line character by character, and the cheaper tests of an ``or`` come first.
    """
    body = text.strip()
    bullet = False
    first = body[:1]
    if first in _BULLET_SYMBOLS:  # what _BULLET matches, without a regex call
        if body[1:2].isspace():
            bullet = True
            body = body[2:].lstrip()
    elif first in _BULLET_START:
        m = _BULLET.match(body)
        if m:
            bullet = True
            body = body[m.end():]
    tokens = body.split()
    words = float(len(tokens))
    cjk = 0
    if not body.isascii():
        cjk = len(_CJK.findall(body))
        words += cjk / 2.0
    low = body.lower()
    ends = body[-1:] in _END_CHARS  # body is stripped
    wall = chrome = False
    if words <= 15:
        unnumbered = low.lstrip("0123456789 ") if low[:1].isdigit() else low
        wall = ((unnumbered[:3] in _WALL_HEADS and _WALL_START.match(unnumbered) is not None)
                or low.endswith(WALL_ENDS))
        # letters and digits between single spaces (most menu entries): a cue word is a whole
        # token and a phrase needs a space, or is one of the few written as one word
        plain = low.replace(" ", "").isalnum()
        chrome = (wall or ("|" in body and not ends)
                  or (words <= 8 and not ends and _cue_words(tokens, low, plain) >= (
                      1 if words <= CUE_ALONE else 2))
                  or (_PHRASES.search(low) is not None if not plain or " " in low
                      else any([p in low for p in _SOLID_PHRASES])))
        if not chrome and words <= 6 and ("http" in low or "www." in low or "@" in low):
            chrome = bool(_URL.search(body))
    else:  # a cookie, legal or script notice is chrome at any length
        for k in _NOTICE_KEYS:  # substring tests first: a regex over a long line is slow
            if k in low:
                chrome = _NOTICE.search(low) is not None
                break
    prose = headline = False
    # the share of lower-case words is asked only where it can make the line prose: a short
    # unended line (a menu entry, a label) is not prose whatever its case
    if not chrome and words >= 5 and (
            (words >= 15 and ends) if bullet else (words >= 10 or ends or cjk >= 20)):
        lower, alpha = letter_counts("".join(map(_FIRST, tokens[:40])))
        lower_share = lower / alpha if alpha else 0.0
        if bullet:
            prose = words >= 15 and ends and lower_share >= 0.5
        else:
            prose = ((words >= 10 and (ends or lower_share >= 0.5) and lower_share >= 0.3)
                     or (ends and lower_share >= 0.4) or cjk >= 20)
        if prose and not ends and words < UNENDED_PROSE:
            prose, headline = False, True  # a headline: related-story lists are runs of these
        elif prose and not ends and words >= 40 and not _SENTENCE_MARK.search(body):
            prose = False  # a long line without a comma or full stop: a tag cloud, a menu
        if prose and words < 40 and lower_share < 0.6 and _GLUED.search(body):
            prose = False  # "Headline In Title CaseThe teaser..." glued link blocks
    table = (not prose and not chrome and ("  " in body or "\t" in body)
             and len(_COLUMNS.findall(body)) >= 2)
    caption = words <= 60 and (
        (low[:4] in _CAPTION_HEADS and low.startswith(CAPTION_STARTS))
        or (body[-1:] == ")" and _CREDIT_END.match(body, body.rfind("(")) is not None)
        or body.endswith("Getty Images"))
    key = (words, prose, chrome, bullet, wall, table, headline, caption)
    found = _SHARED.get(key)  # one object per distinct combination: a dict hit is cheaper
    if found is None:  # than building a tuple subclass (NamedTuple: 5x a plain tuple)
        found = _new_features(LineFeatures, key)
        if words < 256:  # bounded: a handful of flags times the common line lengths
            _SHARED[key] = found
    return found


_SHARED: dict[tuple[float, bool, bool, bool, bool, bool, bool, bool], LineFeatures] = {}
#: Pure function of the line, cached: menus and footers repeat across a batch. A bounded LRU
#: for other callers; the step itself uses an unbounded cache (no LRU bookkeeping on every
#: line) that :func:`_runs` empties when it holds more than ``MAX_CACHED_LINES`` lines.
line_features = lru_cache(maxsize=1 << 16)(_line_features)
_features = lru_cache(maxsize=None)(_line_features)
MAX_CACHED_LINES = 1 << 16


def clear_caches() -> None:
    """Empty every cache of the step (benchmarks time cold runs; results never depend on it)."""
    for cached in (line_features, _features, normalise_line, _line_digest, _score_memo):
        cached.cache_clear()
    _SHARED.clear()


def letter_counts(text: str) -> tuple[int, int]:
    """(lower-case letters, letters) in ``text``, as ``str.islower`` / ``str.isalpha`` count.

    ASCII text (the usual case) is counted by deleting bytes in C, 2x faster than a loop over
    the characters.
    """
    if text.isascii():
        raw = text.encode("ascii")
        return (len(raw) - len(raw.translate(None, _ASCII_LOWER)),
                len(raw) - len(raw.translate(None, _ASCII_LETTERS)))
    return sum(map(str.islower, text)), sum(map(str.isalpha, text))


_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
_ASCII_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + _ASCII_LOWER


_new_features = tuple.__new__  # LineFeatures(...) through NamedTuple's __new__ is 5x slower
#: A line without an end (no full stop) shorter than this many words is a headline, not prose.
UNENDED_PROSE = 25
#: Up to this many words, one cue word makes a line chrome; longer, a sentence-case line needs two.
CUE_ALONE = 4


def _cue_words(tokens: list[str], low: str, plain: bool = False) -> int:
    """Cue words of a short line; a line in sentence case needs two ("More expensive than...").

    ``plain``: ``low`` is letters and digits between spaces, so its cue words are the tokens
    that are one (set lookups instead of the regex: the same count).
    """
    if plain:
        cues = sum(map(CHROME_CUES.__contains__, low.split(" ")))
    else:
        cues = len(_CUE_WORD.findall(low))
    if cues == 1:
        caps = sum(map(str.isupper, map(_FIRST, tokens)))
        if caps * 2 >= len(tokens):
            cues = 2  # Title Case or a bare label: one cue word is enough
    return cues


_BULLET_START = frozenset("*+-•·○◦▪►»>o0123456789")
_BULLET_SYMBOLS = frozenset("*+-•·○◦▪►»>o")  # _BULLET's one-character markers


def _trie(phrases: Iterable[str]) -> str:
    """One regex for many literal phrases, merged on common prefixes ("sign (?:up|in)").

    Python's ``re`` tries the alternatives of ``a|b|c`` one by one at every position; a trie
    tries one branch per first character (the chrome-phrase search: 2.4 -> 1.65 µs a line).
    """
    tree: dict[str, dict] = {}
    for phrase in phrases:
        node = tree
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return walk(tree)


_PHRASES = re.compile(_trie(CHROME_PHRASES))
_SOLID_PHRASES = tuple(p for p in CHROME_PHRASES if p.isalnum())  # "newsletter"
_SENTENCE_MARK = re.compile(r"[.,;:!?]\s")
_NOTICE = re.compile(_trie(_VOCAB["notice_phrases"]))
CAPTION_STARTS: tuple[str, ...] = _VOCAB["caption_starts"]
#: The first three (four) characters of every wall start (caption start): one set lookup
#: rules out most lines before the regex (``startswith`` with a tuple) is tried.
_WALL_HEADS = frozenset(w[:3] for w in WALL_STARTS)
_CAPTION_HEADS = frozenset(c[:4] for c in CAPTION_STARTS)
#: "... (AP Photo/Jane Doe)", "(Image: GETTY)": a credit in brackets ends the line.
_CREDIT_END = re.compile(r"\((?:" + _trie(_VOCAB["credit_names"]) + r")\b[^()]{0,60}\)$")
#: A cue word as a whole word: one regex pass instead of stripping and looking up every token.
_CUE_WORD = re.compile(r"(?<![\w'’@./-])(?:" + _trie(CHROME_CUES) + r")(?![\w'’@/-])")
_NOTICE_KEYS = tuple(sorted({max(p.split(), key=len) for p in _VOCAB["notice_phrases"]}))
#: a key containing another key adds nothing ("cookies" holds "cookie")
_NOTICE_KEYS = tuple(k for k in _NOTICE_KEYS if not any(o != k and o in k for o in _NOTICE_KEYS))
_END_CHARS = frozenset(".!?;:…。！？\"”’»)]")


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of line counts towards the story run (tuned on held-out halves)."""

    prose: float = 1.0  # per word
    short: float = -3.0  # a short line that is neither prose nor chrome
    bullet: float = -4.0
    chrome: float = -15.0
    wall: float = -60.0
    headline: float = 0.0
    listed: float = -1.0  # a headline between non-prose lines: an item of a link list
    table: float = 1.0  # a table row: content, usually the story's own data
    seen: float = -40.0
    second_run: float = 0.5  # keep another run scoring at least this share of the best
    bullet_prose: float = 1.0  # a list item written as prose counts this share of its words


DEFAULT_WEIGHTS = Weights()


#: Lines longer than this (characters) are prose-sized: they need one more document to count as
#: boilerplate, and a document's set of them identifies copies of the same story.
LONG_LINE = 80


class SeenLines:
    """Lines that recur across documents of a batch (or of one site): learned boilerplate.

    Feed it documents with :meth:`add` (each line counts once per document), then ask
    :meth:`is_boilerplate`. ``key`` groups documents (e.g. the site): a line is boilerplate when
    it occurs in at least ``min_docs`` documents of its group, or in ``min_docs_any`` documents of
    the whole batch. Copies of one story must not erase each other: a document whose long lines
    (the prose) are all those of an earlier document is a copy and is not counted; long lines
    need one document more than short ones; and a document whose every line is "seen" has no
    story run, so nothing is cut from it.

    Memory is bounded for crawls of any size: lines are kept as 8-byte digests, and when more
    than ``max_lines`` counts are held, the rarest lines (first those seen in one document so
    far) are forgotten until half of that is left: a line that recurs keeps coming back, and the
    pruning depends only on the input order, so the model stays deterministic.
    :meth:`save` / :meth:`load` keep a model between runs.

    >>> seen = SeenLines(min_docs=2)
    >>> seen.add("Subscribe to our newsletter\\nA story.", key="a.com")
    >>> seen.add("Subscribe to our newsletter\\nAnother story.", key="a.com")
    >>> seen.is_boilerplate("Subscribe to our newsletter", key="a.com")
    True
    """

    def __init__(self, *, min_docs: int = 2, min_docs_any: int = 5,
                 max_lines: int = 1_000_000) -> None:
        if min_docs < 1 or min_docs_any < 1 or max_lines < 1:
            raise ValueError("min_docs, min_docs_any and max_lines must be at least 1")
        self.min_docs = min_docs
        self.min_docs_any = min_docs_any
        self.max_lines = max_lines
        self._by_key: Counter[tuple[str, int]] = Counter()
        self._any: Counter[int] = Counter()
        self._stories: set[int] = set()
        self.documents = 0

    def add(self, text: str, key: str = "") -> None:
        """Count each distinct non-blank line of ``text`` once (copies of a story: not at all)."""
        raw = text.split("\n")
        lines = {d for d in map(_line_digest, raw) if d is not None}
        # digits kept here: two pages differing only in their figures are not copies
        story = sorted({" ".join(line.split()) for line in raw if len(line) > LONG_LINE})
        if story:
            digest = _digest("\n".join(story))
            if digest in self._stories:
                return
            if len(self._stories) >= self.max_lines:
                self._stories.clear()  # bounded: copies far apart in a huge crawl may count
            self._stories.add(digest)
        self.documents += 1
        for line in lines:
            self._any[line] += 1
            if key:
                self._by_key[(key, line)] += 1
        if len(self._any) + len(self._by_key) > self.max_lines:
            self._prune()

    def _prune(self) -> None:
        """Forget the rarest lines until the counts fit in half of ``max_lines``."""
        floor = 1
        while len(self._any) + len(self._by_key) > self.max_lines // 2:
            for counter in (self._any, self._by_key):
                for k in [k for k, n in counter.items() if n <= floor]:
                    del counter[k]
            floor += 1

    @classmethod
    def fit(cls, texts: Iterable[str], keys: Iterable[str] | None = None,
            **options: int) -> SeenLines:
        """A model learned from a whole batch."""
        seen = cls(**options)
        key_list = list(keys) if keys is not None else None
        for i, text in enumerate(texts):
            seen.add(text, key_list[i] if key_list is not None else "")
        return seen

    def learn(self, records: Iterable[object]) -> int:
        """Count the text records of ``records`` (what a reader yields); return how many.

        Only records that reach the ``boilerplate`` step as text are counted (HTML goes through
        the extractor), in the form that step sees them: normalised, grouped by
        :func:`site_key`. Rejects and HTML records are skipped.
        """
        from cleanfeed.article import RawRecord
        from cleanfeed.cleaners.normalize import normalize

        counted = 0
        for record in records:
            if not isinstance(record, RawRecord) or record.html is not None or not record.text:
                continue
            article = normalize(Article.from_raw(record))
            self.add(article.text, site_key(article))
            counted += 1
        return counted

    def is_boilerplate(self, line: str, key: str = "") -> bool:
        found = _line_digest(line)
        if found is None:
            return False
        extra = 1 if len(normalise_line(line)) > LONG_LINE else 0
        if key and self._by_key[(key, found)] >= self.min_docs + extra:
            return True
        return self._any[found] >= self.min_docs_any + extra

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as JSON (sorted: the same model gives the same bytes)."""
        by_key: dict[str, dict[str, int]] = {}
        for (key, line), n in self._by_key.items():
            by_key.setdefault(key, {})[f"{line:016x}"] = n
        data = {
            "format": _FORMAT, "version": 1, "min_docs": self.min_docs,
            "min_docs_any": self.min_docs_any, "max_lines": self.max_lines,
            "documents": self.documents,
            "any": {f"{line:016x}": n for line, n in self._any.items()},
            "by_key": by_key, "stories": sorted(f"{d:016x}" for d in self._stories),
        }
        tmp = Path(f"{os.fspath(path)}.tmp")
        tmp.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)  # a crash mid-write leaves the old model, never half a file

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SeenLines:
        """A model written by :meth:`save`; ``ValueError`` if the file is not one."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT or data.get("version") != 1:
                raise ValueError("not a cleanfeed seen-lines model")
            seen = cls(min_docs=int(data["min_docs"]), min_docs_any=int(data["min_docs_any"]),
                       max_lines=int(data["max_lines"]))
            seen.documents = int(data["documents"])
            seen._any.update({int(k, 16): int(n) for k, n in data["any"].items()})
            for key, counts in data["by_key"].items():
                seen._by_key.update({(key, int(k, 16)): int(n) for k, n in counts.items()})
            seen._stories.update(int(d, 16) for d in data["stories"])
        except (OSError, UnicodeDecodeError, KeyError, TypeError, AttributeError,
                ValueError) as exc:
            raise ValueError(f"cannot read seen-lines model {os.fspath(path)}: {exc}") from None
        return seen


_FORMAT = "cleanfeed-seen-lines"


def _digest(text: str) -> int:
    """A stable 64-bit digest (Python's ``hash`` of a str changes between processes)."""
    return int.from_bytes(blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "big")


@lru_cache(maxsize=1 << 16)  # pure; menus and footers repeat across a batch
def _line_digest(line: str) -> int | None:
    norm = normalise_line(line)
    return _digest(norm) if norm else None


def site_key(article: Article) -> str:
    """The group :class:`SeenLines` counts a document under: its site, else its URL's host."""
    if article.site:
        return article.site
    if article.url:
        return urlsplit(article.url).netloc.lower().removeprefix("www.")
    return ""


def use_seen_lines(pipeline: Pipeline, seen: SeenLines | None) -> Pipeline:
    """``pipeline`` with its ``boilerplate`` step(s) using ``seen`` (a learned model)."""
    steps = [StripBoilerplate(seen, weights=step.weights) if isinstance(step, StripBoilerplate)
             else step for step in pipeline.steps]
    return Pipeline(steps, fetched_at=pipeline.fetched_at)


def score_line(features: LineFeatures, seen: bool = False,
               weights: Weights = DEFAULT_WEIGHTS) -> float:
    """A line's contribution to the story run: its words if prose, a penalty if chrome."""
    return _score(features, seen, weights)


def _score(features: LineFeatures, seen: bool, w: Weights) -> float:
    if seen:
        return w.seen
    if features.wall:
        return w.wall
    if features.chrome:
        return w.chrome
    if features.prose:
        return w.prose * features.words * (w.bullet_prose if features.bullet else 1.0)
    if features.table:
        return w.table
    if features.headline:
        return w.bullet if features.bullet else w.headline
    return w.bullet if features.bullet else w.short


def _best_run(scores: Sequence[float], lo: int, hi: int) -> tuple[float, int, int]:
    """Maximum-sum contiguous run of ``scores[lo:hi]`` as (total, start, end-exclusive)."""
    best, best_start, best_end = 0.0, lo, lo
    total, start = 0.0, lo
    for i, value in enumerate(scores[lo:hi], lo):
        if total <= 0:
            total, start = 0.0, i
        total += value
        if total > best:
            best, best_start, best_end = total, start, i + 1
    return best, best_start, best_end


class _ScoreMemo(dict[LineFeatures, float]):
    """Scores of line features under one set of weights, no seen lines: a feature tuple recurs
    on many lines (all "short" menu entries are one), so a dict hit replaces a call per line.
    Blank lines (no words) score 0."""

    def __init__(self, weights: Weights) -> None:
        super().__init__()
        self.weights = weights

    def __missing__(self, features: LineFeatures) -> float:
        value = _score(features, False, self.weights) if features.words else 0.0
        if features.words < 256:  # bounded like _SHARED: only the common line lengths
            self[features] = value
        return value


@lru_cache(maxsize=16)
def _score_memo(weights: Weights) -> _ScoreMemo:
    return _ScoreMemo(weights)


_WORDS, _HEADLINE, _CAPTION_FLAG = itemgetter(0), itemgetter(6), itemgetter(7)


def _runs(text: str, seen: SeenLines | None, key: str, weights: Weights
          ) -> tuple[list[str], list[tuple[int, int]], float, list[LineFeatures]]:
    """The lines of ``text``, the story runs as (start, end) line ranges, the prose kept, and
    every line's features (blank lines: no words)."""
    lines = text.split("\n")
    if _features.cache_info().currsize > MAX_CACHED_LINES:
        _features.cache_clear()  # bounded memory over a crawl of any size
    feats = list(map(_features, lines))  # cached per line; a blank line has no words
    if seen is None:
        scores = list(map(_score_memo(weights).__getitem__, feats))
    else:
        seen_line, score = seen.is_boilerplate, _score
        scores = [score(f, seen_line(line, key), weights) if f.words else 0.0
                  for line, f in zip(lines, feats, strict=True)]
    # A headline among other non-prose lines is an item of a link list, not a sub-heading.
    filled = list(compress(range(len(lines)), map(_WORDS, feats)))
    last = len(filled) - 1
    for j in compress(range(len(filled)), map(_HEADLINE, map(feats.__getitem__, filled))):
        i = filled[j]
        if scores[i] == weights.headline and 0 < j < last and not (
                feats[filled[j - 1]].prose or feats[filled[j + 1]].prose):
            scores[i] = weights.listed
    best, start, end = _best_run(scores, 0, len(lines))
    if best <= 0:  # nothing looks like a story: leave it alone
        return lines, [(0, len(lines))], 0.0, feats
    kept = best
    start, end, kept = _grow(scores, start, end, kept, weights)
    runs = [(start, end)]
    for lo, hi in ((0, start), (end, len(lines))):
        second, s2, e2 = _best_run(scores, lo, hi)
        between: Sequence[float] = () if e2 <= start else scores[end:s2]  # walls end stories
        if second >= weights.second_run * best and weights.wall not in between:
            runs.append((s2, e2))
            kept += second
    runs.sort()
    return lines, runs, kept, feats


def _grow(scores: Sequence[float], start: int, end: int, kept: float,
          w: Weights) -> tuple[int, int, float]:
    """Extend the story over plain structure (lists, headings, short lines) to more prose.

    A long list-heavy story scores in pieces; what separates it from the page around it is
    chrome (menus with cue words, share bars, walls, lines seen elsewhere), not lists. So the
    story reaches to the last prose line before the next chrome line on each side. One linear
    pass each way: no input can make this quadratic.
    """
    i = end
    while i < len(scores) and scores[i] > w.chrome:
        if scores[i] > 0:
            kept, end = kept + scores[i], i + 1
        i += 1
    i = start - 1
    while i >= 0 and scores[i] > w.chrome:
        if scores[i] > 0:
            kept, start = kept + scores[i], i
        i -= 1
    return start, end, kept


def story_lines(text: str, *, seen: SeenLines | None = None, key: str = "",
                weights: Weights = DEFAULT_WEIGHTS) -> list[bool]:
    """For each line of ``text``: does it belong to the story? (blank lines: True)."""
    lines, runs, _, _ = _runs(text, seen, key, weights)
    keep = [not line.strip() for line in lines]
    for s, e in runs:
        keep[s:e] = [True] * (e - s)
    return keep


def find_boilerplate(article: Article, *, seen: SeenLines | None = None, key: str = "",
                     weights: Weights = DEFAULT_WEIGHTS) -> tuple[list[Cut], float]:
    """The cuts that take the page chrome around the story out, and the story's score."""
    lines, runs, kept, feats = _runs(article.text, seen, key, weights)
    # where each line starts (its length + its newline); the last entry is one past the end
    offsets = list(accumulate(map(_PLUS_ONE, map(len, lines)), initial=0))
    cuts: list[Cut] = []
    prev = 0
    for s, e in [*runs, (len(lines), len(lines))]:
        edge = prev == 0 or s == len(lines)
        # the non-blank lines of the block (a blank line has no words): no strip() per line
        filled = list(compress(range(prev, s), map(_WORDS, feats[prev:s]))) if s > prev else []
        texts = list(map(lines.__getitem__, filled))
        if s > prev and _is_chrome_block(texts, seen, key, edge) and not (
                s == len(lines) and _related_links_tail(texts)):
            start = prev
            for i in _kept_stamps(lines, filled):
                if i > start:
                    cuts.append(Cut(offsets[start], offsets[i] - 1, _REASON))
                start = i + 1
            if s > start:
                cuts.append(Cut(offsets[start], offsets[s] - 1, _REASON))
        prev = max(prev, e)
    for s, e in runs:  # captions and credits inside the story
        for i in compress(range(s, e), map(_CAPTION_FLAG, feats[s:e])):
            cuts.append(Cut(offsets[i], offsets[i + 1] - 1, _CAPTION))
    return cuts, kept


_PLUS_ONE = (1).__add__


def _related_links_tail(filled: list[str]) -> bool:
    """A short tail that opens with a related-links cue ("Read More") is ``link_spam``'s job.

    That step removes the cue and its headlines and says so; a long tail (menus, footer) is cut
    here.
    """
    return bool(filled) and len(filled) <= MAX_LINK_TAIL and is_cue_line(filled[0])


#: The longest "Read More" tail (cue line included) left to the ``link_spam`` step.
MAX_LINK_TAIL = 15


def _kept_stamps(lines: list[str], filled: list[int]) -> list[int]:
    """Date-stamp lines at the ends of a chrome block (``filled``: its non-blank line numbers):
    left for the ``stamps`` step to read.

    A block borders the story or an end of the page, where the stamps step looks for the
    publication date ("2025-01-31 15:10" under the story); it records and removes them itself.
    """
    edges = sorted(set(filled[:STAMP_EDGE] + filled[-STAMP_EDGE:]))
    # every stamp has a digit: the cheap search spares most lines the long date pattern
    return [i for i in edges if _DIGITS.search(lines[i]) and match_stamp(lines[i]) is not None]


#: How many lines at each end of a chrome block may be date stamps kept for ``stamps``.
STAMP_EDGE = 3


def _is_chrome_block(filled: list[str], seen: SeenLines | None, key: str,
                     edge: bool = False) -> bool:
    """Cut lines outside the story only on evidence: a chrome line, a list, or many lines
    (``filled``: the block's non-blank lines).

    A clean article's short closing line ("Thanks for reading.") is left alone. At the top or
    the bottom of the text (``edge``) only a chrome or seen line is evidence: a page dump's
    menus and footers carry cue words, while a clean article may open with a heading or end
    with a list of its own.
    """
    if len(filled) >= 3 and not edge:
        return True
    for line in filled:
        f = _features(line)
        if f.chrome or (f.bullet and not edge) or (
                seen is not None and seen.is_boilerplate(line, key)):
            return True
    return False



_REASON = "page chrome around the story (text dump)"
_CAPTION = "photo caption or credit (text dump)"

#: A story run scoring less than this (about this many words of prose) is too thin to justify
#: cutting more than the usual budget around it.
MIN_STORY = 40.0


class StripBoilerplate:
    """Step: cut menus, share bars and footers out of a plain-text page dump.

    Runs only on records that came as text (HTML goes through :func:`cleanfeed.extract.extract`,
    which marks its output). Pass a :class:`SeenLines` learned from the batch to also remove
    lines that recur across its documents; the article's ``site`` is the group key. A page dump
    is mostly chrome, so the budget guard is lifted when a substantial story run was found; a thin
    one gets the usual budget of :func:`~cleanfeed.cleaners.spans.apply_cuts`.
    """

    name = "boilerplate"

    def __init__(self, seen: SeenLines | None = None, *,
                 weights: Weights = DEFAULT_WEIGHTS) -> None:
        self.seen = seen
        self.weights = weights

    def __call__(self, article: Article) -> Article:
        if article.hints.get("extracted_from_html") or not article.text.strip():
            return article
        key = site_key(article) if self.seen is not None else ""
        cuts, kept = find_boilerplate(article, seen=self.seen, key=key, weights=self.weights)
        if not cuts:
            return article
        if kept >= MIN_STORY:
            return apply_cuts(article, cuts, self.name, budget=1.0)
        return apply_cuts(article, cuts, self.name)


def clean_dumps(texts: Sequence[str], *, sites: Sequence[str] | None = None,
                learn: bool = True, weights: Weights = DEFAULT_WEIGHTS) -> list[str]:
    """Clean a batch of text dumps, learning recurring lines from the batch itself.

    ``sites`` (one per text, e.g. the domain) groups documents for :class:`SeenLines`.

    >>> menu = "* Home\n* World\n* Sport\n"
    >>> story = "The council approved the new budget on Tuesday after a long debate."
    >>> clean_dumps([menu + story, menu + "Another story, told in one long sentence here."])[0]
    'The council approved the new budget on Tuesday after a long debate.'
    """
    seen = SeenLines.fit(texts, sites) if learn else None
    step = StripBoilerplate(seen, weights=weights)
    out = []
    for i, text in enumerate(texts):
        site = sites[i] if sites is not None else None
        article = Article(id=str(i), source=f"<dump {i}>", text=text, site=site)
        out.append(step(article).text)
    return out
