"""Cassandra's consistency levels as arithmetic: who must answer, and when a read must see a write.

A keyspace with ``NetworkTopologyStrategy`` keeps ``rf[dc]`` replicas of every row in each data
centre. A **consistency level** says how many of them must answer before the coordinator (a node in
the client's own data centre, ``local``) replies; it never changes how many hold the data -- a write
is always sent to every replica. From the Apache Cassandra documentation ("Dynamo" architecture
page, tunable consistency) and DataStax's tables of read and write consistency levels:

===============  ===========================================================================
``ONE``           one replica, anywhere (the closest)
``QUORUM``        ``sum(rf) // 2 + 1`` replicas over all data centres
``LOCAL_QUORUM``  ``rf[local] // 2 + 1`` replicas of the coordinator's data centre; a read asks
                  only those (no round trip to another data centre)
``EACH_QUORUM``   ``rf[dc] // 2 + 1`` replicas in *every* data centre
``ALL``           every replica
===============  ===========================================================================

A read is **guaranteed** to see every write acknowledged before it began exactly when every set of
replicas that can acknowledge the write meets every set that can answer the read
(:func:`guaranteed`, decided by walking the per-data-centre counts). ``QUORUM``/``QUORUM`` is;
``LOCAL_QUORUM``/``LOCAL_QUORUM`` is only when writer and reader share a data centre.

>>> rf = {"virginia": 3, "ireland": 3}
>>> blocked_for("QUORUM", rf, "virginia"), blocked_for("EACH_QUORUM", rf, "virginia")
(4, 4)
>>> guaranteed("LOCAL_QUORUM", "LOCAL_QUORUM", rf, "virginia", "ireland")
False
>>> guaranteed("EACH_QUORUM", "LOCAL_QUORUM", rf, "virginia", "ireland")
True
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import NamedTuple

__all__ = ["LEVELS", "LevelRow", "blocked_for", "check_level", "check_rf", "contacted", "guaranteed", "level_table",
           "quorum", "satisfied"]

LEVELS = ("ONE", "QUORUM", "LOCAL_QUORUM", "EACH_QUORUM", "ALL")
#: the largest replication factor per data centre accepted
MAX_RF = 9


def check_level(name: str, value: object) -> str:
    """``value`` if it is one of :data:`LEVELS`, else a ``ValueError`` naming ``name`` and the levels."""
    if value not in LEVELS:
        raise ValueError(f"{name} must be one of {', '.join(LEVELS)}; got {value!r}")
    return str(value)


def check_rf(rf: object) -> dict[str, int]:
    """A replication map ``{data centre: replicas}``, each from 1 to :data:`MAX_RF`, else a ``ValueError``."""
    if not isinstance(rf, Mapping) or not rf:
        raise ValueError(f"rf must map each data centre to its replica count (1 to {MAX_RF}), got {rf!r}")
    for dc, n in rf.items():
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_RF:
            raise ValueError(f"rf[{dc!r}] must be an integer from 1 to {MAX_RF}, got {n!r}")
    return dict(rf)


def quorum(n: int) -> int:
    """A majority of ``n``: ``n // 2 + 1``."""
    return n // 2 + 1


def satisfied(level: str, answers: Mapping[str, int], rf: Mapping[str, int], local: str) -> bool:
    """Whether ``answers`` (data centre -> replicas that answered) meet ``level`` for a coordinator in ``local``."""
    total = sum(answers.values())
    if level == "ONE":
        return total >= 1
    if level == "QUORUM":
        return total >= quorum(sum(rf.values()))
    if level == "LOCAL_QUORUM":
        return answers.get(local, 0) >= quorum(rf[local])
    if level == "EACH_QUORUM":
        return all(answers.get(dc, 0) >= quorum(n) for dc, n in rf.items())
    if level == "ALL":
        return all(answers.get(dc, 0) >= n for dc, n in rf.items())
    raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")


def blocked_for(level: str, rf: Mapping[str, int], local: str) -> int:
    """How many replicas must answer (Cassandra's ``blockFor``)."""
    if level == "ONE":
        return 1
    if level == "QUORUM":
        return quorum(sum(rf.values()))
    if level == "LOCAL_QUORUM":
        return quorum(rf[local])
    if level == "EACH_QUORUM":
        return sum(quorum(n) for n in rf.values())
    return sum(rf.values())


def contacted(level: str, f: str, rf: Mapping[str, int], local: str) -> tuple[str, ...]:
    """The data centres whose replicas a request goes to: a write (``put``) always goes everywhere; a
    ``LOCAL_QUORUM`` read (``get``) stays in ``local``; other reads may go anywhere."""
    return (local,) if f == "get" and level == "LOCAL_QUORUM" else tuple(rf)


def guaranteed(write: str, read: str, rf: Mapping[str, int], writer: str, reader: str) -> bool:
    """Whether a ``read``-level read from ``reader``'s data centre is sure to meet a ``write``-level
    write acknowledged from ``writer``'s: no acknowledging set is disjoint from an answering set."""
    dcs = list(rf)
    readable = contacted(read, "get", rf, reader)
    for counts in itertools.product(*(range(rf[dc] + 1) for dc in dcs)):
        acks = dict(zip(dcs, counts))
        if not satisfied(write, acks, rf, writer):
            continue
        rest = {dc: rf[dc] - acks[dc] if dc in readable else 0 for dc in dcs}
        if satisfied(read, rest, rf, reader):
            return False
    return True


class LevelRow(NamedTuple):
    """One write/read pair of levels: replicas each waits for, and whether reads are guaranteed fresh
    from the writer's own data centre and from another one."""

    write: str
    read: str
    write_acks: int
    read_answers: int
    same_dc: bool
    other_dc: bool | None


def level_table(rf: Mapping[str, int], local: str | None = None) -> list[LevelRow]:
    """Every (write, read) pair of levels for a writer in ``local`` (default: the first data centre);
    ``other_dc`` is about a reader in the next data centre (None with a single one)."""
    rf = check_rf(rf)
    dcs = list(rf)
    local = dcs[0] if local is None else local
    if local not in rf:
        raise ValueError(f"local must be one of the data centres {dcs}, got {local!r}")
    other = next((dc for dc in dcs if dc != local), None)
    return [LevelRow(w, r, blocked_for(w, rf, local), blocked_for(r, rf, local), guaranteed(w, r, rf, local, local),
                     None if other is None else guaranteed(w, r, rf, local, other))
            for w in LEVELS for r in LEVELS]
