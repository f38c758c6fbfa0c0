"""``distlab.geo.cockroach`` -- CockroachDB's hybrid logical clocks and uncertainty restarts on the kernel.

CockroachDB has no TrueTime: clocks are only assumed to be within a **maximum offset** of one another
(``max_offset``). Transactions take their timestamps from each gateway's HLC
(:mod:`distlab.geo.clocks`), so a write stamped by a gateway whose clock runs ahead can carry a
timestamp *above* the one a later reader starts with. Instead of waiting that out at every commit
(Spanner's commit wait), a read treats versions in ``(read_ts, read_ts + max_offset]`` as
**uncertain** and restarts above them (:mod:`distlab.geo.cockroach_nodes`). The cost moves from
writes to the reads that meet a recent write; the guarantee is single-key linearizability -- no
stale reads -- as long as the clocks keep within the maximum offset (Taft et al., SIGMOD 2020, 4).

* ``uncertainty=True`` and the clocks' spread within ``max_offset``: every history is
  linearizable (chapter 1's checker; many seeds and skews in the tests);
* ``uncertainty=False``: a read at a lower timestamp than a write that completed before it began
  returns the older value -- a stale read;
* a spread beyond ``max_offset``: versions outside the interval are missed and the guarantee goes.

>>> run = run_cockroach(skew=0.004, max_offset=0.01, uncertainty=False, seed=2)
>>> run.stale_reads > 0, run.check().status
(True, 'violated')
>>> run = run_cockroach(skew=0.004, max_offset=0.01, uncertainty=True, seed=2)
>>> run.stale_reads, run.check().status, run.restarts > 0
(0, 'holds', True)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from distlab.geo.clocks import micros
from distlab.geo.clocks_workload import (
    THINK_TIME,
    LinkLatency,
    TxnClient,
    TxnRecord,
    Workload,
    check_places,
    check_workload,
    play,
)
from distlab.geo.cockroach_nodes import CrdbClient, CrdbFollower, CrdbSettings, Leaseholder
from distlab.geo.spanner import MAX_SKEW, REGIONAL, GroupRun
from distlab.sim import HistoryRecorder, Latency, Simulation
from distlab.transactions.checks import check_seconds

__all__ = ["MAX_OFFSET", "CockroachRun", "run_cockroach"]

#: the largest maximum offset accepted (seconds)
MAX_OFFSET = 10.0


@dataclass(frozen=True)
class CockroachRun(GroupRun):
    """A CockroachDB run: the operations, the history and the clocks (:class:`StoreRun`), and the settings."""

    max_offset: float = 0.0
    uncertainty: bool = True

    @property
    def spread(self) -> float:
        """The largest difference between two clocks, seconds."""
        values = list(self.offsets.values())
        return max(values) - min(values) if values else 0.0

    @property
    def offset_within_bound(self) -> bool:
        """Whether every two clocks stayed within ``max_offset`` of one another (the assumption)."""
        return self.spread <= self.max_offset

    @property
    def restarts(self) -> int:
        """Uncertainty restarts taken by all reads."""
        return sum(r.restarts for r in self.records)

    def summary(self) -> dict[str, Any]:
        """The headline numbers a panel prints."""
        reads = [r for r in self.records if r.f == "get"]
        return {"max_offset_ms": 1000 * self.max_offset, "uncertainty": self.uncertainty,
                "clock_spread_ms": 1000 * self.spread, "offset_within_bound": self.offset_within_bound,
                **super().summary(), "restarts": self.restarts, "reads_restarted": sum(1 for r in reads if r.restarts)}


def _check(skew: float, max_offset: float, uncertainty: object) -> None:
    check_seconds("skew", skew, 0.0, MAX_SKEW)
    check_seconds("max_offset", max_offset, 0.0, MAX_OFFSET)
    if not isinstance(uncertainty, bool):
        raise ValueError(f"uncertainty must be True or False, got {uncertainty!r}")


def run_cockroach(*, skew: float = 0.0, max_offset: float = 0.25, uncertainty: bool = True,
                  replicas: Sequence[str] = REGIONAL, clients: Sequence[str] = REGIONAL, keys: int = 1,
                  ops_per_client: int = 20, read_fraction: float = 0.5, think_time: Latency = THINK_TIME,
                  link_latency: LinkLatency | None = None, seed: int = 0) -> CockroachRun:
    """One seeded run: each clock off by ``skew`` times a seeded number in [-1, 1] (seconds), the
    cluster's ``max_offset`` (s), uncertainty restarts on or off, the range's ``replicas`` (region
    slugs, the leaseholder first) and the ``clients``' regions (each beside a gateway); each client
    makes ``ops_per_client`` reads and writes of ``keys`` keys. Latency: the measured EC2 round trips,
    or ``link_latency(src_region, dst_region)``. Same settings, same numbers."""
    _check(skew, max_offset, uncertainty)
    replica_regions, client_regions = check_places(replicas, clients)
    check_workload(keys, ops_per_client, read_fraction, seed)
    limit = micros(max_offset)

    def build(sim: Simulation, servers: tuple[str, ...], names: tuple[str, ...], recorder: HistoryRecorder,
              records: list[TxnRecord]) -> list[TxnClient]:
        sim.add(Leaseholder(servers[0], CrdbSettings(limit, uncertainty, servers[1:])))
        for follower in servers[1:]:
            sim.add(CrdbFollower(follower))
        return [sim.add(CrdbClient(name, workload, recorder, records, servers[0], limit)) for name in names]

    workload = Workload(keys, ops_per_client, float(read_fraction), think_time)
    played = play(seed, replica_regions, client_regions, build, link_latency, skew, "cockroach:clocks")
    return CockroachRun(*played, replicas=replica_regions, clients=client_regions, max_offset=float(max_offset),
                        uncertainty=uncertainty)
