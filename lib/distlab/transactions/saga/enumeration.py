"""Crash enumeration: the orchestrator crashed at every crash point x every failing step, resumed, judged.

>>> report = enumerate_crashes()
>>> report.runs, report.crashed, report.violations
(132, 66, ())
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from distlab.services.sql import SQLBackend

from .crash_points import CrashPoint, crash_points
from .scenario import SagaConfig, SagaResult, run_saga
from .travel import STEP_NAMES, travel_saga


def crash_schedules(fail_steps: Iterable[str | None] = (None, *STEP_NAMES), *, sagas: int = 1,
                    semantic_lock: bool = False, seed: int = 0) -> list[SagaConfig]:
    """One config per (failing step, crash point), crash point None (no crash) included."""
    points: list[CrashPoint | None] = [None, *crash_points(travel_saga())]
    return [SagaConfig(fail_step=fail, crash_point=point, sagas=sagas, semantic_lock=semantic_lock, seed=seed)
            for fail in fail_steps for point in points]


@dataclass(frozen=True)
class EnumerationReport:
    """How many schedules ran, in how many the crash really fired, and every violation found."""

    runs: int
    crashed: int
    completed: int
    compensated: int
    violations: tuple[str, ...]


def judge(config: SagaConfig, db: SQLBackend | None = None, prefix: str = "trip") -> tuple[SagaResult, list[str]]:
    """Run one schedule; its violations, plus "the armed crash point was reached but did not fire"."""
    result = run_saga(config, db, prefix=prefix)
    out = list(result.violations)
    point = config.point
    if point is not None and not result.crashes and _reached(result, point):
        out.append(f"{point.name}: reached but never crashed")
    label = f"fail={config.fail_step} crash={point.name if point else None}"
    return result, [f"{label}: {v}" for v in out]


def _reached(result: SagaResult, point: CrashPoint) -> bool:
    """Did the first saga's timeline reach the step and phase of ``point``?"""
    event = "action_done" if point.phase == "action" else "compensation_done"
    return any(e.step == point.step and e.event == event for e in result.timeline)


def enumerate_crashes(configs: Iterable[SagaConfig] | None = None, db: SQLBackend | None = None) -> EnumerationReport:
    """Judge every config (default :func:`crash_schedules`); on a shared ``db`` each run gets its own ids."""
    runs = crashed = completed = compensated = 0
    violations: list[str] = []
    for index, config in enumerate(configs if configs is not None else crash_schedules()):
        result, found = judge(config, db, prefix=f"run{index}")
        runs += 1
        crashed += bool(result.crashes)
        completed += result.outcome == "completed"
        compensated += result.outcome == "compensated"
        violations.extend(found)
    return EnumerationReport(runs, crashed, completed, compensated, tuple(violations))
