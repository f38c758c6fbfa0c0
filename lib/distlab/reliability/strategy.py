"""The *how* of rate limiting: the interface every limiter strategy implements.

A strategy is pure: given the stored ``state`` for one (key, limit) pair, the limit, the request's
``cost`` and the injected time ``now``, it says whether to admit and what state to store. It never
locks, sleeps or reads a clock -- the store (:mod:`.memory_store`, :mod:`.redis_store`) provides
atomicity, and the limiter (:mod:`.limiter`) provides ``now``.

The contract, which ``Strategy[StateT]`` lets the type checker hold every strategy and store to:

* ``apply(state, ..., consume=False)`` (the ``test`` verb) and ``stats`` never change the ``state``
  they are given;
* ``apply(state, ..., consume=True)`` returns the state to store, or None when nothing must be
  written; it may build that state by updating the given object in place (the sliding log appends
  to its deque rather than copy the whole log on every hit), so a store must write back what it gets;
* ``charge_rejected``: whether a rejected ``hit`` still records its cost (only the fixed window
  offers it, for ``limits``' behaviour); a store charging several limits at once honours it.

For Redis each strategy also names a Lua script (``<name>.lua`` next to this module) implementing the
same rules, so that every decision is one atomic round trip, and the options the script needs.
"""
from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

from .limits_spec import RateLimit

#: The type of the state a strategy stores for one (key, limit) pair.
StateT = TypeVar("StateT")

EPS = 1e-9  # float slack for "tokens >= cost" style comparisons (documented in docs/reliability.md)


class LimitStats(NamedTuple):
    """The ``stats`` verb's answer for one limit: what is left now and when one more unit fits."""

    limit: RateLimit
    remaining: int
    retry_after: float


class Strategy(Generic[StateT]):
    """Base class: subclasses set ``name`` and ``lua`` and implement :meth:`apply` and :meth:`stats`."""

    name: str = "strategy"
    lua: str = ""
    #: whether a rejected hit still consumes (the ``limits`` fixed window does; see FixedWindow)
    charge_rejected: bool = False

    def apply(self, state: StateT | None, limit: RateLimit, cost: int, now: float,
              consume: bool) -> tuple[bool, StateT | None]:
        """Return ``(admitted, new_state)``; ``new_state`` is None when nothing must be written.

        With ``consume=False`` (the ``test`` verb) the decision is the same but nothing is recorded
        and ``state`` is left exactly as it was.
        """
        raise NotImplementedError

    def stats(self, state: StateT | None, limit: RateLimit, now: float) -> LimitStats:
        """What is left of ``limit`` at ``now`` and how long until one more unit fits; pure."""
        raise NotImplementedError

    def size(self, state: StateT | None) -> int:
        """How many stored numbers this state holds (the sliding log's memory growth shows here)."""
        raise NotImplementedError

    def lua_options(self) -> list[str]:
        """Extra ARGV strings the Lua script reads as ``opts`` (conventions such as alignment)."""
        return []

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({opts})"
