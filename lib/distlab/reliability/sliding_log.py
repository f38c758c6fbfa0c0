"""Sliding log: remember every admitted request's time; admit iff the last ``window`` seconds hold room.

Exact -- over every interval ``[t - window, t]`` at most ``amount`` units are admitted -- but memory
grows with traffic: one entry per admitted request still inside the window (``size`` reports it).
Entries older than ``now - window`` are pruned on each ``hit`` (``test`` and ``stats`` only read).
The window is closed at both ends, as in ``limits`` 5.8's ``MovingWindowRateLimiter`` (an entry
exactly ``window`` old still counts).

In Redis this is a sorted set scored by time (``sliding_log.lua``: ``ZREMRANGEBYSCORE`` to prune,
``ZCOUNT`` to count, ``ZADD`` one member per unit of cost), atomic as one script. The in-process
state is a :class:`LogState`: a deque of ``(time, cost)`` runs plus their total, so a cost-c
request is one entry here but c members in Redis, as in ``limits``.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .limits_spec import RateLimit
from .strategy import LimitStats, Strategy


@dataclass(slots=True)
class LogState:
    """The admitted ``(time, cost)`` runs still inside the window, oldest first, and their total cost."""

    log: deque[tuple[float, int]]
    total: int


class SlidingLog(Strategy[LogState]):
    """Remember every admitted request; admit iff the last ``limit.window`` seconds hold room."""

    name = "sliding-log"
    lua = "sliding_log.lua"

    @staticmethod
    def _expired(state: LogState, limit: RateLimit, now: float) -> tuple[int, int]:
        """How many entries at the head of the log are older than the window, and their total cost."""
        horizon = now - limit.window
        n = gone = 0
        for t, c in state.log:
            if t >= horizon:
                break
            n += 1
            gone += c
        return n, gone

    def apply(self, state: LogState | None, limit: RateLimit, cost: int, now: float,
              consume: bool) -> tuple[bool, LogState | None]:
        if state is None:
            if cost > limit.amount:
                return False, None
            return True, (LogState(deque([(now, cost)]), cost) if consume else None)
        n, gone = self._expired(state, limit, now)
        total = state.total - gone
        ok = total + cost <= limit.amount
        if not consume:
            return ok, None  # the test verb: decide, change nothing
        if n:  # a hit prunes what has left the window, admitted or not
            log = state.log
            for _ in range(n):
                log.popleft()
            state.total = total
        if not ok:
            return False, (state if n else None)
        state.log.append((now, cost))
        state.total = total + cost
        return True, state

    def stats(self, state: LogState | None, limit: RateLimit, now: float) -> LimitStats:
        if state is None:
            return LimitStats(limit, limit.amount, 0.0)
        horizon = now - limit.window
        live = [(t, c) for t, c in state.log if t >= horizon]
        used = sum(c for _, c in live)
        remaining = max(0, limit.amount - used)
        wait = 0.0
        if remaining == 0:
            excess = used - limit.amount + 1  # units that must leave before one more fits
            for t, c in live:
                excess -= c
                if excess <= 0:
                    wait = t + limit.window - now
                    break
        return LimitStats(limit, remaining, wait)

    def size(self, state: LogState | None) -> int:
        return 0 if state is None else len(state.log)
