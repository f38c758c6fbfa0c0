"""One saga experiment: a frozen config plus a seed in, a result record out.

>>> r = run_saga(SagaConfig(fail_step="charge_card", crash_point="after_compensation:reserve_seat"))
>>> r.outcome, r.restarts, r.violations
('compensated', 1, ())
>>> [e.event for e in r.timeline if e.step == "reserve_seat"]
['action_done', 'compensation_done', 'crash']
>>> run_saga(SagaConfig()).anomalies, run_saga(SagaConfig(semantic_lock=True)).anomalies
(1, 0)
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from distlab.reliability.retry import Backoff, RetryPolicy
from distlab.services import sql
from distlab.services.sql import SQLBackend

from ..checks import check_int, check_seconds
from .crash_points import CrashPoint, OrchestratorCrash
from .invariants import check_saga
from .isolation import IsolationReader, Observation
from .log import SagaLog
from .orchestrator import CrashPlan, Orchestrator
from .timeline import RESUME, Timeline, TimelineEvent
from .travel import STEP_NAMES, TripEffects, install, travel_saga, trip_effects, trip_params


@dataclass(frozen=True)
class SagaConfig:
    """The knobs of one run of the book-trip saga (sliders edit only this).

    ``fail_step``          the step whose action fails (None: none); for compensatable steps and the
                           pivot it fails for good, for retriable ones ``transient_failures`` times
    ``crash_point``        a :class:`CrashPoint` or its name: the orchestrator crashes there once
    ``semantic_lock``      the countermeasure on (pending states, respected by the reader)
    ``seed``               seeds the backoff jitter and the interleaving of concurrent sagas
    ``sagas``              how many trips run concurrently (the crash hits the first, ``trip-0``)
    ``step_time``          simulated seconds per local transaction
    ``recovery_time``      simulated seconds from a crash to the orchestrator's restart
    ``max_attempts``       attempts of the retry policy for retriable steps and compensations
    """

    fail_step: str | None = None
    crash_point: CrashPoint | str | None = None
    semantic_lock: bool = False
    seed: int = 0
    transient_failures: int = 2
    sagas: int = 1
    step_time: float = 0.01
    recovery_time: float = 0.5
    max_attempts: int = 8

    def __post_init__(self) -> None:
        if self.fail_step is not None and self.fail_step not in STEP_NAMES:
            raise ValueError(f"fail_step must be None or one of {STEP_NAMES}, got {self.fail_step!r}")
        point = CrashPoint.parse(self.crash_point) if isinstance(self.crash_point, str) else self.crash_point
        if point is not None and not isinstance(point, CrashPoint):
            raise ValueError(f"crash_point must be None, a CrashPoint or its name, got {point!r}")
        if point is not None:
            point.check_fits(travel_saga())
        object.__setattr__(self, "crash_point", point)
        for name, low, high in (("seed", 0, 2**63), ("sagas", 1, 50), ("max_attempts", 1, 50)):
            check_int(name, getattr(self, name), low, high)
        if not isinstance(self.transient_failures, int) or not 0 <= self.transient_failures < self.max_attempts:
            raise ValueError(f"transient_failures must be an integer from 0 to max_attempts - 1 "
                             f"({self.max_attempts - 1}), got {self.transient_failures!r}")
        for name in ("step_time", "recovery_time"):
            check_seconds(name, getattr(self, name), 0, 3600)
        if not isinstance(self.semantic_lock, bool):
            raise ValueError(f"semantic_lock must be True or False, got {self.semantic_lock!r}")

    @property
    def point(self) -> CrashPoint | None:
        """The crash point as a :class:`CrashPoint` (names are parsed at construction)."""
        return self.crash_point if isinstance(self.crash_point, CrashPoint) else None


@dataclass(frozen=True)
class SagaResult:
    """What one run did: each saga's final state, the timeline, the crashes, the invariants' findings,
    what the concurrent reader saw, and each trip's effects."""

    config: SagaConfig
    states: dict[str, str]
    timeline: tuple[TimelineEvent, ...]
    crashes: tuple[str, ...]
    restarts: int
    violations: tuple[str, ...]
    observations: tuple[Observation, ...]
    effects: dict[str, TripEffects]

    @property
    def outcome(self) -> str:
        """The first saga's final state (``completed`` or ``compensated``)."""
        return next(iter(self.states.values()))

    @property
    def anomalies(self) -> int:
        """Reads that saw "seat reserved, card not charged"."""
        return sum(o.anomaly for o in self.observations)


def drive(db: SQLBackend, requests: Sequence[tuple[str, dict[str, Any]]], *, timeline: Timeline,
          crashes: CrashPlan, retry: RetryPolicy, step_time: float = 0.01, recovery_time: float = 0.5,
          reader: IsolationReader | None = None, schedule_seed: int = 0) -> int:
    """Run the requested trips interleaved (seeded) until all are terminal, restarting a crashed
    orchestrator (which resumes from the log) as often as it crashes; return the restart count.

    A restarted orchestrator is handed the same requests again: starting is idempotent by saga id,
    as a client's retry would be."""
    schedule = random.Random(f"saga-schedule/{schedule_seed}")
    restarts, definition = 0, travel_saga()
    while True:
        orch = Orchestrator(db, definition, timeline=timeline, retry=retry, step_time=step_time,
                            crashes=crashes, on_commit=reader)
        try:
            for saga_id, params in requests:
                orch.start(saga_id, params)
            while pending := orch.log.unfinished():
                orch.step(schedule.choice(pending))
            return restarts
        except OrchestratorCrash as crash:
            restarts += 1
            timeline.advance(recovery_time)
            timeline.record(crash.saga_id, "", RESUME, f"restart {restarts}")


def run_saga(config: SagaConfig, db: SQLBackend | None = None, *, prefix: str = "trip") -> SagaResult:
    """Run ``config.sagas`` book-trip sagas on ``db`` (default: a private in-memory SQLite).

    Saga ids are ``<prefix>-0``, ``<prefix>-1``, ...: on a shared database give each run its own
    ``prefix``."""
    own = db is None
    backend = sql.connect("sqlite:///:memory:") if db is None else db
    try:
        install(backend)
        log = SagaLog(backend)
        ids = [f"{prefix}-{i}" for i in range(config.sagas)]
        params = trip_params(fail_step=config.fail_step, transient_failures=config.transient_failures,
                             semantic_lock=config.semantic_lock)
        timeline = Timeline(config.seed)
        crashes = CrashPlan([(config.point, ids[0])] if config.point is not None else [])
        reader = IsolationReader(backend, timeline, ids, respect_lock=True)
        retry = RetryPolicy(max_attempts=config.max_attempts, backoff=Backoff(base=0.05, cap=2.0, jitter="full"))
        try:
            restarts = drive(backend, [(i, params) for i in ids], timeline=timeline, crashes=crashes, retry=retry,
                             step_time=config.step_time, recovery_time=config.recovery_time, reader=reader,
                             schedule_seed=config.seed)
        finally:
            reader.close()
        definition = travel_saga()
        violations = [v for i in ids for v in check_saga(backend, log, definition, i)]  # "not terminal" included
        every = log.states()
        states = {i: every[i] for i in ids}
        return SagaResult(config, states, tuple(timeline.events), tuple(p.name for p, _ in crashes.fired), restarts,
                          tuple(violations), tuple(reader.observations), {i: trip_effects(backend, i) for i in ids})
    finally:
        if own:
            backend.close()
