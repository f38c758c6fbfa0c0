"""Log compaction (§7 of the paper): snapshots and InstallSnapshot.

The state machine, not Raft, decides when to compact: once it has applied entry ``index`` it hands
Raft an opaque ``data`` holding its state (``take_snapshot``). Raft persists ``(index, term, data)``
and drops the log up to ``index``; the entry at ``index`` becomes the new base (``base_index``,
``base_term``), whose term the consistency check still needs.

A follower so far behind that the leader has compacted what it needs gets the whole snapshot in one
``InstallSnapshot``. If its log already holds the snapshot's last entry, it keeps what follows;
otherwise it discards its log. Either way the state machine is reset from ``data``
(``on_snapshot``). After a restart a server resumes from its snapshot: ``commit_index`` and
``last_applied`` start at ``base_index``, not 0.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .messages import InstallSnapshot, InstallSnapshotReply, size_of


class Snapshot(NamedTuple):
    """Passed to the ``apply_fn`` in place of a command when a snapshot replaces applied state."""

    data: Any


class SnapshotMixin:
    """Snapshot rules and the InstallSnapshot handlers of a ``RaftNode``."""

    def take_snapshot(self, index: int, data: Any) -> bool:
        """The state machine has applied through ``index`` and its state is ``data``: persist it and
        drop the log up to ``index``. Returns False (nothing changes) if ``index`` is not newer than
        the current snapshot; refuses an index not yet applied."""
        if not isinstance(index, int) or index > self.last_applied:
            raise ValueError(f"index must be an applied log index (<= {self.last_applied}), "
                             f"got {index!r}")
        if index <= self.base_index:
            return False
        term = self.term_of(index)
        members = self.config_at(index)
        del self.log[: index - self.base_index]
        self.base_index, self.base_term = index, term
        self.stable["snapshot_members"] = members
        self.stable["snapshot"] = (index, term, data)
        return True

    def restore_snapshot(self) -> None:
        """On start: resume from the persisted snapshot, if any."""
        snap = self.stable.get("snapshot")
        if snap is None:
            self.base_index, self.base_term = 0, 0
            return
        self.base_index, self.base_term, data = snap
        self.commit_index = self.last_applied = self.base_index
        self.on_snapshot(self.base_index, data)

    def on_snapshot(self, index: int, data: Any) -> None:
        """Reset the state machine from a snapshot (here: tell the ``apply_fn``)."""
        if self.apply_fn is not None:
            self.apply_fn(self.pid, index, Snapshot(data))

    def send_install_snapshot(self, peer) -> None:
        index, term, data = self.stable["snapshot"]
        msg = InstallSnapshot(self.current_term, self.pid, index, term, data,
                              self.stable.get("snapshot_members"))
        self.send(peer, msg, size_of(msg))

    def handle_install_snapshot(self, src, m) -> None:
        if m.term < self.current_term:
            self.reply(src, InstallSnapshotReply(self.current_term, 0))
            return
        if m.term > self.current_term or self.role != "follower":
            self.become_follower(m.term)
        self.leader_id = m.leader_id
        self.leader_seen = self.now
        self.reset_election_timer()
        index = m.last_included_index
        if index > self.commit_index:
            if index < self.last_index() and self.term_of(index) == m.last_included_term:
                del self.log[: index - self.base_index]  # keep the entries that follow it
            else:
                del self.log[:]
            self.base_index, self.base_term = index, m.last_included_term
            self.stable["snapshot_members"] = m.members
            self.stable["snapshot"] = (index, m.last_included_term, m.data)
            self.refresh_config()
            self.dirty = True
            self.commit_index = self.last_applied = index
            self.on_snapshot(index, m.data)
        self.reply(src, InstallSnapshotReply(self.current_term, index))

    def handle_install_snapshot_reply(self, src, m) -> None:
        if m.term > self.current_term:
            self.become_follower(m.term)
            return
        if self.role != "leader" or m.term != self.current_term or src not in self.match_index:
            return
        self.heard[src] = self.now
        if m.last_included_index > self.match_index[src]:
            self.match_index[src] = m.last_included_index
            self.advance_commit_index()
        if m.last_included_index + 1 > self.next_index[src]:
            self.next_index[src] = m.last_included_index + 1
            if self.next_index[src] <= self.last_index():
                self.send_append_entries(src)
