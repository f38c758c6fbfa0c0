"""Consensus benchmarks: Figure 16 of the Raft paper (full sweep), the ported MIT 6.5840 Raft tests
for 20 seeds each, 10,000 random fault schedules checked for safety and liveness, Paxos under random
faults, and Raft and Multi-Paxos on the same schedules.

Prints ``bench <name> <value> <unit>`` lines only (details of any failure go to stderr).
"""
from __future__ import annotations

import sys
import time

from distlab.consensus.compare import side_by_side
from distlab.consensus.paxos import scenarios as paxos_scenarios
from distlab.consensus.raft import RaftConfig, figure16
from distlab.consensus.raft.chaos import run_trial
from distlab.consensus.raft.mit_lab import SCENARIOS_3A, SCENARIOS_3B
from distlab.consensus.raft.mit_lab_persist import SCENARIOS_3C
from distlab.consensus.raft.mit_lab_snapshot import SCENARIOS_3D
from distlab.sim import Uniform, ms

MIT_SEEDS = 20
VARIANTS = (None, RaftConfig(pre_vote=True, check_quorum=True),
            RaftConfig(disk_write=Uniform(ms(1), ms(5))), None)
SCHEDULES = 10_000


def bench(name: str, value, unit: str) -> None:
    print(f"bench {name} {value} {unit}", flush=True)


def bench_figure16() -> None:
    start = time.perf_counter()
    results = figure16.sweep(seed=0)
    elapsed = time.perf_counter() - start
    paper = figure16.published()
    for (lo, hi), values in results.items():
        s = figure16.summary(values)
        bench(f"raft_fig16_{lo}_{hi}_median_ms", f"{s.median_ms:.1f}", "ms")
        bench(f"raft_fig16_{lo}_{hi}_p90_ms", f"{s.p90_ms:.1f}", "ms")
        err = s.median_ms / paper[(lo, hi)].median_ms - 1
        print(f"fig16 {lo}-{hi}: median {s.median_ms:.1f} ms vs paper "
              f"{paper[(lo, hi)].median_ms} ms ({err:+.0%})", file=sys.stderr)
    bench("raft_fig16_sweep_s", f"{elapsed:.1f}", "s")


def mit() -> None:
    runs = failures = 0
    start = time.perf_counter()
    for scenarios in (SCENARIOS_3A, SCENARIOS_3B, SCENARIOS_3C, SCENARIOS_3D):
        for name, fn in scenarios.items():
            for seed in range(MIT_SEEDS):
                runs += 1
                try:
                    fn(seed)
                except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                    failures += 1
                    print(f"mit {name} seed={seed}: {type(e).__name__}: {e}", file=sys.stderr)
    bench("raft_mit_runs", runs, "count")
    bench("raft_mit_failures", failures, "count")
    bench("raft_mit_s", f"{time.perf_counter() - start:.1f}", "s")


def safety() -> None:
    violations = stuck = 0
    start = time.perf_counter()
    for seed in range(SCHEDULES):
        variant = (seed // 6) % 4  # plain; pre-vote + check-quorum; slow disk; reconfiguring
        r = run_trial(seed, n=5 if variant == 3 else (3, 5)[seed % 2], faults=seed % 25,
                      loss=(0.0, 0.1, 0.3)[seed % 3], duration=2.0 + seed % 2,
                      snapshot_every=(None, 5, 20)[seed % 3], config=VARIANTS[variant],
                      membership=variant == 3)
        if r.violations:
            violations += 1
            print(f"safety seed={seed}: {r.violations[0]} under {r.schedule}", file=sys.stderr)
        elif not r.recovered:
            stuck += 1
            print(f"liveness seed={seed}: {r.detail} under {r.schedule}", file=sys.stderr)
    bench("raft_safety_schedules", SCHEDULES, "count")
    bench("raft_safety_violations", violations, "count")
    bench("raft_liveness_failures", stuck, "count")
    bench("raft_safety_s", f"{time.perf_counter() - start:.1f}", "s")


def paxos(schedules: int = 2000, shared: int = 50) -> None:
    violations = undecided = 0
    start = time.perf_counter()
    for seed in range(schedules):
        run = paxos_scenarios.random_faults(seed, faults=seed % 20, proposers=1 + seed % 5)
        violations += bool(run.violations)
        undecided += run.chosen_at is None
        if run.violations:
            print(f"paxos seed={seed}: {run.violations[0]}", file=sys.stderr)
    bench("paxos_safety_schedules", schedules, "count")
    bench("paxos_safety_violations", violations, "count")
    bench("paxos_undecided_after_heal", undecided, "count")
    duel = paxos_scenarios.duel("immediate")
    bench("paxos_duel_immediate_ballots_2s", duel.ballots, "count")
    bench("paxos_duel_backoff_chosen_ms", f"{paxos_scenarios.duel('backoff').chosen_at * 1000:.1f}",
          "ms")
    unsafe = stuck = 0
    for seed in range(shared):
        for outcome in side_by_side(seed, faults=seed % 15, loss=0.05 * (seed % 3)):
            unsafe += not outcome.safe
            stuck += not outcome.recovered
            if not outcome.safe or not outcome.recovered:
                print(f"compare seed={seed}: {outcome}", file=sys.stderr)
    bench("raft_vs_paxos_schedules", shared, "count")
    bench("raft_vs_paxos_violations", unsafe, "count")
    bench("raft_vs_paxos_unrecovered", stuck, "count")
    bench("paxos_s", f"{time.perf_counter() - start:.1f}", "s")


def main() -> None:
    bench_figure16()
    mit()
    safety()
    paxos()


if __name__ == "__main__":
    main()
