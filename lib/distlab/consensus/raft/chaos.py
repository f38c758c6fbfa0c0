"""Random fault schedules against a Raft cluster: safety must hold throughout, liveness after heal.

One *trial* is a frozen config plus a seed: a cluster of ``n`` servers, clients submitting a command
every few tens of milliseconds to whoever claims to lead, and ``faults`` random external actions
(crash, restart, partition, one-way block, heal, pause, resume) over ``duration`` seconds, drawn by
:meth:`distlab.sim.FaultSchedule.random`. At ``duration`` every server is restarted/resumed and the
network healed. The five safety invariants are checked after every simulated step; after the heal a
leader must be elected and a fresh command committed on a majority within ``recovery`` seconds.

Property tests draw the parameters with Hypothesis; ``make bench`` runs 10,000 of these.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from distlab.consensus import checks
from distlab.sim import FaultSchedule, InvariantViolation, ms

from .cluster import Cluster, ScenarioError
from .cluster_core import NodeClass
from .node import RaftNode
from .state import LEADER, RaftConfig

FAULT_ACTIONS = ("crash", "restart", "partition", "block", "heal", "pause", "resume", "isolate")


@dataclass
class ChaosResult:
    """One trial: its seed and fault schedule, the safety violations seen (must stay empty), and
    whether a fresh command committed after the heal (liveness) at which index."""

    seed: int
    schedule: str
    violations: list[str] = field(default_factory=list)  # safety: must stay empty
    recovered: bool = False                           # liveness after heal
    detail: str = ""
    committed: int = 0


class _Clients:
    """Clients that offer a new command to whichever running server claims leadership."""

    def __init__(self, cluster: Cluster, period: float):
        self.c, self.period, self.next_cmd, self.stopped = cluster, period, 0, False

    def tick(self) -> None:
        if self.stopped:
            return
        for p in self.c.pids:
            nd = self.c.nodes[p]
            if nd.up and not nd.paused and nd.role == LEADER:
                self.next_cmd += 1
                nd.start(("c", self.next_cmd))
                break
        self.c.sim.schedule(self.period, self.tick)


class _Reconfigurer:
    """Every 200 ms during the faults, asks the current leader to add a spare server or remove
    a member (one at a time; keeping at least 3 members when the cluster has that many)."""

    def __init__(self, cluster: Cluster, rng: random.Random, until: float):
        self.c, self.rng, self.until = cluster, rng, until

    def tick(self) -> None:
        c = self.c
        if c.sim.now >= self.until:
            return
        leaders = [(nd.current_term, p) for p, nd in c.nodes.items()
                   if nd.up and not nd.paused and nd.role == LEADER]
        if leaders:
            nd = c.nodes[max(leaders)[1]]
            members = list(nd.members)
            spares = [p for p in c.pids if p not in members]
            floor = min(3, len(c.pids))
            if spares and (len(members) <= floor or self.rng.random() < 0.5):
                nd.change_membership(members + [self.rng.choice(spares)])
            elif len(members) > floor:
                victim = self.rng.choice(members)
                nd.change_membership([m for m in members if m != victim])
        c.sim.schedule(0.2, self.tick)


def run_trial(seed: int, *, n: int = 5, faults: int = 10, duration: float = 2.0,
              loss: float = 0.0, recovery: float = 10.0, config: RaftConfig | None = None,
              node_class: NodeClass = RaftNode, client_period: float = ms(30),
              snapshot_every: int | None = None, membership: bool = False) -> ChaosResult:
    """Run one random fault schedule; never raises for a Raft failure, reports it instead."""
    checks.whole("faults", faults, 0, 1000)
    checks.number("duration", duration, 0, 3600.0, "seconds", open_low=True)
    checks.number("loss", loss, 0, 1)
    checks.number("recovery", recovery, 0, 3600.0, "seconds")
    checks.number("client_period", client_period, 0, 3600.0, "seconds", open_low=True)
    checks.flag("membership", membership)
    c = Cluster(n, seed=seed, config=config, node_class=node_class, snapshot_every=snapshot_every,
                voters=(n + 1) // 2 if membership and n >= 3 else None)
    if loss:
        c.sim.network.configure(loss=loss)
    schedule = FaultSchedule.random(random.Random(seed), c.pids, duration, count=faults,
                                    actions=FAULT_ACTIONS)
    schedule.install(c.sim)
    result = ChaosResult(seed, repr(schedule))
    clients = _Clients(c, client_period)
    clients.tick()
    if membership:
        _Reconfigurer(c, random.Random(seed ^ 0x5EED), duration).tick()
    try:
        c.run(duration)
        clients.stopped = True
        c.run(0.0)  # the heal/restart faults due exactly at `duration`
        index = c.one(("final", seed), expected=n // 2 + 1, timeout=recovery)
        result.recovered = True
        result.committed = index
    except InvariantViolation as e:
        result.violations = [str(v) for v in e.violations]
    except ScenarioError as e:
        if "agreement" in str(e):
            result.detail = str(e)
        else:  # apply-order or committed-value mismatches are safety failures too
            result.violations = [str(e)]
    return result
