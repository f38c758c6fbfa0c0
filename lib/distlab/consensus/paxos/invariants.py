"""Paxos safety as named invariants of the global state.

``at_most_one_value_chosen``   a value is chosen when a majority of acceptors accepted it in one
                               ballot; over the whole run, at most one value is ever chosen
                               (per slot, for Multi-Paxos)
``chosen_value_never_changes`` every learner that learned a value learned *the* chosen value, and
                               what it learned never changes afterwards

The checker reads the acceptors' stable state (``accepted``; per slot in Multi-Paxos) after every
step and remembers every acceptance it has seen, so a value that was chosen and later "overwritten"
by higher-ballot acceptances still counts as chosen.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import Any, Protocol

from distlab.sim import Simulation

from .messages import NO_BALLOT, Acceptance, Ballot, SlotAcceptance

NAMES = ("at_most_one_value_chosen", "chosen_value_never_changes")


class Learner(Protocol):
    """What the checker reads from a Paxos server: its persistent acceptor state and what it
    learned (:class:`~distlab.consensus.paxos.single.PaxosNode` and
    :class:`~distlab.consensus.paxos.multi.MultiPaxosNode` both qualify)."""

    pid: Hashable
    stable: dict[str, Any]

    def learned_items(self) -> list[tuple[int, Any]]:
        """(slot, value) pairs learned so far."""
        ...


class PaxosSafety:
    """The two safety properties of :data:`NAMES` over the servers ``pids``, for a quorum of
    ``majority`` acceptors; :meth:`install` registers them as invariants of a simulation, checked
    after every step. It accumulates every acceptance it has seen (``accepts``), the values each
    slot had chosen (``chosen``) and what each learner learned first (``learned``)."""

    def __init__(self, pids: Iterable[Hashable], majority: int):
        self.pids = list(pids)
        self.majority = majority
        self.accepts: dict[tuple[int, Ballot], dict[Hashable, Any]] = {}  # -> {acceptor: value}
        self.chosen: dict[int, list[Any]] = {}  # slot -> values chosen, in the order seen
        self.learned: dict[tuple[Hashable, int], Any] = {}  # (learner, slot) -> value first learned
        self._synced_at = -1
        self.problems: list[str] = []

    def install(self, sim: Simulation) -> PaxosSafety:
        """Register both properties as named invariants of ``sim``; returns self."""
        for name in NAMES:
            sim.invariants.add(name, getattr(self, name))
        return self

    def _acceptances(self, node: Learner) -> Iterator[SlotAcceptance]:
        st = node.stable
        if "slots" in st:  # Multi-Paxos: slot -> (ballot, value)
            for slot, (b, v) in st["slots"].items():
                yield SlotAcceptance(slot, b, v)
        elif "accepted" in st:
            accepted: Acceptance = st["accepted"]
            if accepted.ballot != NO_BALLOT:
                yield SlotAcceptance(0, accepted.ballot, accepted.value)

    def _sync(self, sim: Simulation) -> None:
        if self._synced_at == sim.events_run:
            return
        self._synced_at = sim.events_run
        for pid in self.pids:
            node: Learner = sim.processes[pid]
            for slot, b, v in self._acceptances(node):
                votes = self.accepts.setdefault((slot, b), {})
                if votes.get(node.pid, v) != v:
                    self.problems.append(f"acceptor {node.pid!r} accepted two values in ballot {b}")
                if node.pid not in votes:
                    votes[node.pid] = v
                    if len(votes) == self.majority:
                        values = self.chosen.setdefault(slot, [])
                        if v not in values:
                            values.append(v)

    def any_chosen(self, sim: Simulation) -> bool:
        """Whether some value has been chosen in some slot so far (reading ``sim``'s state now)."""
        self._sync(sim)
        return bool(self.chosen)

    def at_most_one_value_chosen(self, sim: Simulation) -> str | None:
        """None if no slot ever had two different values chosen (a majority of acceptances in
        some ballot each) and no acceptor accepted two values in one ballot; else the first
        problem found."""
        self._sync(sim)
        if self.problems:
            return self.problems[0]
        for slot, values in self.chosen.items():
            if len(values) > 1:
                return f"slot {slot}: values {values!r} were all chosen"
        return None

    def chosen_value_never_changes(self, sim: Simulation) -> str | None:
        """None if every value a learner learned was chosen in that slot and no learner ever
        changed what it learned; else a message naming the learner and the slot."""
        self._sync(sim)
        for pid in self.pids:
            node: Learner = sim.processes[pid]
            for slot, value in node.learned_items():
                first = self.learned.setdefault((pid, slot), value)
                if first != value:
                    return f"{pid!r} learned {first!r} then {value!r} for slot {slot}"
                truth = self.chosen.get(slot, [])
                if value not in truth:
                    return f"{pid!r} learned {value!r} for slot {slot}, which was never chosen"
        return None
