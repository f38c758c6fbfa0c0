"""Chapter 4, where to put the leader: chapter 2's Raft on Bailis's measured EC2 latencies.

Prints ``bench <name> <value> <unit>`` lines (issue 10):

* ``geo_raft_commit_ms_virginia_<client>`` for clients in virginia, ireland, tokyo and sydney: the
  median commit latency over one seeded run (5 replicas: virginia, oregon, ireland, tokyo, sydney;
  leader pinned in virginia; 100 writes per client), and beside each ``geo_raft_predicted_ms_...``,
  what the latency medians alone predict (client RTT to the leader + the leader's majority RTT);
* what failing the leader's region does: ``geo_raft_outage_election_s`` (failure -> new leader,
  whichever survivor's timer fired first) and the commit latencies after it;
* the multi-writer option: ``geo_multiwriter_commit_ms`` (median, all regions) and its conflicts;
* the speed-of-light toll: measured median RTT / fibre bound, min / median / max over the 28 pairs
  and a few pairs by name;
* ``geo_placement_experiment_s``: one placement run as a panel would start it (20 writes per
  client), best of 5; ``geo_placement_compare_s``: the three options compared.
"""
from __future__ import annotations

import statistics

from besttime import best_of
from distlab.geo.placement_compare import compare_placements
from distlab.geo.placement_multi import run_multiwriter
from distlab.geo.placement_raft import run_placement
from distlab.geo.world_bound import bound_table, pair_bound

CLIENTS = ("virginia", "ireland", "tokyo", "sydney")


def main() -> None:
    r = run_placement(leader="virginia", clients=CLIENTS, writes=100, seed=0)
    for client in CLIENTS:
        print(f"bench geo_raft_commit_ms_virginia_{client} {r.medians()[client]:.1f} ms")
    for client in CLIENTS:
        print(f"bench geo_raft_predicted_ms_virginia_{client} {r.predicted_ms[client]:.1f} ms")
    print(f"bench geo_raft_first_election_s {r.election_s:.2f} s")
    out = run_placement(leader="virginia", clients=CLIENTS, writes=100, seed=0, failed="virginia").outage
    assert out is not None and out.election_s is not None
    print(f"bench geo_raft_outage_election_s {out.election_s:.2f} s")
    for client, median in out.medians().items():
        print(f"bench geo_raft_outage_commit_ms_{client} {median:.1f} ms")
    multi = run_multiwriter(clients=CLIENTS, writes=100, seed=0)
    print(f"bench geo_multiwriter_commit_ms {statistics.median(multi.medians().values()):.2f} ms")
    print(f"bench geo_multiwriter_conflict_pct {100 * multi.conflicted / multi.writes:.1f} %")
    ratios = sorted(row.ratio for row in bound_table())
    print(f"bench geo_fibre_ratio_min {ratios[0]:.2f} x")
    print(f"bench geo_fibre_ratio_median {statistics.median(ratios):.2f} x")
    print(f"bench geo_fibre_ratio_max {ratios[-1]:.2f} x")
    for a, b in (("virginia", "ireland"), ("virginia", "oregon"), ("ireland", "sydney"), ("singapore", "sydney")):
        row = pair_bound(a, b)
        print(f"bench geo_fibre_bound_ms_{a}_{b} {row.fibre_rtt_ms:.1f} ms")
        print(f"bench geo_fibre_ratio_{a}_{b} {row.ratio:.2f} x")
    print(f"bench geo_placement_experiment_s {best_of(5, lambda: run_placement(seed=0)):.3f} s")
    print(f"bench geo_placement_compare_s {best_of(3, lambda: compare_placements(leader='sydney', seed=0)):.3f} s")


if __name__ == "__main__":
    main()
