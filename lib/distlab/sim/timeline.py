"""Seek and fork over a simulation's past: the time slider of every cluster view.

A :class:`Timeline` runs a simulation and keeps a snapshot (a fork) every ``interval`` seconds.
``seek(t)`` copies the last snapshot at or before ``t`` and replays the few events up to ``t`` --
determinism makes the replay exact. ``fork(t)`` is the same copy, returned for you to change ("what
if this message were dropped?") and run on, while the original timeline stays untouched.
"""
from __future__ import annotations

import bisect

from .kernel import Simulation


class Timeline:
    """A simulation run with a snapshot every ``interval`` simulated seconds, so any past instant can be
    sought (:meth:`seek`) or forked by replaying from the snapshot before it."""

    def __init__(self, sim: Simulation, interval: float = 0.1):
        if not interval > 0:
            raise ValueError(f"interval must be > 0 seconds, got {interval!r}")
        self.sim = sim
        self.interval = interval
        self._times: list[float] = [sim.now]
        self._snaps: list[Simulation] = [sim.fork()]

    @property
    def end(self) -> float:
        """How far the live simulation has run (the latest time :meth:`seek` accepts)."""
        return self.sim.now

    def run(self, until: float) -> None:
        """Advance the live simulation to ``until``, snapshotting every ``interval``."""
        if not until >= self.sim.now:
            raise ValueError(f"until must be >= now ({self.sim.now}), got {until!r}")
        next_snap = self._times[-1] + self.interval
        while next_snap <= until:
            self.sim.run(next_snap)
            self._times.append(self.sim.now)
            self._snaps.append(self.sim.fork())
            next_snap += self.interval
        self.sim.run(until)

    def seek(self, t: float) -> Simulation:
        """The simulation's state at time ``t`` (a fresh copy; 0 <= t <= end)."""
        if not 0 <= t <= self.end:
            raise ValueError(f"t must be between 0 and {self.end} seconds, got {t!r}")
        i = bisect.bisect_right(self._times, t) - 1
        state = self._snaps[i].fork()
        state.run(t)
        return state

    fork = seek  # a seek result is already an independent copy to change and run on

    def snapshot_times(self) -> list[float]:
        """The simulated times of the kept snapshots, in order (the first is where the timeline began)."""
        return list(self._times)
