"""The same trace through every strategy: what each one admits, and where each one fails.

:func:`bursty_trace` makes a seeded request trace (Poisson background plus bursts, one aimed at a
window boundary); :func:`run_trace` feeds it to every strategy on its own in-process store and
reports, per strategy, the admitted times, the most admitted in any one window length (the fixed
window's 2x boundary burst shows here), the stored entries over time (the sliding log's memory
growth) and the decisions that differ from the exact sliding log (the sliding window counter's
error). The notebook plots these; tests check the claims.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from distlab.validate import integer, number

from .clock import ManualClock
from .invariants import max_in_window
from .limiter import STRATEGIES, RateLimiter
from .limits_spec import RateLimit


def bursty_trace(*, duration: float = 10.0, base_rate: float = 5.0, burst_size: int = 30,
                 bursts: int = 3, window: float = 1.0, seed: int = 0) -> list[float]:
    """Request times: Poisson at ``base_rate`` plus ``bursts`` bursts; the first straddles a window edge."""
    number("duration", duration, low=0, low_open=True)
    number("base_rate", base_rate, low=0)
    number("window", window, low=0, low_open=True)
    integer("burst_size", burst_size, low=0)
    integer("bursts", bursts, low=0)
    integer("seed", seed, low=None)
    rng = random.Random(seed)
    times = []
    t = rng.expovariate(base_rate) if base_rate > 0 else duration
    while t < duration:
        times.append(t)
        t += rng.expovariate(base_rate)
    for b in range(bursts):
        if b == 0:
            edge = window * max(1, int(duration / window / 3))
            start, spread = edge - 0.1 * window, 0.2 * window  # half before the edge, half after
        else:
            start, spread = rng.uniform(0, duration * 0.9), 0.1 * window
        times.extend(start + spread * i / max(1, burst_size - 1) for i in range(burst_size))
    return sorted(t for t in times if 0 <= t < duration)


@dataclass(frozen=True)
class StrategyRun:
    """One strategy's decisions on a trace, and what they show."""

    name: str
    decisions: list[bool]  # True/False per request
    admitted_times: list[float]
    max_in_any_window: int
    sizes: list[int]  # stored entries after each request
    mismatches_vs_log: int  # decisions differing from the exact sliding log


def run_trace(times: Sequence[float], limit: RateLimit, strategies: Sequence[str] = tuple(STRATEGIES),
              start: float = 1000.0) -> dict[str, StrategyRun]:
    """Feed ``times`` (seconds from ``start``) to each strategy; return ``{name: StrategyRun}``."""
    runs: dict[str, StrategyRun] = {}
    exact: list[bool] = []
    for name in ("sliding-log",) + tuple(s for s in strategies if s != "sliding-log"):
        clock = ManualClock(start)
        rl = RateLimiter(name, limits=[limit], clock=clock)
        decisions: list[bool] = []
        admitted: list[float] = []
        sizes: list[int] = []
        for t in times:
            clock.set(start + t)
            ok = rl.hit("k")
            decisions.append(ok)
            if ok:
                admitted.append(t)
            sizes.append(rl.size("k"))
        if name == "sliding-log":
            exact = decisions
        mism = sum(a != b for a, b in zip(decisions, exact))
        runs[name] = StrategyRun(name, decisions, admitted, max_in_window([(t, 1) for t in admitted], limit.window),
                                 sizes, mism)
    return {name: runs[name] for name in strategies}


def counter_error(times: Sequence[float], limit: RateLimit) -> float:
    """Fraction of decisions where the sliding window counter disagrees with the exact sliding log."""
    runs = run_trace(times, limit, ("sliding-log", "sliding-window-counter"))
    return float(runs["sliding-window-counter"].mismatches_vs_log / max(1, len(times)))
