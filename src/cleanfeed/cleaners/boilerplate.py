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

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cleanfeed.article import Article
from cleanfeed.cleaners.spans import Cut, Line, apply_cuts, iter_lines

#: Bullet markers of list items in text dumps (lynx/html2text/w3m styles) and numbered items.
_BULLET = re.compile(r"^\s*(?:[*+\-•·○◦▪►»>o]|\d{1,3}[.)])\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_URL = re.compile(r"https?://|www\.|\S+@\S+\.\w+")
_END_PUNCT = re.compile(r"[.!?;:…。！？\"”’»)\]]\s*$")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

#: Words that, on a short line, mark page chrome in most sites (English plus the commonest
#: equivalents). Short lines only: in a sentence these words are just words.
CHROME_CUES: frozenset[str] = frozenset("""
share shares shared tweet pin email print comments comment reply login log sign signin register
subscribe subscribed newsletter newsletters follow facebook twitter instagram linkedin pinterest
youtube whatsapp reddit tiktok rss menu search home advertisement advertising ad ads sponsored
cookie cookies privacy terms copyright rights reserved skip navigation toggle close open
loading related trending popular recommended more next previous prev back top view watch
contact about careers sitemap accept photo photos video videos gallery image credit getty
compartir comentarios suscríbete buscar publicidad teilen anmelden suche werbung kommentare
partager commenter recherche publicité abonnez condividi cerca commenti pubblicità
""".split())

#: Phrases that make a whole short line chrome wherever it is.
CHROME_PHRASES: tuple[str, ...] = (
    "all rights reserved", "read more", "sign up", "sign in", "log in", "skip to",
    "follow us", "share this", "related articles", "related stories", "more stories",
    "you may also like", "most popular", "most read", "privacy policy", "terms of use",
    "terms of service", "cookie policy", "click here", "subscribe to", "leave a comment",
    "leave a reply", "©", "(c) 20", "back to top", "advertisement", "newsletter",
)


#: Lines that open a section which is not the story (comments, related links): the story run
#: does not cross them unless the prose on both sides outweighs them.
_WALL = re.compile(
    r"^(?:\d+\s+)?(?:comments?|responses?|replies|reactions)\b(?!\s+\w+\s+\w+\s+\w+\s+\w)"
    r"|^\d+\s+(?:comments?|responses?|replies)\b"
    r"|^(?:leave a (?:reply|comment)|post a comment|add a comment|join the (?:conversation|discussion)"
    r"|related(?: articles| stories| posts| content| coverage| news)?\b|you may also like"
    r"|you might also like|more (?:stories|from|on this|in)\b|recommended(?: for you)?\b"
    r"|most (?:popular|read|viewed|commented|shared)\b|trending\b|read next|up next"
    r"|share this|share on|sign up for|subscribe to)"
    r"|\s(?:says|said|wrote|writes):$",
)
_GLUED = re.compile(r"[a-z][A-Z][a-z]")


@dataclass(frozen=True, slots=True)
class LineFeatures:
    """What the scorer knows about one line."""

    words: float  # words, counting two CJK characters as one word
    prose: bool
    chrome: bool
    bullet: bool
    wall: bool = False


def normalise_line(text: str) -> str:
    """The key a line is counted under: no bullet, lower case, digits and spaces collapsed."""
    text = _BULLET.sub("", text.strip())
    return _SPACES.sub(" ", _DIGITS.sub("0", text.lower())).strip()


def line_features(text: str) -> LineFeatures:
    """Cheap, language-light signals: length, punctuation, case, bullets, link-likeness, cues."""
    body = text.strip()
    bullet = False
    if body[:1] in _BULLET_START:
        m = _BULLET.match(body)
        if m:
            bullet = True
            body = body[m.end():]
    tokens = body.split()
    n = len(tokens)
    words = float(n)
    cjk = 0
    if not body.isascii():
        cjk = len(_CJK.findall(body))
        words += cjk / 2.0
    low = body.lower()
    ends = bool(_END_PUNCT.search(body))
    if words <= 8:
        wall = bool(_WALL.search(low))
        chrome = wall or (not ends and not _WORD_CUES.isdisjoint(_WORD.findall(low)))
    else:
        wall = words <= 15 and bool(_WALL.search(low))
        chrome = wall
    if not chrome and words <= 15:
        chrome = (any(p in low for p in CHROME_PHRASES)
                  or (words <= 6 and bool(_URL.search(body)))
                  or ("|" in body and not ends))
    prose = False
    if not chrome and words >= 5:
        sample = tokens[:40]
        alpha = [t for t in sample if t[:1].isalpha()]
        lower_share = sum(t[:1].islower() for t in alpha) / len(alpha) if alpha else 0.0
        if bullet:
            prose = words >= 15 and ends and lower_share >= 0.5
        else:
            prose = ((words >= 10 and (ends or lower_share >= 0.5) and lower_share >= 0.3)
                     or (ends and lower_share >= 0.4) or cjk >= 20)
        if prose and words < 40 and _GLUED.search(body) and lower_share < 0.6:
            prose = False  # "Headline In Title CaseThe teaser..." glued link blocks
    return LineFeatures(words, prose, chrome, bullet, wall)


_BULLET_START = frozenset("*+-•·○◦▪►»>o0123456789")
_WORD_CUES = CHROME_CUES


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of line counts towards the story run (tuned on held-out halves)."""

    prose: float = 1.0  # per word
    short: float = -3.0  # a short line that is neither prose nor chrome
    bullet: float = -4.0
    chrome: float = -15.0
    wall: float = -60.0
    seen: float = -40.0
    second_run: float = 0.5  # keep another run scoring at least this share of the best


DEFAULT_WEIGHTS = Weights()


class SeenLines:
    """Lines that recur across documents of a batch (or of one site): learned boilerplate.

    Feed it documents with :meth:`add` (each line counts once per document), then ask
    :meth:`is_boilerplate`. ``key`` groups documents (e.g. the site): a line is boilerplate when
    it occurs in at least ``min_docs`` documents of its group, or in ``min_docs_any`` documents of
    the whole batch. Long lines need one more document, so two copies of the same story do not
    erase each other (and the removal budget guards what remains).

    >>> seen = SeenLines(min_docs=2)
    >>> seen.add("Subscribe to our newsletter\\nA story.", key="a.com")
    >>> seen.add("Subscribe to our newsletter\\nAnother story.", key="a.com")
    >>> seen.is_boilerplate("Subscribe to our newsletter", key="a.com")
    True
    """

    def __init__(self, *, min_docs: int = 3, min_docs_any: int = 5) -> None:
        self.min_docs = min_docs
        self.min_docs_any = min_docs_any
        self._by_key: Counter[tuple[str, str]] = Counter()
        self._any: Counter[str] = Counter()
        self.documents = 0

    def add(self, text: str, key: str = "") -> None:
        """Count each distinct non-blank line of ``text`` once."""
        self.documents += 1
        lines = {normalise_line(line) for line in text.split("\n")}
        lines.discard("")
        for line in lines:
            self._any[line] += 1
            if key:
                self._by_key[(key, line)] += 1

    @classmethod
    def fit(cls, texts: Iterable[str], keys: Iterable[str] | None = None,
            **options: int) -> SeenLines:
        """A model learned from a whole batch."""
        seen = cls(**options)
        key_list = list(keys) if keys is not None else None
        for i, text in enumerate(texts):
            seen.add(text, key_list[i] if key_list is not None else "")
        return seen

    def is_boilerplate(self, line: str, key: str = "") -> bool:
        norm = normalise_line(line)
        if not norm:
            return False
        extra = 1 if len(norm) > 80 else 0
        if key and self._by_key[(key, norm)] >= self.min_docs + extra:
            return True
        return self._any[norm] >= self.min_docs_any + extra


def _score(features: LineFeatures, seen: bool, w: Weights) -> float:
    if seen:
        return w.seen
    if features.wall:
        return w.wall
    if features.chrome:
        return w.chrome
    if features.prose:
        return w.prose * features.words
    return w.bullet if features.bullet else w.short


def _best_run(scores: Sequence[float], lo: int, hi: int) -> tuple[float, int, int]:
    """Maximum-sum contiguous run of ``scores[lo:hi]`` as (total, start, end-exclusive)."""
    best, best_start, best_end = 0.0, lo, lo
    total, start = 0.0, lo
    for i in range(lo, hi):
        if total <= 0:
            total, start = 0.0, i
        total += scores[i]
        if total > best:
            best, best_start, best_end = total, start, i + 1
    return best, best_start, best_end


def story_lines(text: str, *, seen: SeenLines | None = None, key: str = "",
                weights: Weights = DEFAULT_WEIGHTS) -> list[bool]:
    """For each line of ``text``: does it belong to the story? (blank lines: True)."""
    lines = text.split("\n")
    scores: list[float] = []
    for line in lines:
        if not line.strip():
            scores.append(0.0)
            continue
        is_seen = seen is not None and seen.is_boilerplate(line, key)
        scores.append(_score(line_features(line), is_seen, weights))
    best, start, end = _best_run(scores, 0, len(lines))
    keep = [False] * len(lines)
    if best <= 0:
        return [True] * len(lines)  # nothing looks like a story: leave it to other steps
    runs = [(start, end)]
    for lo, hi in ((0, start), (end, len(lines))):
        second, s2, e2 = _best_run(scores, lo, hi)
        if second >= weights.second_run * best:
            runs.append((s2, e2))
    for s, e in runs:
        for i in range(s, e):
            keep[i] = True
    for i, line in enumerate(lines):
        if not line.strip():
            keep[i] = True
    return keep


def find_boilerplate(article: Article, *, seen: SeenLines | None = None, key: str = "",
                     weights: Weights = DEFAULT_WEIGHTS) -> list[Cut]:
    """The cuts that take the page chrome around the story out of ``article.text``."""
    keep = story_lines(article.text, seen=seen, key=key, weights=weights)
    cuts: list[Cut] = []
    first: Line | None = None
    last: Line | None = None
    for line, kept in zip(iter_lines(article.text), keep):
        if line.blank:
            continue
        if not kept:
            first = first or line
            last = line
        elif first is not None and last is not None:
            cuts.append(Cut(first.start, last.end, _REASON))
            first = None
    if first is not None and last is not None:
        cuts.append(Cut(first.start, last.end, _REASON))
    return cuts


_REASON = "page chrome around the story (text dump)"


class StripBoilerplate:
    """Step: cut menus, share bars and footers out of a plain-text page dump.

    Runs only on records that came as text (HTML goes through :func:`cleanfeed.extract.extract`).
    Pass a :class:`SeenLines` learned from the batch to also remove lines that recur across its
    documents; ``key_of`` picks the group key (default: the article's site, else none).
    """

    name = "boilerplate"

    def __init__(self, seen: SeenLines | None = None, *, budget: float = 0.9,
                 weights: Weights = DEFAULT_WEIGHTS) -> None:
        self.seen = seen
        self.budget = budget
        self.weights = weights

    def __call__(self, article: Article) -> Article:
        if article.hints.get("extracted_from_html") or not article.text.strip():
            return article
        key = article.site or ""
        cuts = find_boilerplate(article, seen=self.seen, key=key, weights=self.weights)
        return apply_cuts(article, cuts, self.name, budget=self.budget)


def clean_dumps(texts: Sequence[str], *, learn: bool = True,
                weights: Weights = DEFAULT_WEIGHTS) -> list[str]:
    """Clean a batch of text dumps, learning recurring lines from the batch itself."""
    seen = SeenLines.fit(texts) if learn else None
    step = StripBoilerplate(seen, weights=weights)
    out = []
    for i, text in enumerate(texts):
        article = Article(id=str(i), source=f"<dump {i}>", text=text)
        out.append(step(article).text)
    return out
