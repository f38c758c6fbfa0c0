"""Two-phase commit benchmarks: every crash point x 1-8 participants x termination on/off (several
seeds each), judged for all-or-nothing and the blocking rule; random fault schedules; the same
coordinator crash points with the Raft-replicated coordinator; the slow-participant experiment.

Prints ``bench <name> <value> <unit>`` lines only (details of any failure go to stderr).
"""
from __future__ import annotations

import random
import sys
import time

from distlab.sim import FaultSchedule
from distlab.transactions.twopc import COORDINATOR, MAX_PARTICIPANTS, TwoPCConfig, crash_points
from distlab.transactions.twopc.chaos import run_with_faults
from distlab.transactions.twopc.enumeration import crash_schedules, judge
from distlab.transactions.twopc.replicated_scenario import run_replicated
from distlab.transactions.twopc.slow_participant import SlowParticipantConfig, sweep_delay

SEEDS = 3
RANDOM_SCHEDULES = 2000
ACTIONS = ("crash", "restart", "partition", "block", "heal", "pause", "resume")


def bench(name: str, value: object, unit: str) -> None:
    print(f"bench {name} {value} {unit}", flush=True)


def crash_enumeration() -> None:
    start = time.perf_counter()
    configs = crash_schedules(counts=range(1, MAX_PARTICIPANTS + 1))
    not_atomic = mispredicted = violated = 0
    for config in configs:
        for seed in range(SEEDS):
            verdict = judge(config, seed)
            not_atomic += not verdict.all_or_nothing
            mispredicted += not verdict.blocking_as_predicted
            violated += bool(verdict.result.violations)
            if not verdict.ok:
                print(f"seed {seed}: {verdict.explain()}", file=sys.stderr)
    bench("twopc_crash_schedules", len(configs), "schedules")
    bench("twopc_crash_runs", len(configs) * SEEDS, "runs")
    bench("twopc_atomicity_violations", not_atomic, "count")
    bench("twopc_blocking_mispredictions", mispredicted, "count")
    bench("twopc_invariant_violations", violated, "count")
    bench("twopc_crash_enumeration_s", f"{time.perf_counter() - start:.2f}", "s")


def random_faults() -> None:
    start = time.perf_counter()
    bad = 0
    for seed in range(RANDOM_SCHEDULES):
        rng = random.Random(seed)
        n = rng.randint(1, 5)
        pids = ["c", *(f"p{i}" for i in range(n))]
        faults = FaultSchedule.random(rng, pids, 0.03, count=6, actions=ACTIONS, heal_at_end=False)
        config = TwoPCConfig(participants=n, termination=seed % 2 == 1, workload_interval=None)
        r = run_with_faults(config, seed, list(faults), heal_at=0.8)
        if r.violations or None in r.outcomes or len(set(r.outcomes)) != 1:
            bad += 1
            print(f"random seed {seed}: {r.outcomes} {r.violations}", file=sys.stderr)
    bench("twopc_random_schedules", RANDOM_SCHEDULES, "schedules")
    bench("twopc_random_violations", bad, "count")
    bench("twopc_random_s", f"{time.perf_counter() - start:.2f}", "s")


def replicated() -> None:
    runs = blocked = undecided = 0
    worst = 0.0
    for n in (1, 2, 3, 4, 5):
        for termination in (False, True):
            for point in (p for p in crash_points(n) if p.target == COORDINATOR):
                config = TwoPCConfig(participants=n, termination=termination, crash_point=point,
                                     recovery_time=None, prepare_timeout=2.0, horizon=3.0,
                                     workload_interval=None)
                r = run_replicated(config, seed=runs)
                runs += 1
                blocked += any(r.blocked)
                undecided += None in r.outcomes or len(set(r.outcomes)) != 1
                worst = max(worst, *r.in_doubt)
    bench("twopc_raft_crash_schedules", runs, "schedules")
    bench("twopc_raft_blocked_runs", blocked, "count")
    bench("twopc_raft_not_all_or_nothing", undecided, "count")
    bench("twopc_raft_max_in_doubt_s", f"{worst:.3f}", "s")


def run_slow_participant() -> None:
    delays = (0.0, 0.1, 0.5, 1.0)
    for r in sweep_delay(delays, SlowParticipantConfig(participants=3)):
        label = f"{round(r.delay * 1000)}ms"
        bench(f"twopc_slow_{label}_max_lock_hold_s", f"{r.max_lock_hold:.3f}", "s")
        bench(f"twopc_slow_{label}_blocked_txns", r.total_blocked, "count")


if __name__ == "__main__":
    crash_enumeration()
    random_faults()
    replicated()
    run_slow_participant()
