"""Logical clocks as values: Lamport clocks, vector clocks and hybrid logical clocks.

Each clock is an immutable value with the two rules its paper gives -- what a node does at a local
event or a send, and what it does when a message arrives -- so a test can drive it by hand and the
kernel's nodes (:mod:`distlab.geo.clocks_sim`) keep one per node.

* **Lamport clock** (Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
  CACM 1978): a counter; +1 at every event, ``max(own, received) + 1`` on receipt. If ``a`` happened
  before ``b`` then ``L(a) < L(b)`` -- but not the converse: concurrent events get ordered too.
* **Vector clock** (Fidge 1988; Mattern 1988): one counter per node; a node increments its own
  entry at every event and takes the entry-wise maximum on receipt. ``V(a) < V(b)`` exactly when
  ``a`` happened before ``b``, so concurrency is visible. The vector is chapter 4's
  :class:`~distlab.geo.vclock.VersionVector` (Dynamo calls its version vectors vector clocks); the
  difference is only what increments it (every event here, every update there).
* **Hybrid logical clock** (Kulkarni, Demirbas, Madappa, Avva, Leone, "Logical Physical Clocks",
  OPODIS 2014): a pair ``(wall, logical)``. ``wall`` is the largest physical clock reading the node
  has heard of, ``logical`` counts events since ``wall`` last changed. It orders causally like a
  Lamport clock, never runs behind the node's physical clock, and never runs ahead of it by more
  than the clocks' offset from one another (the paper's Theorem 2), so it can stand in for a
  physical timestamp -- CockroachDB's timestamps are HLCs.

**Units.** Physical clocks and HLC walls are integer **microseconds** (:func:`micros`), as real
systems keep integer time: comparisons are exact, and the coarser ``resolution`` of a physical clock
(:func:`physical_reading`) is what makes the logical counter visible.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from distlab.geo.vclock import EMPTY, VersionVector

__all__ = ["MICROS", "HLC", "HLC_ZERO", "LamportClock", "VersionVector", "micros", "physical_reading",
           "vector_receive", "vector_tick", "EMPTY"]

#: microseconds per second
MICROS = 1_000_000


def micros(seconds: float) -> int:
    """A time in seconds as whole microseconds, rounded down (``micros(0.0015) == 1500``)."""
    return math.floor(seconds * MICROS)


def physical_reading(local_seconds: float, resolution: int = 1) -> int:
    """What a physical clock that ticks every ``resolution`` microseconds shows at ``local_seconds``
    (the node's own, possibly skewed, time): the last tick, in microseconds."""
    us = micros(local_seconds)
    return us - us % resolution


class LamportClock(NamedTuple):
    """A Lamport clock (Lamport 1978): one counter.

    >>> a = LamportClock().tick(); b = LamportClock().receive(a.time)
    >>> a.time, b.time
    (1, 2)
    """

    time: int = 0

    def tick(self) -> LamportClock:
        """A local event or a send: the counter goes up by one (a send carries the new value)."""
        return LamportClock(self.time + 1)

    def receive(self, sent: int) -> LamportClock:
        """A receipt of a message stamped ``sent``: past both the own counter and the sender's."""
        return LamportClock(max(self.time, sent) + 1)


def vector_tick(clock: VersionVector, node: str) -> VersionVector:
    """A local event or a send at ``node`` (Fidge/Mattern): its own entry goes up by one."""
    return clock.increment(node)


def vector_receive(clock: VersionVector, sent: VersionVector, node: str) -> VersionVector:
    """A receipt at ``node`` of a message stamped ``sent``: the entry-wise maximum, then a tick."""
    return clock.merge(sent).increment(node)


class HLC(NamedTuple):
    """A hybrid logical clock timestamp (Kulkarni et al. 2014): ``wall`` microseconds (``l`` in the
    paper) and a ``logical`` counter (``c``). Timestamps compare as tuples: wall first.

    >>> ts = HLC(0, 0).tick(5_000)            # physical clock at 5 ms: take it
    >>> ts, ts.tick(5_000)                    # the clock has not moved: count
    (HLC(wall=5000, logical=0), HLC(wall=5000, logical=1))
    >>> ts.receive(4_000, HLC(9_000, 3))      # a message from a clock ahead: adopt its wall
    HLC(wall=9000, logical=4)
    """

    wall: int
    logical: int = 0

    def tick(self, physical: int) -> HLC:
        """A local event or a send, the physical clock reading ``physical``: take the larger of the
        wall and the reading; count up if the wall did not move, else restart the count."""
        if physical > self.wall:
            return HLC(physical, 0)
        return HLC(self.wall, self.logical + 1)

    def receive(self, physical: int, sent: HLC) -> HLC:
        """A receipt of a message stamped ``sent``: the wall becomes the largest of the own wall, the
        sender's and the physical reading; the count goes past every count at that wall."""
        wall = max(self.wall, sent.wall, physical)
        if wall == self.wall == sent.wall:
            return HLC(wall, max(self.logical, sent.logical) + 1)
        if wall == self.wall:
            return HLC(wall, self.logical + 1)
        if wall == sent.wall:
            return HLC(wall, sent.logical + 1)
        return HLC(wall, 0)

    def next(self) -> HLC:
        """The smallest timestamp above this one (CockroachDB's ``Timestamp.Next``)."""
        return HLC(self.wall, self.logical + 1)

    def __str__(self) -> str:
        return f"{self.wall / 1000:.3f}ms.{self.logical}"


#: the clock of a node that has seen nothing
HLC_ZERO = HLC(-(2**62), 0)
