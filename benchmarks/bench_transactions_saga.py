"""Sagas: the orchestrator crashed at every crash point x failing step and resumed; the isolation anomaly.

Prints ``bench <name> <value> <unit>`` lines:

* ``saga_resume_runs``: schedules run (every crash point x failing step, 1 and 3 concurrent sagas,
  3 seeds), each resumed from the SQL saga log;
* ``saga_resume_violations``: invariant violations among them (must be 0);
* ``saga_isolation_anomalies_without_lock`` / ``_with_lock``: reads that saw "seat reserved, card not
  charged", summed over every failing step with 3 concurrent sagas (with the lock: must be 0);
* ``saga_choreography_violations``: the choreographed variant, with and without duplicates (0).
"""
from __future__ import annotations

import time

from distlab.transactions.saga.choreography import run_choreography
from distlab.transactions.saga.enumeration import crash_schedules, enumerate_crashes
from distlab.transactions.saga.scenario import SagaConfig, run_saga
from distlab.transactions.saga.travel import STEP_NAMES


def bench(name: str, value: float, unit: str) -> None:
    print(f"bench {name} {value:.6g} {unit}", flush=True)


def main() -> None:
    started = time.perf_counter()
    runs = violations = crashed = 0
    for sagas in (1, 3):
        for seed in (0, 1, 2):
            report = enumerate_crashes(crash_schedules(sagas=sagas, seed=seed))
            runs, crashed = runs + report.runs, crashed + report.crashed
            violations += len(report.violations)
    elapsed = time.perf_counter() - started
    bench("saga_resume_runs", runs, "runs")
    bench("saga_resume_crashes_fired", crashed, "count")
    bench("saga_resume_violations", violations, "count")
    bench("saga_resume_runs_per_s", runs / elapsed, "runs/s")
    for lock, name in ((False, "without_lock"), (True, "with_lock")):
        anomalies = sum(run_saga(SagaConfig(fail_step=f, sagas=3, semantic_lock=lock)).anomalies
                        for f in (None, *STEP_NAMES))
        bench(f"saga_isolation_anomalies_{name}", anomalies, "count")
    bad = sum(len(run_choreography(f, sagas=2, duplicates=d).violations) for f in (None, *STEP_NAMES)
              for d in (False, True))
    bench("saga_choreography_violations", bad, "count")


if __name__ == "__main__":
    main()
