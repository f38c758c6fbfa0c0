"""Deliberately broken Raft servers: each drops one rule the paper insists on. The safety checker
must catch every one of them under random faults -- proof that the invariants can fail."""
from distlab.consensus.raft import RaftNode
from distlab.consensus.raft.messages import RequestVoteReply
from distlab.consensus.raft.state import CANDIDATE, is_up_to_date


class VotesForAnyLog(RaftNode):
    """Skips the up-to-date check (§5.4.1): a stale server can win and overwrite committed entries."""

    def handle_request_vote(self, src, m):
        if m.pre_vote:
            return super().handle_request_vote(src, m)
        if m.term > self.current_term:
            self.become_follower(m.term)
        grant = m.term == self.current_term and self.voted_for in (None, m.candidate_id)
        if grant:
            self.voted_for = m.candidate_id
            self.persist()
            self.reset_election_timer()
        self.send(src, RequestVoteReply(self.current_term, grant), 32)


class VotesTwice(RaftNode):
    """Ignores votedFor: two candidates can both collect a majority in one term."""

    def handle_request_vote(self, src, m):
        if m.term > self.current_term:
            self.become_follower(m.term)
        grant = (m.term == self.current_term and self.role != CANDIDATE
                 and is_up_to_date(m.last_log_term, m.last_log_index, self.last_term(),
                                  self.last_index()))
        if grant:
            self.reset_election_timer()
        self.send(src, RequestVoteReply(self.current_term, grant), 32)


class CommitsOldTerms(RaftNode):
    """Counts replicas of entries from earlier terms (the paper's Figure 8 mistake)."""

    def advance_commit_index(self):
        values = sorted(self.match_index.values(), reverse=True)
        values.insert(0, len(self.log))
        n = values[self.majority - 1]
        if n > self.commit_index:
            self.commit_index = n
            self.apply_committed()


class ForgetsTerm(RaftNode):
    """Keeps currentTerm and votedFor only in memory: after a restart it votes again."""

    def persist(self):
        pass

    def on_start(self):
        super().on_start()
        self.stable["current_term"], self.stable["voted_for"] = 0, None
        self.current_term, self.voted_for = 0, None


MUTANTS = {"votes_for_any_log": VotesForAnyLog, "votes_twice": VotesTwice,
           "commits_old_terms": CommitsOldTerms, "forgets_term": ForgetsTerm}
