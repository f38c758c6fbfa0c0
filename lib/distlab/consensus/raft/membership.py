"""Membership change, one server at a time (Ongaro's dissertation §4.1).

A configuration is a log entry (:class:`ConfigChange`) and takes effect on each server as soon as
it is *in its log* -- committed or not; a server always uses the latest configuration it holds. If
configurations only ever differ by one server, any majority of the old one and any majority of the
new one overlap, so two leaders can never be elected for one term across the change. Rules kept:

* one change at a time: a leader refuses a new change while an earlier one is uncommitted;
* a leader first commits an entry of its own term (the no-op fix to the published algorithm:
  otherwise a change from a deposed leader's term can be lost and another one overlap it);
* a server outside its latest configuration never stands for election (a new server waits to
  learn a configuration that includes it; a removed one falls silent), and a leader that removed
  itself steps down once that change commits, having counted only the new members meanwhile.

This module tracks the configuration in use (:class:`MembershipMixin`); the two leader actions,
``change_membership`` and ``step_down_if_removed``, are rules and live in ``rules.py``.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple

from .state import LEADER, RaftState


class ConfigChange(NamedTuple):
    """The command of a configuration entry: the full new list of voting members."""

    members: tuple[Hashable, ...]


class MembershipMixin(RaftState):
    """The configuration a ``RaftNode`` uses: the latest :class:`ConfigChange` in its log."""

    def _set_members(self, members: Sequence[Hashable]) -> None:
        """Use ``members`` as the configuration (a leader keeps its bookkeeping for the others)."""
        members = list(members)
        self.members = members
        self.others = [m for m in members if m != self.pid]
        self.majority = len(members) // 2 + 1
        if self.role == LEADER:
            nxt = self.last_index() + 1
            self.next_index = {p: self.next_index.get(p, nxt) for p in self.others}
            self.match_index = {p: self.match_index.get(p, 0) for p in self.others}
            self.heard = {p: self.heard.get(p, self.now) for p in self.others}
            self.acked_round = {p: r for p, r in self.acked_round.items() if p in self.others}

    def config_at(self, index: int) -> tuple[Hashable, ...]:
        """The configuration in force at log ``index`` (latest ConfigChange at or before it)."""
        base = self.base_index
        for i in range(min(index, self.last_index()), base, -1):
            cmd = self.log[i - base - 1].command
            if type(cmd) is ConfigChange:
                return cmd.members
        return tuple(self.stable.get("snapshot_members") or self.initial_members)

    def refresh_config(self) -> None:
        """Adopt the latest configuration in the log (or the snapshot's, or the initial one)."""
        members = list(self.config_at(self.last_index()))
        if members != self.members:
            self._set_members(members)

    def is_member(self) -> bool:
        """Is this server a voter in the configuration it uses?"""
        return self.pid in self.members

    def quorum(self, voters: Iterable[Hashable]) -> bool:
        """Do ``voters`` include a majority of the current configuration?"""
        members = self.members
        return sum(1 for v in voters if v in members) >= self.majority

    def pending_config_change(self) -> bool:
        """Does the log hold a configuration entry that is not committed yet?"""
        base = self.base_index
        for i in range(self.last_index(), max(self.commit_index, base), -1):
            if type(self.log[i - base - 1].command) is ConfigChange:
                return True
        return False
