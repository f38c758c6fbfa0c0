"""Multi-Paxos with a stable leader: a log of slots, phase 1 once per leadership, phase 2 per slot.

Running single-decree Paxos for every log slot would cost two rounds per command. A stable leader
runs phase 1 *once* for all future slots ("I have the floor from ballot b on"); the promises carry
every slot an acceptor has accepted, and the new leader re-proposes the highest-ballot value of each
such slot (and a no-op ``None`` for holes below the highest) before proposing new commands, each of
which then needs only phase 2 -- one round trip, like Raft's AppendEntries.

Leadership is by randomized timeout, as in Raft: a node that has not heard a heartbeat within its
timeout starts phase 1 with a higher ballot; a Nack naming a higher ballot makes a leader step
down. Safety never depends on there being one leader -- two leaders just pre-empt each other --
only progress does.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from distlab.consensus import checks
from distlab.sim import Process, ms

from .messages import (
    NO_BALLOT,
    Accept,
    Acceptance,
    Accepted,
    Ballot,
    Forward,
    Heartbeat,
    HeartbeatReply,
    Nack,
    Prepare,
    Promise,
    SlotAcceptance,
    SlotValue,
)

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"
CATCH_UP = 32  # chosen slots a heartbeat carries to a follower that lags behind


class MultiPaxosNode(Process):
    """One Multi-Paxos server: acceptor and learner of every log slot, and proposer while it leads.

    ``election_timeout``: ``(low, high)`` seconds without a heartbeat before it runs phase 1;
    ``heartbeat``: the leader's heartbeat period (below ``low``). ``chosen`` maps each slot to the
    value learned in it; ``known_upto`` is the end of the gap-free prefix of that log.
    """

    def __init__(self, pid: Hashable, members: Sequence[Hashable], *,
                 election_timeout: tuple[float, float] = (ms(150), ms(300)),
                 heartbeat: float = ms(50)):
        super().__init__(pid)
        self.members = list(members)
        if pid not in self.members:
            raise ValueError(f"members must include {pid!r}, got {self.members!r}")
        checks.timeout_range("election_timeout", election_timeout, 3600.0)
        checks.number("heartbeat", heartbeat, 0, 3600.0, "seconds", open_low=True)
        lo, hi = election_timeout
        if not heartbeat < lo:
            raise ValueError(f"election_timeout must be 0 < low <= high and heartbeat below low; "
                             f"got {election_timeout!r}, heartbeat={heartbeat!r}")
        self.majority = len(self.members) // 2 + 1
        self.election_timeout, self.heartbeat = (lo, hi), heartbeat
        self._reset()

    # ------------------------------------------------------------------ lifecycle
    def on_start(self) -> None:
        """Initialise the acceptor's stable state on first start (``promised``, accepted
        ``slots``, ``round``; kept across crashes), forget everything volatile -- chosen values are
        re-learned from the leader -- and wait for a heartbeat as a follower."""
        st = self.stable
        st.setdefault("promised", NO_BALLOT)
        st.setdefault("slots", {})
        st.setdefault("round", 0)
        self._reset()
        self.reset_timer()

    def _reset(self) -> None:
        self.role: str = FOLLOWER
        self.ballot: Ballot = NO_BALLOT
        self.leader_id: Hashable | None = None
        self.promises: dict[Hashable, Promise] = {}
        self.votes: dict[tuple[int, Ballot], set[Hashable]] = {}  # (slot, ballot) -> acceptors
        self.chosen: dict[int, Any] = {}  # slot -> value (learner; volatile, re-learned after restart)
        self.known_upto = 0
        self.next_slot = 1
        self.follower_upto: dict[Hashable, int] = {}
        self.pending: list[Any] = []      # commands waiting for leadership
        self.deadline = 0.0

    def reset_timer(self) -> None:
        """Re-arm the election timeout at a random point of ``election_timeout`` from now (the
        randomisation that keeps two nodes from starting phase 1 together for ever)."""
        lo, hi = self.election_timeout
        self.deadline = self.now + lo + (hi - lo) * self.rng.random()
        self.set_timer("election", self.deadline - self.now)

    def on_timer(self, name: str, data: Any) -> None:
        """``election``: no heartbeat in time, so a non-leader runs phase 1; ``heartbeat``: a
        leader sends its heartbeats and re-arms the timer."""
        if name == "election":
            if self.role != LEADER:
                self.start_phase1()
        elif name == "heartbeat" and self.role == LEADER:
            self.send_heartbeats()
            self.set_timer("heartbeat", self.heartbeat)

    # ------------------------------------------------------------------ leader election = phase 1
    def start_phase1(self) -> None:
        """Become a candidate: pick a ballot above every round seen or promised and send
        ``Prepare`` to every member -- one phase 1 for all future slots."""
        st = self.stable
        st["round"] = max(st["round"], st["promised"].round) + 1
        self.ballot = Ballot(st["round"], self.pid)
        self.role, self.promises = CANDIDATE, {}
        for m in self.members:
            self.send(m, Prepare(self.ballot))
        self.reset_timer()

    def handle_promise(self, src: Hashable, m: Promise) -> None:
        """Phase 1b at the candidate: with promises from a majority it leads. It re-proposes, slot
        by slot, what may already be chosen (the highest-ballot acceptance reported, a no-op
        ``None`` for a hole), then the commands that waited for it, and starts heartbeats."""
        if self.role != CANDIDATE or m.ballot != self.ballot:
            return
        self.promises[src] = m
        if len(self.promises) < self.majority:
            return
        self.role, self.leader_id = LEADER, self.pid
        best = self._highest_acceptances()
        top = max([*best, *self.chosen, 0])
        for slot in range(1, top + 1):  # re-propose what may be chosen; fill holes with no-ops
            value = self.chosen[slot] if slot in self.chosen else (
                best[slot].value if slot in best else None)
            self.propose(slot, value)
        self.next_slot = top + 1
        self.follower_upto = {p: 0 for p in self.members if p != self.pid}
        pending, self.pending = self.pending, []
        for value in pending:
            self.submit(value)
        self.send_heartbeats()
        self.set_timer("heartbeat", self.heartbeat)

    def _highest_acceptances(self) -> dict[int, Acceptance]:
        """Per slot, the highest-ballot acceptance reported in the promises of this ballot."""
        best: dict[int, Acceptance] = {}
        for p in self.promises.values():
            for slot, b, v in p.accepted:
                if slot not in best or b > best[slot].ballot:
                    best[slot] = Acceptance(b, v)
        return best

    def step_down(self, promised: Ballot) -> None:
        """A higher ballot exists: remember its round (so our next ballot beats it) and fall back
        to follower, waiting a fresh election timeout."""
        st = self.stable
        st["round"] = max(st["round"], promised.round)
        if self.role != FOLLOWER:
            self.role = FOLLOWER
            self.reset_timer()

    # ------------------------------------------------------------------ phase 2, per slot
    def submit(self, value: Any) -> bool:
        """A client command: the leader proposes it in the next slot; others forward it."""
        if self.role == LEADER:
            slot = self.next_slot
            self.next_slot += 1
            self.propose(slot, value)
            return True
        if self.leader_id is not None and self.leader_id != self.pid:
            self.send(self.leader_id, Forward(value))
        else:
            self.pending.append(value)
        return False

    def propose(self, slot: int, value: Any) -> None:
        """Phase 2a for one slot: ask every acceptor to accept ``value`` in ``slot`` under our
        ballot (no phase 1 needed: the promises cover every slot)."""
        for a in self.members:
            self.send(a, Accept(self.ballot, value, slot))

    # ------------------------------------------------------------------ acceptor
    def handle_prepare(self, src: Hashable, m: Prepare) -> None:
        """Phase 1b at the acceptor: promise a higher ballot (a leader seeing one steps down) and
        report every slot accepted so far; refuse a lower one with a ``Nack``."""
        st = self.stable
        if m.ballot > st["promised"]:
            st["promised"] = m.ballot
            if self.role == LEADER and m.ballot > self.ballot:
                self.step_down(m.ballot)
            accepted = tuple(SlotAcceptance(s, a.ballot, a.value) for s, a in st["slots"].items())
            self.send(src, Promise(m.ballot, NO_BALLOT, None, accepted))
        else:
            self.send(src, Nack(m.ballot, st["promised"]))

    def handle_accept(self, src: Hashable, m: Accept) -> None:
        """Phase 2b at the acceptor: accept ``m.value`` in ``m.slot`` unless a higher ballot was
        promised, and announce it to every learner; otherwise ``Nack``."""
        st = self.stable
        if m.ballot >= st["promised"]:
            st["promised"] = m.ballot
            st["slots"][m.slot] = Acceptance(m.ballot, m.value)
            msg = Accepted(m.ballot, m.value, self.pid, m.slot)
            for learner in self.members:
                self.send(learner, msg)
        else:
            self.send(src, Nack(m.ballot, st["promised"]))

    def handle_nack(self, src: Hashable, m: Nack) -> None:
        """Our ballot was refused for a higher one: step down."""
        if m.ballot == self.ballot and m.promised > self.ballot:
            self.step_down(m.promised)

    # ------------------------------------------------------------------ learner
    def handle_accepted(self, src: Hashable, m: Accepted) -> None:
        """Count acceptors per (slot, ballot); a majority means the slot's value is chosen."""
        voters = self.votes.setdefault((m.slot, m.ballot), set())
        voters.add(m.acceptor)
        if len(voters) >= self.majority and m.slot not in self.chosen:
            self.learn(m.slot, m.value)

    def learn(self, slot: int, value: Any) -> None:
        """Record ``value`` as chosen in ``slot`` and extend ``known_upto`` over the gap-free prefix."""
        self.chosen[slot] = value
        while self.known_upto + 1 in self.chosen:
            self.known_upto += 1

    def learned_items(self) -> list[tuple[int, Any]]:
        """(slot, value) pairs this learner has learned, in the order it learned them."""
        return list(self.chosen.items())

    # ------------------------------------------------------------------ heartbeats
    def send_heartbeats(self) -> None:
        """Tell every follower we lead, with up to :data:`CATCH_UP` chosen slots past what it
        last reported knowing."""
        for p in self.members:
            if p != self.pid:
                start = self.follower_upto.get(p, 0) + 1
                catch_up = tuple(SlotValue(s, self.chosen[s]) for s in range(start, start + CATCH_UP)
                                 if s in self.chosen)
                self.send(p, Heartbeat(self.ballot, catch_up))

    def handle_heartbeat(self, src: Hashable, m: Heartbeat) -> None:
        """A leader's heartbeat: refuse a stale ballot; otherwise follow ``src``, reset the election
        timeout, learn the slots it vouches for, forward waiting commands and report our progress."""
        if m.ballot < self.stable["promised"]:
            self.send(src, Nack(m.ballot, self.stable["promised"]))
            return
        if self.role != FOLLOWER and src != self.pid:
            self.role = FOLLOWER
        self.leader_id = src
        self.reset_timer()
        for slot, value in m.chosen:  # the leader vouches these are chosen
            if slot not in self.chosen:
                self.learn(slot, value)
        pending, self.pending = self.pending, []
        for value in pending:
            self.send(src, Forward(value))
        self.send(src, HeartbeatReply(m.ballot, self.known_upto))

    def handle_heartbeat_reply(self, src: Hashable, m: HeartbeatReply) -> None:
        """Leader: remember how far ``src``'s log of chosen values is complete."""
        if self.role == LEADER and m.ballot == self.ballot:
            self.follower_upto[src] = m.known_upto

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Dispatch a Paxos message to its handler; a ``Forward`` is submitted as a command."""
        handler = _HANDLERS.get(type(msg))
        if handler is not None:
            handler(self, src, msg)
        elif type(msg) is Forward:
            self.submit(msg.value)


_HANDLERS: dict[type, Callable[[MultiPaxosNode, Hashable, Any], None]] = {
    Prepare: MultiPaxosNode.handle_prepare, Promise: MultiPaxosNode.handle_promise,
    Accept: MultiPaxosNode.handle_accept, Accepted: MultiPaxosNode.handle_accepted,
    Nack: MultiPaxosNode.handle_nack, Heartbeat: MultiPaxosNode.handle_heartbeat,
    HeartbeatReply: MultiPaxosNode.handle_heartbeat_reply}
