"""Log compaction (§7 of the paper): snapshots and InstallSnapshot.

The state machine, not Raft, decides when to compact: once it has applied entry ``index`` it hands
Raft an opaque ``data`` holding its state (``take_snapshot``). Raft persists ``(index, term, data)``
and drops the log up to ``index``; the entry at ``index`` becomes the new base (``base_index``,
``base_term``), whose term the consistency check still needs.

A follower so far behind that the leader has compacted what it needs gets the whole snapshot in one
``InstallSnapshot`` (``send_install_snapshot`` here; the follower's side is
``handle_install_snapshot`` in ``handlers.py``). If its log already holds the snapshot's last
entry, it keeps what follows; otherwise it discards its log. Either way the state machine is reset
from ``data`` (``on_snapshot``). After a restart a server resumes from its snapshot:
``commit_index`` and ``last_applied`` start at ``base_index``, not 0.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple

from .membership import MembershipMixin
from .messages import InstallSnapshot, size_of


class Snapshot(NamedTuple):
    """Passed to the ``apply_fn`` in place of a command when a snapshot replaces applied state."""

    data: Any


class SnapshotMixin(MembershipMixin):
    """Taking, restoring and sending snapshots for a ``RaftNode``."""

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

    def send_install_snapshot(self, peer: Hashable) -> None:
        """Leader: send ``peer`` the whole snapshot, because the entries it needs are compacted."""
        index, term, data = self.stable["snapshot"]
        msg = InstallSnapshot(self.current_term, self.pid, index, term, data,
                              self.stable.get("snapshot_members"))
        self.send(peer, msg, size_of(msg))
