"""Coordination benchmarks: thousands of random pause/crash schedules for the lock and the election
on the simulated Raft store, with and without fencing; the paused-holder story; takeover time after
the holder stops renewing; and the cost of one store operation in simulated and wall time.

Prints ``bench <name> <value> <unit>`` lines only (details of any failure go to stderr).
"""
from __future__ import annotations

import random
import sys
import time

from distlab.consensus.coordination import LeaderElection, Session, SimulatedStore, paused_holder, random_plan, run_plan

SCHEDULES = 1000  # per recipe and storage kind


def bench(name: str, value, unit: str) -> None:
    print(f"bench {name} {value} {unit}", flush=True)


def schedules() -> None:
    for recipe in ("lock", "election"):
        for fencing in (True, False):
            label = f"coord_{recipe}_{'fenced' if fencing else 'unfenced'}"
            start = time.perf_counter()
            stale = violations = rejected = grants = 0
            for seed in range(SCHEDULES):
                plan = random_plan(random.Random(seed), steps=60)
                result = run_plan(SimulatedStore(seed=seed, check_invariants=fencing), plan,
                                  recipe=recipe, fencing=fencing)
                bad = {k: v for k, v in result.verdicts.items() if v is not None}
                stale += "no_stale_write_accepted" in bad
                violations += bool(set(bad) - {"no_stale_write_accepted",
                                               "last_write_from_latest_holder"})
                rejected += any(not w.accepted for w in result.writes)
                grants += len(result.grants)
                if fencing and bad:
                    print(f"{label} seed {seed}: {bad}", file=sys.stderr)
            bench(f"{label}_schedules", SCHEDULES, "count")
            bench(f"{label}_stale_writes_accepted", stale, "count")
            bench(f"{label}_owner_violations", violations, "count")
            if fencing:
                bench(f"{label}_schedules_with_rejected_write", rejected, "count")
            bench(f"{label}_grants", grants, "count")
            bench(f"{label}_s", f"{time.perf_counter() - start:.1f}", "s")


def fencing_story() -> None:
    for fencing in (False, True):
        result = paused_holder(SimulatedStore(seed=0), fencing=fencing)
        broken = sum(v is not None for v in result.verdicts.values())
        bench(f"coord_paused_holder_{'fenced' if fencing else 'unfenced'}_violations", broken,
              "count")


def takeover() -> None:
    """Simulated seconds from the leader's last renewal to a new leader (ttl 2 s, 100 seeds)."""
    gaps = []
    for seed in range(100):
        store = SimulatedStore(seed=seed, check_invariants=False)
        a = LeaderElection(store, "db", "a", Session(store, 2))
        b = LeaderElection(store, "db", "b", Session(store, 2))
        a.campaign()
        a.keepalive()
        last = store.now()
        b.campaign_until(10.0, poll=0.05)
        gaps.append(store.now() - last)
    gaps.sort()
    bench("coord_takeover_ttl2_median_s", f"{gaps[len(gaps) // 2]:.3f}", "s")
    bench("coord_takeover_ttl2_max_s", f"{gaps[-1]:.3f}", "s")


def op_cost() -> None:
    store = SimulatedStore(seed=0, check_invariants=False)
    store.put("warm", "up")
    n = 2000
    start_sim, start = store.now(), time.perf_counter()
    for i in range(n):
        store.put("k", str(i))
    bench("coord_sim_put_latency_ms", f"{(store.now() - start_sim) / n * 1000:.2f}", "ms")
    bench("coord_sim_put_wall_us", f"{(time.perf_counter() - start) / n * 1e6:.0f}", "us")


def main() -> None:
    fencing_story()
    takeover()
    op_cost()
    schedules()


if __name__ == "__main__":
    main()
