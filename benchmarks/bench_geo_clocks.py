"""Clocks, commit wait and consistency levels (issue 10, milestone d).

Prints ``bench <name> <value> <unit>`` lines:

* ``spanner_write_p50_ms_regional_eps<e>`` -- median write latency, one region (leader and two
  followers in three Virginia zones, clients beside them), TrueTime epsilon ``e`` ms: commit wait
  (2 epsilon) dominates a ~1.5 ms majority round trip;
* ``spanner_write_p50_ms_geo_eps<e>`` -- the same with replicas and clients in Virginia, Oregon and
  Ireland: the majority round trip (~81 ms) hides commit wait;
* ``spanner_stale_seeds_no_wait`` / ``spanner_stale_seeds_wait`` -- of 20 seeds (epsilon = skew = 4 ms),
  how many histories have a stale read without and with commit wait;
* ``cockroach_read_restart_pct`` -- reads restarted by uncertainty (skew 4 ms, max offset 250 ms,
  one region), and ``cockroach_read_p99_ms`` their p99 latency;
* ``cassandra_write_p50_ms_<level>`` -- Virginia's median write latency at each level, data centres
  Virginia and Ireland of three replicas each;
* ``hlc_events_per_s`` -- HLC ticks and receipts per second (pure value updates);
* ``spanner_run_ms`` -- one default Spanner run and its linearizability check: what a panel redraw pays.
"""
from __future__ import annotations

import statistics

from besttime import best_rate
from distlab.geo.cassandra import run_cassandra
from distlab.geo.cassandra_levels import LEVELS
from distlab.geo.clocks import HLC
from distlab.geo.cockroach import run_cockroach
from distlab.geo.spanner import run_spanner

GEO = ("virginia", "oregon", "ireland")
SEEDS = range(20)


def hlc_updates(n: int = 10_000) -> HLC:
    """``n`` alternating ticks and receipts on one HLC."""
    ts, sent = HLC(0), HLC(5, 2)
    for i in range(n):
        ts = ts.tick(i // 3) if i % 2 else ts.receive(i // 3, sent)
    return ts


def spanner_figures() -> None:
    for eps in (1, 4, 7, 10):
        regional = run_spanner(epsilon=eps / 1000, seed=1, ops_per_client=40)
        print(f"bench spanner_write_p50_ms_regional_eps{eps} {statistics.median(regional.latencies_ms('put')):.1f} ms")
    for eps in (0, 7):
        geo = run_spanner(epsilon=eps / 1000, replicas=GEO, clients=GEO, seed=1, ops_per_client=40)
        print(f"bench spanner_write_p50_ms_geo_eps{eps} {statistics.median(geo.latencies_ms('put')):.1f} ms")
    for wait in (False, True):
        stale = sum(run_spanner(epsilon=0.004, skew=0.004, commit_wait=wait, seed=s).stale_reads > 0 for s in SEEDS)
        print(f"bench spanner_stale_seeds_{'wait' if wait else 'no_wait'} {stale} of {len(SEEDS)}")


def main() -> None:
    spanner_figures()
    crdb = run_cockroach(skew=0.004, max_offset=0.25, seed=1, ops_per_client=100)
    reads = [r for r in crdb.records if r.f == "get"]
    print(f"bench cockroach_read_restart_pct {100 * sum(1 for r in reads if r.restarts) / len(reads):.1f} %")
    print(f"bench cockroach_read_p99_ms {crdb.percentiles_ms('get')[99]:.1f} ms")
    for level in LEVELS:
        run = run_cassandra(write_level=level, read_level="ONE", clients=("virginia",), seed=1, ops_per_client=40)
        print(f"bench cassandra_write_p50_ms_{level.lower()} {statistics.median(run.latencies_ms('put')):.1f} ms")
    print(f"bench hlc_events_per_s {10_000 * best_rate(hlc_updates, 20):.0f} events/s")
    print(f"bench spanner_run_ms {1000 / best_rate(lambda: run_spanner(seed=2).check(), 20):.1f} ms")


if __name__ == "__main__":
    main()
