"""What each policy kept and lost on one schedule: the analysis behind ``conflicts``.

After every state has been delivered, each policy's result is read from a replica (all replicas
agree, which ``converged`` records) and set against the writes' causal order:

* **kept** -- writes whose version survives (LWW: the one winner; version vectors and the
  MV-register: the siblings; the cart's OR-Set and the counter's G-Counter merge every update in);
* **superseded** -- writes in the causal past of a kept write: their writer's successor had seen
  them and meant to replace them, so nothing was lost;
* **lost** -- every other write, dropped silently: *concurrent* with what was kept (no policy that
  keeps one value can keep both), or *causally later* than a kept write -- it had seen the winner
  and still lost, which only a clock that runs behind can do.

Against the data: ``intended`` is the value the workload's CRDT specification gives for all the
writes (``crdt_kinds``: all concurrent register values, the add-wins cart, the number of
increments); ``missing`` is what the read lacks of it and ``extra`` what it has beyond it -- the
Dynamo cart's deleted item that came back.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.geo.conflicts_sim import ConflictReplica, Write
from distlab.geo.crdt_base import show
from distlab.geo.crdt_kinds import KINDS, Event
from distlab.geo.vclock import Dot

__all__ = ["CONCURRENT", "LATER", "POLICIES", "Loss", "PolicyOutcome", "happened_before", "outcome"]

POLICIES = ("lww", "version-vectors", "crdt")
"""The merge policies, in the order the chapter compares them."""

CONCURRENT, LATER = "concurrent", "causally later"


class Loss(NamedTuple):
    """Write ``write`` was dropped: ``reason`` is CONCURRENT or LATER, relative to kept write ``to``."""

    write: int
    reason: str
    to: int


def happened_before(a: Write, b: Write) -> bool:
    """Whether write ``a`` is in the causal past of write ``b``."""
    return a.seq != b.seq and b.clock.contains(Dot(a.replica, a.clock.get(a.replica)))


@dataclass(frozen=True)
class PolicyOutcome:
    """One policy's result on the schedule (see the module docstring for each field)."""

    policy: str
    workload: str
    value: Any
    siblings: tuple[Any, ...]
    kept: tuple[int, ...]
    superseded: tuple[int, ...]
    lost: tuple[Loss, ...]
    intended: Any
    missing: Any
    extra: Any
    converged: bool

    def status(self, write: int) -> str:
        """``"kept"``, ``"superseded"``, ``"lost (concurrent)"`` or ``"lost (causally later)"``."""
        if write in self.kept:
            return "kept"
        if write in self.superseded:
            return "superseded"
        return next(f"lost ({loss.reason})" for loss in self.lost if loss.write == write)

    def lost_writes(self, reason: str | None = None) -> tuple[int, ...]:
        """The writes lost (for one ``reason``, CONCURRENT or LATER, or for any)."""
        return tuple(loss.write for loss in self.lost if reason in (None, loss.reason))

    def summary(self) -> str:
        """One line: what a reader sees, and what was lost or came back."""
        parts = [f"{self.policy}: reads {show(self.value)}"]
        if len(self.siblings) > 1:
            parts.append(f"{len(self.siblings)} siblings")
        if self.workload == "counter":  # an increment can vanish inside a write that survives: count them
            lost = self.missing
            parts.append(f"{lost} of {self.intended} increments lost" if lost else "no increment lost")
            return "; ".join(parts)
        n, later = len(self.lost), len(self.lost_writes(LATER))
        parts.append(f"{n} write{'s' * (n != 1)} lost ({later} causally later)" if n else "no write lost")
        if self.missing:
            parts.append(f"missing {show(self.missing)}")
        if self.extra:
            parts.append(f"resurrected {show(self.extra)}")
        return "; ".join(parts)


def events(writes: Sequence[Write]) -> list[Event]:
    """The writes as the CRDT specifications read them: each with the writes in its causal past."""
    return [Event(w.seq, w.replica, w.update, w.stamp, frozenset(v.seq for v in writes if happened_before(v, w)))
            for w in writes]


def _difference(intended: Any, value: Any) -> tuple[Any, Any]:
    if isinstance(intended, int):
        return max(intended - value, 0), max(value - intended, 0)
    return intended - value, value - intended


def _kept(policy: str, workload: str, replica: ConflictReplica, writes: Sequence[Write]) -> tuple[int, ...]:
    if policy == "lww":
        entry = replica.lww.entry
        return () if entry is None else (entry.value.write,)
    if policy == "version-vectors":
        return tuple(v.write for v in replica.siblings.versions)
    if workload == "register":  # the MV-register keeps values; each value names its write
        alive = replica.crdt.value()
        return tuple(w.seq for w in writes if w.update.arg in alive)
    return tuple(w.seq for w in writes)


def _read(policy: str, replica: ConflictReplica) -> tuple[Any, tuple[Any, ...]]:
    """(what a reader sees, the versions the store holds) under ``policy``."""
    if policy == "lww":
        value = replica.lww_value()
        return value, (value,)
    if policy == "version-vectors":
        siblings = replica.siblings.values()
        return replica.workload.read(siblings), siblings
    value = replica.crdt.value()
    return value, (tuple(sorted(value)) if replica.workload.name == "register" else (value,))


def outcome(policy: str, replicas: Sequence[ConflictReplica], writes: Sequence[Write]) -> PolicyOutcome:
    """``policy``'s result once every state is delivered, read at the first replica."""
    first = replicas[0]
    workload = first.workload.name
    value, siblings = _read(policy, first)
    kept = _kept(policy, workload, first, writes)
    by_seq = {w.seq: w for w in writes}
    superseded: list[int] = []
    lost: list[Loss] = []
    for w in writes:
        if w.seq in kept:
            continue
        if any(happened_before(w, by_seq[k]) for k in kept):
            superseded.append(w.seq)
            continue
        after = [k for k in kept if happened_before(by_seq[k], w)]
        lost.append(Loss(w.seq, LATER, after[0]) if after else Loss(w.seq, CONCURRENT, kept[0]))
    intended = KINDS[first.workload.crdt].spec(events(writes))
    missing, extra = _difference(intended, value)
    converged = all(_read(policy, r) == (value, siblings) for r in replicas[1:])
    return PolicyOutcome(policy, workload, value, siblings, kept, tuple(superseded), tuple(lost), intended,
                         missing, extra, converged)
