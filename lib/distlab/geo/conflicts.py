"""``distlab.geo.conflicts`` -- one schedule of concurrent writes, resolved three ways.

Replicas accept writes locally and ship their state to each other over the simulated network
(``distlab.sim``: seeded latencies, and clocks offset with the kernel's clock-skew fault). The same
writes and the same deliveries are resolved by

* **last-writer-wins** -- keep the highest ``(timestamp, node)``: concurrent writes but one are
  lost, and with skewed clocks so are writes that *saw* the winner (``Loss.reason`` "causally later");
* **version vectors** -- concurrent writes become siblings for the reader to reconcile; no write is
  ever lost, but the Dynamo cart's union of siblings brings deleted items back (``dynamo_cart``);
* **CRDTs** -- the MV-register, the OR-Set or the G-Counter: every update merged in, by the rules
  of the type.

``run_conflicts(workload=..., replicas=..., writes=..., skew=..., seed=...)`` is what a panel calls
(every setting a keyword with a default); ``run.outcome(policy)`` is one policy's
:class:`~distlab.geo.conflicts_outcome.PolicyOutcome` (value read, siblings, kept / superseded / lost
writes, what is missing or came back), ``run.rows()`` a table of the writes with each policy's verdict.

>>> run = run_conflicts(workload="register", replicas=3, writes=8, skew=0.2, seed=4)
>>> for policy in POLICIES:
...     print(run.outcome(policy).summary())
lww: reads {C5}; 3 writes lost (3 causally later); missing {A8}; resurrected {C5}
version-vectors: reads {A8}; no write lost
crdt: reads {A8}; no write lost
>>> sorted(dynamo_cart().outcome("version-vectors").extra)      # the deleted item is back
['eggs']
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from distlab.geo.conflicts_outcome import POLICIES, Loss, PolicyOutcome, happened_before, outcome
from distlab.geo.conflicts_sim import (
    WORKLOADS,
    ConflictReplica,
    Message,
    PlannedWrite,
    Write,
    plan_writes,
)
from distlab.geo.crdt_base import show
from distlab.geo.crdt_kinds import Update
from distlab.sim import Simulation, Uniform
from distlab.transactions.checks import check_int, check_seconds

__all__ = ["POLICIES", "WORKLOADS", "ConflictRun", "Loss", "Message", "PlannedWrite", "PolicyOutcome", "Write",
           "WriteRow", "dynamo_cart", "run_conflicts", "run_plan"]

REPLICA_NAMES = "ABCDEFGH"
MAX_SKEW = 60.0


class WriteRow(NamedTuple):
    """One line of a panel's table: the write, and each policy's verdict on it (``PolicyOutcome.status``)."""

    write: Write
    lww: str
    version_vectors: str
    crdt: str


@dataclass(frozen=True)
class ConflictRun:
    """The schedule (clock offsets, writes, deliveries) and every policy's outcome on it."""

    workload: str
    replicas: tuple[str, ...]
    offsets: dict[str, float]
    writes: tuple[Write, ...]
    messages: tuple[Message, ...]
    outcomes: dict[str, PolicyOutcome]

    def outcome(self, policy: str) -> PolicyOutcome:
        """One policy's outcome (``policy`` one of ``POLICIES``)."""
        if policy not in self.outcomes:
            raise ValueError(f"policy must be one of {list(POLICIES)}, got {policy!r}")
        return self.outcomes[policy]

    def happened_before(self, a: int, b: int) -> bool:
        """Whether write ``a`` is in the causal past of write ``b`` (by their vector clocks)."""
        return happened_before(self.writes[a], self.writes[b])

    def rows(self) -> list[WriteRow]:
        """The writes in time order with each policy's verdict."""
        return [WriteRow(w, *(self.outcomes[p].status(w.seq) for p in POLICIES)) for w in self.writes]

    def __str__(self) -> str:
        clocks = ", ".join(f"{r} {self.offsets[r]:+.3f} s" for r in self.replicas)
        lines = [f"{self.workload}: {len(self.writes)} writes at {len(self.replicas)} replicas (clocks {clocks})",
                 *map(str, self.writes), f"intended: {show(self.outcomes['crdt'].intended)}"]
        return "\n".join(lines + [self.outcomes[p].summary() for p in POLICIES])


def _check_workload(workload: object) -> str:
    if workload not in WORKLOADS:
        raise ValueError(f"workload must be one of {list(WORKLOADS)}, got {workload!r}")
    return str(workload)


def _check_latency(latency: object) -> tuple[float, float]:
    if not (isinstance(latency, Sequence) and len(latency) == 2):
        raise ValueError(f"latency must be a pair (low, high) of seconds, got {latency!r}")
    low, high = latency
    check_seconds("latency low", low, 0.0, 10.0, open_low=True)
    check_seconds("latency high", high, low, 10.0)
    return float(low), float(high)


def run_plan(plan: Sequence[PlannedWrite], *, workload: str = "register", replicas: int = 3,
             offsets: Sequence[float] | None = None, latency: tuple[float, float] = (0.05, 0.15),
             seed: int = 0) -> ConflictRun:
    """Run the writes of ``plan`` (true times; replicas named A, B, ...) with each replica's clock
    ``offsets[i]`` seconds off (default: none) and one-way latencies uniform in ``latency``."""
    _check_workload(workload)
    check_int("replicas", replicas, 1, len(REPLICA_NAMES))
    check_int("seed", seed, 0, 2**63 - 1)
    low, high = _check_latency(latency)
    names = tuple(REPLICA_NAMES[:replicas])
    offsets = (0.0,) * replicas if offsets is None else tuple(offsets)
    if len(offsets) != replicas or not all(isinstance(o, (int, float)) and abs(o) <= MAX_SKEW for o in offsets):
        raise ValueError(f"offsets must be {replicas} numbers of seconds in [-{MAX_SKEW}, {MAX_SKEW}], got {offsets!r}")
    for p in plan:
        if p.replica not in names:
            raise ValueError(f"plan's replicas must be among {list(names)}, got {p.replica!r}")
        check_seconds("plan's times", p.time, 0.0, 3600.0)
    sim = Simulation(seed, trace=False)
    sim.network.configure(latency=Uniform(low, high))
    nodes = [sim.add(ConflictReplica(name, WORKLOADS[workload])) for name in names]
    for name, offset in zip(names, offsets):
        sim.set_clock(name, skew=float(offset))
    for seq, p in enumerate(sorted(plan, key=lambda p: p.time)):
        sim.schedule_at(p.time, sim.process(p.replica).write, seq, p.update)
    sim.run()
    writes = tuple(sorted((w for n in nodes for w in n.made), key=lambda w: w.seq))
    messages = tuple(sorted((m for n in nodes for m in n.received), key=lambda m: m.delivered))
    outcomes = {policy: outcome(policy, nodes, writes) for policy in POLICIES}
    return ConflictRun(workload, names, dict(zip(names, offsets)), writes, messages, outcomes)


def run_conflicts(*, workload: str = "register", replicas: int = 3, writes: int = 8, skew: float = 0.0,
                  seed: int = 0, duration: float = 1.0, latency: tuple[float, float] = (0.05, 0.15)) -> ConflictRun:
    """A seeded random schedule: ``writes`` writes at random replicas and times over ``duration``
    seconds, each replica's clock off by ``skew`` times a seeded number in [-1, 1] (so moving the
    skew slider scales the same offsets and changes nothing else), states shipped after each write."""
    _check_workload(workload)
    check_int("replicas", replicas, 1, len(REPLICA_NAMES))
    check_int("writes", writes, 0, 1000)
    check_seconds("skew", skew, 0.0, MAX_SKEW)
    check_seconds("duration", duration, 0.0, 3600.0, open_low=True)
    check_int("seed", seed, 0, 2**63 - 1)
    plan_rng = Simulation(seed).rng("conflicts:plan")
    clock_rng = Simulation(seed).rng("conflicts:clocks")
    names = REPLICA_NAMES[:replicas]
    offsets = [skew * clock_rng.uniform(-1.0, 1.0) for _ in names]
    plan = plan_writes(WORKLOADS[workload], plan_rng, names, writes, duration)
    return run_plan(plan, workload=workload, replicas=replicas, offsets=offsets, latency=latency, seed=seed)


def dynamo_cart(offsets: Sequence[float] = (0.0, 0.0, 0.0)) -> ConflictRun:
    """Dynamo's shopping cart (DeCandia et al. 2007, section 4.4): A adds milk and eggs; once that
    has reached everyone, B removes the eggs while C, concurrently, adds bread. Version vectors keep
    both carts as siblings and the union brings the eggs back; the OR-Set keeps them removed."""
    plan = [PlannedWrite(0.0, "A", Update("add", "milk")), PlannedWrite(0.05, "A", Update("add", "eggs")),
            PlannedWrite(0.5, "B", Update("remove", "eggs")), PlannedWrite(0.52, "C", Update("add", "bread"))]
    return run_plan(plan, workload="cart", replicas=3, offsets=offsets)
