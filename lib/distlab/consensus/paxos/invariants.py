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

from .messages import NO_BALLOT

NAMES = ("at_most_one_value_chosen", "chosen_value_never_changes")


class PaxosSafety:
    def __init__(self, pids, majority: int):
        self.pids = list(pids)
        self.majority = majority
        self.accepts: dict = {}   # (slot, ballot) -> {acceptor: value}
        self.chosen: dict = {}    # slot -> set of chosen values (as a list, by repr order)
        self.learned: dict = {}   # (learner, slot) -> value first learned
        self._synced_at = -1
        self.problems: list = []

    def install(self, sim) -> PaxosSafety:
        for name in NAMES:
            sim.invariants.add(name, getattr(self, name))
        return self

    def _acceptances(self, node):
        st = node.stable
        if "slots" in st:  # Multi-Paxos: slot -> (ballot, value)
            for slot, (b, v) in st["slots"].items():
                yield slot, b, v
        elif "accepted" in st:
            b, v = st["accepted"]
            if b != NO_BALLOT:
                yield 0, b, v

    def _sync(self, sim) -> None:
        if self._synced_at == sim.events_run:
            return
        self._synced_at = sim.events_run
        for pid in self.pids:
            node = sim.processes[pid]
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

    def at_most_one_value_chosen(self, sim):
        self._sync(sim)
        if self.problems:
            return self.problems[0]
        for slot, values in self.chosen.items():
            if len(values) > 1:
                return f"slot {slot}: values {values!r} were all chosen"
        return None

    def chosen_value_never_changes(self, sim):
        self._sync(sim)
        for pid in self.pids:
            node = sim.processes[pid]
            for slot, value in node.learned_items():
                first = self.learned.setdefault((pid, slot), value)
                if first != value:
                    return f"{pid!r} learned {first!r} then {value!r} for slot {slot}"
                truth = self.chosen.get(slot, [])
                if value not in truth:
                    return f"{pid!r} learned {value!r} for slot {slot}, which was never chosen"
        return None
