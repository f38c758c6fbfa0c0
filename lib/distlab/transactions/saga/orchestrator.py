"""The saga orchestrator: runs the steps, compensates on failure, and resumes from the saga log.

Garcia-Molina & Salem (1987) call this the saga execution component and its recovery *backward
recovery*: after a failure, run the compensations of the completed steps in reverse order. Every
unit of work is one local transaction that writes the step's effect **and** its saga-log row
(:mod:`.log`), so "the step is done" and "the log says so" commit together. The orchestrator keeps
nothing that matters in memory: :meth:`Orchestrator.step` reads the saga's state from the log each
time, which is why a fresh orchestrator after a crash simply carries on (:meth:`Orchestrator.resume`).

Retriable steps (after the pivot) and compensations must eventually succeed: a ``StepFailed`` there
is retried by chapter 5's policy (:meth:`distlab.reliability.retry.RetryPolicy.call`, Brooker's
backoff with jitter) in simulated time; its retry budget, if it has one, is spent by failures and
refunded by successes. Only ``StepFailed`` is retried (:func:`saga_policy`), never a crash. If the
policy gives up (attempts exhausted, budget spent) it raises ``RetryRefused`` and the saga stays
``running``/``compensating`` for a later :meth:`~Orchestrator.resume` (Temporal retries such
activities forever; we make the give-up visible instead).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from distlab.reliability.retry import Backoff, RetryPolicy
from distlab.services.sql import SQLBackend

from .crash_points import CrashPoint, OrchestratorCrash
from .definition import RETRIABLE, SagaDefinition, SagaStep, StepContext, StepFailed, StepFn
from .log import (
    ACTION_DONE,
    ACTION_FAILED,
    COMPENSATED,
    COMPENSATING,
    COMPENSATION_DONE,
    COMPLETED,
    RUNNING,
    SagaInstance,
    SagaLog,
    Snapshot,
)
from .timeline import CRASH, RESUME, RETRY, Timeline

#: The default policy for retriable steps and compensations: 8 attempts, full jitter, only ``StepFailed``.
DEFAULT_RETRY = RetryPolicy(max_attempts=8, backoff=Backoff(base=0.05, cap=2.0, jitter="full"),
                            retry_on=(StepFailed,))


def saga_policy(policy: RetryPolicy) -> RetryPolicy:
    """``policy`` retrying ``StepFailed`` only (same attempts, backoff and budget object): an
    orchestrator crash, or any other error, propagates at once whatever ``retry_on`` it was given."""
    return policy if policy.retry_on == (StepFailed,) else replace(policy, retry_on=(StepFailed,))


@dataclass
class CrashPlan:
    """Crash points armed for a run, each firing once (for one saga id, or for any with None).

    It belongs to the run, like the timeline, so the orchestrator started after a crash is handed
    the points that have not fired yet."""

    armed: list[tuple[CrashPoint, str | None]] = field(default_factory=list)
    fired: list[tuple[CrashPoint, str]] = field(default_factory=list)

    def check(self, point: CrashPoint, saga_id: str) -> None:
        """Raise :class:`OrchestratorCrash` if ``point`` is armed for ``saga_id`` (and disarm it)."""
        for index, (armed, target) in enumerate(self.armed):
            if armed == point and target in (None, saga_id):
                del self.armed[index]
                self.fired.append((point, saga_id))
                raise OrchestratorCrash(point, saga_id)


class Orchestrator:
    """Drives sagas of the given definitions on ``db``; a crash is an :class:`OrchestratorCrash`."""

    def __init__(self, db: SQLBackend, definitions: SagaDefinition | Iterable[SagaDefinition], *,
                 timeline: Timeline | None = None, retry: RetryPolicy = DEFAULT_RETRY,
                 step_time: float = 0.01, crashes: CrashPlan | None = None,
                 on_commit: Callable[[str, str, str], None] | None = None) -> None:
        if isinstance(definitions, SagaDefinition):
            definitions = [definitions]
        self.definitions = {d.name: d for d in definitions}
        if not self.definitions:
            raise ValueError("definitions: give at least one SagaDefinition")
        if not step_time >= 0:
            raise ValueError(f"step_time must be >= 0 simulated seconds, got {step_time!r}")
        self.db = db
        self.log = SagaLog(db)
        self.timeline = timeline if timeline is not None else Timeline()
        self.retry = saga_policy(retry)
        self.step_time = step_time
        self.crashes = crashes if crashes is not None else CrashPlan()
        self.on_commit = on_commit  # (saga_id, step, event) after each local commit: a reader's hook
        self._attempts: dict[tuple[str, str, str], int] = {}

    # -- the public verbs ---------------------------------------------------------------------------
    def start(self, saga_id: str, params: Mapping[str, Any] | None = None, definition: str | None = None) -> None:
        """Record a new saga (idempotent: starting an existing id again does nothing)."""
        if not isinstance(saga_id, str) or not saga_id or len(saga_id) > 200:
            raise ValueError(f"saga_id must be a non-empty string of at most 200 characters, got {saga_id!r}")
        name = definition if definition is not None else next(iter(self.definitions))
        if name not in self.definitions:
            raise ValueError(f"definition must be one of {sorted(self.definitions)}, got {name!r}")
        with self.db.transaction() as tx:
            created = self.log.create(tx, saga_id, name, params or {})
        if created:
            self.timeline.record(saga_id, "", "started", name)

    def step(self, saga_id: str) -> bool:
        """Do one unit of work (one local transaction, with its retries); False once terminal.

        The saga's state and history come from the log, in one statement, every time."""
        snap = self.log.snapshot(saga_id)
        if snap is None:
            raise ValueError(f"saga_id: no saga {saga_id!r} in the log; start it first")
        inst = snap.instance
        if inst.terminal:
            return False
        definition = self.definitions[inst.definition]
        if inst.state == RUNNING:
            self._forward(inst, definition, snap)
        else:
            self._backward(inst, definition, snap)
        return True

    def run(self, saga_id: str, params: Mapping[str, Any] | None = None) -> str:
        """Start (if new) and drive the saga to a terminal state; return that state."""
        self.start(saga_id, params)
        while self.step(saga_id):
            pass
        return self._instance(saga_id).state

    def resume(self, saga_id: str | None = None) -> dict[str, str]:
        """Drive ``saga_id`` (default: every unfinished saga in the log) to a terminal state."""
        ids = [saga_id] if saga_id is not None else self.log.unfinished()
        for one in ids:
            self.timeline.record(one, "", RESUME, self._instance(one).state)
            while self.step(one):
                pass
        return {one: self._instance(one).state for one in ids}

    # -- forward and backward recovery ------------------------------------------------------------
    def _forward(self, inst: SagaInstance, definition: SagaDefinition, snap: Snapshot) -> None:
        """Run the first step whose action is not done, or finish ``completed``."""
        done = snap.steps_with(ACTION_DONE)
        pending = [s for s in definition.steps if s.name not in done]
        if not pending:
            self._finish(inst.saga_id, COMPLETED)
            return
        step = pending[0]
        try:
            self._local(inst, step, "action", step.action, ACTION_DONE, retry=step.kind == RETRIABLE)
        except StepFailed as exc:
            with self.db.transaction() as tx:
                self.log.append(tx, inst.saga_id, step.name, ACTION_FAILED)
                self.log.set_state(tx, inst.saga_id, COMPENSATING)
            self.timeline.record(inst.saga_id, step.name, ACTION_FAILED, str(exc))
            if self.on_commit is not None:
                self.on_commit(inst.saga_id, step.name, ACTION_FAILED)

    def _backward(self, inst: SagaInstance, definition: SagaDefinition, snap: Snapshot) -> None:
        """Compensate the last completed, not yet compensated step, or finish ``compensated``."""
        progress = snap.progress()
        steps = [definition.step(n) for n in reversed(progress.actions) if n not in progress.compensations]
        todo = [s for s in steps if s.compensatable]
        if not todo:
            self._finish(inst.saga_id, COMPENSATED)
            return
        step = todo[0]
        assert step.compensation is not None  # compensatable
        self._local(inst, step, "compensation", step.compensation, COMPENSATION_DONE, retry=True)

    def _local(self, inst: SagaInstance, step: SagaStep, phase: str, fn: StepFn, event: str, *,
               retry: bool) -> None:
        """One local transaction (effect + log row), retried by the policy when ``retry``."""
        saga_id, name = inst.saga_id, step.name
        failure: StepFailed | None = None

        def attempt() -> None:
            nonlocal failure
            try:
                self._attempt(inst, step, phase, fn, event)
            except StepFailed as exc:
                failure = exc
                raise

        def backoff(seconds: float) -> None:
            self.timeline.record(saga_id, name, RETRY, f"{failure}; backoff {seconds:.3f} s")
            self.timeline.advance(seconds)

        if retry:
            self.retry.call(attempt, idempotent=True, sleep=backoff, rng=self.timeline.rng)
        else:
            attempt()
        self.timeline.advance(self.step_time)
        self.timeline.record(saga_id, name, event)
        if self.on_commit is not None:
            self.on_commit(saga_id, name, event)
        self._crash("after", phase, name, saga_id)

    def _attempt(self, inst: SagaInstance, step: SagaStep, phase: str, fn: StepFn, event: str) -> None:
        """One try: the step's effect and its log row in one transaction; a failure takes a step's time."""
        saga_id = inst.saga_id
        self._crash("before", phase, step.name, saga_id)
        key = (saga_id, step.name, phase)
        self._attempts[key] = self._attempts.get(key, 0) + 1
        ctx = StepContext(saga_id, step.name, self._attempts[key], inst.params)
        try:
            with self.db.transaction() as tx:
                fn(tx, ctx)
                self._crash("during", phase, step.name, saga_id)
                self.log.append(tx, saga_id, step.name, event)
        except StepFailed:
            self.timeline.advance(self.step_time)
            raise

    def _finish(self, saga_id: str, state: str) -> None:
        """Log the terminal event and state in one transaction."""
        with self.db.transaction() as tx:
            self.log.append(tx, saga_id, "", state)
            self.log.set_state(tx, saga_id, state)
        self.timeline.record(saga_id, "", state)
        if self.on_commit is not None:
            self.on_commit(saga_id, "", state)

    def _crash(self, moment: str, phase: str, step: str, saga_id: str) -> None:
        """Fire an armed crash point, recording it on the timeline first."""
        point = CrashPoint(moment, phase, step)
        if any(p == point for p, _ in self.crashes.armed):
            try:
                self.crashes.check(point, saga_id)
            except OrchestratorCrash:
                self.timeline.record(saga_id, step, CRASH, point.name)
                raise

    def _instance(self, saga_id: str) -> SagaInstance:
        """The saga's row from the log (ValueError if unknown)."""
        inst = self.log.instance(saga_id)
        if inst is None:
            raise ValueError(f"saga_id: no saga {saga_id!r} in the log; start it first")
        return inst

