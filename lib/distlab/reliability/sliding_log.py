"""Sliding log: remember every admitted request's time; admit iff the last ``window`` seconds hold room.

Exact -- over every interval ``[t - window, t]`` at most ``amount`` units are admitted -- but memory
grows with traffic: one entry per admitted request still inside the window (``size`` reports it).
Entries older than ``now - window`` are pruned on each request. The window is closed at both ends,
as in ``limits`` 5.8's ``MovingWindowRateLimiter`` (an entry exactly ``window`` old still counts).

In Redis this is a sorted set scored by time (``sliding_log.lua``: ``ZREMRANGEBYSCORE`` to prune,
``ZCOUNT`` to count, ``ZADD`` one member per unit of cost), atomic as one script. The in-process
state is a deque of ``[time, cost]`` runs plus their total, so a cost-c request is one entry here
but c members in Redis, as in ``limits``.
"""
from __future__ import annotations

from collections import deque

from .strategy import LimitStats, Strategy


class SlidingLog(Strategy):
    name = "sliding-log"
    lua = "sliding_log.lua"

    @staticmethod
    def _prune(state, limit, now):
        log, total = state
        horizon = now - limit.window
        while log and log[0][0] < horizon:
            total -= log.popleft()[1]
        state[1] = total
        return total

    def apply(self, state, limit, cost, now, consume):
        if state is None:
            if cost > limit.amount:
                return False, None
            return True, ([deque([(now, cost)]), cost] if consume else None)
        total = self._prune(state, limit, now)
        if total + cost > limit.amount:
            return False, None
        if consume:
            state[0].append((now, cost))
            state[1] = total + cost
            return True, state
        return True, None

    def stats(self, state, limit, now):
        if state is None:
            return LimitStats(limit, limit.amount, 0.0)
        log, total = state
        horizon = now - limit.window
        live = [(t, c) for t, c in log if t >= horizon]
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

    def size(self, state):
        return 0 if state is None else len(state[0])
