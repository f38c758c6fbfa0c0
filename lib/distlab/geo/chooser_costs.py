"""What each way of replicating costs the users of a set of regions, from the measured round trips.

The chooser (:mod:`distlab.geo.chooser`) weighs systems by these estimates -- **medians**, from
:func:`distlab.geo.latency.default_model` (Bailis's EC2 measurements; a client talks to a server of
its own region over the same-zone curve, two servers of one region over the cross-zone curve):

* :func:`replica_regions` -- where the replicas go: the users' regions, and, to survive the loss of
  a region with majority quorums, enough of the nearest other regions to make three;
* :func:`quorum_ms` -- a leader's round trip to a majority of the replicas (itself included);
* :func:`strong_costs` -- a leader-based, strongly consistent write and read for the worst-placed
  user, with the leader in the region that makes that worst case best: the user's round trip to
  the leader plus the leader's majority round trip, which Spanner's commit wait (``2 * epsilon``)
  overlaps (Corbett et al. 2012, section 4.2.1);
* :func:`local_costs` -- a write acknowledged by a quorum of the user's own region (Cassandra's
  ``LOCAL_QUORUM``), replicated to the other regions afterwards;
* :func:`cassandra_costs` -- any pair of Cassandra's levels, three replicas in each user region.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from distlab.geo.cassandra_levels import blocked_for
from distlab.geo.latency import default_model
from distlab.geo.world import REGIONS, distinct

__all__ = ["Costs", "cassandra_costs", "client_ms", "local_costs", "quorum_ms", "replica_regions", "rtt_ms",
           "strong_costs"]


class Costs(NamedTuple):
    """Median latencies (ms) for the worst-placed user, and the region a leader should sit in (if any)."""

    write_ms: float
    read_ms: float
    leader: str | None


def rtt_ms(a: str, b: str) -> float:
    """The median round trip between two servers' regions (across zones within one region), ms."""
    return default_model().pair_rtt_ms(a, b)


def client_ms(user: str, server: str) -> float:
    """The median round trip from a user's application in ``user`` to a server in ``server``, ms."""
    return default_model().pair_rtt_ms(user, server, same_zone=user == server)


def replica_regions(users: Sequence[str], survive_region: bool) -> tuple[str, ...]:
    """The users' regions, plus -- when a region's loss must be survived -- the regions nearest to
    them until there are three (a majority must outlive any one region)."""
    chosen = distinct(users)
    if survive_region:
        others = sorted((r for r in REGIONS if r not in chosen),
                        key=lambda r: (min(rtt_ms(r, u) for u in chosen), REGIONS.index(r)))
        chosen += others[:max(0, 3 - len(chosen))]
    return tuple(chosen)


def quorum_ms(leader: str, replicas: Sequence[str], survive_region: bool) -> float:
    """A leader's round trip to a majority: one replica per region of ``replicas`` when a region's loss
    must be survived, else three zones of the leader's own region."""
    if not survive_region or len(replicas) < 2:
        return rtt_ms(leader, leader)
    others = sorted(rtt_ms(leader, r) for r in replicas if r != leader)
    return others[len(replicas) // 2 - 1]


def strong_costs(users: Sequence[str], survive_region: bool, commit_wait_ms: float = 0.0) -> Costs:
    """A strongly consistent write and read for the worst-placed user, the leader placed to make it best."""
    replicas = replica_regions(users, survive_region)
    best: Costs | None = None
    for leader in replicas:
        commit = max(quorum_ms(leader, replicas, survive_region), commit_wait_ms)
        write = max(client_ms(u, leader) + commit for u in users)
        read = max(client_ms(u, leader) for u in users)
        if best is None or (write, read) < best[:2]:
            best = Costs(write, read, leader)
    assert best is not None
    return best


def local_costs(users: Sequence[str]) -> Costs:
    """A write acknowledged by a quorum of the zones of the user's own region, and a read from them
    (the client coordinates: its round trip to the second-nearest of three zones)."""
    local = max(rtt_ms(u, u) for u in users)
    return Costs(local, local, None)


def cassandra_costs(users: Sequence[str], write: str, read: str, rf: int = 3) -> Costs:
    """Cassandra with ``rf`` replicas in each of the users' regions: the worst-placed user's write at
    level ``write`` and read at ``read`` (each the round trip to the replica whose answer completes
    the level; a region's own replicas across zones)."""
    regions = distinct(users)
    total = {dc: rf for dc in regions}

    def needed(level: str, user: str) -> float:
        times = {dc: rtt_ms(user, dc) for dc in regions}
        if level == "LOCAL_QUORUM":
            return times[user]
        if level == "EACH_QUORUM":
            return max(times.values())
        ranked = sorted(t for dc, t in times.items() for _ in range(total[dc]))
        return ranked[blocked_for(level, total, user) - 1]

    return Costs(max(needed(write, u) for u in users), max(needed(read, u) for u in users), None)
