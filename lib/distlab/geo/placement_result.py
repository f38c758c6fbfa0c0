"""What a placement experiment measured: commit latencies per client region, the election, and what
a region outage did -- plain values a panel can tabulate or draw."""
from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .placement import Setup, WanTimeouts

__all__ = ["Latencies", "Outage", "PlacementResult", "Stats", "median_by_region", "stats"]

#: commit latencies in ms per client region, in the order the writes were invoked
Latencies = Mapping[str, tuple[float, ...]]


class Stats(NamedTuple):
    """Median and 95th percentile (nearest rank) of ``n`` latencies, ms; NaN when there are none."""

    median: float
    p95: float
    n: int


def stats(values: Sequence[float]) -> Stats:
    """:class:`Stats` of ``values`` (ms)."""
    if not values:
        return Stats(math.nan, math.nan, 0)
    ordered = sorted(values)
    return Stats(statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], len(ordered))


def median_by_region(latencies: Latencies) -> dict[str, float]:
    """The median of each region's latencies, ms (NaN for a region without any)."""
    return {region: stats(values).median for region, values in latencies.items()}


@dataclass(frozen=True)
class Outage:
    """A region failed ``at`` (simulated seconds): every replica there crashed.

    ``new_leader`` is the leader's region afterwards (unchanged if the leader was elsewhere; None
    when no majority survived); ``election_s`` the time from the failure to a new leader (None
    if the leader survived or none was elected); ``commit_ms`` the latencies of writes invoked
    once a leader was in place again, per surviving client region; ``recovery_s`` the time from the
    failure to each region's first commit (None: none within the run)."""

    region: str
    at: float
    new_leader: str | None
    election_s: float | None
    commit_ms: Latencies
    recovery_s: Mapping[str, float | None]

    def medians(self) -> dict[str, float]:
        """Median commit latency after the outage per client region, ms (NaN: no commit)."""
        return median_by_region(self.commit_ms)


@dataclass(frozen=True)
class PlacementResult:
    """One run of chapter 2's Raft on the world map (:func:`distlab.geo.placement_raft.run_placement`).

    ``elected`` is the region whose replica won the first election (checked to be the pinned
    ``setup.leader``), after ``election_s`` seconds; ``commit_ms`` the commit latency of every write
    per client region (client -> leader -> majority -> client); ``predicted_ms`` what the medians
    predict (:func:`~distlab.geo.placement.predicted_commit_ms`); ``majority_ms`` the leader's
    majority round trip from the medians; ``outage`` what failing ``setup.failed`` did, if set."""

    setup: Setup
    timeouts: WanTimeouts
    elected: str
    election_s: float
    commit_ms: Latencies
    predicted_ms: Mapping[str, float]
    majority_ms: float
    outage: Outage | None

    def stats(self, region: str) -> Stats:
        """Median, p95 and count of one client region's commit latencies (before any outage)."""
        if region not in self.commit_ms:
            raise ValueError(f"region must be one of the client regions ({', '.join(self.commit_ms)}), "
                             f"got {region!r}")
        return stats(self.commit_ms[region])

    def medians(self) -> dict[str, float]:
        """Median commit latency per client region, ms."""
        return median_by_region(self.commit_ms)

    def rows(self) -> list[tuple[str, float, float, float]]:
        """(client region, measured median, p95, predicted) per client region, ms -- a table's rows."""
        return [(region, *self.stats(region)[:2], self.predicted_ms[region]) for region in self.commit_ms]
