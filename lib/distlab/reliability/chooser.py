"""The lecture's "how to choose" a rate limiter, as a pure function the notebook's chooser calls.

Rules, in order:

1. one process only -> an in-process limiter (no shared store needed);
2. very high request rates per key (above ``local_budget_above``, default 10,000/s) -> local
   budgets synced to Redis periodically: one round trip per decision would cost more than the
   decision is worth, and a few percent of precision is the price;
3. exact counts required (billing, contractual quotas) -> the sliding log on a Redis sorted set, and
   only then: its memory grows with traffic (one member per admitted unit in the window);
4. a rough cap is fine and simplicity matters -> fixed window, ``INCR`` with a TTL (accepting up to
   2x at window boundaries);
5. otherwise -> the Lua token bucket (bursts up to the bucket, then the refill rate), the default.
   (GCRA is the same policy in one stored number; the sliding window counter is the choice when the
   limit must read as "N per window" without the fixed window's boundary burst.)
"""
from __future__ import annotations

from dataclasses import dataclass

from distlab.validate import flag, number


@dataclass(frozen=True)
class Choice:
    """A recommended limiter: which strategy, which store, and why; ``dropped`` names each stated
    requirement the recommendation does not meet, and why (empty when it meets them all)."""

    strategy: str
    store: str
    reason: str
    dropped: tuple[str, ...] = ()


def choose_limiter(*, fleet: bool = True, requests_per_second: float = 100.0, exact_counts: bool = False,
                   rough_cap_ok: bool = False, local_budget_above: float = 10_000.0) -> Choice:
    """Pick a rate limiter for a service: per process or fleet-wide, exact or approximate counts, and
    above ``local_budget_above`` requests per second, local budgets instead of a shared store."""
    number("requests_per_second", requests_per_second, low=0)
    number("local_budget_above", local_budget_above, low=0, low_open=True)
    for name, value in (("fleet", fleet), ("exact_counts", exact_counts), ("rough_cap_ok", rough_cap_ok)):
        flag(name, value)
    if not fleet:
        strategy = "sliding-log" if exact_counts else ("fixed-window" if rough_cap_ok else "token-bucket")
        return Choice(strategy, "memory", "one process: keep the state in memory, no round trip at all")
    if requests_per_second > local_budget_above:
        dropped = (("exact counts: dropped -- local budgets overshoot the limit by a few percent, and an "
                    f"exact count at {requests_per_second:,.0f} req/s per key would cost a round trip per "
                    "request (split the key, or count exactly offline for billing)",) if exact_counts else ())
        return Choice("local-budget", "redis (periodic INCRBY)",
                      f"{requests_per_second:,.0f} req/s per key: a round trip per decision costs too much; "
                      "sync local budgets periodically and accept a small overshoot", dropped)
    if exact_counts:
        return Choice("sliding-log", "redis (sorted set)",
                      "exact counts over every window; memory grows with traffic, so keep rates modest")
    if rough_cap_ok:
        return Choice("fixed-window", "redis (INCR + TTL)",
                      "a rough cap is enough: one INCR, but up to 2x the limit across a window boundary")
    return Choice("token-bucket", "redis (Lua)", "the default: bursts up to the bucket, then the refill rate, "
                  "decided atomically in one Lua round trip")
