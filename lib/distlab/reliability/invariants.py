"""Named guarantees of the limiters, as functions of what they admitted: ``[(time, cost), ...]``.

Tests check them with Hypothesis on random traces; the notebook shows them as badges. Each returns
True when the guarantee holds (times must be non-decreasing).
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

TOL = 1e-6

#: What a limiter admitted: ``(time, cost)`` pairs in time order.
Admitted = Sequence[tuple[float, int]]


def bucket_bound_holds(admitted: Admitted, capacity: float, rate: float) -> bool:
    """Token bucket / GCRA: over every interval [a, b], admitted cost <= capacity + rate * (b - a)."""
    times = [t for t, _ in admitted]
    prefix = [0]
    for _, c in admitted:
        prefix.append(prefix[-1] + c)
    for i, a in enumerate(times):
        for j in range(i, len(times)):
            if prefix[j + 1] - prefix[i] > capacity + rate * (times[j] - a) + TOL:
                return False
    return True


def max_in_window(admitted: Admitted, window: float, closed: bool = True) -> int:
    """The largest admitted cost inside any interval of length ``window`` ([t-w, t] or (t-w, t])."""
    times = [t for t, _ in admitted]
    prefix = [0]
    for _, c in admitted:
        prefix.append(prefix[-1] + c)
    best = 0
    for j, t in enumerate(times):
        i = bisect_left(times, t - window) if closed else bisect_right(times, t - window)
        best = max(best, prefix[j + 1] - prefix[i])
    return best


def sliding_bound_holds(admitted: Admitted, amount: int, window: float) -> bool:
    """Sliding log: every closed interval of length ``window`` holds at most ``amount``."""
    return max_in_window(admitted, window, closed=True) <= amount


def epoch_windows_hold(admitted: Admitted, amount: int, window: float) -> bool:
    """Fixed window (epoch) and sliding window counter: each ``[k*w, (k+1)*w)`` holds at most ``amount``."""
    per: dict[int, int] = {}
    for t, c in admitted:
        k = math.floor(t / window)
        per[k] = per.get(k, 0) + c
    return all(v <= amount for v in per.values())


def boundary_burst_bound_holds(admitted: Admitted, amount: int, window: float) -> bool:
    """Any fixed-window variant: an interval shorter than ``window`` holds at most ``2 * amount``."""
    return max_in_window(admitted, window * (1 - 1e-9), closed=True) <= 2 * amount
