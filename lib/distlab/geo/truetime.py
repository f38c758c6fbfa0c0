"""TrueTime: a clock that answers with an interval (Corbett et al., "Spanner: Google's Globally-Distributed
Database", OSDI 2012, section 3).

``TT.now()`` returns ``[earliest, latest]``, and the promise is that true time lies inside. Spanner
keeps the half-width ``epsilon`` small -- 1 to 7 ms in the paper, from GPS receivers and atomic
clocks in every data centre and a polling daemon that adds the local clock's worst-case drift between
polls -- and evicts machines whose clocks misbehave. ``TT.after(t)`` is true once ``t`` has surely
passed (``t < earliest``), ``TT.before(t)`` while it surely has not (``t > latest``).

Here a node's local clock is the kernel's (``Process.now``, offset by the clock-skew fault), and its
TrueTime interval is that reading ± ``epsilon``, in whole microseconds rounded *outward* (earliest
down, latest up), so the promise survives the rounding: it holds exactly when the node's clock is off
by at most ``epsilon`` (:func:`holds`). A skew larger than ``epsilon`` is a broken promise -- the
fault Spanner's clock monitoring exists to catch -- and the model lets it happen.

**Commit wait** (section 4.1.2): a leader gives a write the timestamp ``s = TT.now().latest`` and
does not let anyone see the write (reply, release locks) until ``TT.after(s)``. On one node that
takes ``2 * epsilon`` (:func:`commit_wait`): the interval must move entirely past ``s``.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from distlab.geo.clocks import MICROS

__all__ = ["MAX_EPSILON", "TTInterval", "check_epsilon", "commit_wait", "holds", "tt_now", "wait_for_after",
           "wait_for_latest"]

#: the largest epsilon accepted (seconds)
MAX_EPSILON = 10.0


class TTInterval(NamedTuple):
    """A TrueTime answer, whole microseconds: true time lies in ``[earliest, latest]`` (if the clock
    is within epsilon)."""

    earliest: int
    latest: int

    def after(self, t: int) -> bool:
        """``TT.after(t)``: ``t`` has surely passed."""
        return t < self.earliest

    def before(self, t: int) -> bool:
        """``TT.before(t)``: ``t`` has surely not arrived yet."""
        return t > self.latest

    @property
    def width(self) -> int:
        """``latest - earliest`` in µs (about ``2 * epsilon``)."""
        return self.latest - self.earliest


def check_epsilon(epsilon: object) -> float:
    """``epsilon`` as a float, else a ``ValueError`` naming it and its range."""
    if not isinstance(epsilon, (int, float)) or isinstance(epsilon, bool) or not 0.0 <= epsilon <= MAX_EPSILON:
        raise ValueError(f"epsilon must be a number of seconds in [0.0, {MAX_EPSILON}], got {epsilon!r}")
    return float(epsilon)


def tt_now(local: float, epsilon: float) -> TTInterval:
    """The interval a node whose clock reads ``local`` seconds answers: ``local ± epsilon``, rounded outward.

    >>> tt_now(1.0, 0.007)
    TTInterval(earliest=993000, latest=1007000)
    """
    return TTInterval(math.floor((local - epsilon) * MICROS), math.ceil((local + epsilon) * MICROS))


def wait_for_after(local: float, t: int, epsilon: float) -> float:
    """Seconds of local time until ``TT.after(t)`` on a clock now reading ``local`` (0 if it already holds)."""
    return max(0.0, (t + 1) / MICROS + epsilon - local)


def wait_for_latest(local: float, t: int, epsilon: float) -> float:
    """Seconds of local time until ``TT.now().latest > t`` on a clock now reading ``local`` (0 if it
    already holds): from then on every timestamp this node assigns is above ``t``."""
    return max(0.0, t / MICROS - epsilon - local)


def commit_wait(epsilon: float) -> float:
    """How long a commit waits on the node that chose its timestamp: ``2 * epsilon`` seconds (the
    interval's width), whatever the clock's true offset."""
    return 2 * check_epsilon(epsilon)


def holds(offsets: Mapping[str, float], epsilon: float) -> bool:
    """Whether TrueTime's promise holds for every clock: each offset within ``epsilon``."""
    return all(abs(o) <= epsilon for o in offsets.values())
