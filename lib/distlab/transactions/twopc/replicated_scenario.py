"""A 2PC run whose coordinator is a Raft group (:mod:`.replicated`): a frozen
:class:`TwoPCConfig` plus a seed and a replica count in, a :class:`TwoPCResult` out.

>>> r = run_replicated(TwoPCConfig(participants=3, prepare_timeout=2.0,
...                                crash_point="coordinator/after_votes", recovery_time=None))
>>> r.outcomes, r.blocked, r.violations
(('abort', 'abort', 'abort'), (False, False, False), ())

The coordinator crash point fires in whichever replica leads at that step (once for the group);
``recovery_time`` None means that replica never comes back. The group's crashed intervals stand in
for "the coordinator was down" in ``blocked`` -- and with a majority alive, nobody waits for them.
"""
from __future__ import annotations

from typing import Any, cast

from distlab.consensus.raft import Cluster

from . import invariants
from .blocking import down_intervals
from .config import TwoPCConfig, check_int, check_seconds
from .crash_points import COORDINATOR
from .participant import Participant
from .replicated import RaftCoordinator
from .scenario import TwoPCResult, check_seed, run_until, summarize

MAX_REPLICAS = 7
MIN_PREPARE_TIMEOUT = 1.0  # the group's first election and its begin entry take up to ~0.6 s


class ReplicatedTwoPC:
    """Raft replicas ``0 .. replicas-1`` (a :class:`Cluster` of :class:`RaftCoordinator`) and
    participants ``p0 ..``; Raft's safety and 2PC's invariants raise on any violation."""

    def __init__(self, config: TwoPCConfig, seed: int = 0, replicas: int = 3) -> None:
        if not isinstance(config, TwoPCConfig):
            raise ValueError(f"config must be a TwoPCConfig, got {config!r}")
        check_int("replicas", replicas, 1, MAX_REPLICAS)
        check_seconds("prepare_timeout", config.prepare_timeout, MIN_PREPARE_TIMEOUT, 600.0)
        self.config, self.seed = config, check_seed(seed)
        self.cluster = Cluster(replicas, seed=seed, node_class=RaftCoordinator, trace=True,
                               check_invariants=True)
        self.sim = self.cluster.sim
        point = config.point
        shared: dict[str, bool] = {}
        for node in self.cluster.nodes.values():
            node.tpc, node.shared, node.me = config, shared, COORDINATOR
            node.armed = point if point is not None and point.target == COORDINATOR else None
            node.recovery = config.recovery_time
        self.participants = [Participant(i, config, list(self.cluster.pids))
                             for i in range(config.participants)]
        for p in self.participants:
            p.armed, p.recovery = point, config.recovery_time
            self.sim.add(p)
        invariants.install(self.sim)
        self.sim.schedule(0.0, self.kick)

    def kick(self) -> None:
        """The client: ask the leader to begin the transaction (poll until one accepts)."""
        nodes: dict[Any, Any] = self.cluster.nodes
        leader = self.cluster.leader()
        accepted = leader is not None and cast(RaftCoordinator, nodes[leader]).request_begin()
        if not accepted and not any(nd.proposed_begin or nd.began for nd in nodes.values()):
            self.sim.schedule(0.02, self.kick)

    def run(self, until: float | None = None) -> TwoPCResult:
        """Run to ``until`` (default: the config's horizon) and return the result."""
        run_until(self.sim, self.config.horizon, until)
        return self.result()

    def result(self) -> TwoPCResult:
        """The result record now; ``decision`` is the group's applied decision."""
        now = self.sim.now
        down = sorted(i for pid in self.cluster.pids
                      for i in down_intervals(self.sim.trace, pid, now))
        decisions = {nd.decision for nd in self.cluster.nodes.values() if nd.decision}
        decision = decisions.pop() if len(decisions) == 1 else None
        return summarize(self.seed, self.sim, self.participants, down, decision, [])

    def replica(self, pid: int) -> Any:
        """One coordinator replica."""
        return self.cluster.node(pid)


def run_replicated(config: TwoPCConfig, seed: int = 0, replicas: int = 3) -> TwoPCResult:
    """One run with a Raft-replicated coordinator of ``replicas`` servers."""
    return ReplicatedTwoPC(config, seed, replicas).run()
