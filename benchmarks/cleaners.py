"""How precise and how useful the text cleaners are, on real data.

1. Over-removal: the human ground-truth bodies of the extraction benchmarks (``truth/``) are
   clean article text; every word a cleaner removes from them is a candidate false positive
   (some truth files do contain junk such as "READ MORE: ..." lines). Headings are reported
   apart: moving them to ``headings`` is by design.
2. Junk removal: real scraped endings known to be boilerplate (``inputs/text/boilerplate-tails``):
   how many of them lose at least one line, and what share of their last line is removed.

Usage: python benchmarks/cleaners.py [DATASETS_DIR]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cleanfeed
from _data import datasets_dir
from cleanfeed.article import Article, RawRecord


def over_removal(data: Path) -> None:
    pipe = cleanfeed.default_pipeline()
    words = 0
    removed: Counter[str] = Counter()
    docs = 0
    started = time.perf_counter()
    for ds in ("scrapinghub", "wcxb-dev-sample"):
        for path in sorted((data / "extraction" / ds / "truth").glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            result = pipe(RawRecord(source=str(path), text=text))
            docs += 1
            words += len(text.split())
            if isinstance(result, Article):
                for r in result.removed:
                    kind = "headings (moved)" if r.cleaner == "headings" else r.cleaner
                    removed[kind] += len(r.text.split())
    seconds = time.perf_counter() - started
    print(f"\n## Over-removal on {docs} ground-truth bodies ({words:,} words), "
          f"{docs / seconds:.0f} docs/s with language detection\n")
    print("| cleaner | words removed | share of all words |")
    print("|---|---:|---:|")
    for name, n in sorted(removed.items()):
        print(f"| {name} | {n:,} | {n / words:.3%} |")
    junk = sum(n for k, n in removed.items() if not k.startswith("headings"))
    print(f"| **all but headings** | {junk:,} | {junk / words:.3%} |")


def tails(data: Path) -> None:
    path = data / "inputs" / "text" / "boilerplate-tails.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    pipe = cleanfeed.default_pipeline()
    touched = last_gone = guarded = 0
    for row in rows:
        result = pipe(RawRecord(source=row["id"], text=row["tail"]))
        if not isinstance(result, Article):
            continue
        last = row["tail"].strip().split("\n")[-1].strip()
        if result.removed:
            touched += 1
        if last and last not in result.text:
            last_gone += 1
        if result.hints.get("guarded"):
            guarded += 1
    print(f"\n## Real boilerplate tails ({len(rows)} texts)\n")
    print("| measure | count | share |")
    print("|---|---:|---:|")
    for name, n in (("at least one line removed", touched), ("last line removed", last_gone),
                    ("a cleaner reverted by the removal budget", guarded)):
        print(f"| {name} | {n} | {n / len(rows):.1%} |")


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else datasets_dir()
    over_removal(data)
    tails(data)


if __name__ == "__main__":
    main()
