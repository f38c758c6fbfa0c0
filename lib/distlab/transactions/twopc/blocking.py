"""The blocking rule of two-phase commit: who must wait for a crashed coordinator, and for how long.

The rule (Bernstein, Hadzilacos & Goodman 1987, §7.4; Gray & Lamport 2006, §2):

* **without** the cooperative termination protocol, a participant that voted yes is blocked from
  the coordinator's crash until it learns the outcome -- which only the coordinator can tell it;
* **with** it, a participant is blocked only while every participant it can reach voted yes and
  none of them knows the decision.

Three tools, one per use:

``predicted_blocked``   for a crash point (all participants voting yes): which participants the rule
                        says stay blocked until the coordinator recovers;
``blocking_windows``    what a run actually showed: per participant, the stretch in doubt while the
                        coordinator was down, if it lasted until the coordinator came back;
``BlockingRule``        an invariant checked after every step: a participant that *can* finish
                        (someone reachable knows the outcome or can still abort) is not kept in
                        doubt longer than one inquiry round trip.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from distlab.sim import Simulation, Trace

from .config import TwoPCConfig
from .crash_points import COORDINATOR, CrashPoint
from .participant import Participant

Interval = tuple[float, float]


def predicted_blocked(point: CrashPoint | None, n: int, termination: bool) -> tuple[bool, ...]:
    """Per participant: does the rule predict it is blocked until the coordinator recovers?

    Only a coordinator crash blocks anyone. After PREPARE reached the first ``k``: those ``k``
    voted yes; with termination they can ask one that has not voted (if ``k < n``). After every
    vote and before the decision left: all blocked, termination or not. After the decision
    reached the first ``k``: the rest are blocked, unless termination lets them ask those ``k``.
    """
    none = (False,) * n
    if point is None or point.target != COORDINATOR:
        return none
    k = point.count
    if point.step == "after_prepare":
        if termination and k < n:
            return none
        return tuple(i < k for i in range(n))
    if point.step in ("after_votes", "after_decision_logged"):
        return (True,) * n
    if point.step == "after_decision_sent":
        return none if termination else tuple(i >= k for i in range(n))
    return none  # before_prepare: nobody voted


def down_intervals(trace: Trace, pid: Hashable, end: float) -> list[Interval]:
    """When ``pid`` was crashed, from the trace (an unfinished one closes at ``end``)."""
    out: list[Interval] = []
    since: float | None = None
    for rec in trace.of_kind("crash", "restart"):
        if rec.pid != pid:
            continue
        if rec.kind == "crash":
            since = rec.time
        elif since is not None:
            out.append((since, rec.time))
            since = None
    if since is not None:
        out.append((since, end))
    return out


def blocking_windows(doubt: Iterable[Interval], down: Iterable[Interval],
                     end: float) -> list[Interval]:
    """The stretches of ``doubt`` spent waiting for a crashed coordinator: in doubt when (or
    after) it crashed, and still in doubt when it came back (or at ``end``)."""
    windows: list[Interval] = []
    downs = list(down)
    for start, stop in doubt:
        for crash, back in downs:
            if start <= back and stop >= crash and stop >= min(back, end):
                windows.append((max(start, crash), stop))
    return windows


class BlockingRule:
    """Invariant ``blocking_rule``: nobody waits in doubt when the rule says it can finish.

    A participant *can finish* when it is up, and the coordinator is up, reachable both ways and
    not still collecting votes (it knows the decision, or presumes abort) -- or, with termination,
    when some reachable participant knows the outcome or has not voted. If that stays true longer
    than its first inquiry plus ``inquiry_interval`` plus a round trip, it is a violation.
    """

    def __init__(self, config: TwoPCConfig, coordinators: list[Hashable],
                 max_latency: float | None = None) -> None:
        self.cfg = config
        self.coordinators = list(coordinators)
        self.max_latency = config.latency[1] if max_latency is None else max_latency
        self.since: dict[Hashable, float] = {}

    def install(self, sim: Simulation) -> BlockingRule:
        """Register as the invariant ``blocking_rule``."""
        sim.invariants.add("blocking_rule", self)
        return self

    @staticmethod
    def reachable(sim: Simulation, a: Hashable, b: Any) -> bool:
        """``b`` is running and messages flow both ways between ``a`` and ``b``."""
        net = sim.network
        return bool(b.up) and not b.paused and not net.blocked(a, b.pid) \
            and not net.blocked(b.pid, a)

    def can_finish(self, sim: Simulation, p: Participant) -> bool:
        """Someone ``p`` reaches can end its doubt (see the class docstring)."""
        for pid in self.coordinators:
            c = sim.processes[pid]
            if self.reachable(sim, p.pid, c) and self.coordinator_knows(c):
                return True
        if not self.cfg.termination:
            return False
        for q in sim.processes.values():
            if isinstance(q, Participant) and q is not p and self.reachable(sim, p.pid, q) \
                    and (q.outcome is not None or not q.voted_yes):
                return True
        return False

    @staticmethod
    def coordinator_knows(c: Any) -> bool:
        """A coordinator can answer: it is not still collecting votes."""
        return not getattr(c, "collecting", False)

    def __call__(self, sim: Simulation) -> str | None:
        """Check every participant now; None when the rule holds."""
        grace = self.cfg.inquiry_interval + 2 * self.max_latency + 1e-9
        for p in sim.processes.values():
            if not isinstance(p, Participant):
                continue
            if not p.in_doubt or p.paused or p.in_doubt_since is None \
                    or not self.can_finish(sim, p):
                self.since.pop(p.pid, None)
                continue
            since = self.since.setdefault(p.pid, sim.now)
            start = max(since, p.in_doubt_since + self.cfg.decision_timeout)
            if sim.now > start + grace:
                return (f"{p.pid} still in doubt at t={sim.now:.3f}s though it could finish "
                        f"since t={since:.3f}s")
        return None
