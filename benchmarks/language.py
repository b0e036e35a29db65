"""Language benchmark: cleanfeed.detect vs seeded langdetect and py3langid, same data, one run.

Accuracy per length bucket on ``language/lingua-dev.jsonl`` (an abstention counts as wrong in
"accuracy"; "answered" is the accuracy over the texts that got an answer), on the languages
langdetect knows (the comparison that is fair to it) and on all 75 languages; then speed on
article-length texts (paragraphs joined to >= 1,500 characters), one process, one core.

Usage: ``python benchmarks/language.py [--data DIR] [--limit N] [--only accuracy,speed] [--fast]
[--repeat N]``
(``--fast`` leaves out the slow langdetect peer while iterating; final figures need it.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cleanfeed.language import detect  # noqa: E402

BUCKETS = ("<50", "50-299", ">=300")


def default_data() -> Path:
    shared = (ROOT / ".." / "shared").resolve()
    return (shared if shared.exists() else Path("/work/shared")) / "datasets"


def bucket(n: int) -> str:
    return "<50" if n < 50 else ("50-299" if n < 300 else ">=300")


def make_systems(fast: bool = False) -> dict[str, Callable[[str], str | None]]:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    ident = LanguageIdentifier.from_model_file(MODEL_FILE)

    def langdetect_seeded(text: str) -> str | None:
        d = factory.create()
        d.append(text)
        try:
            return str(d.detect()).split("-")[0]
        except LangDetectException:
            return None

    systems: dict[str, Callable[[str], str | None]] = {
        "cleanfeed detect (default: abstains)": lambda t: detect(t).language,
        "cleanfeed detect (never abstains)": lambda t: detect(
            t, min_letters=1, min_confidence=0.0).language,
        "langdetect 1.0.9, seeded": langdetect_seeded,
        "py3langid": lambda t: ident.classify(t)[0],
    }
    if fast:
        del systems["langdetect 1.0.9, seeded"]
    return systems


def accuracy(rows: list[dict], systems: dict[str, Callable[[str], str | None]]) -> None:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    known = {lang.split("-")[0] for lang in factory.get_lang_list()}
    answers = {name: [fn(r["text"]) for r in rows] for name, fn in systems.items()}
    for title, keep in (("languages langdetect knows", lambda r: r["lang"] in known),
                        ("all languages", lambda r: True)):
        idx = [i for i, r in enumerate(rows) if keep(r)]
        sizes = Counter(bucket(len(rows[i]["text"])) for i in idx)
        print(f"\n## lingua-dev, {title} ({len(idx)} texts: "
              + ", ".join(f"{b} {sizes[b]}" for b in BUCKETS) + ")\n")
        print("| system | " + " | ".join(f"{b} acc / answered / abstained" for b in BUCKETS)
              + " |\n|---|" + "---|" * len(BUCKETS))
        for name, got in answers.items():
            c: dict[str, Counter[str]] = defaultdict(Counter)
            for i in idx:
                k = bucket(len(rows[i]["text"]))
                c[k]["n"] += 1
                if got[i] is None:
                    c[k]["abstain"] += 1
                else:
                    c[k]["ok"] += got[i] == rows[i]["lang"]
            cells = []
            for b in BUCKETS:
                n, ok, ab = c[b]["n"], c[b]["ok"], c[b]["abstain"]
                cells.append(f"{ok / n:.4f} / {ok / max(n - ab, 1):.4f} / {ab / n:.3f}")
            print(f"| {name} | " + " | ".join(cells) + " |")


def speed(rows: list[dict], systems: dict[str, Callable[[str], str | None]],
          repeat: int = 3) -> None:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    known = {lang.split("-")[0] for lang in factory.get_lang_list()}
    by_lang: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["kind"] == "paragraph4":
            by_lang[r["lang"]].append(r["text"])
    for title, langs in (("all languages", sorted(by_lang)),
                         ("languages langdetect knows", sorted(set(by_lang) & known))):
        _speed(title, {lang: by_lang[lang] for lang in langs}, systems, repeat)


def _speed(title: str, by_lang: dict[str, list[str]],
           systems: dict[str, Callable[[str], str | None]], repeat: int) -> None:
    articles = []
    for lang in sorted(by_lang):  # four paragraphs of one language make one article
        paragraphs = by_lang[lang]
        for i in range(0, len(paragraphs) - 3, 4):
            joined = "\n\n".join(paragraphs[i:i + 4])
            if len(joined) >= 1500:
                articles.append(joined)
    articles = articles[:: max(1, len(articles) // 500)][:500]
    mean = sum(map(len, articles)) / len(articles)
    print(f"\n## speed, {title}: {len(articles)} article-length texts (mean {mean:.0f} chars), "
          f"one core, best of {repeat} passes\n")
    print(f"load average before: {os.getloadavg()[0]:.2f}\n")
    print("| system | texts/s (wall) | texts/s (CPU time) | x py3langid (wall / CPU) |\n"
          "|---|---|---|---|")
    rates: dict[str, tuple[float, float]] = {}
    for name, fn in systems.items():
        fn(articles[0])  # load the models outside the clock
        best_wall = best_cpu = float("inf")
        for _ in range(repeat):  # best of `repeat` passes: other jobs only ever slow a pass
            start, cpu = time.perf_counter(), time.process_time()
            for text in articles:
                fn(text)
            best_wall = min(best_wall, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        rates[name] = (len(articles) / best_wall, len(articles) / max(best_cpu, 1e-9))
    peer = rates.get("py3langid", (1.0, 1.0))
    for name, (wall, cpu_rate) in rates.items():
        print(f"| {name} | {wall:.0f} | {cpu_rate:.0f} | {wall / peer[0]:.2f} / "
              f"{cpu_rate / peer[1]:.2f} |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts")
    parser.add_argument("--only", default="accuracy,speed")
    parser.add_argument("--fast", action="store_true",
                        help="leave out the langdetect peer (~20 min of accuracy run)")
    parser.add_argument("--repeat", type=int, default=3, help="speed: best of N passes")
    args = parser.parse_args(argv)
    path = args.data / "language" / "lingua-dev.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line]
    if args.limit:
        rows = rows[: args.limit]
    systems = make_systems(args.fast)
    if "accuracy" in args.only:
        accuracy(rows, systems)
    if "speed" in args.only:
        speed(rows, systems, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
