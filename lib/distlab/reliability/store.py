"""The *where* of rate limiting: what a store must offer, and the errors it raises.

A store keeps one state per (strategy, key, limit) and makes each decision atomic:

* ``evaluate(strategy, keys, limits, cost, now, consume) -> bool`` -- admit iff *every* limit has
  room; record the cost in all of them only then (several limits per key are all-or-nothing);
* ``stats(strategy, keys, limits, now) -> list[LimitStats]``;
* ``size(strategy, key) -> int`` (stored entries) and ``clear(key)``.

:class:`~.memory_store.MemoryStore` does it under a lock in this process;
:class:`~.redis_store.RedisStore` does it in one Lua script on a Redis server shared by a fleet.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .limits_spec import RateLimit
from .strategy import LimitStats, Strategy

FAILURE_MODES = ("raise", "open", "closed")


class StoreUnavailable(RuntimeError):
    """The store could not be reached; raised when a store's ``on_error`` is ``"raise"``."""


class Store(Protocol):
    """Where limiter states live; each decision atomic (see the module docstring)."""

    def evaluate(
        self, strategy: Strategy[Any], keys: Sequence[str], limits: Sequence[RateLimit], cost: int, now: float,
        consume: bool,
    ) -> bool:
        """Admit iff every limit has room; with ``consume``, record the cost in all of them only then."""
        ...

    def stats(
        self, strategy: Strategy[Any], keys: Sequence[str], limits: Sequence[RateLimit], now: float
    ) -> list[LimitStats]:
        """Per limit: remaining units at ``now`` and seconds until one more fits."""
        ...

    def size(self, strategy: Strategy[Any], key: str) -> int:
        """How many numbers are stored for ``key``'s limits."""
        ...

    def clear(self, key: str) -> None:
        """Forget every state stored for ``key``."""
        ...


def check_failure_mode(on_error: str) -> str:
    """Return ``on_error`` if it is one of :data:`FAILURE_MODES`, else raise ValueError."""
    if not isinstance(on_error, str) or on_error not in FAILURE_MODES:
        raise ValueError(
            f"on_error must be one of {FAILURE_MODES} ('open' admits, 'closed' rejects while the store is "
            f"down, 'raise' propagates StoreUnavailable), got {on_error!r}"
        )
    return on_error
