"""Near-duplicate benchmark: cleanfeed.dedup against datasketch, rensa and an exact oracle.

The labelled corpus is generated at run time, deterministically from ``--seed``, out of the
human-written article bodies in ``<data>/extraction/*/truth/*.txt`` (never copied into the
repository):

* originals: mosaics of 4-8 runs of 2-5 consecutive paragraphs from random source articles, with
  a headline line and 3 % of words substituted, so every original is distinct;
* syndicated variants of an original (same cluster): other site header/footer lines, a changed
  headline, a trimmed tail, a dropped or an inserted paragraph, word edits, quote/whitespace
  changes (each transform applied at random);
* hard negatives (never the same cluster): (a) another write-up of the same event — some
  sentences kept verbatim (quotes), some with their words reordered in small blocks, the rest
  from another article; (b) different short articles (40-90 words of sentences drawn from
  several articles) inside identical site chrome.

Every method runs in its own subprocess (peak RSS measured around the dedup run only) with
the same policy: batches of ``--batch`` articles, canonical order inside a batch, exact hash
first, LSH candidates verified against canonicals only, threshold ``--threshold``. Peers get
the same words (``cleanfeed.dedup.normalise``) and 5-word shingles; datasketch and rensa use
128 permutations and 32 bands x 4 rows; the oracle computes exact Jaccard (prefix-filtered
all-pairs join, so it misses nothing).

    python benchmarks/dedup.py                  # 1k and 10k documents
    python benchmarks/dedup.py --sizes 1000 10000 100000 --big-oracle   # + 100k, with oracle
    python benchmarks/dedup.py --sizes 10000 --methods cleanfeed cleanfeed-dask   # Dask vs local

``cleanfeed-dask`` runs :func:`cleanfeed.distributed.dedup_bag` on a LocalCluster of
``--dask-workers`` processes (start-up not timed), then the local Deduplicator on the same
articles in the same subprocess, and stops the benchmark if their marks differ.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import hashlib
import itertools
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cleanfeed.article import Article  # noqa: E402
from cleanfeed.dedup import Deduplicator, canonical_key, normalise  # noqa: E402

SHINGLE = 5


def default_data() -> Path:
    shared = ROOT / ".." / "shared"
    return (shared if shared.exists() else Path("/work/shared")) / "datasets"


# ----------------------------------------------------------------------------- generation

_SENT = re.compile(r"(?<=[.!?])\s+")
SECTIONS = ["Home", "World", "Politics", "Business", "Tech", "Science", "Sport", "Culture",
            "Opinion", "Health", "Travel", "Video", "Podcasts", "Local", "Markets", "Weather"]


def load_sources(data: Path) -> list[list[str]]:
    """Paragraph lists of the truth articles with at least 3 paragraphs and 150 words."""
    out = []
    for path in sorted(data.glob("extraction/*/truth/*.txt")):
        paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
        if len(paras) >= 3 and sum(len(p.split()) for p in paras) >= 150:
            out.append(paras)
    if not out:
        raise SystemExit(f"no truth texts under {data}/extraction/*/truth/")
    return out


class Generator:
    def __init__(self, sources: list[list[str]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.sources = sources
        self.vocab = sorted({w for paras in sources for p in paras for w in p.split()})
        self.sites = [self._site(i) for i in range(60)]

    def _words(self, n: int) -> str:
        return " ".join(self.rng.choice(self.vocab) for _ in range(n))

    def _site(self, i: int) -> tuple[list[str], list[str]]:
        r = self.rng
        name = f"The {self._words(1).title()} {r.choice(['Post', 'Herald', 'Times', 'Daily'])}"
        header = [name, " | ".join(r.sample(SECTIONS, r.randint(5, 10))),
                  f"Subscribe to {name} for {self._words(4)}"]
        footer = [f"Related: {self._words(r.randint(6, 10))}" for _ in range(r.randint(2, 5))]
        footer += [f"© 2025 {name}. All rights reserved.", "Share this article: Facebook X Email"]
        return header, footer

    def original(self) -> list[str]:
        r = self.rng
        paras: list[str] = []
        for _ in range(r.randint(4, 8)):
            src = r.choice(self.sources)
            start = r.randrange(len(src))
            paras.extend(src[start:start + r.randint(2, 5)])
        words = "\n".join(paras).split(" ")
        for _ in range(max(1, len(words) * 3 // 100)):
            words[r.randrange(len(words))] = r.choice(self.vocab)
        body = " ".join(words).split("\n")
        return [self._words(r.randint(6, 11)).capitalize(), *body]  # headline first

    def variant(self, paras: list[str]) -> str:
        r = self.rng
        p = list(paras)
        if r.random() < 0.4:  # headline change
            p[0] = self._words(r.randint(6, 11)).capitalize()
        if r.random() < 0.3 and len(p) > 3:  # drop a paragraph
            del p[r.randrange(1, len(p))]
        if r.random() < 0.2:  # insert a paragraph from elsewhere
            p.insert(r.randrange(1, len(p) + 1), r.choice(r.choice(self.sources)))
        if r.random() < 0.3:  # trimmed tail: 3-15 % of the words
            words = "\n".join(p).split(" ")
            p = " ".join(words[: int(len(words) * r.uniform(0.85, 0.97))]).split("\n")
        if r.random() < 0.5:  # word edits: 0.2-1 %
            words = "\n".join(p).split(" ")
            for _ in range(int(len(words) * r.uniform(0.002, 0.01))):
                k = r.randrange(len(words))
                if r.random() < 0.5:
                    words[k] = r.choice(self.vocab)
                else:
                    words[k] = ""
            p = " ".join(w for w in words if w).split("\n")
        if r.random() < 0.6:  # site chrome
            header, footer = r.choice(self.sites)
            p = header[: r.randint(1, 3)] + p + footer
        text = "\n".join(p)
        if r.random() < 0.5:  # quotes and whitespace
            text = (text.replace("’", "'").replace("“", '"').replace("”", '"')
                    .replace(". ", ".  ").replace("\n", "\n\n"))
        return text

    def rewrite(self, paras: list[str]) -> str:
        """Another write-up of the same event: shares facts and quotes, not the prose."""
        r = self.rng
        other = [s for para in r.choice(self.sources) for s in _SENT.split(para)]
        out = [self._words(r.randint(6, 11)).capitalize()]
        for para in paras[1:]:
            for sent in _SENT.split(para):
                x = r.random()
                if x < 0.15:
                    out.append(sent)
                elif x < 0.5:
                    w = sent.split()
                    blocks = [w[i:i + r.randint(2, 3)] for i in range(0, len(w), 3)]
                    r.shuffle(blocks)
                    out.append(" ".join(x for b in blocks for x in b))
                elif other:
                    out.append(other.pop(r.randrange(len(other))))
        return "\n".join(out)

    def short_in_chrome(self) -> list[str]:
        r = self.rng
        header, footer = r.choice(self.sites)
        texts = []
        for _ in range(r.randint(3, 6)):  # 3-5 sentences of different articles: unique
            sents = [r.choice(_SENT.split(r.choice(r.choice(self.sources)))) for _ in range(5)]
            para = " ".join(" ".join(sents).split()[: r.randint(40, 90)])
            texts.append("\n".join([*header, self._words(8).capitalize(), para, *footer]))
        return texts


def generate(n: int, seed: int, data: Path) -> dict[str, Any]:
    """Documents with cluster labels and the list of hard-negative pairs."""
    g = Generator(load_sources(data), seed)
    r = g.rng
    docs: list[dict[str, Any]] = []
    negatives: list[tuple[int, int]] = []
    cluster = 0

    def add(text: str, label: int, kind: str) -> int:
        day = r.randrange(1, 28)
        published = None if r.random() < 0.2 else f"2025-03-{day:02d}T{r.randrange(24):02d}:00:00Z"
        docs.append({"id": f"d{len(docs):07d}", "text": text, "published": published,
                     "cluster": label, "kind": kind})
        return len(docs) - 1

    while len(docs) < n:
        x = r.random()
        if x < 0.06:  # (a) another write-up of the same event
            paras = g.original()
            a = add("\n".join(paras), cluster, "original")
            b = add(g.rewrite(paras), cluster + 1, "rewrite")
            negatives.append((a, b))
            cluster += 2
        elif x < 0.10:  # (b) short articles in identical chrome
            ids = [add(t, cluster + k, "short-chrome") for k, t in enumerate(g.short_in_chrome())]
            negatives.extend((i, j) for i in ids for j in ids if i < j)
            cluster += len(ids)
        else:
            paras = g.original()
            add("\n".join(paras), cluster, "original")
            for _ in range(r.choice([0, 0, 0, 1, 1, 2, 3, 5])):
                add(g.variant(paras), cluster, "variant")
            cluster += 1
    docs = docs[:n]
    negatives = [(a, b) for a, b in negatives if b < n]
    order = list(range(len(docs)))
    r.shuffle(order)  # arrival order: copies are not next to each other
    where = {old: new for new, old in enumerate(order)}
    return {"docs": [docs[i] for i in order],
            "negatives": [(where[a], where[b]) for a, b in negatives]}


# ----------------------------------------------------------------------------- methods


def shingles(text: str) -> list[str]:
    w = normalise(text).split()
    return [" ".join(w[i:i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)]


def greedy(articles: list[Article], batch: int, sketch: Callable[[int], Any],
           similar: Callable[[Any], list[tuple[float, int]]], insert: Callable[[int, Any], None]
           ) -> list[int]:
    """The shared policy for peers: batches, canonical order, exact first, verified best.

    Exact copies are found by a 16-byte digest of the normalised text (not the text itself,
    which would charge the peers' memory with a copy of the corpus).
    """
    label = list(range(len(articles)))
    exact: dict[bytes, int] = {}
    for start in range(0, len(articles), batch):
        idx = list(range(start, min(start + batch, len(articles))))
        keys: dict[int, tuple[int, bytes]] = {}
        for i in idx:
            norm = normalise(articles[i].text)
            keys[i] = (len(norm.split()), hashlib.blake2b(norm.encode(), digest_size=16).digest())
        idx.sort(key=lambda i: canonical_key(articles[i], keys[i][0]))
        for i in idx:
            digest = keys[i][1]
            if digest in exact:
                label[i] = label[exact[digest]]
                continue
            sk = sketch(i)
            best = max(similar(sk), default=None)
            if best is not None:
                label[i] = best[1]
            else:
                insert(i, sk)
            exact[digest] = i
    return label


def run_cleanfeed(articles: list[Article], args: argparse.Namespace) -> list[int]:
    pos = {a.id: i for i, a in enumerate(articles)}
    dedup = Deduplicator(threshold=args.threshold, batch_size=args.batch)
    return [pos[a.duplicate_of] if a.duplicate_of else i  # type: ignore[union-attr]
            for i, a in enumerate(dedup.run(articles))]


def greedy_lsh(articles: list[Article], args: argparse.Namespace, lsh: Any,
               sketch: Any) -> list[int]:
    """The greedy clustering over a peer's LSH index (rensa and datasketch share the API):
    each sketch is checked against the kept canonicals its bands collide with."""
    kept: dict[int, Any] = {}

    def similar(m: Any) -> list[tuple[float, int]]:
        sims = ((m.jaccard(kept[c]), -c) for c in lsh.query(m))
        return [(s, -c) for s, c in sorted(sims, reverse=True) if s >= args.threshold][:1]

    def insert(i: int, m: Any) -> None:
        lsh.insert(i, m)
        kept[i] = m

    return greedy(articles, args.batch, sketch, similar, insert)


def run_rensa(articles: list[Article], args: argparse.Namespace) -> list[int]:
    from rensa import RMinHash, RMinHashLSH

    def sketch(i: int) -> Any:
        m = RMinHash(num_perm=128, seed=42)
        m.update(shingles(articles[i].text))
        return m

    lsh = RMinHashLSH(threshold=args.threshold, num_perm=128, num_bands=32)
    return greedy_lsh(articles, args, lsh, sketch)


def run_datasketch(articles: list[Article], args: argparse.Namespace) -> list[int]:
    from datasketch import MinHash, MinHashLSH

    def sketch(i: int) -> Any:
        m = MinHash(num_perm=128, seed=42)
        m.update_batch([s.encode("utf-8") for s in shingles(articles[i].text)])
        return m

    return greedy_lsh(articles, args, MinHashLSH(num_perm=128, params=(32, 4)), sketch)


def run_oracle(articles: list[Article], args: argparse.Namespace) -> list[int]:
    """Exact Jaccard, all pairs above the threshold found by prefix filtering (AllPairs)."""
    import numpy as np

    t = args.threshold
    sets = [np.unique(np.array([hash(s) for s in shingles(a.text)], dtype=np.int64))
            for a in articles]
    df = Counter(x for s in sets for x in s.tolist())
    ordered = [sorted(s.tolist(), key=lambda x: (df[x], x)) for s in sets]
    postings: dict[int, list[int]] = defaultdict(list)

    def prefix(i: int) -> list[int]:
        n = len(ordered[i])
        return ordered[i][: n - math.ceil(t * n) + 1] if n else []

    def similar(i: int) -> list[tuple[float, int]]:
        if len(sets[i]) < 1:
            return []
        cands = {c for x in prefix(i) for c in postings.get(x, ())}
        best: list[tuple[float, int]] = []
        for c in cands:
            inter = np.intersect1d(sets[i], sets[c], assume_unique=True).size
            j = inter / (sets[i].size + sets[c].size - inter)
            if j >= t:
                best.append((j, -c))
        return [(s, -c) for s, c in sorted(best, reverse=True)[:1]]

    def insert(i: int, _: Any) -> None:
        for x in prefix(i):
            postings[x].append(i)

    return greedy(articles, args.batch, lambda i: i, similar, insert)


def run_incremental(articles: list[Article], args: argparse.Namespace) -> list[int]:
    """Ingest in ``--chunks`` runs, each reopening the same SQLite index."""
    pos = {a.id: i for i, a in enumerate(articles)}
    labels: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.sqlite"
        step = math.ceil(len(articles) / args.chunks / args.batch) * args.batch
        for start in range(0, len(articles), step):
            with Deduplicator(threshold=args.threshold, batch_size=args.batch,
                              index=path) as dedup:
                for i, a in enumerate(dedup.run(articles[start:start + step]), start):
                    labels.append(pos[a.duplicate_of] if a.duplicate_of else i)  # type: ignore
            del dedup  # like separate processes: one run's index is gone before the next opens
    return labels


def _worker_stats(clear: bool = False) -> tuple[float, int]:
    """(CPU seconds, peak RSS KiB) of a Dask worker process; ``clear`` resets the peak."""
    if clear:
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")
    return time.process_time(), _rss_kib("VmHWM")


def _mark(a: Article) -> tuple[str, str | None, float | None]:
    return a.id, a.duplicate_of, a.similarity


def run_dask(articles: list[Article], args: argparse.Namespace) -> dict[str, Any]:
    """cleanfeed.distributed.dedup_bag on a LocalCluster, then the local Deduplicator on the
    same articles in the same process: their marks (id, duplicate_of, similarity, in order)
    must be equal. Before the clock: the cluster starts, the workers import cleanfeed (a
    small warm-up run) and the articles are persisted on the workers, as for a bag that
    already lives on a cluster. Timed: dedup_bag and bringing the marks back."""
    import dask.bag as db
    from distributed import Client, LocalCluster, wait

    from cleanfeed.distributed import dedup_bag

    pos = {a.id: i for i, a in enumerate(articles)}
    t0 = time.perf_counter()
    with LocalCluster(n_workers=args.dask_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        warm = db.from_sequence(articles[:20], npartitions=args.dask_workers)
        dedup_bag(warm, threshold=args.threshold).compute()
        bag = db.from_sequence(articles, npartitions=args.dask_partitions).persist()
        wait(bag)
        startup = time.perf_counter() - t0
        before = client.run(_worker_stats, clear=True)
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        got = dedup_bag(bag, threshold=args.threshold, batch_size=args.batch).map(_mark
                                                                                   ).compute()
        seconds = time.perf_counter() - t0
        client_cpu = time.process_time() - cpu0
        after = client.run(_worker_stats)
    worker_cpu = sum(after[w][0] - before[w][0] for w in after)
    worker_mib = sum(after[w][1] - before[w][1] for w in after) / 1024
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    want = list(Deduplicator(threshold=args.threshold, batch_size=args.batch).run(articles))
    local_seconds = time.perf_counter() - t0
    local_cpu = time.process_time() - cpu0
    labels = [pos[dup] if dup else i for i, (_, dup, _) in enumerate(got)]
    return {"labels": labels, "seconds": seconds,
            "identical": got == [_mark(a) for a in want],  # type: ignore[arg-type]
            "startup": startup, "cpu": client_cpu + worker_cpu, "client_cpu": client_cpu,
            "worker_cpu": worker_cpu, "worker_mib": worker_mib,
            "local_seconds": local_seconds, "local_cpu": local_cpu}


METHODS = {"cleanfeed": run_cleanfeed, "cleanfeed-sqlite-incremental": run_incremental,
           "rensa": run_rensa, "datasketch": run_datasketch, "oracle": run_oracle,
           "cleanfeed-dask": run_dask}


# ----------------------------------------------------------------------------- measurement


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _release_free_memory() -> None:
    """Hand freed heap pages back to the OS (glibc ``malloc_trim``), so that the baseline
    RSS holds no free memory a method could reuse without it showing in its peak."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def worker(method: str, corpus: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One method in a fresh process: the same memory and time measurement for every method.

    Baseline: RSS after the corpus is loaded, the method warmed up (unless ``--cold``: one
    throw-away run over the first 50 documents, so imports, library code pages and lazily
    built tables are in place for every method alike), and free heap memory returned to the
    OS; peak: VmHWM, reset to the baseline just before the run.
    """
    data = json.loads(corpus.read_text(encoding="utf-8"))
    articles = [Article(id=d["id"], source=d["id"], text=d["text"], published=d["published"])
                for d in data["docs"]]
    del data
    if method in ("rensa", "datasketch"):  # import outside the measured window
        __import__(method)
    if not args.cold and method != "cleanfeed-dask":  # dask warms its own cluster up
        METHODS[method](articles[:50], args)
    _release_free_memory()
    base = _rss_kib("VmRSS")
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
    t0, c0 = time.perf_counter(), time.process_time()
    labels = METHODS[method](articles, args)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _rss_kib("VmHWM")
    if isinstance(labels, dict):  # cleanfeed-dask: its own timings (cluster start excluded)
        return {**labels, "mem_mib": (peak - base) / 1024}
    return {"labels": labels, "seconds": seconds, "cpu": cpu, "mem_mib": (peak - base) / 1024}


def evaluate(labels: list[int], docs: list[dict[str, Any]],
             negatives: list[tuple[int, int]]) -> dict[str, float]:
    """Pairwise cluster precision/recall/F1, and hard-negative pairs merged."""
    def pairs(counter: Counter[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    truth = [d["cluster"] for d in docs]
    tp = pairs(Counter(zip(labels, truth, strict=True)))
    pred, gold = pairs(Counter(labels)), pairs(Counter(truth))
    p = tp / pred if pred else 1.0
    r = tp / gold if gold else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    merged = sum(labels[a] == labels[b] for a, b in negatives)
    return {"precision": p, "recall": r, "f1": f1, "neg_merges": merged}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=default_data())
    ap.add_argument("--threshold", type=float, default=0.7)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--chunks", type=int, default=10, help="runs for the incremental ingest")
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--cold", action="store_true",
                    help="no warm-up run before measuring (memory then includes first use of "
                         "library code and lazy tables)")
    ap.add_argument("--big-datasketch", action="store_true",
                    help="also run datasketch above 10k documents (slow)")
    ap.add_argument("--big-oracle", action="store_true",
                    help="also run the exact oracle above 10k documents (slow, ~7 GB at 100k)")
    ap.add_argument("--dask-workers", type=int, default=2,
                    help="worker processes of the LocalCluster of cleanfeed-dask")
    ap.add_argument("--dask-partitions", type=int, default=8,
                    help="bag partitions of cleanfeed-dask")
    ap.add_argument("--worker", nargs=2, metavar=("METHOD", "CORPUS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]), args)))
        return

    print(f"# machine: {platform.machine()}, {os.cpu_count()} cpus, Python "
          f"{platform.python_version()}, {platform.platform()}")
    print(f"# seed {args.seed}, threshold {args.threshold}, batch {args.batch}")
    results: dict[tuple[int, str], dict[str, Any]] = {}
    tokens: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            t0 = time.perf_counter()
            corpus = generate(n, args.seed, args.data)
            tokens[n] = sum(len(normalise(d["text"]).split()) for d in corpus["docs"])
            kinds = Counter(d["kind"] for d in corpus["docs"])
            path = Path(tmp) / f"corpus-{n}.json"
            path.write_text(json.dumps(corpus), encoding="utf-8")
            print(f"\n## {n:,} documents, {tokens[n]:,} words, {len(corpus['negatives']):,} "
                  f"hard-negative pairs; {dict(kinds)} (generated in "
                  f"{time.perf_counter() - t0:.0f} s)")
            print(f"load average before: {os.getloadavg()[0]:.2f}")
            print("| method | docs/s | words/s | seconds | CPU s | docs per CPU s "
                  "| peak extra RSS MiB | precision | recall | F1 | hard-negative merges |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for method in args.methods:
                if n > 10000 and ((method == "datasketch" and not args.big_datasketch)
                                  or (method == "oracle" and not args.big_oracle)):
                    continue
                cmd = [sys.executable, __file__, "--worker", method, str(path),
                       "--threshold", str(args.threshold), "--batch", str(args.batch),
                       "--chunks", str(args.chunks), "--dask-workers", str(args.dask_workers),
                       "--dask-partitions", str(args.dask_partitions),
                       *(["--cold"] if args.cold else [])]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                res = json.loads(out)
                res.update(evaluate(res["labels"], corpus["docs"], corpus["negatives"]))
                results[(n, method)] = res
                print(f"| {method} | {n / res['seconds']:,.0f} | "
                      f"{tokens[n] / res['seconds']:,.0f} | {res['seconds']:.2f} | "
                      f"{res['cpu']:.2f} | {n / res['cpu']:,.0f} | "
                      f"{res['mem_mib']:.1f} | {res['precision']:.4f} | {res['recall']:.4f} | "
                      f"{res['f1']:.4f} | {res['neg_merges']} |", flush=True)
            dask_run = results.get((n, "cleanfeed-dask"))
            if dask_run:
                dask_summary(dask_run, n, args)
            one = results.get((n, "cleanfeed"))
            inc = results.get((n, "cleanfeed-sqlite-incremental"))
            if one and inc:
                print(f"\nincremental (SQLite, {args.chunks} runs) labels identical to one-shot: "
                      f"{one['labels'] == inc['labels']}")
            print(f"load average after: {os.getloadavg()[0]:.2f}")
            summary(results, n)
    sizes = sorted(tokens)
    for a, b in itertools.pairwise(sizes):
        if (a, "cleanfeed") in results and (b, "cleanfeed") in results:
            tg = results[(b, "cleanfeed")]["seconds"] / results[(a, "cleanfeed")]["seconds"]
            wg = tokens[b] / tokens[a]
            print(f"\nscaling {a:,} -> {b:,}: time x{tg:.2f}, words x{wg:.2f}, "
                  f"ratio {tg / wg:.2f} (goal <= 1.1)")


def dask_summary(res: dict[str, Any], n: int, args: argparse.Namespace) -> None:
    """The distributed run against the local Deduplicator timed in the same subprocess."""
    load = os.getloadavg()[0]
    print(f"\ncleanfeed-dask ({args.dask_workers} workers, {args.dask_partitions} partitions): "
          f"marks identical to the local Deduplicator: {res['identical']}; "
          f"{res['seconds']:.2f} s wall ({n / res['seconds']:,.0f} docs/s) vs local "
          f"{res['local_seconds']:.2f} s ({n / res['local_seconds']:,.0f} docs/s), ratio "
          f"{res['seconds'] / res['local_seconds']:.2f}; CPU {res['cpu']:.2f} s "
          f"(client {res['client_cpu']:.2f}, workers {res['worker_cpu']:.2f}) vs local "
          f"{res['local_cpu']:.2f} s, ratio {res['cpu'] / res['local_cpu']:.2f}; workers' peak "
          f"RSS growth {res['worker_mib']:.0f} MiB; cluster start {res['startup']:.1f} s "
          f"warm-up and persist (not counted); load average {load:.1f}")
    if not res["identical"]:
        raise SystemExit("cleanfeed-dask differs from the local Deduplicator")


def summary(results: dict[tuple[int, str], dict[str, Any]], n: int) -> None:
    cf = results.get((n, "cleanfeed"))
    if not cf:
        return
    lines = []
    for peer, goal in (("rensa", 1.35), ("datasketch", 10.0)):
        if (n, peer) in results:
            ratio = results[(n, peer)]["seconds"] / cf["seconds"]
            cpu = results[(n, peer)]["cpu"] / cf["cpu"]
            lines.append(f"speed vs {peer}: x{ratio:.2f}, CPU time x{cpu:.2f} (goal >= {goal})")
    if (n, "rensa") in results and results[(n, "rensa")]["mem_mib"] > 0:
        lines.append(f"memory vs rensa: x{cf['mem_mib'] / results[(n, 'rensa')]['mem_mib']:.2f} "
                     "(goal <= 0.5)")
    if (n, "oracle") in results:
        o = results[(n, "oracle")]
        lines.append(f"F1 vs oracle: x{cf['f1'] / o['f1']:.4f} (goal >= 0.99); hard-negative "
                     f"merges {cf['neg_merges']} vs oracle {o['neg_merges']}")
    print("\n" + "; ".join(lines))


if __name__ == "__main__":
    main()
