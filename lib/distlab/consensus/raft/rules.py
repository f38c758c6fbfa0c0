"""Raft's rules: the guarded actions a server takes on its own (Figure 2, "Rules for Servers").

Named as in the paper and in Ongaro's TLA+ spec: ``start_election`` when the election timer
expires, ``become_leader`` on a majority of votes, ``become_follower`` on seeing a higher term,
``send_append_entries`` (replication and heartbeats), ``advance_commit_index`` (commit only entries of
the leader's *current* term, counted on a majority -- §5.4.2, the Figure 8 rule), and
``apply_committed`` (hand committed commands to the state machine in log order). A leader's two
membership actions (``change_membership``, ``step_down_if_removed``) are here too.

Time is data: a follower keeps an ``election_deadline`` and pushes it forward on every heartbeat;
the single ``election`` timer, when it fires early, just re-arms itself for the rest.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

from .membership import ConfigChange
from .messages import AppendEntries, RequestVote, size_of
from .snapshots import SnapshotMixin
from .state import CANDIDATE, FOLLOWER, LEADER, Entry

_EPS = 1e-12


class RulesMixin(SnapshotMixin):
    """Spontaneous actions of a :class:`~distlab.consensus.raft.node.RaftNode`."""

    # ------------------------------------------------------------------ persistence
    def persist(self) -> None:
        """Write currentTerm and votedFor to stable storage (the log list lives there already)."""
        st = self.stable
        st["current_term"] = self.current_term
        st["voted_for"] = self.voted_for
        self.disk.changed()

    def reply(self, dst: Hashable, msg: Any, size: int = 32) -> None:
        """Send a reply; if this step changed stable state and the disk is slow
        (``config.disk_write``), the reply leaves only once the write has completed."""
        latency = self.config.disk_write
        if latency is None or not self.disk.dirty:
            self.send(dst, msg, size)
            return
        now = self.now
        done = self.disk.flush(now, latency, self.rng, self.config.write_each_persist)
        self.sim.schedule(done - now, self._send_after_write, self.incarnation, dst, msg, size)

    def _send_after_write(self, incarnation: int, dst: Hashable, msg: Any, size: int) -> None:
        if self.up and incarnation == self.incarnation:  # not if it crashed mid-write
            self.send(dst, msg, size)

    # ------------------------------------------------------------------ election timer
    def reset_election_timer(self) -> None:
        """Wait a fresh random timeout from ``config.election_timeout`` before suspecting the leader.

        Called whenever the server has reason to wait again: at start, on each AppendEntries (a
        heartbeat) or snapshot from the current leader, when it grants a vote or starts an
        election. Only the deadline moves; the kernel timer is re-armed only when the new deadline
        is earlier, and :meth:`election_timer_fired` re-arms it when it finds the deadline moved on."""
        low, high = self.config.election_timeout
        timeout = low + (high - low) * self.rng.random()  # each server its own draw: split votes are rare
        grain = self.config.timeout_granularity
        if grain is not None:  # whole ticks, rounded half up (LogCabin: lround of whole ms)
            timeout = max(grain, math.floor(timeout / grain + 0.5) * grain)
        deadline = self.now + timeout
        self.election_deadline = deadline
        if self._election_fire_at is None or self._election_fire_at > deadline:
            self._election_fire_at = deadline
            self.set_timer("election", timeout)

    def election_timer_fired(self) -> None:
        """The election timer went off: re-arm it if the deadline moved on meanwhile; otherwise a
        voter that heard no leader stands for election (after a pre-vote poll, if configured)."""
        self._election_fire_at = None
        if self.role == LEADER:
            return
        remaining = self.election_deadline - self.now
        if remaining > _EPS:
            self._election_fire_at = self.election_deadline
            self.set_timer("election", remaining)
            return
        if not self.is_member():  # not a voter (yet, or any more): keep quiet
            self.reset_election_timer()
            return
        if self.config.pre_vote:
            self.start_pre_vote()
        else:
            self.start_election()

    # ------------------------------------------------------------------ elections
    def start_pre_vote(self) -> None:
        """Ask "would you vote for me in the next term?" without changing anything (§9.6)."""
        self.pre_votes = [self.pid]
        self.reset_election_timer()
        msg = RequestVote(self.current_term + 1, self.pid, self.last_index(), self.last_term(),
                          True)
        for peer in self.others:
            self.send(peer, msg, size_of(msg))
        if self.quorum(self.pre_votes):
            self.start_election()

    def start_election(self) -> None:
        """Increment the term, vote for yourself, ask every other server for its vote (§5.2)."""
        self.pre_votes = None
        self.current_term += 1
        self.voted_for = self.pid
        self.persist()
        self.role = CANDIDATE
        self.leader_id = None
        self.votes = [self.pid]
        if self.sim.trace.enabled:
            self.record(role=CANDIDATE, term=self.current_term)
        self.reset_election_timer()
        msg = RequestVote(self.current_term, self.pid, self.last_index(), self.last_term())
        latency = self.config.disk_write
        if self.config.persist_before_request_vote and latency is not None:
            # the term and self-vote reach the disk first; only then do the requests leave
            now = self.now
            done = self.disk.flush(now, latency, self.rng)
            self.sim.schedule(done - now, self._request_votes_after_write, self.incarnation, msg)
            return
        self._request_votes(msg)

    def _request_votes(self, msg: RequestVote) -> None:
        for peer in self.others:
            self.send(peer, msg, size_of(msg))
        if self.quorum(self.votes):
            self.become_leader()

    def _request_votes_after_write(self, incarnation: int, msg: RequestVote) -> None:
        """The candidate's own write finished: ask for votes, if still a candidate of that term."""
        if (self.up and incarnation == self.incarnation and self.role == CANDIDATE
                and self.current_term == msg.term):
            self._request_votes(msg)

    def become_follower(self, term: int) -> None:
        """Adopt a newer term (forgetting the vote) or just stop being candidate/leader."""
        if term > self.current_term:
            self.current_term = term
            self.voted_for = None
            self.persist()
        if self.role != FOLLOWER:
            self.role = FOLLOWER
            if self._election_fire_at is None:
                self.reset_election_timer()
            if self.sim.trace.enabled:
                self.record(role=FOLLOWER, term=self.current_term)
        self.pre_votes = None

    def become_leader(self) -> None:
        """Won a majority: take over replication and assert leadership with heartbeats at once."""
        self.role = LEADER
        self.leader_id = self.pid
        self.pre_votes = None
        self.leader_since = self.now
        nxt = self.last_index() + 1
        self.next_index = {p: nxt for p in self.others}
        self.match_index = {p: 0 for p in self.others}
        self.heard = {p: self.now for p in self.others}
        self.acked_round = {}
        if self.sim.trace.enabled:
            self.record(role=LEADER, term=self.current_term)
        self.broadcast_append_entries()
        self.set_timer("heartbeat", self.config.heartbeat)

    # ------------------------------------------------------------------ replication
    def entries_for(self, peer: Hashable, next_index: int) -> tuple[Entry, ...]:
        """The entries to send ``peer`` from ``next_index`` on (at most ``config.max_entries``)."""
        start = next_index - self.base_index - 1
        return tuple(self.log[start: start + self.config.max_entries])

    def send_append_entries(self, peer: Hashable) -> None:
        """Leader: send ``peer`` the entries from its ``next_index`` on (none: a heartbeat), or the
        snapshot if those entries were compacted away."""
        ni = self.next_index[peer]
        if ni <= self.base_index:  # what it needs was compacted away: send the snapshot
            self.send_install_snapshot(peer)
            return
        prev = ni - 1
        msg = AppendEntries(self.current_term, self.pid, prev, self.term_of(prev),
                            self.entries_for(peer, ni), self.commit_index, self.round)
        self.send(peer, msg, size_of(msg))

    def broadcast_append_entries(self) -> None:
        """Leader: start a new heartbeat round, sending AppendEntries to every other member."""
        self.round += 1
        for peer in self.others:
            self.send_append_entries(peer)

    def heartbeat_timer_fired(self) -> None:
        """Leader: heartbeat every ``config.heartbeat`` seconds; with check-quorum, step down
        instead if a majority has not answered lately."""
        if self.role != LEADER:
            return
        if self.config.check_quorum and not self.quorum_recently_heard():
            self.become_follower(self.current_term)
            return
        self.broadcast_append_entries()
        self.set_timer("heartbeat", self.config.heartbeat)

    def quorum_recently_heard(self) -> bool:
        """Check-quorum: has a majority answered within the last maximum election timeout?"""
        window = self.config.election_timeout[1]
        if self.now - self.leader_since < window:
            return True
        fresh = [p for p in self.others if self.now - self.heard[p] < window]
        return self.quorum(fresh + [self.pid])

    # ------------------------------------------------------------------ client commands
    def start(self, command: Any) -> tuple[int, int, bool]:
        """A client's command: a leader appends it and returns ``(index, term, True)``; any other
        server refuses with ``(0, term, False)`` so the client can go to the leader (MIT's Start)."""
        if self.role != LEADER or not self.up:
            return 0, self.current_term, False
        self.log.append(Entry(self.current_term, command))
        index = self.last_index()
        self.broadcast_append_entries()
        self.advance_commit_index()
        return index, self.current_term, True

    def change_membership(self, members: Sequence[Hashable]) -> tuple[int, int, bool]:
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

    # ------------------------------------------------------------------ commitment
    def advance_commit_index(self) -> None:
        """Leader: commit the highest index stored on a majority -- if it is from the current term
        (§5.4.2, Figure 8). Older-term entries then commit indirectly, by the Log Matching property."""
        values = [self.match_index[p] for p in self.others]  # what each follower is known to store
        if self.pid in self.members:  # the leader stores its whole log (unless it removed itself)
            values.append(self.last_index())
        if len(values) < self.majority:
            return  # too few members left to form a majority
        values.sort(reverse=True)
        n = values[self.majority - 1]  # at least `majority` members store index n
        if n > self.commit_index and self.term_of(n) == self.current_term:
            self.commit_index = n
            self.apply_committed()
            self.step_down_if_removed()  # membership: a leader that removed itself hands over

    def step_down_if_removed(self) -> None:
        """A leader outside the committed configuration hands over by stepping down."""
        if self.role == LEADER and not self.is_member() and not self.pending_config_change():
            self.become_follower(self.current_term)

    def apply_committed(self) -> None:
        """Apply entries last_applied+1 .. commit_index to the state machine, in order."""
        log = self.log
        while self.last_applied < self.commit_index:
            self.last_applied += 1
            self.on_apply(self.last_applied, log[self.last_applied - self.base_index - 1].command)

    def on_apply(self, index: int, command: Any) -> None:
        """Hand one committed command to the state machine (here: the ``apply_fn`` callback)."""
        if self.apply_fn is not None:
            self.apply_fn(self.pid, index, command)

    # ------------------------------------------------------------------ leadership for reads
    def on_leadership_confirmed(self) -> None:
        """A follower acknowledged a newer heartbeat round (read-index servers act on this)."""

    def confirmed_round(self) -> int:
        """The latest broadcast round a majority (counting this leader) has acknowledged."""
        acks = sorted(self.acked_round.values(), reverse=True)
        need = self.majority - (1 if self.pid in self.members else 0)  # besides the leader
        if need == 0:
            return self.round
        return acks[need - 1] if len(acks) >= need else 0
