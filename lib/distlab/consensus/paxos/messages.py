"""Paxos messages (Lamport, "Paxos Made Simple", 2001), as small immutable tuples.

A ballot is a pair ``(round, proposer pid)``: tuples compare round first, so ballots are totally
ordered and two proposers never use the same one. Phase 1 ("do I have the floor?"):
``Prepare(b)`` -> ``Promise(b, accepted_ballot, accepted_value)`` or ``Nack(b, promised)``. Phase 2
("call the vote"): ``Accept(b, v)`` -> ``Accepted(b, v)`` (sent to the proposer and every learner)
or ``Nack``. Multi-Paxos adds a ``slot`` to phase 2 and carries all accepted slots in a Promise.
"""
from __future__ import annotations

from typing import Any, NamedTuple

NO_BALLOT = (-1, -1)


class Prepare(NamedTuple):
    ballot: tuple


class Promise(NamedTuple):
    ballot: tuple
    accepted_ballot: tuple   # NO_BALLOT if nothing accepted (single decree)
    accepted_value: Any
    accepted: tuple = ()     # Multi-Paxos: ((slot, ballot, value), ...)


class Nack(NamedTuple):
    ballot: tuple            # the ballot refused
    promised: tuple          # the higher ballot the acceptor already promised


class Accept(NamedTuple):
    ballot: tuple
    value: Any
    slot: int = 0


class Accepted(NamedTuple):
    ballot: tuple
    value: Any
    acceptor: Any
    slot: int = 0


class Heartbeat(NamedTuple):
    """Multi-Paxos: the leader's liveness signal and its knowledge of chosen slots."""

    ballot: tuple
    chosen: tuple            # ((slot, value), ...) newly known chosen, for catching up


class HeartbeatReply(NamedTuple):
    ballot: tuple
    known_upto: int          # every slot up to here is known chosen by the follower


class Forward(NamedTuple):
    """Multi-Paxos: a client command sent to whoever this node believes leads."""

    value: Any
