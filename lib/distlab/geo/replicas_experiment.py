"""Quorum commit on real replicas as one experiment whose result a panel can plot.

:func:`run_quorum_commit` starts a replica set (:func:`distlab.geo.replicas.replica_set`), and for
each k times *n* commits under ``ANY k (…)`` and reads each standby right after *reads* commits. The
prediction it sets beside each measurement is the lecture's: a commit that waits for k of the
standbys waits for the k-th nearest, so its latency is the k-th smallest apply delay (plus the local
commit and a round trip over a unix socket, well under a millisecond here). A standby farther than
the k-th is read stale right after a commit; with k = all of them, never.

Measured, not simulated: the figures depend on the machine and its load, so no seed makes them
repeat exactly (``docs/geo-replicas.md`` gives the ranges seen).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import NamedTuple

from distlab.geo.replicas import DEFAULT_DELAYS_MS, ReplicaSet, replica_set
from distlab.geo.replicas_standby import MAX_COMMITS, check_delays, check_whole


class QuorumRow(NamedTuple):
    """What one k gave: its prediction, every commit's latency (ms) and the stale reads per standby."""

    k: int
    predicted_ms: float  # the k-th smallest delay (0 for k = 0: nobody is waited for)
    latencies_ms: tuple[float, ...]
    stale_reads: tuple[int, ...]  # per standby (s1, s2, ...): of `reads` reads right after a commit, how many stale
    reads: int

    @property
    def median_ms(self) -> float:
        """The median commit latency."""
        return statistics.median(self.latencies_ms)

    @property
    def error_ms(self) -> float:
        """How far the median is from the prediction (positive: slower than predicted)."""
        return self.median_ms - self.predicted_ms


class QuorumCommitResult(NamedTuple):
    """A whole run: which servers, the standbys' delays, how long start-up took, one row per k."""

    engine: str  # ReplicaSet.describe() before any quorum: what it ran on
    delays_ms: tuple[int, ...]
    startup_s: float
    rows: tuple[QuorumRow, ...]

    def row(self, k: int) -> QuorumRow:
        """The row for *k* (``KeyError`` if it was not run)."""
        for row in self.rows:
            if row.k == k:
                return row
        raise KeyError(k)


def predicted_ms(delays_ms: Sequence[int], k: int) -> float:
    """The lecture's prediction for ``ANY k``: the k-th smallest delay, 0 for k = 0."""
    return float(sorted(delays_ms)[k - 1]) if k else 0.0


def measure_k(rs: ReplicaSet, k: int, n: int, reads: int) -> QuorumRow:
    """Set ``ANY k`` on a running set; time *n* commits; read each standby after *reads* more."""
    rs.set_quorum(k)
    latencies = rs.commit_latencies(n)
    stale = tuple(sum(rs.read_after_commit(name).stale for _ in range(reads)) for name in rs.names)
    delays = [s.delay_ms for s in rs.standbys]
    return QuorumRow(k, predicted_ms(delays, k), tuple(latencies), stale, reads)


def run_quorum_commit(ks: Sequence[int] = (1, 2, 3), *, n: int = 10, reads: int = 3,
                      delays_ms: Sequence[int] = DEFAULT_DELAYS_MS, engine: str = "embedded") -> QuorumCommitResult:
    """Quorum commit for each k in *ks* on one replica set started for the run (and stopped after it).

    About ``1-3 s`` of start-up plus ``(n + reads * len(delays_ms)) * delay_k`` per k: the defaults
    take ~6 s in all.
    """
    delays = check_delays(delays_ms)
    if isinstance(ks, (str, bytes)) or not ks:
        raise ValueError(f"ks: one or more whole numbers in 0..{len(delays)} (standbys to wait for), got {ks!r}")
    for k in ks:
        check_whole(k, "ks", 0, len(delays))
    check_whole(n, "n", 1, MAX_COMMITS)
    check_whole(reads, "reads", 0, 1000)
    with replica_set(delays, engine=engine) as rs:
        described = rs.describe()
        rows = tuple(measure_k(rs, k, n, reads) for k in ks)
        return QuorumCommitResult(described, delays, rs.startup_s, rows)
