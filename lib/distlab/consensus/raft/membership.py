"""Membership change, one server at a time (Ongaro's dissertation §4.1).

A configuration is a log entry (:class:`ConfigChange`) and takes effect on each server as soon as
it is *in its log* -- committed or not; a server always uses the latest configuration it holds. If
configurations only ever differ by one server, any majority of the old one and any majority of the
new one overlap, so two leaders can never be elected for one term across the change. Rules kept
here:

* one change at a time: a leader refuses a new change while an earlier one is uncommitted;
* a leader first commits an entry of its own term (the no-op fix to the published algorithm:
  otherwise a change from a deposed leader's term can be lost and another one overlap it);
* a server outside its latest configuration never stands for election (a new server waits to
  learn a configuration that includes it; a removed one falls silent), and a leader that removed
  itself steps down once that change commits, having counted only the new members meanwhile.
"""
from __future__ import annotations

from typing import NamedTuple

from .state import LEADER, Entry


class ConfigChange(NamedTuple):
    """The command of a configuration entry: the full new list of voting members."""

    members: tuple


class MembershipMixin:
    """Configuration tracking and ``change_membership`` for a ``RaftNode``."""

    def _set_members(self, members) -> None:
        members = list(members)
        if members == self.members:
            return
        self.members = members
        self.others = [m for m in members if m != self.pid]
        self.majority = len(members) // 2 + 1
        if self.role == LEADER:
            nxt = self.last_index() + 1
            self.next_index = {p: self.next_index.get(p, nxt) for p in self.others}
            self.match_index = {p: self.match_index.get(p, 0) for p in self.others}
            self.heard = {p: self.heard.get(p, self.now) for p in self.others}
            self.acked_round = {p: r for p, r in self.acked_round.items() if p in self.others}

    def config_at(self, index: int) -> tuple:
        """The configuration in force at log ``index`` (latest ConfigChange at or before it)."""
        base = self.base_index
        for i in range(min(index, self.last_index()), base, -1):
            cmd = self.log[i - base - 1].command
            if type(cmd) is ConfigChange:
                return cmd.members
        return tuple(self.stable.get("snapshot_members") or self.initial_members)

    def refresh_config(self) -> None:
        """Adopt the latest configuration in the log (or the snapshot's, or the initial one)."""
        self._set_members(self.config_at(self.last_index()))

    def is_member(self) -> bool:
        return self.pid in self.members

    def quorum(self, voters) -> bool:
        """Do ``voters`` include a majority of the current configuration?"""
        members = self.members
        return sum(1 for v in voters if v in members) >= self.majority

    def pending_config_change(self) -> bool:
        base = self.base_index
        for i in range(self.last_index(), max(self.commit_index, base), -1):
            if type(self.log[i - base - 1].command) is ConfigChange:
                return True
        return False

    def change_membership(self, members) -> tuple:
        """Leader only: append a configuration adding or removing exactly one server.
        Returns ``(index, term, True)``, or ``(0, term, False)`` when refused (not the leader,
        a change still pending, nothing of this term committed yet)."""
        new, old = list(members), list(self.members)
        if len(set(map(repr, new))) != len(new) or not new:
            raise ValueError(f"members must be a non-empty list of distinct pids, got {members!r}")
        diff = [p for p in new if p not in old] + [p for p in old if p not in new]
        if len(diff) != 1:
            raise ValueError(f"members must differ from the current configuration {old} by "
                             f"exactly one server, got {new}")
        if (self.role != LEADER or self.pending_config_change()
                or self.commit_index == 0 or self.term_of(self.commit_index) != self.current_term):
            return 0, self.current_term, False
        self.log.append(Entry(self.current_term, ConfigChange(tuple(new))))
        self.refresh_config()
        self.broadcast_append_entries()
        self.advance_commit_index()
        return self.last_index(), self.current_term, True

    def step_down_if_removed(self) -> None:
        """A leader outside the committed configuration hands over by stepping down."""
        if self.role == LEADER and not self.is_member() and not self.pending_config_change():
            self.become_follower(self.current_term)
