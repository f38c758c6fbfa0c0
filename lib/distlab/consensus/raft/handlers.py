"""Raft's message handlers, one per RPC (Figure 2, "RequestVote RPC" and "AppendEntries RPC").

Every handler first applies the universal rule: a message with a higher term makes the receiver a
follower of that term; a request with a lower term is refused with the receiver's term, which tells
the stale sender to step down.
"""
from __future__ import annotations

from .membership import ConfigChange
from .messages import AppendEntriesReply, RequestVoteReply
from .state import CANDIDATE, FOLLOWER, LEADER, is_up_to_date


class HandlersMixin:
    """Message handlers of a :class:`~distlab.consensus.raft.node.RaftNode`."""

    def handle_request_vote(self, src, m) -> None:
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

    def handle_pre_vote(self, src, m) -> None:
        """Grant a poll only to an up-to-date log, and only if no leader was heard from lately
        (so a rejoining server cannot depose a working leader). Nothing is changed or persisted."""
        heard_leader = (self.role == LEADER or
                        self.now - self.leader_seen < self.config.election_timeout[0])
        grant = (m.term > self.current_term and not heard_leader
                 and is_up_to_date(m.last_log_term, m.last_log_index, self.last_term(),
                                   self.last_index()))
        self.reply(src, RequestVoteReply(self.current_term, grant, True))

    def handle_request_vote_reply(self, src, m) -> None:
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

    def handle_append_entries(self, src, m) -> None:
        term = self.current_term
        if m.term < term:
            self.reply(src, AppendEntriesReply(term, False, 0))
            return
        if m.term > term or self.role != FOLLOWER:
            self.become_follower(m.term)
        self.leader_id = m.leader_id
        self.leader_seen = self.now
        self.reset_election_timer()
        log = self.log
        base = self.base_index
        prev = m.prev_log_index
        entries = m.entries
        match = prev + len(entries)
        last = base + len(log)
        if prev > last:  # consistency check fails: we lack the previous entry
            self.reply(src, AppendEntriesReply(m.term, False, 0, 0, last + 1, m.round))
            return
        if prev < base:  # the start is inside our snapshot: committed, hence matching
            entries = entries[base - prev:]
            prev = base
        elif prev > base and log[prev - base - 1].term != m.prev_log_term:
            bad = log[prev - base - 1].term
            first = prev
            while first > base + 1 and log[first - base - 2].term == bad:
                first -= 1
            self.reply(src, AppendEntriesReply(m.term, False, 0, bad, first, m.round))
            return
        if entries:
            prev -= base  # from here on, positions in the list
            # Append, deleting our suffix only from the first entry that conflicts: a delayed,
            # shorter AppendEntries must never truncate entries a later one already added.
            for k, entry in enumerate(entries):
                index = prev + 1 + k
                if index > len(log):
                    log.extend(entries[k:])
                    break
                if log[index - 1].term != entry.term:
                    del log[index - 1:]
                    log.extend(entries[k:])
                    self.refresh_config()  # a truncated suffix may have held a configuration
                    break
            self.dirty = True
            self.writes_due += 1  # one write for the entries (counted with write_each_persist)
            for entry in entries:
                if type(entry.command) is ConfigChange:
                    self.refresh_config()
                    break
        if m.leader_commit > self.commit_index:
            new_commit = min(m.leader_commit, match)
            if new_commit > self.commit_index:
                self.commit_index = new_commit
                self.apply_committed()
        self.reply(src, AppendEntriesReply(m.term, True, match, 0, 0, m.round))

    def handle_append_entries_reply(self, src, m) -> None:
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
        # Fast backtracking: skip the follower's whole conflicting term in one step.
        if m.conflict_term == 0:
            nxt = m.conflict_index
        else:
            i = self.last_index()
            while i > self.base_index and self.term_of(i) > m.conflict_term:
                i -= 1
            found = i > self.base_index and self.term_of(i) == m.conflict_term
            nxt = i + 1 if found else m.conflict_index
        nxt = max(self.match_index[src] + 1, min(nxt, self.last_index() + 1))
        if nxt < self.next_index[src]:
            self.next_index[src] = nxt
            self.send_append_entries(src)
