"""The rate limiter a caller uses: a strategy (how) over a store (where) enforcing limits (what).

>>> from distlab.reliability import RateLimiter, ManualClock
>>> clock = ManualClock(0.0)
>>> rl = RateLimiter("token-bucket", limits="2/second", clock=clock)
>>> [rl.hit("alice") for _ in range(3)]
[True, True, False]
>>> clock.advance(0.5); rl.hit("alice")
0.5
True

Verbs, as in the ``limits`` library: ``hit`` (decide and record), ``test`` (decide, record
nothing), ``stats`` (remaining and retry-after per limit). Each key may carry several limits
(``"10/second; 100/minute"``: a request passes only if all have room, and is then charged to all),
and keys may have their own limits (``per_key``). A request may cost more than one unit.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from distlab.validate import ParameterTypeError, instant, integer, text

from .clock import require_clock
from .fixed_window import FixedWindow
from .gcra import GCRA
from .limits_spec import LimitSpec, RateLimit, parse_limits
from .memory_store import MemoryStore
from .sliding_log import SlidingLog
from .sliding_window import SlidingWindowCounter
from .store import Store
from .strategy import LimitStats, Strategy
from .token_bucket import TokenBucket

STRATEGIES: dict[str, type[Strategy[Any]]] = {
    cls.name: cls for cls in (TokenBucket, GCRA, FixedWindow, SlidingLog, SlidingWindowCounter)
}


def make_strategy(name: str | Strategy[Any], **options: Any) -> Strategy[Any]:
    """``make_strategy("fixed-window", align="first-hit")`` -> a strategy instance."""
    if isinstance(name, Strategy):
        if options:
            raise ValueError("options are only accepted with a strategy name, not an instance")
        return name
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {sorted(STRATEGIES)}, got {name!r}")
    cls = STRATEGIES[name]
    accepted = [p for p in inspect.signature(cls).parameters if p != "self"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        offered = f"its options are {accepted}" if accepted else "it takes no options"
        raise ParameterTypeError(f"strategy {name!r} got unknown option(s) {unknown}: {offered}")
    return cls(**options)


class RateLimiter:
    """A strategy (how) over a store (where) enforcing limits (what), with the ``limits`` verbs."""

    def __init__(self, strategy: str | Strategy[Any], store: Store | None = None, limits: LimitSpec = "10/second",
                 *, clock: Callable[[], float], per_key: Mapping[str, LimitSpec] | None = None,
                 namespace: str = "", **options: Any) -> None:
        require_clock(clock)
        text("namespace", namespace)
        self.strategy = make_strategy(strategy, **options)
        self.store: Store = MemoryStore() if store is None else store
        self.limits = parse_limits(limits)
        self.per_key = {k: parse_limits(v) for k, v in (per_key or {}).items()}
        self.clock = clock
        self.namespace = namespace or self.strategy.name
        self._keys: dict[str, tuple[list[str], list[RateLimit]]] = {}

    def _plan(self, key: str) -> tuple[list[str], list[RateLimit]]:
        plan = self._keys.get(key)
        if plan is None:
            if not isinstance(key, str):
                raise ValueError(f"key must be a string, got {key!r}")
            limits = self.per_key.get(key, self.limits)
            keys = [f"{self.namespace}/{key}/{lim.slug}" for lim in limits]
            plan = self._keys[key] = (keys, limits)
        return plan

    def _now(self) -> float:
        return instant("clock()", self.clock())  # a NaN time would make every comparison False

    def _cost(self, cost: object) -> int:
        integer("cost", cost)
        return cost  # type: ignore[return-value]  # integer() has checked it

    def hit(self, key: str = "", cost: int = 1) -> bool:
        """Admit and record ``cost`` units for ``key`` if every limit has room; return whether admitted."""
        keys, limits = self._keys.get(key) or self._plan(key)
        if type(cost) is not int or cost != 1:  # fast path for the usual cost; True == 1 is still refused
            self._cost(cost)
        return self.store.evaluate(self.strategy, keys, limits, cost, self._now(), True)

    def test(self, key: str = "", cost: int = 1) -> bool:
        """Would ``hit`` admit now? Records nothing."""
        keys, limits = self._plan(key)
        return self.store.evaluate(self.strategy, keys, limits, self._cost(cost), self._now(), False)

    def stats(self, key: str = "") -> list[LimitStats]:
        """Per limit: remaining units now and seconds until one more unit fits."""
        keys, limits = self._plan(key)
        return self.store.stats(self.strategy, keys, limits, self._now())

    def size(self, key: str = "") -> int:
        """Stored entries for ``key`` (constant except for the sliding log)."""
        return self.store.size(self.strategy, f"{self.namespace}/{key}")

    def clear(self, key: str = "") -> None:
        """Forget everything stored for ``key``."""
        self.store.clear(f"{self.namespace}/{key}")

    def __repr__(self) -> str:
        return f"RateLimiter({self.strategy!r}, limits={[str(lim) for lim in self.limits]})"
