"""Single-decree Paxos experiments: duelling proposers (the livelock and its fixes) and random
fault schedules with the safety invariants checked after every step.
"""
from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distlab.consensus import checks
from distlab.sim import Constant, FaultSchedule, InvariantViolation, Latency, Simulation, Uniform, ms

from .invariants import PaxosSafety
from .messages import Accept, Promise
from .single import PaxosNode


@dataclass(slots=True)
class PaxosRun:
    """The outcome of one single-decree experiment: what each learner learned, when a value was
    first chosen, how many ballots the proposers started, and any safety violation."""

    chosen: dict[Hashable, Any]   # learner -> value learned (None if nothing)
    chosen_at: float | None       # first time a majority accepted one value
    ballots: int                  # phase-1 attempts over all proposers
    violations: list[str] = field(default_factory=list)


class ForgetfulProposer(PaxosNode):
    """A broken proposer for experiments: it ignores the values that promises report and always asks
    acceptors to accept its own -- dropping the one rule that keeps a chosen value chosen."""

    def handle_promise(self, src: Hashable, m: Promise) -> None:
        """Count the promise, but never adopt the value it reports."""
        if self.phase != 1 or m.ballot != self.ballot:
            return
        self.promises[src] = m
        if len(self.promises) >= self.majority:
            self.phase = 2
            for a in self.members:
                self.send(a, Accept(self.ballot, self.value))


def _build(seed: int, n: int, proposers: int, retry: str, latency: Latency, timeout: float,
           starts: Sequence[float], check: bool = True,
           node_type: type[PaxosNode] | None = None) -> tuple[Simulation, list[PaxosNode], PaxosSafety]:
    sim = Simulation(seed, trace=False, check_invariants=check)
    sim.network.configure(latency=latency)
    pids = list(range(n))
    nodes = []
    for p in pids:
        value = f"v{p}" if p < proposers else None
        node = (node_type or PaxosNode)(p, pids, value, retry=retry, timeout=timeout,
                                        start_delay=starts[p] if p < proposers else 0.0)
        node.proposers = list(range(proposers))
        nodes.append(sim.add(node))
    safety = PaxosSafety(pids, n // 2 + 1).install(sim)
    return sim, nodes, safety


def _first_chosen(sim: Simulation, safety: PaxosSafety, limit: float) -> float | None:
    def any_chosen(s: Simulation) -> bool:
        return safety.any_chosen(s) or s.now >= limit
    sim.run(any_chosen)
    return sim.now if safety.chosen else None


def duel(retry: str, seed: int = 0, duration: float = 2.0, latency: float = ms(5)) -> PaxosRun:
    """Two impatient proposers (timeout = 3 one-way latencies, second one starting 1.5 latencies
    later) on a constant-latency network. With ``retry="immediate"`` each one's Prepare lands just
    before the other's Accept, forever; ``"backoff"`` and ``"leader"`` break the symmetry."""
    checks.seed(seed)
    checks.number("duration", duration, 0, 3600.0, "seconds", open_low=True)
    checks.number("latency", latency, 0, 1.0, "seconds", open_low=True)
    sim, nodes, safety = _build(seed, 5, 2, retry, Constant(latency), 3 * latency,
                                [0.0, 1.5 * latency])
    at = _first_chosen(sim, safety, duration)
    sim.run(sim.now + 10 * latency)
    return PaxosRun({p.pid: p.chosen for p in nodes}, at, sum(p.ballots_tried for p in nodes))


def random_faults(seed: int, *, n: int = 5, proposers: int = 3, faults: int = 10,
                  duration: float = 1.0, loss: float = 0.1, recovery: float = 5.0,
                  node_type: type[PaxosNode] | None = None) -> PaxosRun:
    """Proposers with random back-off under random crashes, partitions and loss; after the heal
    a value must be chosen and learned by every proposer. `node_type` swaps in another node (e.g.
    `ForgetfulProposer`) to show what the checked invariants catch."""
    checks.seed(seed)
    checks.whole("n", n, 1, 15)
    checks.whole("proposers", proposers, 1, n)
    checks.whole("faults", faults, 0, 1000)
    checks.number("duration", duration, 0, 3600.0, "seconds", open_low=True)
    checks.number("loss", loss, 0, 1)
    checks.number("recovery", recovery, 0, 3600.0, "seconds")
    rng = random.Random(seed)
    starts = [rng.random() * ms(20) for _ in range(n)]
    sim, nodes, safety = _build(seed, n, proposers, "backoff", Uniform(ms(1), ms(10)), ms(60),
                                starts, node_type=node_type)
    sim.network.configure(loss=loss)
    FaultSchedule.random(rng, list(range(n)), duration, count=faults,
                         actions=("crash", "restart", "partition", "block", "heal", "pause",
                                  "resume")).install(sim)
    violations = []
    at = None
    try:
        sim.run(duration)
        sim.network.configure(loss=0.0)
        at = _first_chosen(sim, safety, duration + recovery)
        sim.run(sim.now + 1.0)
    except InvariantViolation as e:
        violations = [str(v) for v in e.violations]
    return PaxosRun({p.pid: p.chosen for p in nodes}, at, sum(p.ballots_tried for p in nodes),
                    violations)
