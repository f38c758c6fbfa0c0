"""Raft's message handlers, one per RPC (Figure 2, "RequestVote RPC" and "AppendEntries RPC"; §7's
InstallSnapshot).

Every handler first applies the universal rule: a message with a higher term makes the receiver a
follower of that term; a request with a lower term is refused with the receiver's term, which tells
the stale sender to step down.
"""
from __future__ import annotations

from collections.abc import Hashable

from .membership import ConfigChange
from .messages import (
    AppendEntries,
    AppendEntriesReply,
    InstallSnapshot,
    InstallSnapshotReply,
    RequestVote,
    RequestVoteReply,
)
from .rules import RulesMixin
from .state import CANDIDATE, FOLLOWER, LEADER, Entry, is_up_to_date


class HandlersMixin(RulesMixin):
    """Message handlers of a :class:`~distlab.consensus.raft.node.RaftNode`."""

    # ------------------------------------------------------------------ RequestVote
    def handle_request_vote(self, src: Hashable, m: RequestVote) -> None:
        """RequestVote, receiver side (§5.2, §5.4.1): grant at most one vote per term, and only to
        a candidate whose log is at least as up to date as ours; persist the vote before replying."""
        if m.pre_vote:
            self.handle_pre_vote(src, m)
            return
        if (self.config.check_quorum and m.term > self.current_term
                and (self.role == LEADER or
                     self.now - self.leader_seen < self.config.election_timeout[0])):
            # leader stickiness (dissertation §4.2.3): a server that heard from a live leader
            # lately ignores the request -- a removed or cut-off server cannot depose it
            return
        if m.term > self.current_term:
            self.become_follower(m.term)
        grant = (m.term == self.current_term
                 and self.voted_for in (None, m.candidate_id)
                 and is_up_to_date(m.last_log_term, m.last_log_index, self.last_term(),
                                   self.last_index()))
        if grant:
            self.voted_for = m.candidate_id
            self.persist()  # the vote reaches stable storage before the reply leaves
            self.reset_election_timer()
        self.reply(src, RequestVoteReply(self.current_term, grant))

    def handle_pre_vote(self, src: Hashable, m: RequestVote) -> None:
        """Grant a poll only to an up-to-date log, and only if no leader was heard from lately
        (so a rejoining server cannot depose a working leader). Nothing is changed or persisted."""
        heard_leader = (self.role == LEADER or
                        self.now - self.leader_seen < self.config.election_timeout[0])
        grant = (m.term > self.current_term and not heard_leader
                 and is_up_to_date(m.last_log_term, m.last_log_index, self.last_term(),
                                   self.last_index()))
        self.reply(src, RequestVoteReply(self.current_term, grant, True))

    def handle_request_vote_reply(self, src: Hashable, m: RequestVoteReply) -> None:
        """A vote (or pre-vote) came back: a candidate with votes from a majority becomes leader;
        a majority of pre-votes starts the real election."""
        if m.term > self.current_term:
            self.become_follower(m.term)
            return
        if m.pre_vote:
            votes = self.pre_votes
            if votes is not None and m.vote_granted and src not in votes:
                votes.append(src)
                if self.quorum(votes):
                    self.start_election()
            return
        if self.role == CANDIDATE and m.term == self.current_term and m.vote_granted \
                and src not in self.votes:
            self.votes.append(src)
            if self.quorum(self.votes):
                self.become_leader()

    # ------------------------------------------------------------------ AppendEntries
    def handle_append_entries(self, src: Hashable, m: AppendEntries) -> None:
        """AppendEntries, receiver side (§5.3): refuse a stale leader; otherwise follow it, check
        that our log holds the entry just before ``entries`` (``prev_log_index`` in
        ``prev_log_term``), append what is new, and commit up to the leader's commit index -- as far
        as this request proves our log matches."""
        term = self.current_term
        if m.term < term:
            self.reply(src, AppendEntriesReply(term, False, 0))
            return
        if m.term > term or self.role != FOLLOWER:
            self.become_follower(m.term)
        self.leader_id = m.leader_id
        self.leader_seen = self.now
        self.reset_election_timer()
        base = self.base_index
        prev = m.prev_log_index
        entries = m.entries
        match = prev + len(entries)
        last = self.last_index()
        if prev > last:  # consistency check fails: we lack the previous entry
            self.reply(src, AppendEntriesReply(m.term, False, 0, 0, last + 1, m.round))
            return
        if prev < base:  # the start is inside our snapshot: committed, hence matching
            entries = entries[base - prev:]
            prev = base
        elif prev > base and self.term_of(prev) != m.prev_log_term:  # consistency check fails
            self.reply(src, AppendEntriesReply(m.term, False, 0, self.term_of(prev),
                                               self._first_index_of_term(prev), m.round))
            return
        if entries:
            self._append_new_entries(prev, entries)
        if m.leader_commit > self.commit_index:
            new_commit = min(m.leader_commit, match)
            if new_commit > self.commit_index:
                self.commit_index = new_commit
                self.apply_committed()
        self.reply(src, AppendEntriesReply(m.term, True, match, 0, 0, m.round))

    def _first_index_of_term(self, index: int) -> int:
        """The first index (after the snapshot) holding the term of entry ``index``: the hint that
        lets the leader skip that whole term at once."""
        bad = self.term_of(index)
        first = index
        while first > self.base_index + 1 and self.term_of(first - 1) == bad:
            first -= 1
        return first

    def _append_new_entries(self, prev: int, entries: tuple[Entry, ...]) -> None:
        """Put ``entries`` after index ``prev`` (known to match), deleting our suffix only from the
        first entry that conflicts: a delayed, shorter AppendEntries must never truncate entries
        a later one already added."""
        log = self.log
        start = prev - self.base_index  # from here on, positions in the list
        for k, entry in enumerate(entries):
            index = start + 1 + k
            if index > len(log):
                log.extend(entries[k:])
                break
            if log[index - 1].term != entry.term:
                del log[index - 1:]
                log.extend(entries[k:])
                self.refresh_config()  # a truncated suffix may have held a configuration
                break
        self.disk.changed()  # one write for the entries (counted with write_each_persist)
        for entry in entries:
            if type(entry.command) is ConfigChange:
                self.refresh_config()
                break

    def handle_append_entries_reply(self, src: Hashable, m: AppendEntriesReply) -> None:
        """Leader: on success, advance the follower's ``match_index``/``next_index`` and try to
        commit; on a refusal, back ``next_index`` up past the conflicting term and retry."""
        if m.term > self.current_term:
            self.become_follower(m.term)
            return
        if self.role != LEADER or m.term != self.current_term or src not in self.match_index:
            return  # stale, or from a server no longer in the configuration
        self.heard[src] = self.now
        if m.round > self.acked_round.get(src, 0):
            self.acked_round[src] = m.round
            self.on_leadership_confirmed()
        if m.success:
            progressed = m.match_index > self.match_index[src]
            if progressed:
                self.match_index[src] = m.match_index
                self.advance_commit_index()
            if m.match_index + 1 > self.next_index[src]:
                self.next_index[src] = m.match_index + 1
            if progressed and self.next_index[src] <= self.last_index():
                self.send_append_entries(src)  # keep catching this follower up
            return
        nxt = max(self.match_index[src] + 1, min(self._backtrack(m), self.last_index() + 1))
        if nxt < self.next_index[src]:
            self.next_index[src] = nxt
            self.send_append_entries(src)

    def _backtrack(self, m: AppendEntriesReply) -> int:
        """Fast backtracking: where to resume a follower that refused, skipping its whole
        conflicting term in one step (after our last entry of that term, if we have one)."""
        if m.conflict_term == 0:
            return m.conflict_index
        i = self.last_index()
        while i > self.base_index and self.term_of(i) > m.conflict_term:
            i -= 1
        found = i > self.base_index and self.term_of(i) == m.conflict_term
        return i + 1 if found else m.conflict_index

    # ------------------------------------------------------------------ InstallSnapshot
    def handle_install_snapshot(self, src: Hashable, m: InstallSnapshot) -> None:
        """InstallSnapshot, receiver side (§7): a snapshot newer than our commit index replaces the
        log it covers (keeping entries that follow it, if ours match) and the state machine."""
        if m.term < self.current_term:
            self.reply(src, InstallSnapshotReply(self.current_term, 0))
            return
        if m.term > self.current_term or self.role != FOLLOWER:
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
            self.disk.changed(counted=False)  # the reply waits for it; not a write of its own
            self.commit_index = self.last_applied = index
            self.on_snapshot(index, m.data)
        self.reply(src, InstallSnapshotReply(self.current_term, index))

    def handle_install_snapshot_reply(self, src: Hashable, m: InstallSnapshotReply) -> None:
        """Leader: the follower now holds the snapshot; continue from the entry after it."""
        if m.term > self.current_term:
            self.become_follower(m.term)
            return
        if self.role != LEADER or m.term != self.current_term or src not in self.match_index:
            return
        self.heard[src] = self.now
        if m.last_included_index > self.match_index[src]:
            self.match_index[src] = m.last_included_index
            self.advance_commit_index()
        if m.last_included_index + 1 > self.next_index[src]:
            self.next_index[src] = m.last_included_index + 1
            if self.next_index[src] <= self.last_index():
                self.send_append_entries(src)
