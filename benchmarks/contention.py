"""How much two busy processes slow each other on this machine: the ceiling of N workers vs 1.

The same fixed piece of work is timed (CPU seconds) alone, then in two processes at once. On a
machine whose cores share caches, memory bandwidth or a physical core (SMT siblings behind a
VM's vCPUs), the CPU time of each rises when both run, and no worker pool can scale past
``2 / (1 + slowdown)`` at 2 workers. Two kinds of work bracket cleanfeed's: a pure-Python loop
(little memory traffic) and a random gather over a 256 MiB table (memory-bound, like the
language model's lookups and lxml's tree walks).

    python benchmarks/contention.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time

import numpy as np


def python_loop(n: int = 8_000_000) -> float:
    """CPU seconds of a pure-Python arithmetic loop."""
    start = time.process_time()
    x = 0
    for i in range(n):
        x += i * i % 7
    return time.process_time() - start


def memory_gather(rounds: int = 30) -> float:
    """CPU seconds of random reads over a 256 MiB table (cache misses on every read)."""
    rng = np.random.default_rng(0)
    index = rng.integers(0, 1 << 26, size=4_000_000)
    table = np.arange(1 << 26, dtype=np.int32)
    start = time.process_time()
    for _ in range(rounds):
        table[index].sum()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print("| work | alone CPU s | two at once CPU s (each) | slowdown | 2-worker ceiling |")
    print("|---|---:|---:|---:|---:|")
    with mp.get_context("spawn").Pool(2) as pool:
        for work in (python_loop, memory_gather):
            for _ in range(args.repeat):
                alone = pool.apply(work)  # same kind of process as the pair
                pair = [r.get() for r in [pool.apply_async(work) for _ in range(2)]]
                slowdown = sum(pair) / 2 / alone - 1
                print(f"| {work.__name__} | {alone:.2f} | {pair[0]:.2f} / {pair[1]:.2f} | "
                      f"{slowdown:+.1%} | {2 / (1 + slowdown):.2f} × |")


if __name__ == "__main__":
    main()
