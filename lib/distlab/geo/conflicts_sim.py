"""The replicas of the conflicts experiment, on the simulation kernel, and the workloads they run.

Every replica accepts writes locally (multi-writer, no coordination) and keeps the same data under
all three policies at once -- a last-writer-wins register, version-vector siblings, and a CRDT --
so one schedule of writes and deliveries is resolved three ways. After each write the replica
ships its whole state to every other replica (state-based replication), which merges it in.

A write's **timestamp** is the replica's own clock (``Process.now``, which the kernel's clock-skew
fault offsets); its **vector clock** is the replica's version vector after the write, i.e. every
write it had seen plus itself -- the causal past the analysis (``conflicts_outcome``) reads.

A :class:`Workload` says what the written data is: ``register`` (each write puts a new value),
``cart`` (add or remove an item; Dynamo's shopping cart) or ``counter`` (add 1). It says how a client
turns what it read into the value it writes, and how a reader combines siblings.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from distlab.geo.crdt_kinds import KINDS, CrdtKind, Update
from distlab.geo.crdt_registers import LWWRegister
from distlab.geo.vclock import EMPTY, Siblings, VersionVector
from distlab.sim import Process

__all__ = ["ITEMS", "WORKLOADS", "ConflictReplica", "Message", "PlannedWrite", "Workload", "Write", "plan_writes"]

ITEMS = ("milk", "eggs", "bread", "tea")


class Workload(NamedTuple):
    """What the replicated data is. ``read`` combines sibling values into what a reader sees (the
    Dynamo cart's union); ``apply`` is the value a client writes after reading ``current``;
    ``crdt`` names the CRDT kind that keeps the same data; ``update`` draws a random write."""

    name: str
    crdt: str
    read: Callable[[Sequence[Any]], Any]
    apply: Callable[[Any, Update], Any]
    update: Callable[[random.Random, str, int, Sequence[Update]], Update]


def _cart_update(rng: random.Random, replica: str, seq: int, earlier: Sequence[Update]) -> Update:
    added = [u.arg for u in earlier if u.kind == "add"]
    if added and rng.random() < 0.4:
        return Update("remove", rng.choice(added))
    return Update("add", rng.choice(ITEMS))


def _cart_apply(current: frozenset[str], u: Update) -> frozenset[str]:
    return current | {u.arg} if u.kind == "add" else current - {u.arg}


WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    Workload("register", "mv-register", lambda values: frozenset(values), lambda current, u: u.arg,
             lambda rng, replica, seq, earlier: Update("write", f"{replica}{seq + 1}")),
    Workload("cart", "or-set", lambda values: frozenset().union(*values), _cart_apply, _cart_update),
    Workload("counter", "g-counter", lambda values: max(values, default=0), lambda current, u: current + u.arg,
             lambda rng, replica, seq, earlier: Update("inc", 1)),
)}
"""The workloads by name: each write puts a value / adds or removes an item / adds 1."""


class PlannedWrite(NamedTuple):
    """A write to make: at true time ``time``, at ``replica``."""

    time: float
    replica: str
    update: Update


class Write(NamedTuple):
    """A write as made: number ``seq`` (in time order), its replica, the true time, the replica's
    clock reading (``stamp``), the update, and its vector clock (its causal past and itself)."""

    seq: int
    replica: str
    time: float
    stamp: float
    update: Update
    clock: VersionVector

    def __str__(self) -> str:
        return f"w{self.seq} {self.replica} {self.update} at {self.time:.3f} s, clock says {self.stamp:.3f} s"


class Message(NamedTuple):
    """One state shipped from ``src`` to ``dst``: when it left and when it arrived (true times)."""

    src: str
    dst: str
    sent: float
    delivered: float


class Tagged(NamedTuple):
    """An LWW register's value: the whole data as written, and the write that wrote it."""

    write: int
    value: Any


class Gossip(NamedTuple):
    """A replica's whole state under every policy, as shipped after a write."""

    lww: LWWRegister
    siblings: Siblings
    crdt: Any
    clock: VersionVector
    sent: float


def plan_writes(workload: Workload, rng: random.Random, replicas: Sequence[str], writes: int,
                duration: float) -> list[PlannedWrite]:
    """``writes`` writes at random replicas and uniformly random times in ``[0, duration)``."""
    times = sorted(rng.random() * duration for _ in range(writes))
    plan: list[PlannedWrite] = []
    for seq, t in enumerate(times):
        replica = rng.choice(list(replicas))
        plan.append(PlannedWrite(t, replica, workload.update(rng, replica, seq, [p.update for p in plan])))
    return plan


class ConflictReplica(Process):
    """A replica holding the data under the three policies; ``write`` is what a client calls."""

    def __init__(self, pid: str, workload: Workload) -> None:
        super().__init__(pid)
        self.workload = workload
        self.kind: CrdtKind = KINDS[workload.crdt]
        self.made: list[Write] = []         # the writes made here
        self.received: list[Message] = []   # the states delivered here

    def on_start(self) -> None:
        """Start empty under every policy."""
        self.lww = LWWRegister()
        self.siblings = Siblings()
        self.crdt: Any = self.kind.new()
        self.clock = EMPTY

    def lww_value(self) -> Any:
        """What a reader sees under LWW (the workload's empty value before any write)."""
        entry = self.lww.entry
        return self.workload.read(() if entry is None else (entry.value.value,))

    def write(self, seq: int, update: Update) -> None:
        """A client at this replica makes write ``seq``: under each policy it reads the current
        value, applies ``update`` and writes back; then the replica ships its state to every peer."""
        me, stamp, w = str(self.pid), self.now, self.workload
        self.clock = self.clock.increment(me)
        self.made.append(Write(seq, me, self.sim.now, stamp, update, self.clock))
        self.lww = self.lww.assign(Tagged(seq, w.apply(self.lww_value(), update)), stamp, me)
        self.siblings = self.siblings.put(me, w.apply(w.read(self.siblings.values()), update), seq)
        self.crdt = self.kind.apply(self.crdt, update, me, stamp)
        self.broadcast(Gossip(self.lww, self.siblings, self.crdt, self.clock, self.sim.now))

    def on_message(self, src: Any, msg: Gossip) -> None:
        """Merge a peer's state in, under every policy."""
        self.lww = self.lww.merge(msg.lww)
        self.siblings = self.siblings.merge(msg.siblings)
        self.crdt = self.crdt.merge(msg.crdt)
        self.clock = self.clock.merge(msg.clock)
        self.received.append(Message(str(src), str(self.pid), msg.sent, self.sim.now))
