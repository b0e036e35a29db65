"""Inline headings and embedded video titles: out of the body, into ``article.headings``.

A line is taken as a heading when it is short, reads like a title (no full stop at its end; a
"?"/"!" ending needs title case, as in "Ex-OpenAI VP's SHOCKING DeepSeek WARNING!") and it
introduces prose: the next line that is not itself a heading is a full sentence. A run of short
lines with no prose after it is a list, and stays. A title-like first line becomes the title
when the record has none, and is dropped as a repeat when it equals the title.
"""

from __future__ import annotations

from cleanfeed.article import Article
from cleanfeed.cleaners import cues, shape
from cleanfeed.cleaners.link_spam import is_cue_line
from cleanfeed.cleaners.spans import Cut, Line, apply_cuts, iter_lines

MAX_WORDS = 16
MAX_CHARS = 120
#: At most this many headings in a row before prose (a heading, a video title, a sub-heading).
MAX_RUN = 3


def is_heading_candidate(text: str) -> bool:
    """Does the line, on its own, read like a heading?"""
    text = text.strip()
    if not text or shape.has_bullet(text) or text[0] in "\"“„«'‘(":
        return False
    if not shape.is_headline_like(text, max_words=MAX_WORDS, max_chars=MAX_CHARS):
        return False
    if is_cue_line(text):
        return False
    ws = shape.words(text)
    ratio = shape.title_case_ratio(text)
    if text[-1] in "?!":
        return ratio >= 0.6
    if len(ws) == 1:
        return ws[0][0].isupper() and len(ws[0]) > 2
    return ratio >= 0.5 or len(ws) <= 10


def _introduces_prose(lines: list[Line], pos: int, candidates: set[int]) -> bool:
    """Is line ``pos`` (index into non-blank ``lines``) followed, within a short run of other
    candidates, by a prose line that is not a soft-wrapped continuation?"""
    for nxt in lines[pos + 1: pos + 1 + MAX_RUN]:
        first = nxt.stripped[:1]
        if first.islower():
            return False
        if nxt.index in candidates:
            continue
        return shape.is_prose(nxt.text, min_words=8)
    return False


def _short_runs(candidates: set[int], lines: list[Line]) -> set[int]:
    """Keep candidates in runs of at most ``MAX_RUN`` consecutive lines: a longer run of short
    lines is a list (ingredients, links), not headings."""
    kept: set[int] = set()
    run: list[int] = []
    for line in [*lines, None]:
        if line is not None and line.index in candidates:
            run.append(line.index)
            continue
        if 0 < len(run) <= MAX_RUN:
            kept.update(run)
        run = []
    return kept


class Headings:
    """Move inline headings (and the title line at the top) out of the body."""

    name = "headings"

    def __call__(self, article: Article) -> Article:
        lines = [ln for ln in iter_lines(article.text) if not ln.blank]
        if len(lines) < 2:
            return article
        candidates = _short_runs({ln.index for ln in lines if is_heading_candidate(ln.text)},
                                 lines)
        if not candidates:
            return article
        cuts: list[Cut] = []
        title = article.title
        for pos, line in enumerate(lines):
            if line.index not in candidates or not _introduces_prose(lines, pos, candidates):
                continue
            if pos == 0:
                if title and cues.key(title) == cues.key(line.text):
                    cuts.append(Cut(line.start, line.end, "repeats the title"))
                    continue
                if not title:
                    title = line.stripped
                    cuts.append(Cut(line.start, line.end, "title line at the top"))
                    continue
            prev = lines[pos - 1] if pos else None
            if prev is not None and prev.index not in candidates and not (
                shape.ends_sentence(prev.text) or prev.stripped.endswith(":")
                or line.index - prev.index > 1
            ):
                continue  # the previous line runs on into this one: not a heading
            what = "video or inline title" if line.stripped[-1:] in "?!" else "inline heading"
            cuts.append(Cut(line.start, line.end, what, heading=True))
        out = apply_cuts(article, cuts, self.name)
        if title != article.title and len(out.removed) > len(article.removed):
            out = out.evolve(title=title)
        return out


headings = Headings()
