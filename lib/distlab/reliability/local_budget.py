"""Local budgets: at very high request rates, decide locally and sync with Redis only periodically.

One Redis round trip per decision costs ~0.1 ms and caps a node at a few thousand decisions per second
per connection. A local budget trades precision for that latency: each node counts what it admitted
since its last sync (``pending``) and may admit up to its share of what the fleet has left in the
current window; every ``sync_interval`` seconds it adds ``pending`` to the shared per-window counter
(one ``INCRBY``, which also returns the fleet total) and takes a fresh share,
``(limit - total) / nodes``. Between syncs its picture of the fleet is stale, so the fleet may admit
a little more (or, when traffic is uneven across nodes, less) than the limit -- the longer the
interval, the fewer round trips and the larger that error. :func:`simulate_local_budgets` measures
both sides of the trade-off; ``sync_interval=0`` is the exact central limiter for comparison.

Counters: :class:`MemoryCounter` (one process) and :class:`RedisCounter` (``INCRBY`` with a TTL set
only when the key is new, one Lua round trip).
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from distlab.validate import ParameterTypeError, integer, number, text

from .clock import require_clock
from .limits_spec import RateLimit

_INCR_LUA = """
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v
"""


class Counter(Protocol):
    """A shared per-window counter: ``incr`` adds and returns the new total (one round trip)."""

    round_trips: int

    def incr(self, key: str, amount: int, ttl: float) -> int:
        """Add ``amount`` to ``key`` (which expires ``ttl`` seconds after it is created); return the total."""
        ...


class MemoryCounter(Counter):
    """A :class:`Counter` in this process (a dict); counts round trips as if it were remote."""

    def __init__(self) -> None:
        self.values: dict[str | int, int] = {}  # the simulation's exact limiter keys it by window index
        self.round_trips = 0

    def incr(self, key: str, amount: int, ttl: float) -> int:
        """Add ``amount`` to ``key``'s count and return the new count (``ttl`` is not needed here)."""
        self.round_trips += 1
        self.values[key] = self.values.get(key, 0) + amount
        return self.values[key]


class RedisCounter(Counter):
    """A :class:`Counter` on Redis: ``INCRBY`` with a TTL set when the key is new, one Lua round trip."""

    def __init__(self, client: Any, prefix: str = "distlab:lb:") -> None:
        self.client = client
        self.prefix = prefix
        self.round_trips = 0
        self._script = client.register_script(_INCR_LUA)

    def incr(self, key: str, amount: int, ttl: float) -> int:
        """``INCRBY`` ``key`` by ``amount`` (expiring after ``ttl`` seconds if new); the new count."""
        self.round_trips += 1
        return int(self._script(keys=[self.prefix + key], args=[amount, max(1, math.ceil(ttl * 1000))]))


class LocalBudget:
    """One node's local allowance for ``key`` under a fleet-wide epoch fixed-window ``limit``."""

    def __init__(self, counter: Counter, key: str, limit: RateLimit, *, nodes: int, sync_interval: float,
                 clock: Callable[[], float]) -> None:
        integer("nodes", nodes)
        number("sync_interval (seconds, 0 = every request)", sync_interval, low=0)
        text("key", key)
        if not isinstance(limit, RateLimit):
            raise ParameterTypeError(f"limit must be a RateLimit, got {limit!r}")
        require_clock(clock)
        self.counter, self.key, self.limit = counter, key, limit
        self.nodes, self.sync_interval, self.clock = nodes, sync_interval, clock
        self.window_index: int | None = None
        self.pending = 0
        self.spent = 0.0
        self.allowance = 0.0
        self.next_sync = -math.inf

    def _sync(self, now: float, idx: int) -> None:
        if idx != self.window_index:  # a new window: anything pending belonged to the old one
            if self.pending and self.window_index is not None:
                self.counter.incr(f"{self.key}:{self.window_index}", self.pending, 2 * self.limit.window)
            self.window_index, self.pending = idx, 0
        total = self.counter.incr(f"{self.key}:{idx}", self.pending, 2 * self.limit.window)
        self.pending, self.spent = 0, 0.0
        self.allowance = max(0.0, (self.limit.amount - total) / self.nodes)
        self.next_sync = now + self.sync_interval

    def hit(self, cost: int = 1) -> bool:
        """Admit ``cost`` units if this node's share has room (syncing first when it is due)."""
        now = self.clock()
        idx = math.floor(now / self.limit.window)
        if idx != self.window_index or now >= self.next_sync:
            self._sync(now, idx)
        if self.spent + cost <= self.allowance + 1e-9:
            self.spent += cost
            self.pending += cost
            return True
        return False


@dataclass(frozen=True)
class BudgetRun:
    """What :func:`simulate_local_budgets` measured: precision (overshoot, shortfall) and round trips."""

    sync_interval: float
    requests: int
    admitted: int
    round_trips: int
    worst_window: int  # most admitted in one window, fleet-wide
    mean_overshoot: float  # mean over windows of max(0, admitted - limit) / limit
    mean_shortfall: float  # mean over windows of max(0, min(demand, limit) - admitted) / limit

    @property
    def round_trips_per_request(self) -> float:
        """Store round trips per request (1 for the central limiter)."""
        return self.round_trips / max(1, self.requests)


def simulate_local_budgets(*, nodes: int = 4, rate: float = 2000.0, limit: RateLimit = RateLimit(1000, 1.0),
                           sync_interval: float = 0.1, duration: float = 20.0, skew: float = 0.0,
                           seed: int = 0) -> BudgetRun:
    """Poisson traffic at ``rate`` req/s spread over ``nodes`` (``skew`` in [0, 1) favours node 0)."""
    integer("nodes", nodes)
    number("skew", skew, low=0, high=1, high_open=True)
    number("rate", rate, low=0, low_open=True)
    number("duration", duration, low=0, low_open=True)
    integer("seed", seed, low=None)
    rng = random.Random(seed)
    counter = MemoryCounter()
    clock = _Now()
    budgets = [LocalBudget(counter, "k", limit, nodes=nodes, sync_interval=sync_interval, clock=clock)
               for _ in range(nodes)]
    weights = [skew + (1 - skew) / nodes] + [(1 - skew) / nodes] * (nodes - 1)
    admitted_per: dict[int, int] = {}
    demand_per: dict[int, int] = {}
    requests = admitted = 0
    t = rng.expovariate(rate)
    while t < duration:
        clock.t = t
        w = math.floor(t / limit.window)
        demand_per[w] = demand_per.get(w, 0) + 1
        requests += 1
        if sync_interval == 0:  # the exact central limiter: one round trip, decide on the true total
            total = counter.values.get(w, 0)
            counter.round_trips += 1
            ok = total < limit.amount
            if ok:
                counter.values[w] = total + 1
        else:
            ok = budgets[rng.choices(range(nodes), weights)[0]].hit()
        if ok:
            admitted += 1
            admitted_per[w] = admitted_per.get(w, 0) + 1
        t += rng.expovariate(rate)
    over = [max(0, admitted_per.get(w, 0) - limit.amount) / limit.amount for w in demand_per]
    short = [max(0, min(d, limit.amount) - admitted_per.get(w, 0)) / limit.amount for w, d in demand_per.items()]
    return BudgetRun(sync_interval, requests, admitted, counter.round_trips, max(admitted_per.values(), default=0),
                     sum(over) / len(over), sum(short) / len(short))


class _Now:
    t = 0.0

    def __call__(self) -> float:
        return self.t
