"""The row lock a prepared participant holds, and what it costs everyone else.

A participant that votes yes has promised to commit if told to, so it must keep the row it wrote
locked until it learns the outcome -- through a crash too (a prepared transaction's locks are
re-taken at recovery, as PostgreSQL does for ``PREPARE TRANSACTION``). Later transactions that
need the same row wait behind it; :class:`LockStats` counts them and keeps every hold interval.

``LockStats`` is the observer's record (it outlives crashes: it is the measurement, not state the
protocol reads); :class:`RowLock` is the participant's volatile lock table.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LockStats:
    """Measured per participant: hold and in-doubt intervals, later transactions blocked."""

    held: list[tuple[float, float]] = field(default_factory=list)
    held_since: float | None = None
    doubt: list[tuple[float, float]] = field(default_factory=list)
    doubt_since: float | None = None
    arrivals: int = 0
    blocked: int = 0
    waits: list[float] = field(default_factory=list)

    def total(self, intervals: list[tuple[float, float]], since: float | None,
              now: float) -> float:
        """Seconds covered by ``intervals`` plus an open interval from ``since`` to ``now``."""
        open_part = now - since if since is not None else 0.0
        return sum(end - start for start, end in intervals) + open_part

    def hold_time(self, now: float) -> float:
        """Seconds the row was locked, up to ``now``."""
        return self.total(self.held, self.held_since, now)

    def doubt_time(self, now: float) -> float:
        """Seconds in doubt (voted yes, outcome unknown), up to ``now``."""
        return self.total(self.doubt, self.doubt_since, now)

    def doubt_intervals(self, now: float) -> list[tuple[float, float]]:
        """Every in-doubt interval, the open one closed at ``now``."""
        tail = [(self.doubt_since, now)] if self.doubt_since is not None else []
        return list(self.doubt) + tail


class RowLock:
    """One row's exclusive lock: the holding transaction and the queue behind it."""

    def __init__(self, stats: LockStats) -> None:
        self.stats = stats
        self.holder: str | None = None
        self.waiting: list[float] = []  # arrival times of queued later transactions

    def acquire(self, tx: str, now: float) -> None:
        """``tx`` takes the lock (also at recovery of a prepared transaction)."""
        self.holder = tx
        if self.stats.held_since is None:
            self.stats.held_since = now

    def release(self, now: float) -> None:
        """Free the row; every queued transaction runs now (its wait is recorded)."""
        stats = self.stats
        if stats.held_since is not None:
            stats.held.append((stats.held_since, now))
            stats.held_since = None
        self.holder = None
        stats.waits.extend(now - arrived for arrived in self.waiting)
        self.waiting = []

    def arrive(self, now: float) -> bool:
        """A later transaction needs the row; True if it is blocked behind the lock."""
        stats = self.stats
        stats.arrivals += 1
        if self.holder is None:
            stats.waits.append(0.0)
            return False
        stats.blocked += 1
        self.waiting.append(now)
        return True
