"""Retries: only of idempotent calls, with exponential backoff, jitter, capped attempts and a budget.

Backoff (Brooker, "Exponential Backoff and Jitter", AWS Architecture Blog 2015): after the n-th
consecutive failure (n = 1, 2, ...) the un-jittered wait is ``v(n) = min(cap, base * 2**n)``, and

* ``none``:          wait ``v(n)``
* ``full``:          wait ``U(0, v(n))``
* ``equal``:         wait ``v(n)/2 + U(0, v(n)/2)``
* ``decorrelated``:  wait ``min(cap, U(base, 3 * previous wait))``, the previous wait starting at base.

:meth:`Backoff.table` prints the documented delay table for any of them given a seeded generator.

A retry budget stops retry storms: without one, every layer multiplies load by its attempt count
exactly when the dependency is weakest. :class:`RetryBudget` is token-based like gRPC's retry
throttling (gRFC A6): tokens start at ``max_tokens``; a failure costs 1, a success refunds
``token_ratio``; retries are allowed only while tokens exceed half of ``max_tokens``. (The AWS SDKs'
retry quota is the same shape with different constants: 500 tokens, 5 per retry, 1 back per success.)
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

JITTERS = ("none", "full", "equal", "decorrelated")


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with a jitter; times in seconds (or any unit, as long as it is one unit)."""

    base: float = 0.05
    cap: float = 5.0
    jitter: str = "full"

    def __post_init__(self) -> None:
        if not self.base > 0:
            raise ValueError(f"base must be > 0, got {self.base!r}")
        if not self.cap >= self.base:
            raise ValueError(f"cap must be >= base ({self.base!r}), got {self.cap!r}")
        if self.jitter not in JITTERS:
            raise ValueError(f"jitter must be one of {JITTERS}, got {self.jitter!r}")

    def ceiling(self, n: int) -> float:
        """The un-jittered wait after the n-th failure, ``min(cap, base * 2**n)``."""
        if n < 1:
            raise ValueError(f"n (failures so far) must be >= 1, got {n!r}")
        return self.cap if n >= 64 else min(self.cap, self.base * 2.0 ** n)

    def delay(self, n: int, rng: random.Random, previous: float | None = None) -> float:
        """Wait after the n-th failure; ``previous`` is the last wait (decorrelated jitter only)."""
        if self.jitter == "decorrelated":
            prev = self.base if previous is None else previous
            return min(self.cap, rng.uniform(self.base, 3 * prev))
        v = self.ceiling(n)
        if self.jitter == "none":
            return v
        if self.jitter == "full":
            return rng.uniform(0, v)
        return v / 2 + rng.uniform(0, v / 2)

    def table(self, failures: int, rng: random.Random) -> list[float]:
        """Waits after failures 1..``failures`` (one client's sequence)."""
        out: list[float] = []
        prev = None
        for n in range(1, failures + 1):
            prev = self.delay(n, rng, prev)
            out.append(prev)
        return out


@dataclass
class RetryBudget:
    """Token bucket of retry permission shared by all calls to one dependency (gRPC retry throttling)."""

    max_tokens: float = 10.0
    token_ratio: float = 0.1
    tokens: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if not self.max_tokens > 0:
            raise ValueError(f"max_tokens must be > 0, got {self.max_tokens!r}")
        if not self.token_ratio > 0:
            raise ValueError(f"token_ratio must be > 0, got {self.token_ratio!r}")
        if self.tokens < 0:
            self.tokens = float(self.max_tokens)

    def on_success(self) -> None:
        self.tokens = min(self.max_tokens, self.tokens + self.token_ratio)

    def on_failure(self) -> None:
        self.tokens = max(0.0, self.tokens - 1)

    def can_retry(self) -> bool:
        return self.tokens > self.max_tokens / 2


class RetryRefused(RuntimeError):
    """Raised by :meth:`RetryPolicy.call` to explain why the last failure was not retried."""


@dataclass
class RetryPolicy:
    """How many attempts, how long between them, and under which budget.

    ``next_delay`` is the pure rule simulations use; ``call`` runs a real function with an injected
    ``sleep``. Non-idempotent calls are never retried: a retried charge is a double charge.
    """

    max_attempts: int = 3
    backoff: Backoff = field(default_factory=Backoff)
    budget: RetryBudget | None = None
    retry_on: tuple = (Exception,)

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError(f"max_attempts must be an integer >= 1, got {self.max_attempts!r}")

    def next_delay(self, failures: int, rng: random.Random, *, idempotent: bool, previous: float | None = None,
                   time_left: float | None = None) -> float | None:
        """After ``failures`` failed attempts: the wait before the next attempt, or None to give up.

        Gives up when the call is not idempotent, attempts are exhausted, the budget is spent, or the
        wait would not fit in ``time_left`` (the caller's deadline).
        """
        if not idempotent or failures >= self.max_attempts:
            return None
        if self.budget is not None and not self.budget.can_retry():
            return None
        wait = self.backoff.delay(failures, rng, previous)
        if time_left is not None and wait >= time_left:
            return None
        return wait

    def call(self, fn, *, idempotent: bool, sleep, rng: random.Random, deadline=None):
        """Call ``fn()`` until it succeeds or the policy gives up; ``sleep(seconds)`` is injected."""
        failures, previous = 0, None
        while True:
            try:
                result = fn()
            except self.retry_on as exc:
                failures += 1
                if self.budget is not None:
                    self.budget.on_failure()
                left = deadline.remaining() if deadline is not None else None
                wait = self.next_delay(failures, rng, idempotent=idempotent, previous=previous, time_left=left)
                if wait is None:
                    raise exc
                previous = wait
                sleep(wait)
                continue
            if self.budget is not None:
                self.budget.on_success()
            return result
