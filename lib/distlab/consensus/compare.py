"""The same fault schedule on Raft and on Multi-Paxos, side by side.

Both clusters get the same seed, the same network, the same random faults (crash, restart,
partition, one-way block, heal, pause) and the same client load (a command every ``period`` to
whoever leads). The result tells, for each protocol, whether its safety invariants held, how many
commands were committed/chosen during the faults, and whether it recovered after the heal.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from distlab.consensus import checks
from distlab.sim import FaultSchedule, InvariantViolation, ms

from .paxos.cluster import PaxosCluster
from .raft.cluster import Cluster
from .raft.state import LEADER

ACTIONS = ("crash", "restart", "partition", "block", "heal", "pause", "resume")


@dataclass
class Outcome:
    """One protocol's run under a random fault schedule: safe or not, what it committed while the
    faults lasted, whether it recovered after them, and the first violation seen (if any)."""

    protocol: str
    safe: bool
    committed_during_faults: int
    recovered: bool
    violation: str = ""


def _schedule(seed: int, n: int, duration: float, faults: int) -> FaultSchedule:
    return FaultSchedule.random(random.Random(seed), list(range(n)), duration, count=faults,
                                actions=ACTIONS)


def _raft(seed: int, n: int, duration: float, faults: int, period: float, loss: float) -> Outcome:
    c = Cluster(n, seed=seed)
    c.sim.network.configure(loss=loss)
    _schedule(seed, n, duration, faults).install(c.sim)
    sent = 0
    try:
        while c.now < duration:
            leaders = [(nd.current_term, p) for p, nd in c.nodes.items()
                       if nd.up and not nd.paused and nd.role == LEADER]
            if leaders:  # like the Paxos side: the leader with the highest term/ballot
                c.nodes[max(leaders)[1]].start(("cmd", sent))
                sent += 1
            c.run(min(period, duration - c.now))
        committed = max(nd.commit_index for nd in c.nodes.values())
        c.run(0.0)
        recovered = c.run_until(lambda cl: cl.leader() is not None, timeout=5.0)
        if recovered:
            c.one("after-heal", expected=n // 2 + 1, timeout=5.0)
        return Outcome("raft", True, committed, recovered)
    except InvariantViolation as e:
        return Outcome("raft", False, 0, False, str(e))
    except AssertionError as e:
        return Outcome("raft", True, 0, False, str(e))


def _paxos(seed: int, n: int, duration: float, faults: int, period: float, loss: float) -> Outcome:
    c = PaxosCluster(n, seed=seed)
    c.sim.network.configure(loss=loss)
    _schedule(seed, n, duration, faults).install(c.sim)
    sent = 0
    try:
        while c.sim.now < duration:
            if c.submit(("cmd", sent)):
                sent += 1
            c.sim.run(min(c.sim.now + period, duration))
        committed = max(len(nd.chosen) for nd in c.nodes.values())
        recovered = c.one("after-heal", timeout=5.0)
        return Outcome("paxos", True, committed, recovered)
    except InvariantViolation as e:
        return Outcome("paxos", False, 0, False, str(e))


def side_by_side(seed: int, *, n: int = 5, duration: float = 3.0, faults: int = 10,
                 period: float = ms(30), loss: float = 0.0) -> tuple[Outcome, Outcome]:
    """Run one schedule on both protocols; returns ``(raft, paxos)`` outcomes."""
    checks.seed(seed)
    checks.whole("n", n, 3, 15)
    checks.number("duration", duration, 0, 3600.0, "seconds", open_low=True)
    checks.whole("faults", faults, 0, 1000)
    checks.number("period", period, 0, duration, "seconds", open_low=True)
    checks.number("loss", loss, 0, 1)
    return (_raft(seed, n, duration, faults, period, loss),
            _paxos(seed, n, duration, faults, period, loss))
