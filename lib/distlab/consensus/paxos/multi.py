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

from collections.abc import Hashable, Sequence
from typing import Any

from distlab.sim import Process, ms

from .messages import NO_BALLOT, Accept, Accepted, Forward, Heartbeat, HeartbeatReply, Nack, Prepare, Promise

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"


class MultiPaxosNode(Process):
    def __init__(self, pid: Hashable, members: Sequence[Hashable], *,
                 election_timeout: tuple = (ms(150), ms(300)), heartbeat: float = ms(50)):
        super().__init__(pid)
        self.members = list(members)
        if pid not in self.members:
            raise ValueError(f"members must include {pid!r}, got {self.members!r}")
        lo, hi = election_timeout
        if not 0 < lo <= hi or not 0 < heartbeat < lo:
            raise ValueError(f"election_timeout must be 0 < low <= high and heartbeat below low; "
                             f"got {election_timeout!r}, heartbeat={heartbeat!r}")
        self.majority = len(self.members) // 2 + 1
        self.election_timeout, self.heartbeat = (lo, hi), heartbeat
        self._reset()

    # ------------------------------------------------------------------ lifecycle
    def on_start(self) -> None:
        st = self.stable
        st.setdefault("promised", NO_BALLOT)
        st.setdefault("slots", {})
        st.setdefault("round", 0)
        self._reset()
        self.reset_timer()

    def _reset(self) -> None:
        self.role, self.ballot, self.leader_id = FOLLOWER, NO_BALLOT, None
        self.promises: dict = {}
        self.votes: dict = {}        # (slot, ballot) -> set of acceptors
        self.chosen: dict[int, Any] = {}  # slot -> value (learner; volatile, re-learned after restart)
        self.known_upto = 0
        self.next_slot = 1
        self.follower_upto: dict = {}
        self.pending: list = []      # commands waiting for leadership
        self.deadline = 0.0

    def reset_timer(self) -> None:
        lo, hi = self.election_timeout
        self.deadline = self.now + lo + (hi - lo) * self.rng.random()
        self.set_timer("election", self.deadline - self.now)

    def on_timer(self, name: str, data: Any) -> None:
        if name == "election":
            if self.role != LEADER:
                self.start_phase1()
        elif name == "heartbeat" and self.role == LEADER:
            self.send_heartbeats()
            self.set_timer("heartbeat", self.heartbeat)

    # ------------------------------------------------------------------ leader election = phase 1
    def start_phase1(self) -> None:
        st = self.stable
        st["round"] = max(st["round"], st["promised"][0]) + 1
        self.ballot = (st["round"], self.pid)
        self.role, self.promises = CANDIDATE, {}
        for m in self.members:
            self.send(m, Prepare(self.ballot))
        self.reset_timer()

    def handle_promise(self, src, m: Promise) -> None:
        if self.role != CANDIDATE or m.ballot != self.ballot:
            return
        self.promises[src] = m
        if len(self.promises) < self.majority:
            return
        self.role, self.leader_id = LEADER, self.pid
        best: dict = {}
        for p in self.promises.values():
            for slot, b, v in p.accepted:
                if slot not in best or b > best[slot][0]:
                    best[slot] = (b, v)
        top = max([*best, *self.chosen, 0])
        for slot in range(1, top + 1):  # re-propose what may be chosen; fill holes with no-ops
            value = self.chosen[slot] if slot in self.chosen else best.get(slot, (None, None))[1]
            self.propose(slot, value)
        self.next_slot = top + 1
        self.follower_upto = {p: 0 for p in self.members if p != self.pid}
        pending, self.pending = self.pending, []
        for value in pending:
            self.submit(value)
        self.send_heartbeats()
        self.set_timer("heartbeat", self.heartbeat)

    def step_down(self, promised: tuple) -> None:
        st = self.stable
        st["round"] = max(st["round"], promised[0])
        if self.role != FOLLOWER:
            self.role = FOLLOWER
            self.reset_timer()

    # ------------------------------------------------------------------ phase 2, per slot
    def submit(self, value) -> bool:
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

    def propose(self, slot: int, value) -> None:
        for a in self.members:
            self.send(a, Accept(self.ballot, value, slot))

    # ------------------------------------------------------------------ acceptor
    def handle_prepare(self, src, m: Prepare) -> None:
        st = self.stable
        if m.ballot > st["promised"]:
            st["promised"] = m.ballot
            if self.role == LEADER and m.ballot > self.ballot:
                self.step_down(m.ballot)
            accepted = tuple((s, b, v) for s, (b, v) in st["slots"].items())
            self.send(src, Promise(m.ballot, NO_BALLOT, None, accepted))
        else:
            self.send(src, Nack(m.ballot, st["promised"]))

    def handle_accept(self, src, m: Accept) -> None:
        st = self.stable
        if m.ballot >= st["promised"]:
            st["promised"] = m.ballot
            st["slots"][m.slot] = (m.ballot, m.value)
            msg = Accepted(m.ballot, m.value, self.pid, m.slot)
            for learner in self.members:
                self.send(learner, msg)
        else:
            self.send(src, Nack(m.ballot, st["promised"]))

    def handle_nack(self, src, m: Nack) -> None:
        if m.ballot == self.ballot and m.promised > self.ballot:
            self.step_down(m.promised)

    # ------------------------------------------------------------------ learner
    def handle_accepted(self, src, m: Accepted) -> None:
        voters = self.votes.setdefault((m.slot, m.ballot), set())
        voters.add(m.acceptor)
        if len(voters) >= self.majority and m.slot not in self.chosen:
            self.learn(m.slot, m.value)

    def learn(self, slot: int, value) -> None:
        self.chosen[slot] = value
        while self.known_upto + 1 in self.chosen:
            self.known_upto += 1

    def learned_items(self):
        return list(self.chosen.items())

    # ------------------------------------------------------------------ heartbeats
    def send_heartbeats(self) -> None:
        for p in self.members:
            if p != self.pid:
                start = self.follower_upto.get(p, 0) + 1
                catch_up = tuple((s, self.chosen[s]) for s in range(start, start + 32)
                                 if s in self.chosen)
                self.send(p, Heartbeat(self.ballot, catch_up))

    def handle_heartbeat(self, src, m: Heartbeat) -> None:
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

    def handle_heartbeat_reply(self, src, m: HeartbeatReply) -> None:
        if self.role == LEADER and m.ballot == self.ballot:
            self.follower_upto[src] = m.known_upto

    def on_message(self, src, msg) -> None:
        handler = _HANDLERS.get(type(msg))
        if handler is not None:
            handler(self, src, msg)
        elif type(msg) is Forward:
            self.submit(msg.value)


_HANDLERS = {Prepare: MultiPaxosNode.handle_prepare, Promise: MultiPaxosNode.handle_promise,
             Accept: MultiPaxosNode.handle_accept, Accepted: MultiPaxosNode.handle_accepted,
             Nack: MultiPaxosNode.handle_nack, Heartbeat: MultiPaxosNode.handle_heartbeat,
             HeartbeatReply: MultiPaxosNode.handle_heartbeat_reply}
