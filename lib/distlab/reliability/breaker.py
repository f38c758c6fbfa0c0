"""Circuit breaker: stop calling a dependency that is failing, and probe it again after a cooldown.

State table (one class per state, as pybreaker does; listeners hear every transition):

=========  ==============================================  ==========================================
state      calls                                           transition
=========  ==============================================  ==========================================
closed     all pass; results recorded                      -> open when a trip rule fires
open       all rejected at once (:class:`CircuitOpen`)     -> half-open when ``cooldown`` has passed
half-open  only ``probes`` calls pass                      -> open on any failed or slow probe;
                                                           -> closed when all ``probes`` succeed
=========  ==============================================  ==========================================

Trip rules (any may be enabled): ``consecutive_failures`` in a row; a ``failure_rate`` at or above
the threshold over the last ``window`` calls (``window_type="count"``) or seconds (``"time"``),
once at least ``minimum_calls`` are in the window; a ``slow_call_rate`` likewise, a call being slow
when it took at least ``slow_call_duration`` (resilience4j's sliding-window breaker).
The clock is injected; nothing here sleeps.

Not every exception is a failure of the dependency: ``exclude`` (as pybreaker's) is a predicate
naming the errors that are the caller's business -- a declined card, a 404 -- and such a call
counts as a success, as it does in pybreaker. A breaker is safe to share between threads: one
re-entrant lock orders every decision, result and transition (listeners run under it, so they may
read the breaker but must not block).
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from distlab.validate import ParameterTypeError, choice, instant, integer, number, text

T = TypeVar("T")

#: ``fn(breaker, old_state_name, new_state_name, reason, now)``, called on every transition.
Listener = Callable[["CircuitBreaker", str, str, str, float], object]


class CircuitOpen(RuntimeError):
    """The breaker rejected the call without trying it."""


@dataclass(frozen=True)
class BreakerConfig:
    """When a :class:`CircuitBreaker` trips and how it recovers (the module docstring's state table).

    ``consecutive_failures``, ``failure_rate`` and ``slow_call_rate`` are trip rules (None turns one
    off); rates are judged over the last ``window`` calls (``window_type="count"``) or seconds
    (``"time"``) once ``minimum_calls`` are in it; a call is slow at ``slow_call_duration`` seconds.
    After ``cooldown`` seconds open, ``probes`` calls decide whether to close.
    """

    consecutive_failures: int | None = 5
    failure_rate: float | None = None
    slow_call_rate: float | None = None
    slow_call_duration: float | None = None
    window_type: str = "count"
    window: float = 20
    minimum_calls: int = 10
    cooldown: float = 30.0
    probes: int = 1

    def __post_init__(self) -> None:
        integer("consecutive_failures", self.consecutive_failures, none_ok=True)
        for name in ("failure_rate", "slow_call_rate"):
            number(name, getattr(self, name), low=0, high=1, low_open=True, none_ok=True)
        number("slow_call_duration", self.slow_call_duration, low=0, low_open=True, none_ok=True)
        if self.slow_call_rate is not None and self.slow_call_duration is None:
            raise ValueError("slow_call_duration must be > 0 seconds when slow_call_rate is set")
        choice("window_type", self.window_type, ("count", "time"))
        number("window (calls or seconds)", self.window, low=0, low_open=True)
        integer("minimum_calls", self.minimum_calls)
        number("cooldown (seconds)", self.cooldown, low=0, low_open=True)
        integer("probes", self.probes)


class _State:
    """One state of the machine: decides whether a call may pass and learns from each result."""

    name = "?"

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.b = breaker

    def allow(self, now: float) -> bool:
        """Whether a call may go through at ``now`` (may move the breaker to another state)."""
        raise NotImplementedError

    def on_result(self, failed: bool, slow: bool, now: float) -> None:
        """Record how an admitted call ended (may trip or close the breaker)."""
        raise NotImplementedError


class Closed(_State):
    """Every call passes; results feed the trip rules."""

    name = "closed"

    def __init__(self, breaker: CircuitBreaker) -> None:
        super().__init__(breaker)
        self.streak = 0
        self.calls: deque[tuple[float, bool, bool]] = deque()  # (time, failed, slow)
        self.failures = 0  # running counts over self.calls: O(1) per call, whatever the window
        self.slows = 0

    def allow(self, now: float) -> bool:
        return True

    def _forget_oldest(self) -> None:
        _, failed, slow = self.calls.popleft()
        self.failures -= failed
        self.slows -= slow

    def on_result(self, failed: bool, slow: bool, now: float) -> None:
        cfg = self.b.config
        self.streak = self.streak + 1 if failed else 0
        self.calls.append((now, failed, slow))
        self.failures += failed
        self.slows += slow
        if cfg.window_type == "count":
            while len(self.calls) > cfg.window:
                self._forget_oldest()
        else:
            while self.calls and self.calls[0][0] <= now - cfg.window:
                self._forget_oldest()
        reason = self._trip_reason()
        if reason:
            self.b._enter(Open(self.b, now), reason)

    def _trip_reason(self) -> str | None:
        cfg = self.b.config
        if cfg.consecutive_failures is not None and self.streak >= cfg.consecutive_failures:
            return f"{self.streak} consecutive failures"
        n = len(self.calls)
        if n < cfg.minimum_calls:
            return None
        if cfg.failure_rate is not None:
            rate = self.failures / n
            if rate >= cfg.failure_rate:
                return f"failure rate {rate:.0%} over {n} calls"
        if cfg.slow_call_rate is not None:
            rate = self.slows / n
            if rate >= cfg.slow_call_rate:
                return f"slow-call rate {rate:.0%} over {n} calls"
        return None


class Open(_State):
    """Every call is rejected until ``cooldown`` has passed."""

    name = "open"

    def __init__(self, breaker: CircuitBreaker, now: float) -> None:
        super().__init__(breaker)
        self.opened_at = now

    def allow(self, now: float) -> bool:
        if now >= self.opened_at + self.b.config.cooldown:
            half = HalfOpen(self.b)
            self.b._enter(half, "cooldown elapsed")
            return half.allow(now)
        return False

    def on_result(self, failed: bool, slow: bool, now: float) -> None:
        pass  # a call that started before the breaker opened; nothing to learn


class HalfOpen(_State):
    """Only ``probes`` calls pass; they decide between open and closed."""

    name = "half-open"

    def __init__(self, breaker: CircuitBreaker) -> None:
        super().__init__(breaker)
        self.admitted = 0
        self.succeeded = 0

    def allow(self, now: float) -> bool:
        if self.admitted < self.b.config.probes:
            self.admitted += 1
            return True
        return False

    def on_result(self, failed: bool, slow: bool, now: float) -> None:
        if failed or slow:
            self.b._enter(Open(self.b, now), "probe failed" if failed else "probe slow")
            return
        self.succeeded += 1
        if self.succeeded >= self.b.config.probes:
            self.b._enter(Closed(self.b), f"{self.succeeded} probe(s) succeeded")


class CircuitBreaker:
    """``allow()`` before a call, ``record(failed, duration)`` after it -- or ``call(fn)`` for both.

    ``exclude(exc) -> bool`` names exceptions that are not failures of the dependency (``call``
    records them as successes and re-raises them). Thread-safe.
    """

    def __init__(self, config: BreakerConfig | None = None, *, clock: Callable[[], float], name: str = "breaker",
                 listeners: Iterable[Listener] = (), exclude: Callable[[BaseException], bool] | None = None) -> None:
        if not callable(clock):
            raise ValueError(f"clock must be a zero-argument callable, got {clock!r}")
        if exclude is not None and not callable(exclude):
            raise ValueError(f"exclude must be a predicate exc -> bool (or None), got {exclude!r}")
        if config is not None and not isinstance(config, BreakerConfig):
            raise ParameterTypeError(f"config must be a BreakerConfig or None, got {config!r}")
        text("name", name)
        self.config = config or BreakerConfig()
        self.clock = clock
        self.name = name
        self.exclude = exclude
        self.listeners = list(listeners)
        self._lock = threading.RLock()
        self.state: _State = Closed(self)
        self.rejected = 0

    @property
    def state_name(self) -> str:
        """``"closed"``, ``"open"`` or ``"half-open"``."""
        return self.state.name

    def add_listener(self, fn: Listener) -> None:
        """``fn(breaker, old_state_name, new_state_name, reason, now)`` on every transition."""
        with self._lock:
            self.listeners.append(fn)

    def _enter(self, new: _State, reason: str) -> None:
        old, self.state = self.state, new
        now = self.clock()
        for fn in self.listeners:
            fn(self, old.name, new.name, reason, now)

    def _now(self) -> float:
        return instant("clock()", self.clock())  # a NaN time would never reach the end of a cooldown

    def allow(self) -> bool:
        """May a call go ahead now? (Counts it as a probe in half-open, a rejection when not.)"""
        with self._lock:
            ok = self.state.allow(self._now())
            if not ok:
                self.rejected += 1
            return ok

    def record(self, failed: bool, duration: float = 0.0) -> None:
        """Learn a call's result: whether it failed and how long it took (seconds)."""
        cfg = self.config
        slow = cfg.slow_call_duration is not None and duration >= cfg.slow_call_duration
        with self._lock:
            self.state.on_result(bool(failed), slow, self._now())

    def is_failure(self, exc: BaseException) -> bool:
        """Whether ``exc`` counts against the dependency (every exception ``exclude`` does not match)."""
        return self.exclude is None or not self.exclude(exc)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` if the breaker allows it, and record how it went."""
        if not self.allow():
            raise CircuitOpen(f"circuit {self.name!r} is {self.state.name}; call rejected")
        start = self.clock()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            self.record(self.is_failure(exc), self.clock() - start)
            raise
        self.record(False, self.clock() - start)
        return result
