"""GCRA, the generic cell rate algorithm: a token bucket stored as one timestamp.

Instead of counting tokens, GCRA keeps the *theoretical arrival time* (TAT): when the next request
would arrive if traffic were perfectly paced at one unit per emission interval ``T = window/amount``.
A request of cost c is admitted iff ``max(TAT, now) + c*T - now <= capacity*T`` (the burst
tolerance), and then TAT advances by ``c*T``. It admits exactly what a token bucket of the same
capacity and rate admits (ATM Forum TM 4.0; popularised for HTTP by Brandur Leach's ``throttled``
and redis-cell), but stores a single number, which makes the Redis script a GET and a SET.
"""
from __future__ import annotations

import math

from .limits_spec import RateLimit
from .strategy import EPS, LimitStats, Strategy


class GCRA(Strategy[float]):
    """A token bucket stored as one number: the theoretical arrival time (TAT) of the next request."""

    name = "gcra"
    lua = "gcra.lua"

    def apply(self, state: float | None, limit: RateLimit, cost: int, now: float,
              consume: bool) -> tuple[bool, float | None]:
        interval = limit.window / limit.amount
        tat = now if state is None or state < now else state
        new_tat = tat + cost * interval
        if new_tat - now <= limit.capacity * interval + EPS:
            return True, (new_tat if consume else None)
        return False, None

    def stats(self, state: float | None, limit: RateLimit, now: float) -> LimitStats:
        interval = limit.window / limit.amount
        tat = now if state is None or state < now else state
        room = limit.capacity * interval - (tat - now)
        remaining = max(0, math.floor(room / interval + EPS))
        wait = 0.0 if remaining >= 1 else max(0.0, interval - room)
        return LimitStats(limit, remaining, wait)

    def size(self, state: float | None) -> int:
        return 0 if state is None else 1
