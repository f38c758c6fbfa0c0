"""Three of the chapter's claims, shown by experiment with a measured result instead of only stated.

* :func:`retried_charges` -- "retry only idempotent calls": a charge whose reply is lost, retried,
  charges twice; not retrying leaves the caller not knowing; an idempotency key makes the retry safe.
* :func:`check_then_increment_race` -- two servers that read the count and then write it back both
  admit the last slot (and the counter even loses one of the two increments); one atomic Lua
  script per decision admits exactly one.
* :func:`fixed_window_key_ttl` -- the fixed window's ``INCR`` key carries a TTL of one window, set
  when the key is new, so an idle key's memory is bounded: Redis drops it when the TTL runs out.
"""
from __future__ import annotations

import random
from typing import Any, NamedTuple

from distlab.validate import integer, number, text

from .clock import ManualClock
from .limiter import RateLimiter
from .limits_spec import RateLimit
from .redis_store import RedisStore
from .retry import Backoff, RetryPolicy, RetryRefused


class ChargeRun(NamedTuple):
    """One way of calling a payment whose first reply is lost: attempts made, cards charged, and what
    the caller was told."""

    way: str
    attempts: int
    charged: int
    caller_saw: str


class _Payments:
    """A payment service that applies every charge and loses the reply to the first one (a timeout)."""

    def __init__(self, honour_keys: bool) -> None:
        self.honour_keys = honour_keys
        self.charged = 0
        self.calls = 0
        self.seen: set[str] = set()

    def charge(self, key: str) -> str:
        self.calls += 1
        if not (self.honour_keys and key in self.seen):
            self.charged += 1  # the card is charged...
            self.seen.add(key)
        if self.calls == 1:
            raise TimeoutError("the reply was lost")  # ...but the caller never hears so
        return "ok"


def _charge(way: str, retry: bool, honour_keys: bool) -> ChargeRun:
    service = _Payments(honour_keys)
    policy = RetryPolicy(3, Backoff(0.05, 1.0, "full"))
    try:
        policy.call(lambda: service.charge("order-42"), idempotent=retry, sleep=lambda _s: None,
                    rng=random.Random(0))
        saw = "paid"
    except RetryRefused as exc:
        saw = f"error ({exc.reason}): paid or not?"
    return ChargeRun(way, service.calls, service.charged, saw)


def retried_charges() -> list[ChargeRun]:
    """The same lost reply met three ways: retried blindly, not retried, retried with an idempotency key."""
    return [_charge("retry a plain charge", retry=True, honour_keys=False),
            _charge("do not retry it", retry=False, honour_keys=False),
            _charge("retry with an idempotency key", retry=True, honour_keys=True)]


class RaceResult(NamedTuple):
    """Two servers deciding on the last free slot of a limit: admitted by each way, and the counter after."""

    limit: int
    racy_admitted: int
    racy_counter: int
    atomic_admitted: int


def check_then_increment_race(client: Any, limit: int = 10, namespace: str = "distlab:shown:race") -> RaceResult:
    """Two servers find ``limit - 1`` requests counted. Read-then-write (GET, compare, SET) interleaved
    as GET, GET, SET, SET admits both; the library's one-script decision admits one."""
    integer("limit", limit, low=2)
    text("namespace", namespace)
    key = f"{namespace}:counter"
    client.set(key, limit - 1)
    seen = [int(client.get(key)), int(client.get(key))]  # both servers read before either writes
    admitted = 0
    for count in seen:
        if count < limit:
            client.set(key, count + 1)  # each writes back what it read plus one: one increment is lost
            admitted += 1
    racy_counter = int(client.get(key))
    client.delete(key)
    clock = ManualClock(0.0)
    rl = RateLimiter("fixed-window", RedisStore(client), RateLimit(limit, 60.0), clock=clock, namespace=namespace)
    rl.clear("k")
    for _ in range(limit - 1):
        rl.hit("k")
    atomic = sum(rl.hit("k") for _server in range(2))
    rl.clear("k")
    return RaceResult(limit, admitted, racy_counter, atomic)


class KeyLife(NamedTuple):
    """The fixed window's Redis key after one hit: its TTL (ms) against the window it counts."""

    ttl_ms: int
    window_s: float

    @property
    def bounded(self) -> bool:
        """Whether the key expires on its own within one window (so an idle key costs no memory after it)."""
        return 0 < self.ttl_ms <= self.window_s * 1000


def fixed_window_key_ttl(client: Any, window: float = 1.0, prefix: str = "distlab:shown:ttl:") -> KeyLife:
    """One hit on an epoch fixed window over Redis (no TTL floor): the key ``INCR`` created carries a
    TTL of one window, set in the same script (the key is new when ``INCRBY`` returns the cost)."""
    number("window (seconds)", window, low=0.001, high=86400.0)
    text("prefix", prefix)
    store = RedisStore(client, prefix=prefix, ttl_floor=0.0)
    rl = RateLimiter("fixed-window", store, RateLimit(5, window), clock=ManualClock(0.0), namespace="fw")
    rl.clear("k")
    rl.hit("k")
    key = next(iter(client.scan_iter(f"{prefix}fw/k/*")))
    life = KeyLife(int(client.pttl(key)), window)
    rl.clear("k")
    return life
