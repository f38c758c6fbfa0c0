"""Single-decree Paxos: proposers, acceptors and learners agreeing on one value.

Every :class:`PaxosNode` is an acceptor and a learner; nodes given a ``value`` are proposers too.

* **Acceptor** (persistent state in ``self.stable``: ``promised``, ``accepted``): promises to ignore
  ballots below the highest Prepare it answered; accepts ``Accept(b, v)`` unless it promised a
  higher ballot. Its promise carries the value it accepted last -- this is what keeps a chosen value
  chosen.
* **Proposer**: phase 1 collects promises from a majority; phase 2 proposes the value of the
  highest-ballot acceptance among them (its own value only if none). A refusal (``Nack``) or a
  timeout starts over with a higher ballot, after the ``retry`` policy's delay.
* **Learner**: a value is chosen once a majority of acceptors accepted it in the same ballot.

Retry policies show the liveness problem FLP says no protocol escapes entirely: ``"immediate"``
lets two proposers pre-empt each other forever (duelling proposers, a livelock); ``"backoff"``
waits a random, growing delay; ``"leader"`` lets only a distinguished proposer (the lowest pid
still proposing) retry.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from distlab.consensus import checks
from distlab.sim import Process, ms

from .messages import NO_BALLOT, Accept, Acceptance, Accepted, Ballot, Nack, Prepare, Promise

RETRY_POLICIES = ("immediate", "backoff", "leader")


class PaxosNode(Process):
    """One single-decree Paxos server: always an acceptor and a learner, and a proposer of
    ``value`` when one is given (after ``start_delay`` seconds). ``timeout``: seconds a proposer
    waits for a ballot to succeed before giving up on it; ``retry``: one of :data:`RETRY_POLICIES`.
    ``chosen`` is the value this learner learned (None until then)."""

    def __init__(self, pid: Hashable, members: Sequence[Hashable], value: Any = None, *,
                 retry: str = "backoff", timeout: float = ms(50), start_delay: float = 0.0):
        super().__init__(pid)
        if retry not in RETRY_POLICIES:
            raise ValueError(f"retry must be one of {RETRY_POLICIES}, got {retry!r}")
        checks.number("timeout", timeout, 0, 3600.0, "seconds", open_low=True)
        checks.number("start_delay", start_delay, 0, 3600.0, "seconds")
        self.members = list(members)
        if pid not in self.members:
            raise ValueError(f"members must include {pid!r}, got {self.members!r}")
        self.majority = len(self.members) // 2 + 1
        self.value, self.retry, self.timeout, self.start_delay = value, retry, timeout, start_delay
        self.proposers: list[Hashable] = []  # set by the scenario: who proposes (for "leader")
        self.ballots_tried = 0
        self.chosen: Any = None

    # ------------------------------------------------------------------ lifecycle
    def on_start(self) -> None:
        """Initialise the acceptor's stable state on first start (kept across crashes), reset the
        proposer's and learner's volatile state, and schedule the first proposal."""
        st = self.stable
        st.setdefault("promised", NO_BALLOT)
        st.setdefault("accepted", Acceptance(NO_BALLOT, None))
        st.setdefault("round", 0)
        self.phase = 0            # proposer: 0 idle, 1 preparing, 2 accepting
        self.ballot: Ballot = NO_BALLOT
        self.promises: dict[Hashable, Promise] = {}
        self.votes: dict[Ballot, dict[Hashable, Any]] = {}  # learner: ballot -> {acceptor: value}
        self.chosen = None
        self.attempt = 0
        if self.value is not None:
            self.set_timer("propose", self.start_delay)

    def on_timer(self, name: str, data: Any) -> None:
        """``propose``: start a new ballot (unless a value is chosen); ``timeout``: the current
        ballot got no answer in time, so give up on it."""
        if name == "propose" and self.chosen is None:
            self.start_phase1()
        elif name == "timeout" and self.chosen is None and self.phase:
            self.give_up(self.ballot)  # an impatient proposer: no answer in time

    # ------------------------------------------------------------------ proposer
    def start_phase1(self) -> None:
        """Pick a ballot above any seen and ask every acceptor for a promise."""
        st = self.stable
        st["round"] += 1
        self.ballot = Ballot(st["round"], self.pid)
        self.ballots_tried += 1
        self.phase, self.promises = 1, {}
        for m in self.members:
            self.send(m, Prepare(self.ballot))
        self.set_timer("timeout", self.timeout)

    def give_up(self, ballot: Ballot) -> None:
        """This ballot failed: retry according to the policy."""
        self.phase = 0
        self.attempt += 1
        if self.retry == "immediate":
            delay = 0.0
        elif self.retry == "backoff":
            delay = self.rng.random() * self.timeout * min(2 ** self.attempt, 32)
        else:  # "leader": only the distinguished proposer keeps trying
            live = [p for p in self.proposers if self.sim.processes[p].up] or [self.pid]
            if min(live, key=repr) != self.pid:
                self.set_timer("propose", self.timeout * 4)  # check again later
                return
            delay = 0.0
        self.set_timer("propose", delay)

    def handle_promise(self, src: Hashable, m: Promise) -> None:
        """Phase 1b at the proposer: once a majority promised this ballot, send ``Accept`` for the
        value of the highest-ballot acceptance they reported (our own value if none)."""
        if self.phase != 1 or m.ballot != self.ballot:
            return
        self.promises[src] = m
        if len(self.promises) >= self.majority:
            best = max(self.promises.values(), key=lambda p: p.accepted_ballot)
            value = best.accepted_value if best.accepted_ballot != NO_BALLOT else self.value
            self.phase = 2
            for a in self.members:
                self.send(a, Accept(self.ballot, value))

    def handle_nack(self, src: Hashable, m: Nack) -> None:
        """An acceptor refused our current ballot: remember the higher round it promised (so the
        next ballot beats it) and give up on this one."""
        if m.ballot != self.ballot or not self.phase:
            return
        st = self.stable
        st["round"] = max(st["round"], m.promised.round)
        self.cancel_timer("timeout")
        self.give_up(m.ballot)

    # ------------------------------------------------------------------ acceptor
    def handle_prepare(self, src: Hashable, m: Prepare) -> None:
        """Phase 1b at the acceptor: promise a ballot higher than any promised so far (persisted
        before answering) and report the last acceptance; refuse a lower one with a ``Nack``."""
        st = self.stable
        if m.ballot > st["promised"]:
            st["promised"] = m.ballot  # persisted before the promise leaves
            accepted: Acceptance = st["accepted"]
            self.send(src, Promise(m.ballot, accepted.ballot, accepted.value))
        else:
            self.send(src, Nack(m.ballot, st["promised"]))

    def handle_accept(self, src: Hashable, m: Accept) -> None:
        """Phase 2b at the acceptor: accept unless a higher ballot was promised, and announce the
        acceptance to every learner; otherwise ``Nack``."""
        st = self.stable
        if m.ballot >= st["promised"]:
            st["promised"] = m.ballot
            st["accepted"] = Acceptance(m.ballot, m.value)
            msg = Accepted(m.ballot, m.value, self.pid)
            for learner in self.members:
                self.send(learner, msg)
        else:
            self.send(src, Nack(m.ballot, st["promised"]))

    # ------------------------------------------------------------------ learner
    def handle_accepted(self, src: Hashable, m: Accepted) -> None:
        """Count acceptances per ballot; a majority in one ballot means the value is chosen, which
        also ends this node's own proposing."""
        votes = self.votes.setdefault(m.ballot, {})
        votes[m.acceptor] = m.value
        if self.chosen is None and len(votes) >= self.majority:
            self.chosen = m.value
            self.phase = 0
            self.cancel_timer("timeout")
            self.cancel_timer("propose")
            if self.sim.trace.enabled:
                self.record(chosen=m.value)

    def learned_items(self) -> list[tuple[int, Any]]:
        """(slot, value) pairs this learner has learned (one slot: 0)."""
        return [(0, self.chosen)] if self.chosen is not None else []

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Dispatch a Paxos message to its role's handler; anything else is ignored."""
        kind = type(msg)
        if kind is Prepare:
            self.handle_prepare(src, msg)
        elif kind is Promise:
            self.handle_promise(src, msg)
        elif kind is Accept:
            self.handle_accept(src, msg)
        elif kind is Accepted:
            self.handle_accepted(src, msg)
        elif kind is Nack:
            self.handle_nack(src, msg)
