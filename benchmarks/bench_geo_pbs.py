"""Chapter 4, quorums and PBS: the paper's probabilities reproduced, the sweep's speed, and the quorum simulator.

* ``pbs_<fit>_t<t>`` -- percent of reads consistent ``t`` ms after commit, N = 3, R = W = 1, from the
  sweep below (published: LNKD-SSD 97.4, LNKD-DISK 43.9 and 92.5 at 10 ms, YMMR 89.3, WAN 33);
* ``pbs_sweep_s`` -- the four fits x t = 0, 1, 2, 5, 10, 20, 50, 100, 200 ms at 1,000,000 trials each
  (best of 3; one draw per fit serves every t);
* ``quorum_sim_ops_per_s`` -- client operations per second through the kernel (N=3, W=R=2, 6 nodes,
  10 clients, 2,000 operations, best of 3);
* ``quorum_w1r1_stale_read_pct`` / ``quorum_w2r2_stale_read_pct`` -- stale reads (percent of reads)
  over 10 seeds, one of three replicas down for the first 0.3 s of a read-heavy workload;
* ``quorum_region_down_avail_strict_pct`` / ``_sloppy_pct`` -- availability with two of three regions down.
"""
from __future__ import annotations

import time

from distlab.geo.pbs import sweep
from distlab.geo.quorum import Outage, run_quorum

SWEEP_T_MS = (0, 1, 2, 5, 10, 20, 50, 100, 200)
REPORTED = (("LNKD-SSD", 0), ("LNKD-DISK", 0), ("LNKD-DISK", 10), ("YMMR", 0), ("WAN", 0))


def pbs_figures() -> None:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        results = sweep(t_ms=SWEEP_T_MS, trials=1_000_000, seed=0)
        best = min(best, time.perf_counter() - start)
    for fit, t in REPORTED:
        name = f"pbs_{fit.lower().replace('-', '_')}_t{t}"
        print(f"bench {name} {100 * results[fit].at(t):.1f} %")
    print(f"bench pbs_sweep_s {best:.2f} s")


def quorum_speed() -> None:
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        res = run_quorum(n=3, w=2, r=2, nodes=6, clients=10, ops_per_client=200, keys=20, seed=1)
        best = max(best, len(res.ops) / (time.perf_counter() - start))
    print(f"bench quorum_sim_ops_per_s {best:.0f} ops/s")


def quorum_figures() -> None:
    down_early = {"nodes": 3, "keys": 6, "read_fraction": 0.8, "ops_per_client": 60,
                  "outages": (Outage("n0", 0.0, 0.3),)}
    for w, r in ((1, 1), (2, 2)):
        runs = [run_quorum(n=3, w=w, r=r, **down_early, seed=s) for s in range(10)]
        reads = sum(1 for res in runs for o in res.ops if o.f == "get" and o.status == "ok")
        stale = sum(res.stale_reads for res in runs)
        print(f"bench quorum_w{w}r{r}_stale_read_pct {100 * stale / reads:.1f} %")
    regions = {"n": 3, "w": 2, "r": 2, "nodes": 6, "regions": ("a", "a", "b", "b", "c", "c"), "failed": ("a", "b"),
               "ops_per_client": 20, "timeout": 0.3, "retry_after": 0.05, "seed": 4}
    for label, sloppy in (("strict", False), ("sloppy", True)):
        availability = run_quorum(**regions, sloppy=sloppy).availability() or 0.0
        print(f"bench quorum_region_down_avail_{label}_pct {100 * availability:.1f} %")


def main() -> None:
    pbs_figures()
    quorum_speed()
    quorum_figures()


if __name__ == "__main__":
    main()
