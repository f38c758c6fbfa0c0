"""Fixed window: count requests per window of ``window`` seconds; admit while the count fits.

Trivial and O(1) -- in Redis it is the classic ``INCRBY`` with a TTL set when the key is new
(``fixed_window.lua``; no ``EXPIRE ... NX`` on Redis 6.2, so the script checks the value it got).
Its flaw: a client may spend a whole budget at the end of one window and another at the start of
the next, so *any* interval of one window length may see up to ``2 * amount`` -- the boundary
burst the trace in :mod:`.compare` shows.

Two conventions, both offered:

* ``align="epoch"`` (default): windows are ``[k*window, (k+1)*window)`` for integer k, the same for
  every key -- the textbook version and the cheapest in Redis (the key name carries k).
* ``align="first-hit"``: a window opens at a key's first request and lasts ``window`` seconds;
  this is what ``limits`` 5.8 (``FixedWindowRateLimiter``) does, its counter's expiry starting at
  the first ``incr``.

``charge_rejected``: ``limits`` increments the counter even for a request it rejects (``incr`` then
compare), so a rejected big request also blocks later small ones in that window. Ours does not by
default; pass ``charge_rejected=True`` for the ``limits`` behaviour.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from distlab.validate import choice, flag

from .limits_spec import RateLimit
from .strategy import LimitStats, Strategy

ALIGNMENTS = ("epoch", "first-hit")


class WindowState(NamedTuple):
    """What a fixed window remembers."""

    start: float  #: when the current window began
    units: int  #: units counted in it


class FixedWindow(Strategy[WindowState]):
    """Count units per window of ``limit.window`` seconds; admit while the count fits."""

    name = "fixed-window"
    lua = "fixed_window.lua"

    def __init__(self, align: str = "epoch", charge_rejected: bool = False) -> None:
        choice("align", align, ALIGNMENTS)
        flag("charge_rejected", charge_rejected)
        self.align = align
        self.charge_rejected = charge_rejected

    def _window(self, state: WindowState | None, limit: RateLimit, now: float) -> WindowState:
        """Return (start, count) of the window containing ``now``."""
        if self.align == "epoch":
            start = math.floor(now / limit.window) * limit.window
            if state is None or state.start != start:
                return WindowState(start, 0)
            return state
        if state is None or now >= state.start + limit.window:
            return WindowState(now, 0)
        return state

    def apply(self, state: WindowState | None, limit: RateLimit, cost: int, now: float,
              consume: bool) -> tuple[bool, WindowState | None]:
        start, count = self._window(state, limit, now)
        ok = count + cost <= limit.amount
        if consume and (ok or self.charge_rejected):
            return ok, WindowState(start, count + cost)
        return ok, None

    def stats(self, state: WindowState | None, limit: RateLimit, now: float) -> LimitStats:
        start, count = self._window(state, limit, now)
        remaining = max(0, limit.amount - count)
        return LimitStats(limit, remaining, 0.0 if remaining else start + limit.window - now)

    def lua_options(self) -> list[str]:
        return [self.align, "1" if self.charge_rejected else "0"]

    def size(self, state: WindowState | None) -> int:
        return 0 if state is None else 2
