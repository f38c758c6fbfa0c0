"""``distlab.geo.spanner`` -- Spanner's commit wait on the simulation kernel (Corbett et al., OSDI 2012).

One Paxos group holds the keys; its leader sits in ``replicas[0]``, followers in the other regions;
clients sit in ``clients``. Every process's clock is off by up to ``skew`` (the kernel's clock-skew
fault, seeded), and TrueTime answers ``local ± epsilon`` (:mod:`distlab.geo.truetime`). Writes are
timestamped ``TT.now().latest`` by the leader and wait out the uncertainty before anyone sees them;
reads are taken at ``TT.now().latest`` of the reader's clock (:mod:`distlab.geo.spanner_nodes`).

**External consistency** (section 4.1.2): if a write commits before a read starts, the read's
timestamp is larger and it sees the write. Commit wait is what buys it -- and only while TrueTime
keeps its promise (every clock within ``epsilon``):

* commit wait on, ``skew <= epsilon``: every history is linearizable (chapter 1's checker agrees,
  ``run.check()``; the tests try many seeds and skews);
* commit wait off, clocks skewed: a write timestamped by a fast leader can complete before a reader
  with a slow clock picks a *smaller* timestamp -- the read misses a completed write, a stale read;
* commit wait on, ``skew > epsilon``: the promise is broken and so is the guarantee.

The price is latency: a commit waits ``2 * epsilon`` (overlapped with the Paxos round trip, so in a
multi-region group it is often hidden; in one region it dominates).

>>> run = run_spanner(epsilon=0.004, skew=0.004, commit_wait=False, seed=1)
>>> run.stale_reads > 0, run.check().status
(True, 'violated')
>>> run = run_spanner(epsilon=0.004, skew=0.004, commit_wait=True, seed=1)
>>> run.stale_reads, run.check().status
(0, 'holds')
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from distlab.geo.clocks_workload import (
    THINK_TIME,
    LinkLatency,
    StoreRun,
    TxnClient,
    TxnRecord,
    Workload,
    check_places,
    check_workload,
    play,
)
from distlab.geo.spanner_nodes import SpannerClient, SpannerFollower, SpannerLeader, SpannerSettings
from distlab.geo.truetime import check_epsilon, holds
from distlab.sim import HistoryRecorder, Latency, Simulation
from distlab.transactions.checks import check_seconds

__all__ = ["MAX_SKEW", "REGIONAL", "GroupRun", "SpannerRun", "run_spanner"]

#: the largest clock skew accepted (seconds)
MAX_SKEW = 10.0


#: one region: a leader and two followers in different zones of Virginia, clients beside them
REGIONAL = ("virginia", "virginia", "virginia")


@dataclass(frozen=True)
class GroupRun(StoreRun):
    """A run of one replicated group (Spanner's or CockroachDB's): where its servers and clients were,
    and the headline numbers both models' panels print."""

    replicas: tuple[str, ...] = REGIONAL
    clients: tuple[str, ...] = REGIONAL

    def summary(self) -> dict[str, Any]:
        """Operations, stale reads and latency percentiles (a model adds its settings)."""
        return {"operations": len(self.records), "stale_reads": self.stale_reads,
                "write_latency_ms": self.percentiles_ms("put"), "read_latency_ms": self.percentiles_ms("get")}


@dataclass(frozen=True)
class SpannerRun(GroupRun):
    """A Spanner run: the operations, the history and the clocks (:class:`StoreRun`), and the settings."""

    epsilon: float = 0.0
    commit_wait: bool = True

    @property
    def truetime_holds(self) -> bool:
        """Whether every clock stayed within ``epsilon`` of true time (TrueTime's promise)."""
        return holds(self.offsets, self.epsilon)

    def commit_waits_ms(self) -> tuple[float, ...]:
        """The commit wait of every write, ms, in the order they were issued."""
        return tuple(1000.0 * r.waited for r in sorted(self.records, key=lambda r: r.start) if r.f == "put")

    def summary(self) -> dict[str, Any]:
        """The headline numbers a panel prints."""
        waits = self.commit_waits_ms()
        return {"epsilon_ms": 1000 * self.epsilon, "commit_wait": self.commit_wait,
                "max_skew_ms": 1000 * max((abs(o) for o in self.offsets.values()), default=0.0),
                "truetime_holds": self.truetime_holds, **super().summary(),
                "mean_commit_wait_ms": sum(waits) / len(waits) if waits else None}


def _check(epsilon: float, skew: float, commit_wait: object) -> None:
    check_epsilon(epsilon)
    check_seconds("skew", skew, 0.0, MAX_SKEW)
    if not isinstance(commit_wait, bool):
        raise ValueError(f"commit_wait must be True or False, got {commit_wait!r}")


def run_spanner(*, epsilon: float = 0.007, skew: float = 0.0, commit_wait: bool = True,
                replicas: Sequence[str] = REGIONAL, clients: Sequence[str] = REGIONAL, keys: int = 1,
                ops_per_client: int = 20, read_fraction: float = 0.5, think_time: Latency = THINK_TIME,
                link_latency: LinkLatency | None = None, seed: int = 0) -> SpannerRun:
    """One seeded run: TrueTime's ``epsilon`` and the clocks' ``skew`` in seconds (each clock off by
    ``skew`` times a seeded number in [-1, 1]), commit wait on or off, the group's ``replicas``
    (region slugs, the leader first) and the ``clients``' regions; each client makes
    ``ops_per_client`` reads and writes of ``keys`` keys. Latency: the measured EC2 round trips, or
    ``link_latency(src_region, dst_region)``. Same settings, same numbers."""
    _check(epsilon, skew, commit_wait)
    replica_regions, client_regions = check_places(replicas, clients)
    check_workload(keys, ops_per_client, read_fraction, seed)
    def build(sim: Simulation, servers: tuple[str, ...], names: tuple[str, ...], recorder: HistoryRecorder,
              records: list[TxnRecord]) -> list[TxnClient]:
        sim.add(SpannerLeader(servers[0], SpannerSettings(float(epsilon), commit_wait, servers[1:])))
        for follower in servers[1:]:
            sim.add(SpannerFollower(follower))
        return [sim.add(SpannerClient(name, workload, recorder, records, servers[0], float(epsilon)))
                for name in names]

    workload = Workload(keys, ops_per_client, float(read_fraction), think_time)
    played = play(seed, replica_regions, client_regions, build, link_latency, skew, "spanner:clocks")
    return SpannerRun(*played, replicas=replica_regions, clients=client_regions, epsilon=float(epsilon),
                      commit_wait=commit_wait)
