"""Timing helpers the benchmarks share. The machine running them is shared, so each figure is the
best of several runs. Not a benchmark itself: ``run.py`` runs only ``bench_*.py``."""
from __future__ import annotations

import time
from collections.abc import Callable


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """The shortest of ``runs`` timings of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def best_rate(fn: Callable[[], object], n: int, runs: int = 5) -> float:
    """Calls per second: the best of ``runs`` timings of ``n`` calls."""
    return n / best_of(runs, lambda: [fn() for _ in range(n)])
