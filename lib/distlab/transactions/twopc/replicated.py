"""The fix: the coordinator's decision replicated through chapter 2's Raft (Gray & Lamport's Paxos
Commit, as Spanner runs 2PC over Paxos groups).

The coordinator is ``replicas`` :class:`RaftCoordinator` servers -- :class:`RaftNode` s of
``distlab.consensus.raft``, in its :class:`Cluster` (imported, not copied), with Raft's five safety
properties checked after every step. Their replicated state machine holds the transaction's record:
``("begin", tx)`` and ``("decide", tx, outcome)``; **the first decide entry in the log is the
decision**, so two leaders proposing different outcomes cannot both win.

* The leader proposes ``begin``; once it is committed it sends PREPARE and collects votes (in
  memory); all yes proposes ``commit``, a no or a timeout ``abort``. Only an *applied* decision
  (committed on a majority) is sent to participants, so it survives any minority of crashes.
* A new leader that finds ``begin`` in its log and no decision applied **proposes abort** (it
  never saw the votes). If the old leader's commit entry survived in the log, it comes first and
  wins; either way every replica applies the same first decision.
* Participants are unchanged; an in-doubt one asks every replica, and any replica that applied a
  decision answers. A crashed leader that a majority survives therefore blocks nobody for longer
  than an election and one commit round.

Not modelled: participants' votes are not written to the replicated log (Paxos Commit does that,
so a new leader could still commit); here a leader change before the decision aborts. The ``end``
record is not replicated (decisions are resent until acknowledged by the current leader).
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from distlab.consensus.raft import LEADER, RaftNode

from .config import TwoPCConfig
from .coordinator import send_prepares, send_to_unacknowledged
from .crash_points import CrashHook
from .messages import ABORT, COMMIT, Ack, Decision, DecisionRequest, Prepare, Vote
from .participant import TX


class RaftCoordinator(RaftNode, CrashHook):
    """One coordinator replica: a Raft server whose state machine is the transaction's record."""

    tpc: TwoPCConfig
    shared: dict[str, bool]  # one crash point for the whole group: {"fired": ...}

    def on_start(self) -> None:
        """Forget everything but Raft's persistent state; the record is rebuilt by re-applying."""
        self.began = False
        self.decision: str | None = None
        self.collecting = False
        self.proposed_begin = False
        self.abort_proposed_term = -1
        self.yes_votes: dict[Hashable, bool] = {}
        self.acked: dict[Hashable, bool] = {}
        super().on_start()

    def crash_here(self, step: str, count: int = 0) -> bool:
        """Crash at the armed step -- once for the whole replica group."""
        if self.shared.get("fired"):
            return False
        crashed = super().crash_here(step, count)
        self.shared["fired"] = self.shared.get("fired", False) or crashed
        return crashed

    @property
    def participants(self) -> list[str]:
        """The participants' pids."""
        return self.tpc.participant_pids

    # ------------------------------------------------------------------ the replicated record
    def request_begin(self) -> bool:
        """The client's request: a leader appends ``begin`` (once); False if it cannot."""
        if self.role != LEADER or self.proposed_begin or self.began:
            return False
        self.proposed_begin = self.start(("begin", TX))[2]
        return self.proposed_begin

    def on_apply(self, index: int, command: Any) -> None:
        """Apply one committed entry; the first decide entry is the decision."""
        super().on_apply(index, command)
        if command == ("begin", TX):
            self.began = True
            if self.proposed_begin and self.role == LEADER:
                self.start_phase1()
        elif isinstance(command, tuple) and command[0] == "decide" and self.decision is None:
            self.decision = command[2]
            if self.role == LEADER:
                if self.crash_here("after_decision_logged"):
                    return
                self.send_decision()

    def begin_in_log(self) -> bool:
        """This replica's log holds a ``begin`` entry (committed or not)."""
        return any(e.command == ("begin", TX) for e in self.log)

    def propose(self, outcome: str) -> None:
        """Propose a decision; the first one committed wins."""
        self.collecting = False
        self.start(("decide", TX, outcome))

    def propose_abort_once(self) -> None:
        """As a leader with no decision applied, propose abort (once per term)."""
        if self.role == LEADER and self.decision is None and self.begin_in_log() \
                and self.abort_proposed_term != self.current_term and not self.collecting:
            self.abort_proposed_term = self.current_term
            self.propose(ABORT)

    # ------------------------------------------------------------------ leadership
    def become_leader(self) -> None:
        """A new coordinator: resend a known decision, or decide abort if none was logged."""
        super().become_leader()
        self.acked = {}
        if self.decision is not None:
            self.send_decision()
        else:
            self.propose_abort_once()
        self.set_timer("resend2pc", self.tpc.retry_interval)

    def become_follower(self, term: int) -> None:
        """Stepping down forgets the votes being collected."""
        super().become_follower(term)
        self.collecting = False
        self.yes_votes = {}

    # ------------------------------------------------------------------ phase 1 (the leader)
    def start_phase1(self) -> None:
        """``begin`` is committed: PREPARE to every participant, then collect votes."""
        self.collecting = True
        self.yes_votes = {}
        if send_prepares(self):
            self.set_timer("vote_timeout", self.tpc.vote_timeout)

    def handle_vote(self, src: Hashable, vote: Vote) -> None:
        """Count a vote; a no proposes abort, the last yes proposes commit."""
        if self.decision is not None:
            self.send(src, Decision(TX, self.decision))
        elif not self.collecting or self.role != LEADER:
            self.propose_abort_once()
        elif not vote.yes:
            self.propose(ABORT)
        else:
            self.yes_votes[src] = True
            if len(self.yes_votes) == len(self.participants):
                if self.crash_here("after_votes"):
                    return
                self.propose(COMMIT)

    # ------------------------------------------------------------------ phase 2 (the leader)
    def send_decision(self) -> None:
        """Send the applied decision to every participant that has not acknowledged it."""
        send_to_unacknowledged(self)

    def on_other_message(self, src: Hashable, msg: Any) -> None:
        """2PC messages: votes, acknowledgements, in-doubt participants' questions."""
        kind = type(msg)
        if kind is Vote:
            self.handle_vote(src, msg)
        elif kind is Ack:
            self.acked[src] = True
        elif kind is DecisionRequest:
            if self.decision is not None:
                self.send(src, Decision(TX, self.decision))
            else:
                self.propose_abort_once()

    def on_timer(self, name: str, data: Any) -> None:
        """2PC timers (vote_timeout, resend2pc); Raft's own go to the Raft node."""
        if name == "vote_timeout":
            if self.collecting and self.role == LEADER:
                self.propose(ABORT)
        elif name == "resend2pc":
            if self.role != LEADER:
                return
            if self.decision is not None:
                self.send_decision()
            elif self.collecting:
                for pid in self.participants:
                    if pid not in self.yes_votes:
                        self.send(pid, Prepare(TX))
            self.set_timer("resend2pc", self.tpc.retry_interval)
        else:
            super().on_timer(name, data)
