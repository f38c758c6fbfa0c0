"""Deadlines propagated down the call chain: every call knows how long its caller will still wait.

A request enters with a budget (say 800 ms). Each hop passes on what is *left*, minus a margin for
its own work, so a dependency never works on an answer nobody is waiting for any more -- the cheapest
load to shed is the load whose caller has already given up (gRPC's deadline propagation; Google SRE
book, "Handling Overload"). Deadlines are absolute times on the injected clock.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from distlab.validate import number


class DeadlineExceeded(TimeoutError):
    """The time budget ran out before the named step could start."""


@dataclass(frozen=True)
class Deadline:
    """An absolute point in time by which a request must be done, read from an injected clock.

    Passed down a call chain (each hop takes a :meth:`child`), so every callee knows how much of the
    caller's budget is left instead of starting a fresh timeout of its own."""

    expires_at: float
    clock: Callable[[], float]

    def __post_init__(self) -> None:
        number("expires_at", self.expires_at, allow_inf=True)
        if not callable(self.clock):
            raise ValueError(f"clock must be a zero-argument callable returning seconds, got {self.clock!r}")

    @classmethod
    def after(cls, budget: float, clock: Callable[[], float]) -> Deadline:
        """The deadline ``budget`` seconds (> 0) from ``clock()`` now."""
        number("budget (seconds)", budget, low=0, low_open=True, allow_inf=True)
        return cls(clock() + budget, clock)

    def remaining(self) -> float:
        """Seconds left before the deadline (0 once it has passed)."""
        return max(0.0, self.expires_at - self.clock())

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.clock() >= self.expires_at

    def child(self, timeout: float | None = None, margin: float = 0.0) -> Deadline:
        """The deadline to pass to a callee: ours minus ``margin``, and no later than ``timeout`` from now."""
        number("margin (seconds)", margin, low=0)
        expires = self.expires_at - margin
        if timeout is not None:
            number("timeout (seconds)", timeout, low=0, low_open=True, allow_inf=True)
            expires = min(expires, self.clock() + timeout)
        return Deadline(expires, self.clock)

    def check(self, step: str = "call") -> None:
        """Raise :class:`DeadlineExceeded` naming ``step`` if no time is left."""
        if self.expired:
            late = self.clock() - self.expires_at
            raise DeadlineExceeded(f"deadline exceeded before {step} ({late:.3f} s late)")
