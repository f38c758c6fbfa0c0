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

from typing import Callable, Mapping

from .clock import require_clock
from .fixed_window import FixedWindow
from .gcra import GCRA
from .limits_spec import parse_limits
from .memory_store import MemoryStore
from .sliding_log import SlidingLog
from .sliding_window import SlidingWindowCounter
from .strategy import Strategy
from .token_bucket import TokenBucket

STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (TokenBucket, GCRA, FixedWindow, SlidingLog, SlidingWindowCounter)
}


def make_strategy(name: "str | Strategy", **options) -> Strategy:
    """``make_strategy("fixed-window", align="first-hit")`` -> a strategy instance."""
    if isinstance(name, Strategy):
        if options:
            raise ValueError("options are only accepted with a strategy name, not an instance")
        return name
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {sorted(STRATEGIES)}, got {name!r}")
    return STRATEGIES[name](**options)


class RateLimiter:
    def __init__(self, strategy: "str | Strategy", store=None, limits="10/second", *,
                 clock: Callable[[], float], per_key: Mapping[str, object] | None = None,
                 namespace: str = "", **options) -> None:
        require_clock(clock)
        self.strategy = make_strategy(strategy, **options)
        self.store = MemoryStore() if store is None else store
        self.limits = parse_limits(limits)
        self.per_key = {k: parse_limits(v) for k, v in (per_key or {}).items()}
        self.clock = clock
        self.namespace = namespace or self.strategy.name
        self._keys: dict[str, tuple] = {}

    def _plan(self, key: str) -> tuple:
        plan = self._keys.get(key)
        if plan is None:
            if not isinstance(key, str):
                raise ValueError(f"key must be a string, got {key!r}")
            limits = self.per_key.get(key, self.limits)
            keys = [f"{self.namespace}/{key}/{lim.slug}" for lim in limits]
            plan = self._keys[key] = (keys, limits)
        return plan

    def _cost(self, cost) -> int:
        if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
            raise ValueError(f"cost must be an integer >= 1, got {cost!r}")
        return cost

    def hit(self, key: str = "", cost: int = 1) -> bool:
        """Admit and record ``cost`` units for ``key`` if every limit has room; return whether admitted."""
        keys, limits = self._keys.get(key) or self._plan(key)
        if cost != 1:
            self._cost(cost)
        return self.store.evaluate(self.strategy, keys, limits, cost, self.clock(), True)

    def test(self, key: str = "", cost: int = 1) -> bool:
        """Would ``hit`` admit now? Records nothing."""
        keys, limits = self._plan(key)
        return self.store.evaluate(self.strategy, keys, limits, self._cost(cost), self.clock(), False)

    def stats(self, key: str = ""):
        """Per limit: remaining units now and seconds until one more unit fits."""
        keys, limits = self._plan(key)
        return self.store.stats(self.strategy, keys, limits, self.clock())

    def size(self, key: str = "") -> int:
        """Stored entries for ``key`` (constant except for the sliding log)."""
        return self.store.size(self.strategy, f"{self.namespace}/{key}")

    def clear(self, key: str = "") -> None:
        self.store.clear(f"{self.namespace}/{key}")

    def __repr__(self) -> str:
        return f"RateLimiter({self.strategy!r}, limits={[str(l) for l in self.limits]})"
