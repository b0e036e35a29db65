"""Text-dump boilerplate: held-out scores and the lines it gets wrong, by kind.

Usage::

    python benchmarks/text_dumps.py [DATASET_DIR ...] [--half even|odd] [--misses N]
    python benchmarks/text_dumps.py [DATASET_DIR ...] --same-as REF   # output unchanged vs REF?

For each dataset (default: scrapinghub and wcxb-dev-sample under ``../shared/datasets``) it
scores the ``boilerplate`` step on the plain-text dumps for the even half, the odd half and all
pages (pages sorted by id; with batch learning the :class:`SeenLines` model is learned from the
pages scored only), so a rule tuned looking at one half can be checked on the other.
It also runs the step on the clean truth bodies (text that is all story) and says how many of
their words it removes: the precision check. ``--misses N`` prints, for the chosen half, how
many words the step keeps that the truth drops (false keeps) and drops that the truth keeps
(false cuts), by kind of line, with the N largest examples of each: where the next signal
should come from. Labels come from the truth file: a line
is story when most of its tokens occur in the truth (short lines: when the line is a truth line).

``--same-as REF`` is the check for speed work that must not change a decision: it runs the code
of git revision ``REF`` (its ``src/`` extracted to a temporary directory, in a subprocess) and
this tree's code on every text dump of the datasets, three ways (the step record by record, the
step with a ``SeenLines`` model learned from the dataset, the whole default pipeline on text
records), and compares the full output: text, every removal (cleaner, reason, text), headings,
hints of the budget guard, and the pipeline's whole record. It prints the pages that differ and
exits with status 1 if any does.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cleanfeed.cleaners import boilerplate
from cleanfeed.cleaners.boilerplate import SeenLines, clean_dumps, story_lines
from extraction import Page, _default_data, _site, load_pages, prf


def scores(pages: list[Page], learn: bool) -> tuple[float, float, float, float]:
    """Mean P, R, F1 and CPU seconds of the step over ``pages``."""
    texts = [p.text or "" for p in pages]
    boilerplate.clear_caches()  # cold caches: no run is timed on another's work
    start = time.process_time()
    outs = clean_dumps(texts, sites=[_site(p.url) for p in pages], learn=learn)
    cpu = time.process_time() - start
    trip = [prf(o, p.truth) for o, p in zip(outs, pages, strict=True)]
    n = len(trip) or 1
    return (sum(t[0] for t in trip) / n, sum(t[1] for t in trip) / n,
            sum(t[2] for t in trip) / n, cpu)


_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("share/subscribe/cookie/login", re.compile(
        r"\b(share|subscribe|newsletter|cookie|sign (in|up)|log ?in|follow us|facebook|twitter|"
        r"email|whatsapp|pinterest|linkedin|print)\b", re.I)),
    ("byline/date", re.compile(
        r"^(by|written by|posted|published|updated)\b|\b(19|20)\d\d\b.{0,20}$|\b\d{1,2}:\d\d\b",
        re.I)),
    ("caption/credit", re.compile(r"\b(photo|image|getty|credit|caption|ap photo|reuters)\b",
                                  re.I)),
    ("comments", re.compile(r"\b(comments?|repl(y|ies)|says:|wrote:|ago)\b", re.I)),
    ("footer/legal", re.compile(r"©|\b(copyright|rights reserved|privacy|terms|contact us|"
                                r"about us|advertis)", re.I)),
    ("related/read more", re.compile(r"\b(read more|related|recommended|popular|trending|"
                                     r"more from|you may|most read|next|previous)\b", re.I)),
]


def kind(line: str) -> str:
    body = line.strip()
    for name, pattern in _KINDS:
        if pattern.search(body):
            return name
    words = len(body.split())
    bullet = bool(re.match(r"^\s*(?:[*+\-•·]|\d{1,3}[.)])\s", line))
    if bullet:
        return "list item (bullet)"
    if words <= 4:
        return "short line (menu/label)"
    if words <= 15 and body[-1:] not in ".!?\"”":
        return "headline-like (no end punct)"
    return "prose-like"


def truth_label(line: str, truth_tokens: Counter[str], truth_lines: set[str]) -> bool:
    tokens = line.split()
    if len(tokens) <= 4:
        return " ".join(tokens) in truth_lines
    hit = sum(1 for t in tokens if truth_tokens[t] > 0)
    return hit >= 0.7 * len(tokens)


def misses(pages: list[Page], learn: bool, top: int) -> None:
    texts = [p.text or "" for p in pages]
    sites = [_site(p.url) for p in pages]
    seen = SeenLines.fit(texts, sites) if learn else None
    false_keep: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    false_cut: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for page, text, site in zip(pages, texts, sites, strict=True):
        truth_tokens = Counter(page.truth.split())
        truth_lines = {" ".join(line.split()) for line in page.truth.split("\n")}
        keep = story_lines(text, seen=seen, key=site)
        for line, kept in zip(text.split("\n"), keep, strict=True):
            if not line.strip():
                continue
            story = truth_label(line, truth_tokens, truth_lines)
            if kept != story:
                bucket = false_keep if kept else false_cut
                bucket[kind(line)].append((len(line.split()), page.id[:8], line.strip()[:110]))
    for title, bucket in (("kept, truth drops", false_keep), ("cut, truth keeps", false_cut)):
        total = sum(n for rows in bucket.values() for n, _, _ in rows)
        print(f"\n-- {title}: {total:,} words --")
        for name, rows in sorted(bucket.items(), key=lambda kv: -sum(r[0] for r in kv[1])):
            words = sum(r[0] for r in rows)
            print(f"  {name:32s} {words:6,d} words {len(rows):5d} lines")
            for n, pid, line in sorted(rows, reverse=True)[:top]:
                print(f"      {n:4d} {pid} {line}")


def over_removal(pages: list[Page]) -> str:
    """The step on the clean truth bodies (all story): words removed, bodies touched, > 10%."""
    from cleanfeed.article import Article
    from cleanfeed.cleaners.boilerplate import StripBoilerplate

    step = StripBoilerplate()
    total = removed = touched = heavy = 0
    for page in pages:
        words = len(page.truth.split())
        article = step(Article(id=page.id, source=page.id, text=page.truth))
        gone = sum(len(r.text.split()) for r in article.removed)
        total, removed = total + words, removed + gone
        touched += gone > 0
        heavy += gone > 0.1 * words
    return (f"{removed / max(total, 1):.2%} of truth words removed, {touched} bodies touched, "
            f"{heavy} lose > 10%")


def outputs(directories: list[Path]) -> dict[str, object]:
    """Every text dump's full output, three ways, keyed by "dataset/path/page id" (JSON-able).

    Only public API is used, so the code of an older revision runs this too (``--same-as``).
    """
    import cleanfeed
    from cleanfeed.article import Article, RawRecord
    from cleanfeed.cleaners.boilerplate import StripBoilerplate

    def step_output(article: Article) -> dict[str, object]:
        return {"text": article.text, "removed": [r.to_dict() for r in article.removed],
                "headings": list(article.headings),
                "guarded": list(article.hints.get("guarded", ()))}

    out: dict[str, object] = {}
    for directory in directories:
        pages = [p for p in load_pages(directory) if p.text is not None]
        sites = [_site(p.url) for p in pages]
        single = StripBoilerplate()
        batch = StripBoilerplate(SeenLines.fit([p.text or "" for p in pages], sites))
        pipeline = cleanfeed.default_pipeline(fetched_at="2026-01-01T00:00:00+00:00")
        for page, site in zip(pages, sites, strict=True):
            article = Article(id=page.id, source=page.id, text=page.text or "", site=site)
            out[f"{directory.name}/single/{page.id}"] = step_output(single(article))
            out[f"{directory.name}/batch/{page.id}"] = step_output(batch(article))
            result = pipeline(RawRecord(source=page.id, text=page.text or "", url=page.url))
            out[f"{directory.name}/pipeline/{page.id}"] = result.to_dict()
    return out


def same_as(ref: str, directories: list[Path]) -> int:
    """Compare this tree's :func:`outputs` with revision ``ref``'s; 0 when all are identical."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", ref, "src"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        saved = Path(tmp) / "outputs.json"
        # the old package is imported first, so the script's own sys.path entry is not used
        code = ("import sys, runpy; sys.path.insert(0, sys.argv[1]); import cleanfeed; "
                "sys.argv = [sys.argv[2], *sys.argv[3:]]; "
                "runpy.run_path(sys.argv[0], run_name='__main__')")
        subprocess.run([sys.executable, "-c", code, str(Path(tmp) / "src"), __file__,
                        "--write-outputs", str(saved), *map(str, directories)], check=True)
        old = json.loads(saved.read_text(encoding="utf-8"))
    new = json.loads(json.dumps(outputs(directories)))
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    for key in differ[:20]:
        print(f"  differs: {key}")
    print(f"{len(new)} outputs compared with {ref}: {len(differ)} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--half", choices=["even", "odd"], default="even",
                        help="the half whose misses are printed (default: even)")
    parser.add_argument("--misses", type=int, default=0, metavar="N",
                        help="print the misses with N examples per kind")
    parser.add_argument("--single", action="store_true",
                        help="misses of the record-by-record step (default: batch-learned)")
    parser.add_argument("--same-as", metavar="REF",
                        help="only check that the output equals git revision REF's (see above)")
    parser.add_argument("--write-outputs", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    datasets = args.datasets or [_default_data() / "scrapinghub",
                                 _default_data() / "wcxb-dev-sample"]
    if args.write_outputs:
        args.write_outputs.write_text(json.dumps(outputs(datasets)), encoding="utf-8")
        return 0
    if args.same_as:
        return same_as(args.same_as, datasets)
    for directory in datasets:
        print(f"\n=== {directory.name} ===")
        print(f"  {'path':8s} {'half':5s} {'P':>6s} {'R':>6s} {'F1':>6s} {'docs/s CPU':>10s}")
        for half in ("even", "odd", None):
            pages = [p for p in load_pages(directory, half=half) if p.text is not None]
            for learn in (True, False):
                p, r, f, cpu = scores(pages, learn)
                print(f"  {'batch' if learn else 'single':8s} {half or 'all':5s} "
                      f"{p:6.3f} {r:6.3f} {f:6.3f} {len(pages) / max(cpu, 1e-9):10.0f}")
        print("  truth bodies:", over_removal(load_pages(directory)))
        if args.misses:
            pages = [p for p in load_pages(directory, half=args.half) if p.text is not None]
            misses(pages, not args.single, args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
