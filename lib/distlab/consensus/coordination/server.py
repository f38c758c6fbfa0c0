"""A coordination server: a Raft server (:class:`~distlab.consensus.raft.RaftNode`) whose state
machine is :class:`~distlab.consensus.coordination.state_machine.CoordinationStateMachine`.

Built on Raft by composition and subclassing only -- the Raft package is not touched:

* a client's :class:`CoordRequest` reaching a follower is refused with a ``leader_hint`` (redirect,
  never dropped silently); on the leader it becomes a log entry stamped with the leader's clock,
  and is answered once applied;
* every new leader first appends a ``promote`` entry (it doubles as the no-op that commits the new
  term, dissertation §6.4) which extends every lease by its ttl from the leader's clock;
* every ``lease_check`` seconds the leader looks for leases whose deadline its clock has passed and
  proposes an ``expire`` entry for each. Expiry is thus a decision *in the log*: every replica
  deletes the same keys at the same revision, and a leader crash loses nothing -- the next leader
  has the deadlines in its replicated state and proposes the expiry itself.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

from distlab.consensus import checks
from distlab.consensus.raft import LEADER, Entry, RaftConfig, RaftNode
from distlab.consensus.raft.node import ApplyFn
from distlab.sim import ms

from .state_machine import OPS, Command, CoordinationStateMachine


class CoordRequest(NamedTuple):
    """A client's operation ``op`` (one of the state machine's ``OPS``) with ``args``; ``(client,
    seq)`` identifies it, so a resent request is applied at most once."""

    client: Hashable
    seq: int
    op: str
    args: tuple[Any, ...]


class CoordReply(NamedTuple):
    """A server's answer to request ``seq``: ``ok`` with the operation's ``result``, or a refusal
    (not the leader, or a bad op) with whom it believes leads."""

    client: Hashable
    seq: int
    ok: bool
    result: Any = None
    leader_hint: Hashable | None = None  # on refusal: whom this server believes leads


class Waiter(NamedTuple):
    """A client request the leader appended to its log and will answer once the entry applies."""

    src: Hashable      # where to send the reply (the client's gateway process)
    client: Hashable
    seq: int

    def carried_by(self, command: Command) -> bool:
        """Whether the applied ``command`` is this request (a new leader may have overwritten the
        entry at its index with something else)."""
        return bool(command[0] == "req" and command[1] == self.client and command[2] == self.seq)


class ExpiryProposal(NamedTuple):
    """A lease expiry this leader already proposed: the lease and the deadline it had then (a
    keepalive that moves the deadline makes a new proposal due)."""

    lease: int
    deadline: float


class CoordinationServer(RaftNode):
    """One replica of the coordination store. ``lease_check``: seconds between the leader's scans
    for expired leases (the expiry granularity; etcd's lessor checks every 500 ms)."""

    def __init__(self, pid: Hashable, members: Sequence[Hashable], config: RaftConfig | None = None,
                 apply_fn: ApplyFn | None = None, *, lease_check: float = ms(50)):
        checks.number("lease_check", lease_check, 0, 5.0, "seconds", open_low=True)
        self.lease_check = float(lease_check)
        super().__init__(pid, members, config, apply_fn)

    def on_start(self) -> None:
        """Start (or restart) with an empty state machine, rebuilt by Raft re-applying the log,
        and no pending client requests."""
        self.machine = CoordinationStateMachine()  # rebuilt by re-applying the log after a restart
        self.waiting: dict[int, Waiter] = {}       # log index -> the request it carries
        self.proposed_expiry: set[ExpiryProposal] = set()
        super().on_start()

    # ------------------------------------------------------------------ leadership
    def become_leader(self) -> None:
        """Raft's leadership, plus: append the ``promote`` entry that extends every lease from our
        clock (and commits our term), and start scanning for expired leases."""
        super().become_leader()
        self.waiting = {}
        self.proposed_expiry = set()
        self.log.append(Entry(self.current_term, ("promote", self.now)))
        self.broadcast_append_entries()
        self.advance_commit_index()
        self.set_timer("lease_check", self.lease_check)

    def on_timer(self, name: str, data: Any) -> None:
        """``lease_check``: a leader proposes the expiries now due and re-arms the scan; other
        timers are Raft's."""
        if name == "lease_check":
            if self.role == LEADER:
                self.propose_expiries()
                self.set_timer("lease_check", self.lease_check)
            return
        super().on_timer(name, data)

    def propose_expiries(self) -> None:
        """Propose ``expire`` for every lease past its deadline on this leader's clock."""
        now = self.now
        for lease_id in self.machine.due(now):
            mark = ExpiryProposal(lease_id, self.machine.leases[lease_id].deadline)
            if mark in self.proposed_expiry:
                continue
            self.proposed_expiry.add(mark)
            self.log.append(Entry(self.current_term, ("expire", lease_id, now)))
        if self.last_index() > self.commit_index:
            self.broadcast_append_entries()
            self.advance_commit_index()

    # ------------------------------------------------------------------ clients
    def on_other_message(self, src: Hashable, msg: Any) -> None:
        """A client's :class:`CoordRequest`: refused with a leader hint on a follower, answered
        from the session if already applied, else appended to the log and answered once applied."""
        if type(msg) is not CoordRequest:
            return
        if msg.op not in OPS:
            self.send(src, CoordReply(msg.client, msg.seq, False, f"op must be one of {OPS}"))
            return
        if self.role != LEADER:
            self.send(src, CoordReply(msg.client, msg.seq, False, None, self.leader_id))
            return
        done, result = self.machine.answered(msg.client, msg.seq)
        if done:
            self.send(src, CoordReply(msg.client, msg.seq, True, result))
            return
        command = ("req", msg.client, msg.seq, msg.op, msg.args, self.now)
        self.log.append(Entry(self.current_term, command))
        self.waiting[self.last_index()] = Waiter(src, msg.client, msg.seq)
        self.broadcast_append_entries()
        self.advance_commit_index()

    def on_apply(self, index: int, command: Command) -> None:
        """Apply a committed entry to the state machine; a leader answers the client whose request
        the entry carries (if the entry at that index is still that request)."""
        result = self.machine.apply(command)
        super().on_apply(index, command)
        waiter = self.waiting.pop(index, None)
        if waiter is not None and self.role == LEADER and waiter.carried_by(command):
            self.send(waiter.src, CoordReply(waiter.client, waiter.seq, True, result))
