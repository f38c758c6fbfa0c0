"""Which replica sets a read quorum and a write quorum can be, and whether every pair meets.

With ``n`` replicas a write quorum is any ``w`` of them and a read quorum any ``r``; a read is sure to
see the latest completed write only if every read quorum meets every write quorum, which holds
exactly when ``r + w > n`` (then two sets of sizes r and w cannot both fit in n without sharing one).
Counting the pairs that miss gives the chance a random read quorum misses a random write quorum,
``C(n - w, r) / C(n, r)`` -- PBS's closed form (:func:`distlab.geo.pbs.p_stale_closed_form`).

>>> o = overlap(3, 1, 1)
>>> o.always_intersect, len(o.disjoint), o.miss_fraction
(False, 6, 0.6666666666666666)
>>> overlap(3, 2, 2).always_intersect
True
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import NamedTuple

from distlab.transactions.checks import check_int

__all__ = ["Overlap", "overlap", "MAX_OVERLAP_N"]

#: the largest ``n`` :func:`overlap` enumerates (C(10, 5)**2 = 63,504 pairs; a drawing needs far fewer)
MAX_OVERLAP_N = 10


class Overlap(NamedTuple):
    """Every write quorum and read quorum (as tuples of replica names) and the pairs that share no replica."""

    n: int
    w: int
    r: int
    write_quorums: tuple[tuple[str, ...], ...]
    read_quorums: tuple[tuple[str, ...], ...]
    #: ``(i, j)``: write quorum ``i`` and read quorum ``j`` share no replica
    disjoint: tuple[tuple[int, int], ...]

    @property
    def always_intersect(self) -> bool:
        """Every read quorum meets every write quorum (true exactly when ``r + w > n``)."""
        return not self.disjoint

    @property
    def miss_fraction(self) -> float:
        """The fraction of (write quorum, read quorum) pairs that share no replica."""
        return len(self.disjoint) / (len(self.write_quorums) * len(self.read_quorums))


def overlap(n: int, w: int, r: int, replicas: Sequence[str] | None = None) -> Overlap:
    """Every write quorum (``w`` of the ``n`` replicas), every read quorum (``r`` of them), and which
    pairs are disjoint. ``replicas`` names them (default ``r1`` ... ``rn``)."""
    check_int("n", n, 1, MAX_OVERLAP_N)
    check_int("w", w, 1, n)
    check_int("r", r, 1, n)
    names = tuple(replicas) if replicas is not None else tuple(f"r{i + 1}" for i in range(n))
    if len(names) != n or len(set(names)) != n:
        raise ValueError(f"replicas must be {n} distinct names, got {list(names)}")
    writes = tuple(combinations(names, w))
    reads = tuple(combinations(names, r))
    disjoint = tuple((i, j) for i, wq in enumerate(writes) for j, rq in enumerate(reads)
                     if not set(wq) & set(rq))
    return Overlap(n, w, r, writes, reads, disjoint)
