"""Retries: only of idempotent calls, with exponential backoff, jitter, capped attempts and a budget.

Backoff (Brooker, "Exponential Backoff and Jitter", AWS Architecture Blog 2015): after the n-th
consecutive failure (n = 1, 2, ...) the un-jittered wait is ``v(n) = min(cap, base * 2**n)``. The
strategies carry the post's names, the same in :mod:`.backoff_study` and the notebook (:data:`JITTERS`):

* ``none``:          no wait at all (retry at once: the post's "no backoff")
* ``exponential``:   wait ``v(n)`` (exponential backoff without jitter)
* ``equal``:         wait ``v(n)/2 + U(0, v(n)/2)``
* ``full``:          wait ``U(0, v(n))``
* ``decorrelated``:  wait ``min(cap, U(base, 3 * previous wait))``, the previous wait starting at base.

:meth:`Backoff.table` prints the documented delay table for any of them given a seeded generator.

When a policy gives up it says why: :meth:`RetryPolicy.decide` returns one of :data:`REFUSALS` as
the reason, and :meth:`RetryPolicy.call` raises :class:`RetryRefused` carrying that reason, chained
(``raise ... from``) to the last error.

A retry budget stops retry storms: without one, every layer multiplies load by its attempt count
exactly when the dependency is weakest. :class:`RetryBudget` is token-based like gRPC's retry
throttling (gRFC A6): tokens start at ``max_tokens``; a failure costs 1, a success refunds
``token_ratio``; retries are allowed only while tokens exceed half of ``max_tokens``. (The AWS SDKs'
retry quota is the same shape with different constants: 500 tokens, 5 per retry, 1 back per success.)
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, TypeVar

from distlab.validate import ParameterTypeError, integer, number

T = TypeVar("T")

#: Backoff strategies, in the order of Brooker's post (``backoff_study.STRATEGIES`` is this tuple).
JITTERS = ("none", "exponential", "equal", "full", "decorrelated")

#: Why a policy does not retry, in the order :meth:`RetryPolicy.decide` checks.
NOT_IDEMPOTENT = "not idempotent"
ATTEMPTS_EXHAUSTED = "attempts exhausted"
BUDGET_SPENT = "retry budget spent"
DEADLINE = "wait would pass the deadline"
REFUSALS = (NOT_IDEMPOTENT, ATTEMPTS_EXHAUSTED, BUDGET_SPENT, DEADLINE)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with a jitter; times in seconds (or any unit, as long as it is one unit)."""

    base: float = 0.05
    cap: float = 5.0
    jitter: str = "full"

    def __post_init__(self) -> None:
        number("base", self.base, low=0, low_open=True)
        number("cap", self.cap, low=self.base)  # finite: Backoff(inf, inf) would wait forever
        if not isinstance(self.jitter, str) or self.jitter not in JITTERS:
            raise ValueError(f"jitter must be one of {JITTERS} (Brooker's names: 'none' waits 0, 'exponential' "
                             f"is the un-jittered v(n)), got {self.jitter!r}")

    def ceiling(self, n: int) -> float:
        """The un-jittered wait after the n-th failure, ``min(cap, base * 2**n)``."""
        if n < 1:
            raise ValueError(f"n (failures so far) must be >= 1, got {n!r}")
        return self.cap if n >= 64 else min(self.cap, self.base * 2.0 ** n)  # (2**64 would overflow: cap)

    def delay(self, n: int, rng: random.Random, previous: float | None = None) -> float:
        """Wait after the n-th failure; ``previous`` is the last wait (decorrelated jitter only)."""
        if self.jitter == "decorrelated":
            prev = self.base if previous is None else previous
            return min(self.cap, rng.uniform(self.base, 3 * prev))
        if self.jitter == "none":  # Brooker's "no backoff": retry at once
            return 0.0
        v = self.ceiling(n)
        if self.jitter == "exponential":  # backoff without jitter: every client waits the same
            return v
        if self.jitter == "full":
            return rng.uniform(0, v)
        return v / 2 + rng.uniform(0, v / 2)  # "equal": half the ceiling, plus up to half again

    def table(self, failures: int, rng: random.Random) -> list[float]:
        """Waits after failures 1..``failures`` (one client's sequence)."""
        out: list[float] = []
        prev: float | None = None
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
        number("max_tokens", self.max_tokens, low=0, low_open=True)
        number("token_ratio", self.token_ratio, low=0, low_open=True)
        number("tokens", self.tokens, low=-1, high=self.max_tokens)  # -1 (the default): start full
        if self.tokens < 0:
            self.tokens = float(self.max_tokens)

    def on_success(self) -> None:
        """A success refunds ``token_ratio`` tokens (up to ``max_tokens``)."""
        self.tokens = min(self.max_tokens, self.tokens + self.token_ratio)

    def on_failure(self) -> None:
        """A failure costs one token."""
        self.tokens = max(0.0, self.tokens - 1)

    def can_retry(self) -> bool:
        """Retries are allowed only while more than half the tokens are left."""
        return self.tokens > self.max_tokens / 2


class RetryRefused(RuntimeError):
    """Raised by :meth:`RetryPolicy.call` when it gives up: ``reason`` (one of :data:`REFUSALS`) says why.

    It is chained to the last error (``__cause__``), which ``last_error`` also holds; ``attempts``
    counts the calls made.
    """

    def __init__(self, reason: str, attempts: int, last_error: BaseException) -> None:
        super().__init__(f"not retried after {attempts} attempt(s): {reason} (last error: {last_error!r})")
        self.reason = reason
        self.attempts = attempts
        self.last_error = last_error


class RetryDecision(NamedTuple):
    """What a policy decided after a failure: wait ``wait`` seconds, or give up (``wait`` None) for ``reason``."""

    wait: float | None
    reason: str | None = None


class _Deadline(Protocol):
    def remaining(self) -> float: ...


@dataclass
class RetryPolicy:
    """How many attempts, how long between them, and under which budget.

    ``decide`` (and ``next_delay``, its wait alone) is the pure rule simulations use; ``call`` runs a
    real function with an injected ``sleep``. Non-idempotent calls are never retried: a retried
    charge is a double charge.
    """

    max_attempts: int = 3
    backoff: Backoff = field(default_factory=Backoff)
    budget: RetryBudget | None = None
    retry_on: tuple[type[BaseException], ...] = (Exception,)

    def __post_init__(self) -> None:
        integer("max_attempts", self.max_attempts)
        if not isinstance(self.backoff, Backoff):
            raise ParameterTypeError(f"backoff must be a Backoff, got {self.backoff!r}")
        if self.budget is not None and not isinstance(self.budget, RetryBudget):
            raise ParameterTypeError(f"budget must be a RetryBudget or None, got {self.budget!r}")

    def decide(self, failures: int, rng: random.Random, *, idempotent: bool, previous: float | None = None,
               time_left: float | None = None) -> RetryDecision:
        """After ``failures`` failed attempts: the wait before the next attempt, or why not to retry.

        Gives up (in this order) when the call is not idempotent, attempts are exhausted, the budget
        is spent, or the wait would not fit in ``time_left`` (the caller's deadline). A jittered wait
        is drawn from ``rng`` only once the first three checks pass.
        """
        if not idempotent:
            return RetryDecision(None, NOT_IDEMPOTENT)
        if failures >= self.max_attempts:
            return RetryDecision(None, ATTEMPTS_EXHAUSTED)
        if self.budget is not None and not self.budget.can_retry():
            return RetryDecision(None, BUDGET_SPENT)
        wait = self.backoff.delay(failures, rng, previous)
        if time_left is not None and wait >= time_left:
            return RetryDecision(None, DEADLINE)
        return RetryDecision(wait)

    def next_delay(self, failures: int, rng: random.Random, *, idempotent: bool, previous: float | None = None,
                   time_left: float | None = None) -> float | None:
        """:meth:`decide`'s wait alone: seconds before the next attempt, or None to give up."""
        return self.decide(failures, rng, idempotent=idempotent, previous=previous, time_left=time_left).wait

    def call(self, fn: Callable[[], T], *, idempotent: bool, sleep: Callable[[float], object], rng: random.Random,
             deadline: _Deadline | None = None) -> T:
        """Call ``fn()`` until it succeeds or the policy gives up; ``sleep(seconds)`` is injected.

        Giving up raises :class:`RetryRefused` with the reason, chained to the last error. Errors
        that are not in ``retry_on`` propagate at once, unchanged.
        """
        failures, previous = 0, None
        while True:
            try:
                result = fn()
            except self.retry_on as exc:
                failures += 1
                if self.budget is not None:
                    self.budget.on_failure()
                left = deadline.remaining() if deadline is not None else None
                wait, reason = self.decide(failures, rng, idempotent=idempotent, previous=previous, time_left=left)
                if wait is None:
                    raise RetryRefused(reason or "", failures, exc) from exc
                previous = wait
                sleep(wait)
                continue
            if self.budget is not None:
                self.budget.on_success()
            return result
