"""HTML -> main text and metadata. The HTML path's entry point into the cleaning pipeline.

The page is parsed once (:func:`parse_html`) and that tree serves every reader: trafilatura,
readability-lxml when asked, the metadata and the date search
(:func:`cleanfeed.dates.dates_from_html`).

* trafilatura (comments excluded, its own metadata and date search off: the dates step
  redoes them) gives the text: its own extractor first, its fallback only where that text is
  empty or a page dump, and on a short text only the justext candidate its fallback would end
  with (:func:`justext_text`);
* the page's metadata (title, authors, site, canonical URL) comes from its meta tags and
  JSON-LD, read with trafilatura's metadata helpers, and from a byline element;
* readability-lxml gives a second opinion only when trafilatura's text looks doubtful: much
  shorter than the page's own paragraph text (the ``<p>`` words outside link lists), or on a
  page with no such paragraph at all, where that measure is blind. On most
  pages trafilatura has taken nearly all of that text and a second parse would not change the
  answer; on the few where it fell short it often missed part of the story or took a sidebar.
  It is also asked when the page's prose sits in one block and trafilatura's text is
  longer than that block: trafilatura may have added teaser lists or boxes around it; and
  when trafilatura's text lacks many of that block's sub-headings and list items (a fifth of
  its words or more): it may have dropped a listicle's items or a review's pros and cons;
  and when a run of the page's story paragraphs is missing from its text between paragraphs
  it kept (:func:`dropped_section`): it may have left out a section of the story.

When asked, the two outputs are arbitrated. If readability's text is a fuller version of the
same story (it holds most of trafilatura's words and its extra lines are not chrome) it wins.
When one output is (almost) contained in the other otherwise, the extra lines are scored with
the line scorer the text-dump path uses (:mod:`cleanfeed.cleaners.boilerplate`): chrome-like
lines only trafilatura kept make readability's tighter text win. When trafilatura found next
to nothing of a page full of paragraphs (a thread it filed as comments) and readability found
prose, readability wins. In the second case readability wins only when its text is the prose
block alone, inside trafilatura's (:func:`prose_block_wins`). In the third, readability wins
when its text is trafilatura's with lines put back inside the story (:func:`structure_fuller_wins`).
For a missing section, readability wins when most of what it adds is one run of sentences
inside the story (:func:`section_fuller_wins`). Otherwise trafilatura's text is kept. Table
rows come out as tab-separated cells. An author bio at the end of the text is cut
(:func:`author_bio_cut`), and so are teaser link lines ("Related: <headline>",
:func:`teaser_line_cuts`) and the page chrome that ends the text ("Comments", "Sign up now",
:func:`trailing_chrome_cut`).
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from lxml import etree

from cleanfeed.article import Article, Drop
from cleanfeed.cleaners import cues
from cleanfeed.cleaners.boilerplate import line_features, score_line
from cleanfeed.cleaners.spans import Cut, apply_cuts, iter_lines
from cleanfeed.dates import ParsedDate, dates_from_html

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: One output counts as "inside" the other when this share of its words is found there.
CONTAINED = 0.8
#: Readability's longer text is "the same story, fuller" when it holds this share of
#: trafilatura's words.
FULLER = 0.7
#: Readability's text shorter than this share of trafilatura's is treated as a miss.
MIN_RATIO = 0.4
#: Readability is consulted only when trafilatura's text has fewer words than this share of the
#: page's paragraph words: below it trafilatura may have missed part of the story.
DOUBTFUL_BELOW = 0.5
#: trafilatura's text under this share of the page's paragraph words is "next to nothing".
NEAR_EMPTY = 0.1
#: A line belongs to one output only when fewer than this share of its words are in the other.
LINE_SHARED = 0.5
#: A ``<p>`` whose words are mostly link text is a menu or a teaser list, not page prose.
LINK_SHARE = 0.5
#: The page's prose sits in one block when the element holding most ``<p>`` words holds at least
#: this share of them (as words of its whole text; 0.85 until the 4th session: 0.8 adds one
#: WCXB article whose block is 0.85 of the paragraph words, 0.7-0.72 starts to lose).
ONE_BLOCK = 0.8
#: Readability's block counts as inside trafilatura's text when this share of its words is there.
BLOCK_INSIDE = 0.95
#: ...and at most this many times them.
OVER_BLOCK = 1.2
#: trafilatura's text with this many times the words of that block has taken more than the story
#: block (teaser lists, newsletter boxes, an author box, a call to action): readability is asked
#: for the block alone. 1.2 until the 4th session; 1.05-1.07 take the same block where
#: trafilatura added a smaller box; 1.03 starts taking blocks that leave part of the story out.
PADDED = 1.07
#: Sub-headings and list items of the story block that trafilatura's text lacks, at this share
#: of its words or more: it has dropped part of the story's structure (a listicle's items, a
#: review's pros and cons), and readability is asked (:func:`structure_fuller_wins` decides).
DROPPED_SHARE = 0.2
#: What counts as the story's structure inside the block.
_STRUCTURE = ("li", "h2", "h3", "h4")
#: Readability's text must have this many times trafilatura's words to be "fuller"...
GROWS = 1.05
#: ...hold this share of trafilatura's words...
HOLDS = 0.9
#: ...put this share of its own words between the first and the last sentence both share
#: (a shared line of this many words or more)...
INTERIOR = 0.9
SENTENCE_WORDS = 8
#: ...and have no more than this share of its own lines chrome-like (a cue line such as
#: "Advertisement", "VIDEO") and this share of its own words in lines that repeat (an image
#: caption or counter under every picture).
CHROME_LINES = 0.2
REPEATED_WORDS = 0.2
#: A line scoring this low is chrome by a cue, not merely short (:func:`score_line`).
CUE_CHROME = -10.0
#: trafilatura's text with this many times the words of the prose block (the block inside it)
#: while the page holds more paragraph words than the text (``PROSE_LEFT`` times its words):
#: trafilatura took much around a small story block and left other prose out, the sign of a
#: text assembled from page furniture (banners, testimonials, teasers) around the story.
SMALL_BLOCK = 2.0
PROSE_LEFT = 1.1
#: ...for a block of at least this many words (a real story block, not a caption's parent).
BLOCK_MIN_WORDS = 50
#: trafilatura's fallback is run when its own extractor's text is under this many characters
#: (trafilatura's bound for its recall retry)...
FALLBACK_MAX_CHARS = 3000
#: ...and under this share of the page's visible words (its retry's share of the page text)...
FALLBACK_PAGE_SHARE = 0.2
#: ...or is plain paragraphs holding this share of the page's visible words (a page dump).
FALLBACK_FLAT_SHARE = 0.8
#: On a short text, justext's text replaces it when it has more than this many times its
#: characters (trafilatura's own ratio for the justext candidate of its recall retry).
JUSTEXT_RATIO = 2.0

#: A run of the page's ``<p>`` paragraphs that trafilatura's text lacks, between paragraphs it
#: kept, is a dropped section of the story when it holds this many words or more...
SECTION_MIN_WORDS = 40
#: ...at least two paragraphs of this many words...
SECTION_LONG_PARAGRAPH = 15
#: ...this share of trafilatura's words or more...
SECTION_SHARE = 0.04
#: ...and this many words per paragraph on average (story paragraphs, not comment snippets or
#: one-line blurbs): then readability is asked (:func:`section_fuller_wins` decides).
SECTION_AVG_WORDS = 30
#: ...and sits beside the kept story: it shares an ancestor with the kept paragraphs on either
#: side within this many levels up (a sidebar or a comment thread shares only ``<body>``).
SECTION_NEAR = 6
#: Readability's own lines put back a section when one run of them, inside the story, has at
#: least ``SECTION_MIN_WORDS`` words, this many sentence ends and this share of its own words.
SECTION_SENTENCES = 2
SECTION_RUN_SHARE = 0.5
#: A teaser link line is a related-content cue, a colon, and a headline of at most this many
#: words ("Related: Ten ways to ...", "Also read: ...", "Lesen Sie auch: ..."), and at least
#: this many ("Recommended: yes" in a review's verdict is not a link).
TEASER_MAX_WORDS = 20
TEASER_MIN_WORDS = 3

_LOG = logging.getLogger(__name__)
_WORDS = re.compile(r"\w+")
_TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")
_EMPTY_ITEMS = frozenset({"-", "*", "•"})
_SPACES = re.compile(r"[^\S\t\n]+")
_BLOCKS = frozenset({
    "p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre",
    "section", "article", "dd", "dt", "figcaption", "table", "ul", "ol", "header", "footer",
})
_CELLS = frozenset({"td", "th"})
# a union, in document order: each test runs on the attributes of its name only, not on every
# element (1.3 vs 2.3 ms a WCXB page, the same elements)
_BYLINE_XPATH = ("//@rel[.='author']/.. | //@itemprop[.='author']/.. | //@class[contains(., "
                 "'byline') or contains(., 'author-name') or contains(., 'author_name')]/..")
#: What parts a page title from the site's name ("Story headline | Site", "Story - Site").
_TITLE_PARTS = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022\u00bb]\s+")
#: The longest part of a split title stands for the headline only with this many words.
TITLE_PART_MIN_WORDS = 3
#: A paragraph's first words (this many, within its first ``_EDGE`` characters), found in a row
#: in trafilatura's text, tell that trafilatura kept it.
_EDGE = 60
_HEAD = 4
_SENTENCE_END = re.compile(r"\w[.!?][\"\u201d\u2019)]?(?:\s|$)")
_BY = re.compile(r"^\s*(by|von|par|por|di|door|af|av)\s+", re.I)
#: A byline longer than this many words is a bio or a teaser, not a name.
BYLINE_MAX_WORDS = 6
#: An author bio is looked for among this many last non-blank lines of the text...
BIO_LAST_LINES = 8
#: ...as a line naming the page's author within its first words ("Ana Ruiz is a ...",
#: "Contact staff writer Ana Ruiz at ...", "Write to Ana Ruiz at ...")...
BIO_NAME_WITHIN = 5
#: ...and is cut, with everything after it, only when that is at most this share of the words.
BIO_MAX_SHARE = 0.3
#: The text's last lines are page chrome (:func:`trailing_chrome_cut`) when each has at most
#: this many words and scores as cue chrome (``CUE_CHROME``)...
TAIL_MAX_WORDS = 8
#: ...and are cut only up to this share of the text's words.
TAIL_MAX_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    site: str | None = None
    url: str | None = None
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    extractor: str = "trafilatura"


def parse_html(html: str | bytes) -> HtmlElement | None:
    """The page as an lxml tree, parsed the way trafilatura parses it (so handing the tree
    over changes nothing in its output), or ``None`` for what is not HTML at all."""
    from trafilatura.utils import load_html

    try:
        return load_html(html)
    except Exception:  # lxml refuses some documents outright
        return None


def _trafilatura_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's main text: comments out, no metadata or date search (done elsewhere)."""
    return _trafilatura_run(tree, url, favor_precision=False)


def _precision_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's text in its ``favor_precision`` mode, or ``""`` when it fails: a second
    pass, run only on pages :func:`small_block_doubt` picks."""
    try:
        return _trafilatura_run(tree, url, favor_precision=True)
    except Exception:  # a failing second opinion leaves the first one standing
        return ""


def _trafilatura_run(tree: HtmlElement, url: str | None, *, favor_precision: bool) -> str:
    """One trafilatura pass with cleanfeed's settings (tables as tab-separated rows).

    The main pass runs trafilatura's own extractor alone (``fast``). Where its text came up
    short (:func:`fallback_reason`), trafilatura's full pass would end with its justext
    candidate, so that candidate alone is asked (:func:`justext_text`): the full pass
    repeats the whole extraction with a readability fork and the recall retry besides, twice
    the cost on those pages for the same choice on most of them. Where the text is empty or
    a plain dump of the page, trafilatura runs again with its fallback. The precision pass
    keeps trafilatura's defaults.
    """
    import trafilatura

    def run(fast: bool) -> Any:
        return trafilatura.bare_extraction(  # copies the tree: ours stays intact for the others
            tree, url=url, with_metadata=False, include_comments=False, include_tables=True,
            deduplicate=False, favor_precision=favor_precision, fast=fast,
        )

    doc = None if favor_precision else run(True)
    if doc is not None and not isinstance(doc, dict):
        reason = fallback_reason(doc.text or "", doc.body, lambda: visible_words(tree))
        if reason is None:
            return _untable(doc.text or "")
        if reason == "short":
            # trafilatura's own measure of its text: the body's text nodes joined by spaces
            found = justext_text(tree, len(" ".join(doc.body.itertext()).strip()))
            if found is not None:
                return _untable(found or doc.text or "")
    doc = run(False)
    if doc is None or isinstance(doc, dict):  # dict only with as_dict=True, which we never pass
        return ""
    return _untable(doc.text or "")


@lru_cache(maxsize=1)
def _justext_options() -> Any:
    """trafilatura's default settings (justext reads only the page's language, none here)."""
    from trafilatura.settings import Extractor

    return Extractor()


def justext_text(tree: HtmlElement, than: int) -> str | None:
    """The text justext finds on the page when it holds more than ``JUSTEXT_RATIO`` times
    ``than`` characters, else ``""``; ``None`` when this trafilatura lacks the pieces (the
    caller then runs trafilatura's full pass, which tries the same candidate).

    It is the candidate trafilatura's full pass tries last on a short extraction, made the same
    way: justext (trafilatura's stop words of every language) on the raw page without the
    sections trafilatura prunes first (comment sections too, except on a thread-forum page,
    where the posts are the content: trafilatura's own test, a schema.org
    ``DiscussionForumPosting`` in the page's JSON-LD).
    """
    try:
        from trafilatura.core import _forum_thread_page
        from trafilatura.external import justext_rescue
        from trafilatura.htmlprocessing import prune_unwanted_nodes
        from trafilatura.xml import xmltotxt
        from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH
    except ImportError:  # another trafilatura: its full pass instead
        return None
    raw = prune_unwanted_nodes(copy.deepcopy(tree), RAW_TREE_PRUNE_XPATH)
    if not _forum_thread_page(tree):
        raw = prune_unwanted_nodes(raw, REMOVE_COMMENTS_AND_LISTS_XPATH)
    try:
        body, text = justext_rescue(raw, _justext_options())
    except Exception:  # justext fails on some pages: the short text stands
        _LOG.debug("justext failed")
        return ""
    if len(text) <= JUSTEXT_RATIO * than:
        return ""
    return str(xmltotxt(body, False))


def needs_fallback(text: str, body: Any, page_words: Callable[[], int]) -> bool:
    """Would trafilatura's fallback change its own extractor's text? (:func:`fallback_reason`)"""
    return fallback_reason(text, body, page_words) is not None


FallbackReason = Literal["empty", "flat", "short"]


def fallback_reason(text: str, body: Any, page_words: Callable[[], int]) -> FallbackReason | None:
    """Why trafilatura's extractor under-delivered, in the shapes trafilatura's own rescues
    look for, or ``None`` where it took the story.

    ``"empty"``: its text is nothing. ``"flat"``: its text is the page dumped as plain
    paragraphs (no heading, list, table or formatting: what trafilatura's baseline rescue
    returns) in one block or holding most of the page's visible words (``page_words``,
    counted only when needed). ``"short"``: its text is under ``FALLBACK_MAX_CHARS`` by
    trafilatura's own measure (the body's text with its whitespace collapsed) and a small
    share of the page's visible words (trafilatura's own bounds for its retry, with visible
    words as the page measure). Elsewhere trafilatura's fallback keeps its extractor's text
    (on 441 benchmark pages the extract step's text differs on 5, see ``docs/extraction.md``).
    """
    if not text.strip() or body is None or not len(body):
        return "empty"
    words = len(text.split())
    counted: list[int] = []

    def page() -> int:
        if not counted:
            counted.append(page_words())
        return counted[0]

    if (all(el.tag == "p" and not len(el) and not el.attrib for el in body)
            and (len(body) == 1 or words >= FALLBACK_FLAT_SHARE * page())):
        return "flat"
    chars = len(" ".join(" ".join(body.itertext()).split()))
    if chars < FALLBACK_MAX_CHARS and words < FALLBACK_PAGE_SHARE * page():
        return "short"
    return None


_HIDDEN_TEXT = ("script", "style", "noscript", "template")
#: Every text node under an element, as plain strings (one C call).
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)


def visible_words(tree: HtmlElement) -> int:
    """Whitespace-separated words of the page's text outside scripts and styles (a cheap
    measure of everything on the page: 1-2 ms, where trafilatura's cleaned page text costs 12)."""
    n = len(" ".join(_TEXT_NODES(tree)).split())  # nodes apart: "one<b>two</b>" is 2 words
    for el in tree.iter(*_HIDDEN_TEXT):
        n -= len((el.text or "").split())  # their own text; a tail is visible text after them
    return n


def _byline(tree: HtmlElement) -> str | None:
    """A short author name from the page's byline element (``rel=author``, ``itemprop``,
    a ``byline`` class): cheap, where trafilatura's own byline search costs a full scan."""
    for el in tree.xpath(_BYLINE_XPATH):
        name = el.get("content") or " ".join(el.text_content().split())
        name = _BY.sub("", name).strip(" ,;|")
        if (name and 2 <= len(name.split()) <= BYLINE_MAX_WORDS
                and not any(c.isdigit() for c in name)):
            return name
    return None


def page_metadata(tree: HtmlElement, url: str | None = None) -> Extracted:
    """Title, authors, site and canonical URL from meta tags, JSON-LD and the byline."""
    try:
        from trafilatura import metadata as md

        meta = md.examine_meta(tree)
        if meta.author and " " not in meta.author:
            meta.author = None  # a handle or a single word is not a byline
        try:
            meta = md.extract_meta_json(tree, meta)
        except Exception:  # broken JSON-LD: meta tags alone
            _LOG.debug("JSON-LD metadata unreadable")
        title = meta.title or md.extract_title(tree)
        page_url = meta.url or md.extract_url(tree, url)
        site = meta.sitename or md.extract_sitename(tree)
        author = meta.author or _byline(tree)
    except Exception:  # trafilatura's helpers choke on some trees: no metadata beats a crash
        return Extracted(text="")
    if site:
        site = site.lstrip("@") or None
    authors = tuple(a.strip() for a in (author or "").split(";") if a.strip())
    return Extracted(text="", title=title, authors=authors, site=site, url=page_url)


def _untable(text: str) -> str:
    """trafilatura's ``| a | b |`` rows as tab-separated cells (the bars are not words), and
    no empty list items (a ``-`` left by an image-only or link-only ``<li>``)."""
    lines = []
    for line in text.split("\n"):
        if line.strip() in _EMPTY_ITEMS:
            continue
        m = _TABLE_ROW.match(line.strip()) if "|" in line else None
        if m:
            cells = [c.strip() for c in m.group(1).split("|")]
            if all(not c.strip("-: ") for c in cells):
                continue  # the "| --- | --- |" rule under a header row
            line = "\t".join(c for c in cells if c)
        lines.append(line)
    return "\n".join(lines)


def readability_text(html: str | HtmlElement, url: str | None = None) -> str:
    """The story block readability-lxml picks, as plain text (blocks on their own lines).

    ``html`` may be a parsed tree; readability edits it, so pass a copy you can lose.
    """
    import lxml.html

    del url  # with a url readability rewrites every link to absolute: a quarter of its time
    summary = _readability_document()(html).summary(html_partial=True)
    if not summary.strip():
        return ""
    root = lxml.html.fromstring(summary)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _CELLS:
            el.tail = "\t" + (el.tail or "")
    lines = (_SPACES.sub(" ", line).strip(" \t") for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


#: Runs of two or more whitespace characters, and runs of spaces and tabs within them.
_WS_RUN = re.compile(r"\s{2,}")
_BLANKS = re.compile(r"[ \t]+")


def readable_length(text: str) -> int:
    """``len(readability.readability.clean(text))``, without building the cleaned text.

    readability-lxml measures every candidate's text, and its link text, with three regex
    substitutions; the second (``\\s*\\n\\s*``) backtracks over each run of spaces, so
    the measuring took a tenth of its time. The same length, run by run: a run of 255
    whitespace characters or more, or one holding a newline, counts 1; in other runs of two or
    more, each stretch of spaces and tabs counts its leading tabs and one space if it has
    one; the ends of the text do not count (tests check it against ``clean``).
    """
    stripped = text.strip()
    n = len(stripped)
    for run in _WS_RUN.finditer(stripped):
        found = run.group()
        if len(found) >= 255 or "\n" in found:
            n -= len(found) - 1
            continue
        for blanks in _BLANKS.finditer(found):
            stretch = blanks.group()
            first = stretch.find(" ")
            if first >= 0:
                n -= len(stretch) - first - 1
    return n


@lru_cache(maxsize=1)
def _readability_document() -> type:
    """readability-lxml's ``Document``, measuring link density with :func:`readable_length`
    (the same figures, so the same choices: tests compare the two on real pages)."""
    from readability import Document

    class _Document(Document):
        def get_link_density(self, elem: HtmlElement) -> float:
            links = sum(readable_length(a.text_content() or "") for a in elem.findall(".//a"))
            return links / max(readable_length(elem.text_content() or ""), 1)

    return _Document


def paragraph_words(tree: HtmlElement) -> int:
    """Words in the page's ``<p>`` elements that are not mostly link text: how much prose the
    page holds, whatever its layout, to judge whether an extraction fell short."""
    return prose_stats(tree)[0]


def prose_stats(tree: HtmlElement) -> tuple[int, list[str]]:
    """The page's paragraph words (:func:`paragraph_words`) and the words (``\\w+``, lower
    case) of the whole text of the element that holds most of them: the story block, where one
    block holds the story, with its lists, tables and sub-headings."""
    total, block = prose_block(tree)
    return total, (_words(block.text_content()) if block is not None else [])


Paragraph = tuple["HtmlElement", str, int]


def prose_paragraphs(tree: HtmlElement) -> list[Paragraph]:
    """The page's ``<p>`` elements that are not mostly link text, in document order, with
    their text and word count: the page's prose, read once for every rule that needs it."""
    out = []
    for p in tree.iter("p"):
        text = p.text_content()
        words = len(text.split())
        if not words:
            continue
        linked = sum(len(a.text_content().split()) for a in p.iter("a"))
        if linked < LINK_SHARE * words:
            out.append((p, text, words))
    return out


def prose_block(tree: HtmlElement) -> tuple[int, HtmlElement | None]:
    """The page's paragraph words and the element holding most of them (``None`` if none)."""
    return _block_of(prose_paragraphs(tree))


def _block_of(paragraphs: list[Paragraph]) -> tuple[int, HtmlElement | None]:
    total = 0
    by_parent: Counter[HtmlElement] = Counter()
    for p, _, words in paragraphs:
        total += words
        parent = p.getparent()
        if parent is not None:
            by_parent[parent] += words
    if not by_parent:
        return total, None
    return total, max(by_parent.items(), key=lambda kv: kv[1])[0]  # first of equals: doc order


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _covered(part: list[str], whole: list[str]) -> float:
    """Share of ``part``'s words (with counts) found in ``whole``."""
    if not part:
        return 0.0
    common = Counter(part) & Counter(whole)
    return sum(common.values()) / len(part)


def _own_lines_score(text: str, other: str) -> float:
    """Total line score of the lines of ``text`` that ``other`` does not have."""
    vocab = set(_words(other))
    total = 0.0
    for line in text.split("\n"):
        words = _words(line)
        if not words:
            continue
        if sum(w in vocab for w in words) / len(words) < LINE_SHARED:
            total += score_line(line_features(line))
    return total


def arbitrate(main: str, second: str, page_words: int = 0) -> tuple[str, str]:
    """Pick between trafilatura's (``main``) and readability's (``second``) text.

    ``page_words`` is the page's paragraph word count (:func:`paragraph_words`), 0 if unknown.
    Returns the text and which extractor it came from.
    """
    mw, sw = _words(main), _words(second)
    if not sw:
        return main, "trafilatura"
    if not mw:
        return second, "readability"
    if len(sw) < MIN_RATIO * len(mw):
        return main, "trafilatura"
    if len(sw) > len(mw) and _covered(mw, sw) >= FULLER and _own_lines_score(second, main) >= 0:
        return second, "readability"  # the same story, fuller, and the extra is not chrome
    if _covered(sw, mw) >= CONTAINED:  # readability's story is inside trafilatura's text
        if _own_lines_score(main, second) < 0:
            return second, "readability"
        return main, "trafilatura"
    if (len(mw) < NEAR_EMPTY * page_words and len(sw) > 2 * len(mw)
            and _own_lines_score(second, main) > 0):
        return second, "readability"  # trafilatura found next to nothing; readability, prose
    return main, "trafilatura"


def doubt_of(words: list[str], page_words: int, block: list[str]) -> str | None:
    """Why trafilatura's text (its ``words``) needs readability's second opinion, if it does.

    ``"short"``: under half the page's paragraph words. ``"no_prose"``: the page has no
    ``<p>`` prose at all (its text sits in ``<div>``s and ``<br>`` lines), so every measure
    above is blind and trafilatura's text cannot be judged against the page: readability is
    asked and :func:`arbitrate` decides, as for a short text. ``"over_block"``: the page's
    prose sits in one block (``block``, its words), that block lies inside trafilatura's text,
    and the text has 7% more words or more: readability may find the block alone
    (:func:`prose_block_wins` decides). ``None`` otherwise: no second parse.
    """
    if len(words) < DOUBTFUL_BELOW * page_words:
        return "short"
    if not page_words and words:
        return "no_prose"
    if (page_words and ONE_BLOCK * page_words <= len(block) <= OVER_BLOCK * page_words
            and len(words) >= PADDED * len(block) and _covered(block, words) >= BLOCK_INSIDE):
        return "over_block"
    return None


def prose_block_wins(main: str, second: str, page_words: int) -> bool:
    """Is readability's text (``second``) the page's prose block alone where trafilatura's
    (``main``) is that block plus 7% more or more?

    Asked when trafilatura's text is longer than the block holding the page's ``<p>`` prose.
    Readability wins when its text holds about the page's paragraph words (0.8-1.2 of them),
    all of it is inside trafilatura's text, and trafilatura has at least 7% more: that extra
    sits outside the prose block (teaser lists, newsletter boxes, captions, page metadata, an
    author box or a call to action under the story). A story told in lists or tables, with few
    ``<p>`` words, never qualifies: readability's text would not match the paragraph words.
    """
    mw, sw = _words(main), _words(second)
    return (bool(sw) and len(sw) * PADDED <= len(mw)
            and ONE_BLOCK * page_words <= len(sw) <= OVER_BLOCK * page_words
            and _covered(sw, mw) >= BLOCK_INSIDE)


def _joined(words: list[str]) -> str:
    """Words as one string with a space at each end, for whole-word run containment."""
    return " " + " ".join(words) + " "


def dropped_structure(block: HtmlElement | None, words: list[str]) -> int:
    """Words of the story block's sub-headings and list items (``h2``-``h4``, ``li``) that are
    not in trafilatura's text (its ``words``): how much of the story's structure it dropped."""
    if block is None:
        return 0
    have = _joined(words)
    missing = 0
    for el in block.iter(*_STRUCTURE):
        own = _words(el.text_content())
        if own and _joined(own) not in have:
            missing += len(own)
    return missing


_Line = tuple[str, int, bool]  # (line, words, not in trafilatura's text)
_OwnLine = tuple[int, str, int]  # (index in the second text, line, words)


def _added_lines(main: str, second: str
                 ) -> tuple[list[_Line], list[int], list[_OwnLine], int] | None:
    """The second text's lines against the first, for the "fuller wins" tests: (every line
    with its word count and whether it is the second text's own, the indexes of the shared
    sentence-long lines, the own lines, their words); None when the second text does not hold
    the first nearly whole and more, or adds nothing beside a shared sentence."""
    mw, sw = _words(main), _words(second)
    if not mw or len(sw) < GROWS * len(mw) or _covered(mw, sw) < HOLDS:
        return None
    have = _joined(mw)
    lines: list[_Line] = []
    for line in second.split("\n"):
        words = _words(line)
        if words:
            lines.append((line, len(words), _joined(words) not in have))
    shared = [i for i, (_, n, own) in enumerate(lines) if not own and n >= SENTENCE_WORDS]
    own_lines = [(i, line, n) for i, (line, n, own) in enumerate(lines) if own]
    own_words = sum(n for _, _, n in own_lines)
    if not shared or not own_words:
        return None
    return lines, shared, own_lines, own_words


def _few_chrome_or_repeats(own_lines: list[_OwnLine], own_words: int) -> bool:
    """Few of the added lines are cue chrome ("Advertisement", "VIDEO") and few of their words
    are in lines that repeat (a caption under every picture)."""
    chrome = sum(score_line(line_features(line)) <= CUE_CHROME for _, line, _ in own_lines)
    seen = Counter(line for _, line, _ in own_lines)
    repeated = sum(n for _, line, n in own_lines if seen[line] > 1)
    return chrome <= CHROME_LINES * len(own_lines) and repeated <= REPEATED_WORDS * own_words


def structure_fuller_wins(main: str, second: str) -> bool:
    """Is readability's text (``second``) trafilatura's (``main``) with the story's dropped
    lines put back?

    Asked when trafilatura's text lacks many of the story block's headings and list items.
    Those lines score as chrome with the line scorer (short, no full stop), so the usual
    "fuller" test of :func:`arbitrate` refuses them; here readability wins on where its extra
    lines sit and what they are: it has trafilatura's text nearly whole and more, its own
    lines (not found in trafilatura's text) lie between the first and the last sentence both
    share (inside the story, not a teaser rail or a byline around it), few of them are cue
    chrome ("Advertisement", "VIDEO") and few of their words are in lines that repeat
    (a caption under every picture).
    """
    split = _added_lines(main, second)
    if split is None:
        return False
    _, shared, own_lines, own_words = split
    inside = sum(n for i, _, n in own_lines if shared[0] < i < shared[-1])
    return inside >= INTERIOR * own_words and _few_chrome_or_repeats(own_lines, own_words)


def small_block_doubt(words: list[str], page_words: int, block: list[str]) -> bool:
    """Has trafilatura (its ``words``) wrapped a small story block in page furniture?

    The prose block (``block``, its words; 50 or more) lies inside trafilatura's text, which
    has twice its words or more, while the page holds more paragraph words than the text
    (1.1 times): trafilatura has not simply taken a story spread over several blocks (its text
    would then hold about the page's paragraph words) but has added other things around one
    block. Then trafilatura's ``favor_precision`` pass is asked (:func:`block_alone_wins`).
    """
    return (len(block) >= BLOCK_MIN_WORDS and len(words) >= SMALL_BLOCK * len(block)
            and page_words >= PROSE_LEFT * len(words) and _covered(block, words) >= BLOCK_INSIDE)


def block_alone_wins(main: str, second: str, block: list[str]) -> bool:
    """Is the second opinion (``second``) the prose block alone, inside trafilatura's text
    (``main``)? Two readings agree on the story: the DOM's block and the precision pass."""
    mw, sw = _words(main), _words(second)
    return (bool(sw) and ONE_BLOCK * len(block) <= len(sw) <= OVER_BLOCK * len(block)
            and _covered(sw, mw) >= BLOCK_INSIDE)


def dropped_section(paragraphs: list[Paragraph], words: list[str]) -> bool:
    """Has trafilatura (its ``words``) left out a section in the middle of the story?

    The page's prose paragraphs (:func:`prose_paragraphs`), in document order, are marked
    kept (their first words are in the text, in a row) or missing. A run of missing ones
    between kept ones is a dropped section when it is story-sized (40 words or more, two
    paragraphs of 15+ words, 4% of trafilatura's words or more and 30 words a paragraph on
    average) and sits beside
    the kept story in the page's tree (within 6 levels of the kept paragraphs on either side:
    a section in its own ``<div>`` of the story's container, not a sidebar, a comment thread or
    a footer elsewhere on the page). Comment snippets and one-line blurbs are shorter.
    """
    # a paragraph is kept when its first words are a run of the text's (a set of the text's
    # word runs: cheaper than a search of the whole text for every paragraph)
    runs_of = set(zip(words, words[1:], words[2:], words[3:], strict=False))
    have: str | None = None
    runs: list[tuple[int, int, list[Paragraph]]] = []  # (words, long paragraphs, paragraphs)
    run: list[Paragraph] = []
    before: HtmlElement | None = None
    for para in paragraphs:
        head = _WORDS.findall(para[1][:_EDGE].lower())
        if len(para[1]) > _EDGE:  # the slice may cut a word
            head = head[:-1]
        if len(head) >= _HEAD:
            kept = tuple(head[:_HEAD]) in runs_of
        else:  # a short paragraph: the whole of it, as a run of words
            have = _joined(words) if have is None else have
            kept = _joined(_words(para[1])) in have
        if not kept:
            if before is not None:
                run.append(para)
            continue
        if run and before is not None and _near(run[0][0], before) and _near(run[-1][0], para[0]):
            runs.append((sum(r[2] for r in run),
                         sum(r[2] >= SECTION_LONG_PARAGRAPH for r in run), run))
        before, run = para[0], []
    return any(n >= SECTION_MIN_WORDS and long_ >= 2 and n >= SECTION_SHARE * len(words)
               and n >= SECTION_AVG_WORDS * len(run) for n, long_, run in runs)


def _near(a: HtmlElement, b: HtmlElement) -> bool:
    """Do ``a`` and ``b`` share an ancestor within ``SECTION_NEAR`` levels above ``a``?"""
    above_b = list(b.iterancestors())
    up = a.getparent()
    for _ in range(SECTION_NEAR):
        if up is None:
            return False
        if any(up is x for x in above_b):
            return True
        up = up.getparent()
    return False


def section_fuller_wins(main: str, second: str) -> bool:
    """Is readability's text (``second``) trafilatura's (``main``) with a section put back?

    Asked when :func:`dropped_section` saw story paragraphs missing between kept ones.
    Readability wins when it has trafilatura's text nearly whole (90%) and 5% more, most of
    what it adds (half its own words or more) is one run of lines inside the story (between
    the first and the last sentence both share) holding 40 words or more and two sentences or
    more (a section: its heading and paragraphs, not a caption under each picture or a byline
    over the story), and few of its own lines are cue chrome or repeat.
    """
    split = _added_lines(main, second)
    if split is None:
        return False
    lines, shared, own_lines, own_words = split
    best = (0, 0)
    run = [0, 0]
    for i, (line, n, own) in enumerate(lines):
        if own and shared[0] < i < shared[-1]:
            run[0] += n
            run[1] += len(_SENTENCE_END.findall(line))
        else:
            best = max(best, (run[0], run[1]))
            run = [0, 0]
    best = max(best, (run[0], run[1]))
    return (best[0] >= SECTION_MIN_WORDS and best[1] >= SECTION_SENTENCES
            and best[0] >= SECTION_RUN_SHARE * own_words
            and _few_chrome_or_repeats(own_lines, own_words))


_TEASER_SEPARATORS = (":", "|", "\u00bb", "\u203a")
#: Related-content cues that name a ranking, a recommendation or "more information" rather than
#: a link to another story: before a colon they can open a story line ("Recommended: keep the
#: dog indoors", "Más información: 555 0100"), so they do not make a teaser line.
_NOT_LINK_LABELS = frozenset({
    "recommended", "recommended for you", "recommended reading", "recommended stories",
    "trending", "trending now", "most popular", "most read", "top stories", "latest news",
    "latest stories", "popular stories", "editor s picks", "more news", "more stories",
    "i più letti", "più letti", "les plus lus", "lo más leído", "mais lidas", "meistgelesen",
    "meistgelesene artikel", "top themen", "recomendados", "consigliati", "te recomendamos",
    "nos recommandations", "más noticias", "más información", "en savoir plus", "saiba mais",
})


@lru_cache(maxsize=1)
def _teaser_line() -> re.Pattern[str]:
    """A related-content cue (every cue language), a separator, then the rest of the line."""
    related = cues.alternation(cues.load().phrases("related") - _NOT_LINK_LABELS)
    return re.compile(rf"^[\s*\u2022\u00b7-]*(?:{related})\s*[:|\u00bb\u203a]\s*(\S.*)$", re.I)


def teaser_line_cuts(text: str) -> list[Cut]:
    """Lines that link to another story: "Related: <headline>", "Also read: <headline>".

    The extractor took them because they sit between the story's paragraphs. The cue and the
    colon make the line a link label, not prose ("Related research shows ..." has no colon);
    the headline after it is short (3-20 words): a longer rest, or a one-word verdict, is kept.
    """
    pattern = _teaser_line()
    cuts = []
    for line in iter_lines(text):
        if line.blank or not any(sep in line.text for sep in _TEASER_SEPARATORS):
            continue
        m = pattern.match(line.text)
        if m and TEASER_MIN_WORDS <= len(m.group(1).split()) <= TEASER_MAX_WORDS:
            cuts.append(Cut(line.start, line.end, "link to a related story"))
    return cuts


def _title_keys(title: str) -> set[str]:
    """The title's comparison forms: whole, and its longest part when it carries the site's
    name ("Headline | Site")."""
    keys = {cues.key(title)}
    parts = _TITLE_PARTS.split(title)
    if len(parts) > 1:
        part = max(parts, key=len)
        if len(part.split()) >= TITLE_PART_MIN_WORDS:
            keys.add(cues.key(part))
    keys.discard("")
    return keys


def title_line_cut(text: str, title: str | None) -> Cut | None:
    """The first line of ``text`` when it only repeats the page's title (the headline the
    extractor took with the story; it is the ``title`` field already), else ``None``."""
    if not title:
        return None
    for line in iter_lines(text):
        if line.blank:
            continue
        if cues.key(line.text) in _title_keys(title):
            return Cut(line.start, line.end, "repeats the title")
        return None
    return None


def author_bio_cut(text: str, authors: tuple[str, ...]) -> Cut | None:
    """The author's bio box (and what follows it) at the end of ``text``, or ``None``.

    A line among the last few that names one of the page's authors (a name of two words or
    more, from the page's metadata or byline) within its first words opens the bio: "Ana Ruiz
    is a freelance writer ...", "Write to Ana Ruiz at ...", "Reporting by Ana Ruiz". The story
    quotes or cites its own author almost never; the box about the writer, the contact line
    and the newsletter or disclosure lines under it are not the story. It is cut from that
    line to the end, only when that is a small share of the text (a long last part that
    names the author is left alone), never the first line.
    """
    names = [a for a in authors if len(a.split()) >= 2]
    if not names:
        return None
    lines = [line for line in iter_lines(text) if not line.blank]
    if len(lines) < 2:
        return None
    for line in lines[max(1, len(lines) - BIO_LAST_LINES):]:
        head = " ".join(line.text.split()[:BIO_NAME_WITHIN + 3])
        for name in names:
            at = head.find(name)
            if at >= 0 and len(head[:at].split()) < BIO_NAME_WITHIN:
                if len(_words(text[line.start:])) > BIO_MAX_SHARE * len(_words(text)):
                    return None
                return Cut(line.start, len(text), "author bio at the end")
    return None


#: Words that make a short line a credit or a rights line ("(c) Reuters", "Main image credit:
#: Getty", "Copyright 2019 ...") rather than chrome: it names the story's source and stays.
_CREDIT_WORDS = frozenset({"image", "photo", "picture", "credit", "courtesy"})


@lru_cache(maxsize=1)
def _credit_line() -> re.Pattern[str]:
    """A copyright cue (every cue language), a (c) sign or a credit word, anywhere in a line."""
    words = cues.alternation(cues.load().phrases("copyright") | _CREDIT_WORDS)
    return re.compile(rf"\u00a9|\(c\)|\b(?:{words})", re.I)


def trailing_chrome_cut(text: str) -> Cut | None:
    """The run of page-chrome lines that ends the text ("Comments", "Sign up now", "More Great
    Stories", "Filed under: ...", a bare link), or ``None``.

    The extractor takes them when they sit in the story's container after its last paragraph.
    Each line of the run is short (8 words or fewer) and scores as chrome by a cue with the
    line scorer the text-dump path uses (a cue word or phrase, a bare URL or address), so a
    story's closing sentence, which scores as prose, stops the run. A credit or rights line
    ("(c) Reuters", "Photo: ...", "Copyright ...") stops it too: it names the story's source.
    Never the first line, and never more than a tenth of the text's words.
    """
    start: int | None = None
    credit = _credit_line()
    end = len(text)
    while end > 0:  # line by line from the end: the story above is never split or scored
        at = text.rfind("\n", 0, end) + 1
        line = text[at:end]
        end = at - 1
        if not line.strip():
            continue
        if (end < 0 or not text[:at].strip()  # the first line is never the tail
                or len(line.split()) > TAIL_MAX_WORDS or credit.search(line)
                or score_line(line_features(line)) > CUE_CHROME):
            break
        start = at
    if start is None or len(_words(text[start:])) > TAIL_MAX_SHARE * len(_words(text)):
        return None
    return Cut(start, len(text), "page chrome after the story")


def _readability_or_nothing(tree: HtmlElement) -> str:
    try:
        return readability_text(copy.deepcopy(tree))
    except Exception:  # readability raises on some malformed pages: trafilatura alone then
        return ""


Dates = tuple["ParsedDate | None", "ParsedDate | None"]


def _extract(html: str | bytes, tree: HtmlElement | None, url: str | None,
             fetched_at: str | None) -> tuple[Extracted, Dates]:
    """The page's text, metadata and (published, modified) dates, all from one parsed tree."""
    if tree is None:
        tree = parse_html(html) if html else None
    if tree is None:
        return Extracted(text=""), (None, None)
    meta = page_metadata(tree, url)
    text = _trafilatura_text(tree, url)
    source = "trafilatura"
    paragraphs = prose_paragraphs(tree)
    page_words, block_el = _block_of(paragraphs)
    block = _words(block_el.text_content()) if block_el is not None else []
    words = _words(text)
    doubt = doubt_of(words, page_words, block)
    second: str | None = None  # readability's text, once asked
    if doubt in ("short", "no_prose"):
        text, source = arbitrate(text, _readability_or_nothing(tree), page_words)
    elif doubt == "over_block":
        second = _readability_or_nothing(tree)
        if prose_block_wins(text, second, page_words):
            text, source = second, "readability"
    elif dropped_structure(block_el, words) >= DROPPED_SHARE * len(words) > 0:
        second = _readability_or_nothing(tree)
        if structure_fuller_wins(text, second):
            text, source = second, "readability"
    elif small_block_doubt(words, page_words, block):
        second = _precision_text(tree, url)
        if block_alone_wins(text, second, block):
            text, source = second, "trafilatura-precision"
        second = None  # that was the precision pass, not readability
    if (doubt is None and source == "trafilatura" and words
            and dropped_section(paragraphs, words)):
        if second is None:
            second = _readability_or_nothing(tree)
        if section_fuller_wins(text, second):
            text, source = second, "readability"
    if isinstance(html, str) and html:
        page = html
    else:  # bytes or a tree only: the date search reads the markup as a string
        import lxml.html

        page = lxml.html.tostring(tree, encoding="unicode")
    # metadata, htmldate, bylines: the dates step's own search (it reuses our tree)
    dates = dates_from_html(page, url, fetched_at=fetched_at, tree=tree)
    found = Extracted(
        text=text, title=meta.title, authors=meta.authors, site=meta.site, url=meta.url,
        published=dates[0].iso if dates[0] else None,
        modified=dates[1].iso if dates[1] else None, extractor=source,
    )
    return found, dates


def extract_html(html: str | bytes | None = None, *, url: str | None = None,
                 tree: HtmlElement | None = None, fetched_at: str | None = None) -> Extracted:
    """The main content of a page and its metadata (no network: ``html`` is already fetched).

    Pass ``tree`` (from :func:`parse_html`) as well to skip the parse; it is left unchanged.
    ``fetched_at`` bounds the publication date (a page is not published after it was fetched).
    """
    return _extract(html or b"", tree, url, fetched_at)[0]


def extract(article: Article) -> Article | Drop:
    """Step: for records that came as HTML, put the page's main text into ``text``.

    A first line that repeats the title is taken out (and recorded): the headline is the
    ``title`` field, not the body's first sentence. So is an author bio at the end
    (:func:`author_bio_cut`), teaser link lines (:func:`teaser_line_cuts`) and the chrome
    lines that end the text (:func:`trailing_chrome_cut`).
    """
    html = article.hints.get("html")
    if html is None:
        return article
    found, dates = _extract(html, None, article.url, article.fetched_at)
    if not found.text.strip():
        if article.text.strip():
            return article
        return Drop("no main content found in the HTML")
    hints = dict(article.hints)
    del hints["html"]
    hints["extracted_from_html"] = found.extractor
    hints["html_dates"] = dates  # (published, modified) ParsedDates, for assign_dates
    title = article.title or found.title
    out = article.evolve(
        text=found.text,
        title=title,
        authors=article.authors or found.authors,
        site=article.site or found.site,
        url=article.url or found.url,
        hints=hints,
    )
    cuts = [c for c in (title_line_cut(out.text, title), author_bio_cut(out.text, out.authors),
                        trailing_chrome_cut(out.text)) if c]
    cuts += teaser_line_cuts(out.text)
    return apply_cuts(out, cuts, "extract") if cuts else out
