"""Paxos messages (Lamport, "Paxos Made Simple", 2001), as small immutable tuples.

A ballot is a pair ``(round, proposer pid)`` (:class:`Ballot`): tuples compare round first, so
ballots are totally ordered and two proposers never use the same one. Phase 1 ("do I have the
floor?"): ``Prepare(b)`` -> ``Promise(b, accepted_ballot, accepted_value)`` or ``Nack(b, promised)``.
Phase 2 ("call the vote"): ``Accept(b, v)`` -> ``Accepted(b, v)`` (sent to the proposer and every
learner) or ``Nack``. Multi-Paxos adds a ``slot`` to phase 2 and carries all accepted slots in a
Promise.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple


class Ballot(NamedTuple):
    """A ballot number: ``round`` first, then the proposer's pid to break ties, so that ballots are
    totally ordered and unique to their proposer."""

    round: int
    proposer: Hashable


NO_BALLOT = Ballot(-1, -1)  # below every real ballot: "nothing promised / accepted yet"


class Acceptance(NamedTuple):
    """What an acceptor accepted last (in one slot): the ballot and the value. An acceptor's
    persistent state; ``(NO_BALLOT, None)`` before it accepted anything."""

    ballot: Ballot
    value: Any


class SlotAcceptance(NamedTuple):
    """Multi-Paxos: an acceptor's :class:`Acceptance` in one log ``slot``, as a Promise carries it."""

    slot: int
    ballot: Ballot
    value: Any


class SlotValue(NamedTuple):
    """Multi-Paxos: the value known chosen in one log ``slot`` (what a leader's heartbeat vouches for)."""

    slot: int
    value: Any


class Prepare(NamedTuple):
    """Phase 1a: a proposer asks every acceptor to promise to ignore ballots below ``ballot``."""

    ballot: Ballot


class Promise(NamedTuple):
    """Phase 1b: an acceptor's promise for ``ballot``, carrying what it accepted before -- the value
    the proposer must then propose instead of its own, which is what keeps a chosen value chosen."""

    ballot: Ballot
    accepted_ballot: Ballot     # NO_BALLOT if nothing accepted (single decree)
    accepted_value: Any
    accepted: tuple[SlotAcceptance, ...] = ()  # Multi-Paxos: every slot the acceptor accepted


class Nack(NamedTuple):
    """A refusal of a Prepare or an Accept: the acceptor already promised a higher ballot, so the
    proposer must retry with a ballot above ``promised`` (a Multi-Paxos leader steps down)."""

    ballot: Ballot              # the ballot refused
    promised: Ballot            # the higher ballot the acceptor already promised


class Accept(NamedTuple):
    """Phase 2a: a proposer holding promises from a majority asks the acceptors to accept ``value``
    in ``ballot`` (in log ``slot`` for Multi-Paxos; 0 for single decree)."""

    ballot: Ballot
    value: Any
    slot: int = 0


class Accepted(NamedTuple):
    """Phase 2b: ``acceptor`` accepted ``value`` in ``ballot`` (and ``slot``), announced to every
    learner; a majority of these for one ballot means the value is chosen."""

    ballot: Ballot
    value: Any
    acceptor: Hashable
    slot: int = 0


class Heartbeat(NamedTuple):
    """Multi-Paxos: the leader's liveness signal and its knowledge of chosen slots."""

    ballot: Ballot
    chosen: tuple[SlotValue, ...]   # newly known chosen slots, for a follower to catch up


class HeartbeatReply(NamedTuple):
    """Multi-Paxos: a follower's answer to a heartbeat, telling the leader how far its log of
    chosen values is complete (so the next heartbeat sends only what it lacks)."""

    ballot: Ballot
    known_upto: int             # every slot up to here is known chosen by the follower


class Forward(NamedTuple):
    """Multi-Paxos: a client command sent to whoever this node believes leads."""

    value: Any
