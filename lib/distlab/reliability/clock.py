"""Injected clocks. The library never reads the wall clock: whoever builds a policy passes ``clock``.

A clock is any zero-argument callable returning seconds as a float. :class:`ManualClock` is the one
tests and simulations use; production code passes ``time.monotonic`` (single process) or
``time.time`` (a fleet sharing a Redis store, where every node must agree on the epoch).
"""
from __future__ import annotations

from distlab.validate import number


class ManualClock:
    """A clock that moves only when told to: ``clock()`` reads it, ``advance(dt)`` / ``set(t)`` move it."""

    __slots__ = ("now",)

    def __init__(self, start: float = 0.0) -> None:
        number("start", start)
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (>= 0) and return the new time."""
        number("seconds", seconds, low=0)  # time never runs backwards
        self.now += seconds
        return self.now

    def set(self, t: float) -> float:
        """Jump to time ``t`` (not earlier than now) and return it."""
        number("t", t, low=self.now)  # not earlier than now
        self.now = float(t)
        return self.now

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now!r})"


def require_clock(clock: object, name: str = "clock") -> None:
    """Raise a clear error unless ``clock`` is callable."""
    if not callable(clock):
        raise ValueError(f"{name} must be a zero-argument callable returning seconds, got {clock!r}")
