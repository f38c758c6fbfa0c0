"""Token bucket: tokens drip in at ``rate`` up to ``capacity``; a request spends ``cost`` tokens.

A full bucket lets a burst of ``capacity`` through at once; after that callers are throttled to the
refill rate. Over any interval of length t it admits at most ``capacity + rate * t`` units -- the
guarantee :func:`distlab.reliability.invariants.bucket_bound_holds` checks. State is two numbers:
the token count and when it was last refilled (refill is computed lazily on each request, so no
timer runs). The Redis version is ``token_bucket.lua``: read, refill, spend, write in one script.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from .limits_spec import RateLimit
from .strategy import EPS, LimitStats, Strategy


class BucketState(NamedTuple):
    """What a token bucket remembers between requests."""

    tokens: float  #: tokens left after the last request
    refilled_at: float  #: when ``tokens`` was last brought up to date


class TokenBucket(Strategy[BucketState]):
    """Tokens refill at ``limit.rate`` up to ``limit.capacity``; a request spends ``cost`` of them."""

    name = "token-bucket"
    lua = "token_bucket.lua"

    def _tokens(self, state: BucketState | None, limit: RateLimit, now: float) -> float:
        if state is None:
            return float(limit.capacity)
        elapsed = now - state.refilled_at
        if elapsed <= 0:
            return state.tokens
        return min(float(limit.capacity), state.tokens + elapsed * limit.rate)

    def apply(self, state: BucketState | None, limit: RateLimit, cost: int, now: float,
              consume: bool) -> tuple[bool, BucketState | None]:
        tokens = self._tokens(state, limit, now)
        if tokens + EPS >= cost:
            return True, (BucketState(tokens - cost, now) if consume else None)
        return False, None

    def stats(self, state: BucketState | None, limit: RateLimit, now: float) -> LimitStats:
        tokens = self._tokens(state, limit, now)
        wait = 0.0 if tokens + EPS >= 1 else (1 - tokens) / limit.rate
        return LimitStats(limit, max(0, math.floor(tokens + EPS)), wait)

    def size(self, state: BucketState | None) -> int:
        return 0 if state is None else 2
