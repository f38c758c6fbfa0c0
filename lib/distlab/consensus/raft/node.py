"""A Raft server as a :class:`distlab.sim.Process`: state (``state.py``) + membership, snapshots,
rules (``rules.py``) and handlers (``handlers.py``), each a layer on the one before.

A node never sleeps, reads the wall clock or opens a socket: it reacts to a delivered message or a
fired timer, and acts by sending messages, arming timers and changing its own state. The same
class runs in a unit test, in the notebook's animation and in a 10,000-schedule property test.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from .handlers import HandlersMixin
from .messages import (
    AppendEntries,
    AppendEntriesReply,
    InstallSnapshot,
    InstallSnapshotReply,
    RequestVote,
    RequestVoteReply,
)
from .state import FOLLOWER, LEADER, ApplyFn, RaftConfig

__all__ = ["ApplyFn", "RaftNode"]


class RaftNode(HandlersMixin):
    """One Raft server.

    ``members``  every server of the cluster (including this one), fixed for the node's life.
    ``config``   a :class:`RaftConfig` (timeouts, heartbeat, pre-vote, check-quorum).
    ``apply_fn`` called as ``apply_fn(pid, index, command)`` for each committed entry, in order.

    Public read-only state for views and checkers (declared in :class:`~.state.RaftState`):
    ``role``, ``current_term``, ``voted_for``, ``log``, ``commit_index``, ``last_applied``,
    ``leader_id``, and on a leader ``next_index`` and ``match_index``.
    """

    def __init__(self, pid: Hashable, members: Sequence[Hashable], config: RaftConfig | None = None,
                 apply_fn: ApplyFn | None = None) -> None:
        super().__init__(pid, members, config, apply_fn)
        self._dispatch: dict[type, Callable[[Hashable, Any], None]] = {
            RequestVote: self.handle_request_vote,
            RequestVoteReply: self.handle_request_vote_reply,
            AppendEntries: self.handle_append_entries,
            AppendEntriesReply: self.handle_append_entries_reply,
            InstallSnapshot: self.handle_install_snapshot,
            InstallSnapshotReply: self.handle_install_snapshot_reply,
        }

    # ------------------------------------------------------------------ Process hooks
    def on_start(self) -> None:
        """Recover after a (re)start: persistent state from ``self.stable``, the snapshot, the
        configuration in the log; everything else starts afresh (a follower with a new timer)."""
        st = self.stable
        if "log" not in st:
            st["current_term"], st["voted_for"], st["log"] = 0, None, []
        self.current_term = st["current_term"]
        self.voted_for = st["voted_for"]
        self.log = st["log"]  # the persisted list itself: appending to it is the fsync
        self._reset_volatile()
        self.restore_snapshot()
        self._set_members(self.config_at(self.last_index()))
        if self.sim.trace.enabled:
            self.record(role=FOLLOWER, term=self.current_term)
        self.reset_election_timer()

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Dispatch a Raft RPC to its handler; anything else goes to ``on_other_message``."""
        self.disk.new_step()
        handler = self._dispatch.get(type(msg))
        if handler is None:
            self.on_other_message(src, msg)
        else:
            handler(src, msg)

    def on_other_message(self, src: Hashable, msg: Any) -> None:
        """Messages that are not Raft RPCs (client requests in subclasses); ignored here."""

    def on_timer(self, name: str, data: Any) -> None:
        """The ``election`` and ``heartbeat`` timers."""
        self.disk.new_step()
        if name == "election":
            self.election_timer_fired()
        elif name == "heartbeat":
            self.heartbeat_timer_fired()

    # ------------------------------------------------------------------ views
    @property
    def is_leader(self) -> bool:
        """Is this server running and leading (as far as it knows)?"""
        return self.up and self.role == LEADER

    def committed_commands(self) -> list[Any]:
        """The commands of this node's committed entries still in its log (after the snapshot)."""
        return [e.command for e in self.log[: self.commit_index - self.base_index]]

    def __repr__(self) -> str:
        return (f"RaftNode({self.pid!r} {self.role} term={self.current_term} "
                f"log={self.last_index()} commit={self.commit_index})")
