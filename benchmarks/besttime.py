"""Timing helpers the benchmarks share. The machine running them is shared, so each figure is the
best of several runs. Not a benchmark itself: ``run.py`` runs only ``bench_*.py``."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any


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


def print_panel_timings(prefix: str, make: Callable[[], Any], control: str, values: Sequence[object],
                        clear: Callable[[], None]) -> None:
    """A panel's redraw lines: ``bench <prefix>_median_ms`` and ``_p95_ms`` over ``values`` (revisits
    hit the panel's memo), then ``_first_visit_median_ms`` / ``_p95_ms`` with ``clear()`` before each."""
    from distlab.view.timing import first_visits, measure_updates, percentile
    timing = measure_updates(make().controls[control], list(values), warmup=2)
    print(f"bench {prefix}_median_ms {timing['median_ms']:.2f} ms")
    print(f"bench {prefix}_p95_ms {timing['p95_ms']:.2f} ms")
    cold = first_visits(make().controls[control], list(values), clear)
    print(f"bench {prefix}_first_visit_median_ms {percentile(cold, 50):.2f} ms")
    print(f"bench {prefix}_first_visit_p95_ms {percentile(cold, 95):.2f} ms")
