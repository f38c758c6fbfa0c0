"""Raft's RPCs as small immutable tuples, named as in Figure 2 of the paper.

Every request carries the sender's ``term``; every reply carries the replier's ``term`` so a stale
leader or candidate learns it is out of date. Replies also echo what they answer (``match_index``,
``pre_vote``), because on a lossy network with reordering a reply may arrive long after a newer
request was sent, and the receiver must be able to tell which one it answers.

``size_of`` estimates a message's bytes on the wire, for the network's byte counters (the MIT
"RPC bytes" test checks that each command is sent to each follower about once).
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .state import Entry


class RequestVote(NamedTuple):
    """Candidate -> all: "vote for me in ``term``; my log ends at (last_log_index, last_log_term)".

    With ``pre_vote`` it is only a poll (Ongaro's dissertation §9.6): nobody changes term or vote.
    """

    term: int
    candidate_id: Any
    last_log_index: int
    last_log_term: int
    pre_vote: bool = False


class RequestVoteReply(NamedTuple):
    """Voter -> candidate: the voter's ``term`` and whether it granted the vote (or the poll, with
    ``pre_vote``, echoed so a late reply to a poll is never counted as a vote)."""

    term: int
    vote_granted: bool
    pre_vote: bool = False


class AppendEntries(NamedTuple):
    """Leader -> follower: "after (prev_log_index, prev_log_term) come ``entries``; I have
    committed up to ``leader_commit``". With no entries it is a heartbeat."""

    term: int
    leader_id: Any
    prev_log_index: int
    prev_log_term: int
    entries: tuple[Entry, ...]
    leader_commit: int
    round: int = 0  # the leader's broadcast counter, echoed back: confirms leadership for reads


class AppendEntriesReply(NamedTuple):
    """Follower -> leader. On success ``match_index`` is the last index known to match. On failure
    ``conflict_term``/``conflict_index`` let the leader skip a whole term of entries at once (the
    "fast log backtracking" of §5.3 and MIT 6.5840's XTerm/XIndex; ``conflict_term`` 0 means the
    follower's log is too short and ``conflict_index`` is its length + 1)."""

    term: int
    success: bool
    match_index: int
    conflict_term: int = 0
    conflict_index: int = 0
    round: int = 0


class InstallSnapshot(NamedTuple):
    """Leader -> follower that lags behind the leader's snapshot: "here is the state machine as of
    (last_included_index, last_included_term)" (§7; sent whole, as MIT 6.5840 does)."""

    term: int
    leader_id: Any
    last_included_index: int
    last_included_term: int
    data: Any
    members: tuple[Any, ...] | None = None  # the configuration as of the snapshot


class InstallSnapshotReply(NamedTuple):
    """Follower -> leader: its ``term``, and the ``last_included_index`` of the snapshot it answers
    (echoed, as replies may be reordered): its log now covers everything up to there."""

    term: int
    last_included_index: int


RPC_REQUESTS = (RequestVote, AppendEntries, InstallSnapshot)
HEADER_BYTES = 32  # term, ids, indices: a handful of 4-8 byte integers


def command_size(command: Any) -> int:
    """Bytes of one command on the wire (its text form; 8 bytes for a small integer)."""
    if isinstance(command, int):
        return 8
    if isinstance(command, (str, bytes)):
        return len(command)
    return len(repr(command))


def size_of(msg: Any) -> int:
    """Estimated bytes of a message: a fixed header plus, for AppendEntries, each entry's term and
    command."""
    if type(msg) is AppendEntries and msg.entries:
        return HEADER_BYTES + sum(8 + command_size(e.command) for e in msg.entries)
    if type(msg) is InstallSnapshot:
        return HEADER_BYTES + command_size(msg.data)
    return HEADER_BYTES
