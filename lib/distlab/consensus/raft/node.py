"""A Raft server as a :class:`distlab.sim.Process`: state (``state.py``) + rules (``rules.py``) +
handlers (``handlers.py``).

A node never sleeps, reads the wall clock or opens a socket: it reacts to a delivered message or a
fired timer, and acts by sending messages, arming timers and changing its own state. The same
class runs in a unit test, in the notebook's animation and in a 10,000-schedule property test.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from distlab.sim import Process

from .handlers import HandlersMixin
from .membership import MembershipMixin
from .messages import (
    AppendEntries,
    AppendEntriesReply,
    InstallSnapshot,
    InstallSnapshotReply,
    RequestVote,
    RequestVoteReply,
)
from .rules import RulesMixin
from .snapshots import SnapshotMixin
from .state import FOLLOWER, LEADER, RaftConfig

ApplyFn = Callable[[Hashable, int, Any], None]


class RaftNode(RulesMixin, HandlersMixin, SnapshotMixin, MembershipMixin, Process):
    """One Raft server.

    ``members``  every server of the cluster (including this one), fixed for the node's life.
    ``config``   a :class:`RaftConfig` (timeouts, heartbeat, pre-vote, check-quorum).
    ``apply_fn`` called as ``apply_fn(pid, index, command)`` for each committed entry, in order.

    Public read-only state for views and checkers: ``role``, ``current_term``, ``voted_for``,
    ``log``, ``commit_index``, ``last_applied``, ``leader_id``, and on a leader ``next_index`` and
    ``match_index``.
    """

    def __init__(self, pid: Hashable, members: Sequence[Hashable], config: RaftConfig | None = None,
                 apply_fn: ApplyFn | None = None):
        super().__init__(pid)
        members = list(members)
        if pid not in members and members:
            raise ValueError(f"members must include the node's own pid {pid!r} (or be empty for a "
                             f"server that will be added), got {members!r}")
        if len(set(map(repr, members))) != len(members):
            raise ValueError(f"members must be distinct, got {members!r}")
        self.initial_members = members  # the configuration before any ConfigChange entry
        self.members = members
        self.others = [m for m in members if m != pid]
        self.majority = len(members) // 2 + 1
        self.config = config if config is not None else RaftConfig()
        if not isinstance(self.config, RaftConfig):
            raise ValueError(f"config must be a RaftConfig, got {config!r}")
        self.apply_fn = apply_fn
        self._dispatch = {
            RequestVote: self.handle_request_vote,
            RequestVoteReply: self.handle_request_vote_reply,
            AppendEntries: self.handle_append_entries,
            AppendEntriesReply: self.handle_append_entries_reply,
            InstallSnapshot: self.handle_install_snapshot,
            InstallSnapshotReply: self.handle_install_snapshot_reply,
        }
        self._reset_volatile()
        self.current_term, self.voted_for, self.log = 0, None, []
        self.base_index = self.base_term = 0

    def _reset_volatile(self) -> None:
        self.role = FOLLOWER
        self.leader_id = None
        self.commit_index = 0
        self.last_applied = 0
        self.next_index: dict = {}
        self.match_index: dict = {}
        self.heard: dict = {}
        self.acked_round: dict = {}
        self.round = 0
        self.votes: list = []
        self.pre_votes: list | None = None
        self.leader_seen = float("-inf")
        self.leader_since = 0.0
        self.election_deadline = 0.0
        self._election_fire_at: float | None = None
        self.dirty = False          # stable state changed in this step (a write is due)
        self.writes_due = 0         # how many separate persist() calls this step made
        self.disk_free_at = 0.0     # when the (simulated) disk finishes its queued writes
        self.incarnation = getattr(self, "incarnation", 0) + 1

    # ------------------------------------------------------------------ Process hooks
    def on_start(self) -> None:
        st = self.stable
        if "log" not in st:
            st["current_term"], st["voted_for"], st["log"] = 0, None, []
        self.current_term = st["current_term"]
        self.voted_for = st["voted_for"]
        self.log = st["log"]  # the persisted list itself: appending to it is the fsync
        self._reset_volatile()
        self.restore_snapshot()
        self.members = None
        self.refresh_config()
        if self.sim.trace.enabled:
            self.record(role=FOLLOWER, term=self.current_term)
        self.reset_election_timer()

    def on_message(self, src, msg) -> None:
        self.dirty = False
        self.writes_due = 0
        handler = self._dispatch.get(type(msg))
        if handler is None:
            self.on_other_message(src, msg)
        else:
            handler(src, msg)

    def on_other_message(self, src, msg) -> None:
        """Messages that are not Raft RPCs (client requests in subclasses); ignored here."""

    def on_timer(self, name: str, data: Any) -> None:
        self.dirty = False
        self.writes_due = 0
        if name == "election":
            self.election_timer_fired()
        elif name == "heartbeat":
            self.heartbeat_timer_fired()

    # ------------------------------------------------------------------ the log, by Raft index
    def last_index(self) -> int:
        return self.base_index + len(self.log)

    def last_term(self) -> int:
        return self.log[-1].term if self.log else self.base_term

    def term_of(self, index: int) -> int:
        """Term of entry ``index`` (the snapshot's term at ``base_index``; 0 at index 0)."""
        if index == self.base_index:
            return self.base_term
        if index < self.base_index:
            raise ValueError(f"index {index} is compacted into the snapshot (<= {self.base_index})")
        return self.log[index - self.base_index - 1].term

    # ------------------------------------------------------------------ views
    @property
    def is_leader(self) -> bool:
        return self.up and self.role == LEADER

    def committed_commands(self) -> list:
        """The commands of this node's committed entries still in its log (after the snapshot)."""
        return [e.command for e in self.log[: self.commit_index - self.base_index]]

    def __repr__(self) -> str:
        return (f"RaftNode({self.pid!r} {self.role} term={self.current_term} "
                f"log={self.last_index()} commit={self.commit_index})")
