"""Three ways to place writes, on one workload: one write region (the leader where you put it), the
leader at the region with the smallest majority round trip, and multi-writer with reconciliation.

>>> c = compare_placements(leader="sydney", writes=5, seed=1)
>>> [(o.name, o.leader) for o in c.options()]
[('one write region', 'sydney'), ('leader at the best region', 'virginia'), ('multi-writer', None)]
>>> c.options()[1].medians["tokyo"] < c.options()[0].medians["tokyo"] + 100
True
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .latency import LatencyModel, default_model
from .placement import DEFAULT_CLIENTS, DEFAULT_REPLICAS, best_leader, check_setup
from .placement_multi import MultiWriterResult, run_multiwriter
from .placement_raft import run_placement
from .placement_result import PlacementResult

__all__ = ["Comparison", "Option", "compare_placements"]


class Option(NamedTuple):
    """One way of placing writes: its ``name``, the leader's region (None: no leader), the median
    commit latency per client region (ms), and the conflicts it leaves to reconcile (Raft: 0, its
    leader orders every write)."""

    name: str
    leader: str | None
    medians: dict[str, float]
    conflicts: int


@dataclass(frozen=True)
class Comparison:
    """The three runs behind :meth:`options` (``best`` is ``fixed`` itself when the given leader is best)."""

    fixed: PlacementResult
    best: PlacementResult
    multi: MultiWriterResult

    def options(self) -> list[Option]:
        """One row per option, in the order the lecture takes them."""
        return [Option("one write region", self.fixed.elected, self.fixed.medians(), 0),
                Option("leader at the best region", self.best.elected, self.best.medians(), 0),
                Option("multi-writer", None, self.multi.medians(), self.multi.conflicts)]


def compare_placements(*, replicas: Sequence[str] = DEFAULT_REPLICAS, leader: str = "virginia",
                       clients: Sequence[str] = DEFAULT_CLIENTS, clients_per_region: int = 1, writes: int = 20,
                       seed: int = 0, think_ms: float = 100.0, model: LatencyModel | None = None) -> Comparison:
    """Run the same workload with the leader in ``leader``, with the leader in the best region
    (:func:`~distlab.geo.placement.best_leader`), and multi-writer; arguments as in ``run_placement``."""
    setup = check_setup(replicas=replicas, leader=leader, clients=clients, clients_per_region=clients_per_region,
                        writes=writes, seed=seed, think_ms=think_ms)
    m = model if model is not None else default_model()

    def raft(where: str) -> PlacementResult:
        return run_placement(replicas=setup.replicas, leader=where, clients=setup.clients,
                             clients_per_region=setup.clients_per_region, writes=setup.writes, seed=setup.seed,
                             think_ms=setup.think_ms, model=m)
    fixed = raft(setup.leader)
    best_region = best_leader(setup.replicas, m)
    best = fixed if best_region == setup.leader else raft(best_region)
    multi = run_multiwriter(replicas=setup.replicas, clients=setup.clients, clients_per_region=setup.clients_per_region,
                            writes=setup.writes, seed=setup.seed, think_ms=setup.think_ms, model=m)
    return Comparison(fixed, best, multi)
