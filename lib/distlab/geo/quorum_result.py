"""What a quorum experiment measured: every operation, the recorded history, and the numbers a panel plots.

* **latency** -- per operation, from invocation to the ``w``-th acknowledgement or ``r``-th answer;
* **availability** -- the fraction of requests that met their quorum within the timeout;
* **stale reads** -- successful reads that returned an older version than a write that had
  *completed before the read began* (ground truth from the versions, not from the checker);
* **convergence** -- whether, once the run settled, every key's ``n`` owners hold the newest version
  any node holds (hints included): what read repair, hinted handoff and anti-entropy are for;
* **history** -- the client operations as :mod:`distlab.sim.history` records them, for chapter 1's
  checkers (:meth:`QuorumResult.check`).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from distlab.geo.quorum_client import OpRecord
from distlab.geo.quorum_config import QuorumConfig
from distlab.geo.quorum_node import NO_VERSION, Version
from distlab.sim.history import History

if TYPE_CHECKING:                       # the checkers load only when check() is called
    from distlab.consistency.verdict import Verdict

__all__ = ["QuorumResult", "stale_reads"]


def stale_reads(ops: tuple[OpRecord, ...]) -> tuple[int, ...]:
    """Indices (into ``ops``) of the successful reads that missed a write acknowledged before they began."""
    acked: dict[str, tuple[list[float], list[Version]]] = {}
    for op in sorted((o for o in ops if o.f == "put" and o.status == "ok"), key=lambda o: o.end):
        ends, newest = acked.setdefault(op.key, ([], []))
        ends.append(op.end)
        newest.append(max(op.version, newest[-1]) if newest else op.version)
    found = []
    for i, op in enumerate(ops):
        if op.f != "get" or op.status != "ok" or op.key not in acked:
            continue
        ends, newest = acked[op.key]
        before = bisect.bisect_left(ends, op.start)       # writes that ended strictly before the read began
        if before and newest[before - 1] > op.version:
            found.append(i)
    return tuple(found)


@dataclass
class QuorumResult:
    """One run: the config, each operation, the history, and what the replicas held at the end."""

    config: QuorumConfig
    ops: tuple[OpRecord, ...] = field(repr=False)
    history: History = field(repr=False)
    #: node -> key -> the version it stores (its own data, not hints), when the run ended
    replicas: dict[str, dict[str, Version]] = field(repr=False)
    #: node -> key -> version of each hint a node still holds for an owner when the run ended
    hints: dict[str, dict[str, Version]] = field(repr=False)
    #: key -> its preference list (the ``n`` owners), for every key of the workload
    owners: dict[str, tuple[str, ...]] = field(repr=False)
    workload_end: float = 0.0
    end_time: float = 0.0
    messages: int = 0
    stale: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.stale = stale_reads(self.ops)

    # -- counts and rates ---------------------------------------------------------------------
    def _of(self, f: str | None) -> list[OpRecord]:
        return [o for o in self.ops if f is None or o.f == f]

    def availability(self, f: str | None = None) -> float | None:
        """Fraction of requests (``f="get"``/``"put"``, or all) that met their quorum in time."""
        ops = self._of(f)
        return None if not ops else sum(o.status == "ok" for o in ops) / len(ops)

    @property
    def stale_reads(self) -> int:
        """How many successful reads missed a write that completed before they began."""
        return len(self.stale)

    @property
    def stale_read_rate(self) -> float:
        """Stale reads as a fraction of successful reads (0 when there were none)."""
        reads = sum(1 for o in self.ops if o.f == "get" and o.status == "ok")
        return self.stale_reads / reads if reads else 0.0

    def latencies_ms(self, f: str) -> tuple[float, ...]:
        """Latency in ms of every successful ``get`` or ``put``, in the order they were issued."""
        return tuple(1000.0 * o.latency for o in sorted(self._of(f), key=lambda o: o.start) if o.status == "ok")

    def percentiles_ms(self, f: str, qs: tuple[float, ...] = (50, 95, 99)) -> dict[float, float | None]:
        """Latency percentiles in ms of the successful ``f`` operations (None when there were none)."""
        values = self.latencies_ms(f)
        if not values:
            return dict.fromkeys(qs)
        return {q: float(v) for q, v in zip(qs, np.percentile(values, qs))}

    # -- replicas ----------------------------------------------------------------------------
    def divergent_keys(self) -> tuple[str, ...]:
        """Keys whose owners do not all hold the newest version any node holds (hints included)."""
        newest: dict[str, Version] = {}
        for held in [*self.replicas.values(), *self.hints.values()]:
            for key, version in held.items():
                newest[key] = max(version, newest.get(key, NO_VERSION))
        return tuple(key for key in sorted(newest)
                     if any(self.replicas[node].get(key, NO_VERSION) != newest[key] for node in self.owners[key]))

    @property
    def converged(self) -> bool:
        """Every key's owners agree on its newest version and no hint is left undelivered."""
        return not self.divergent_keys() and not any(self.hints.values())

    def check(self, rung: str = "linearizable", timeout: float = 10.0) -> Verdict:
        """Chapter 1's verdict on the recorded history for one rung of the ladder (``kv`` model)."""
        from distlab.consistency.rungs import check
        from distlab.consistency.verdict import Budget
        return check(self.history, rung, "kv", Budget(timeout=timeout))

    def summary(self) -> dict[str, Any]:
        """The headline numbers as one dict (what a panel prints beside its plot)."""
        return {
            "n": self.config.n, "w": self.config.w, "r": self.config.r, "sloppy": self.config.sloppy,
            "operations": len(self.ops), "read_availability": self.availability("get"),
            "write_availability": self.availability("put"), "stale_reads": self.stale_reads,
            "stale_read_rate": self.stale_read_rate, "read_latency_ms": self.percentiles_ms("get"),
            "write_latency_ms": self.percentiles_ms("put"), "converged": self.converged,
            # writes whose quorum counted a substitute (a node standing in for a down owner, with a hint)
            "hinted_writes": sum(1 for o in self.ops if o.f == "put" and o.substitutes),
        }
