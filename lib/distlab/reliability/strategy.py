"""The *how* of rate limiting: the interface every limiter strategy implements.

A strategy is pure: given the stored ``state`` for one (key, limit) pair, the limit, the request's
``cost`` and the injected time ``now``, it says whether to admit and what state to store. It never
locks, sleeps or reads a clock -- the store (:mod:`.memory_store`, :mod:`.redis_store`) provides
atomicity, and the limiter (:mod:`.limiter`) provides ``now``.

For Redis each strategy also names a Lua script (``<name>.lua`` next to this module) implementing the
same rules, so that every decision is one atomic round trip, and the options the script needs.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .limits_spec import RateLimit

EPS = 1e-9  # float slack for "tokens >= cost" style comparisons (documented in docs/reliability.md)


class LimitStats(NamedTuple):
    """The ``stats`` verb's answer for one limit: what is left now and when one more unit fits."""

    limit: RateLimit
    remaining: int
    retry_after: float


class Strategy:
    """Base class: subclasses set ``name`` and ``lua`` and implement :meth:`apply` and :meth:`stats`."""

    name: str = "strategy"
    lua: str = ""
    #: whether a rejected hit still consumes (the ``limits`` fixed window does; see FixedWindow)
    charges_rejected: bool = False

    def apply(self, state: Any, limit: RateLimit, cost: int, now: float, consume: bool) -> tuple[bool, Any]:
        """Return ``(admitted, new_state)``; ``new_state`` is None when nothing must be written.

        With ``consume=False`` (the ``test`` verb) the decision is the same but nothing is recorded.
        """
        raise NotImplementedError

    def stats(self, state: Any, limit: RateLimit, now: float) -> LimitStats:
        raise NotImplementedError

    def size(self, state: Any) -> int:
        """How many stored numbers this state holds (the sliding log's memory growth shows here)."""
        return 0 if state is None else len(state)

    def lua_options(self) -> list[str]:
        """Extra ARGV strings the Lua script reads as ``opts`` (conventions such as alignment)."""
        return []

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({opts})"
