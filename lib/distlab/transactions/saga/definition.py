"""A saga definition: ordered steps, each a local transaction with a compensation, and a kind.

Garcia-Molina & Salem, "Sagas" (SIGMOD 1987): a long-lived transaction is a sequence of local
transactions T1 .. Tn, each with a compensating transaction Ci that semantically undoes it; the
system guarantees either T1 .. Tn or T1 .. Tj, Cj .. C1. Richardson ("Microservices Patterns",
ch. 4) and Temporal / Eventuate Tram name three kinds of step:

==================  ===========================================================================
``compensatable``   can be undone: has a compensation, comes before the pivot
``pivot``           the go/no-go point: if it succeeds the saga must complete. It is never
                    compensated (it is the last step that may fail for good)
``retriable``       after the pivot; never compensated, so it must eventually succeed: it is
                    retried (idempotently) with chapter 5's backoff until it does
==================  ===========================================================================

A definition with no pivot is fully compensatable. :meth:`SagaDefinition.validate` refuses every
other shape with a ``ValueError`` that names the step and why.

A step's ``action`` and ``compensation`` are callables ``(tx, ctx) -> None``: ``tx`` is the SQL
backend inside the local transaction the orchestrator opened (the saga log row is written in that
same transaction), ``ctx`` a :class:`StepContext`. A business failure (card declined, no seat) is
``raise StepFailed(...)``: the local transaction rolls back.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from distlab.services.sql import SQLBackend

COMPENSATABLE = "compensatable"
PIVOT = "pivot"
RETRIABLE = "retriable"
KINDS = (COMPENSATABLE, PIVOT, RETRIABLE)


class StepFailed(Exception):
    """A step's business failure (declined card, no seat left): its local transaction rolls back.

    On a compensatable step or the pivot it sends the saga backwards (compensation); on a
    retriable step it is taken as transient and the step is retried with backoff.
    """


@dataclass(frozen=True)
class StepContext:
    """What a step's action or compensation may read: the saga id (its idempotency key), the step's
    name, the attempt number (1, 2, ... since this orchestrator started) and the saga's parameters."""

    saga_id: str
    step: str
    attempt: int
    params: Mapping[str, Any] = field(default_factory=dict)


#: An action or compensation: runs inside the local transaction ``tx``.
StepFn = Callable[[SQLBackend, StepContext], None]


@dataclass(frozen=True)
class SagaStep:
    """One step: a name, its ``action``, its ``compensation`` (None for pivot and retriable steps)
    and its ``kind`` (one of :data:`KINDS`)."""

    name: str
    action: StepFn
    compensation: StepFn | None = None
    kind: str = COMPENSATABLE

    @property
    def compensatable(self) -> bool:
        """True when the step can be undone (it has a compensation)."""
        return self.compensation is not None


@dataclass(frozen=True)
class SagaDefinition:
    """A named, ordered tuple of :class:`SagaStep`; validated when made."""

    name: str
    steps: tuple[SagaStep, ...]

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the step and why, unless the steps are: compensatable
        steps, then at most one pivot, then retriable steps."""
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name: a saga needs a non-empty name, got {self.name!r}")
        if not isinstance(self.steps, tuple) or not self.steps:
            raise ValueError(f"steps: a saga needs a non-empty tuple of SagaStep, got {self.steps!r}")
        seen: list[str] = []
        pivot: str | None = None
        for position, step in enumerate(self.steps):
            _check_step(position, step, seen)
            seen.append(step.name)
            if step.kind == PIVOT:
                if pivot is not None:
                    raise ValueError(f"step {step.name!r}: a second pivot (the first is {pivot!r}); "
                                     "a saga has at most one go/no-go point")
                pivot = step.name
            elif step.kind == RETRIABLE and pivot is None:
                raise ValueError(f"step {step.name!r}: a retriable step must come after the pivot "
                                 "(it cannot be undone, so a later failure could not be compensated)")
            elif step.kind == COMPENSATABLE and pivot is not None:
                raise ValueError(f"step {step.name!r}: comes after the pivot {pivot!r}, so it must be "
                                 "retriable (after the pivot the saga must complete)")

    def step(self, name: str) -> SagaStep:
        """The step called ``name``."""
        for one in self.steps:
            if one.name == name:
                return one
        raise ValueError(f"step: {name!r} is not a step of saga {self.name!r}; steps are {self.names}")

    @property
    def names(self) -> tuple[str, ...]:
        """The step names, in order."""
        return tuple(step.name for step in self.steps)

    @property
    def pivot(self) -> str | None:
        """The pivot step's name, or None (a fully compensatable saga)."""
        return next((s.name for s in self.steps if s.kind == PIVOT), None)


def _check_step(position: int, step: object, seen: list[str]) -> None:
    """One step on its own: its type, name, kind and whether its compensation fits its kind."""
    if not isinstance(step, SagaStep):
        raise ValueError(f"steps[{position}]: expected a SagaStep, got {step!r}")
    if not isinstance(step.name, str) or not step.name.isidentifier():
        raise ValueError(f"steps[{position}]: name must be an identifier-like string, got {step.name!r}")
    if step.name in seen:
        raise ValueError(f"step {step.name!r}: the name is used twice; step names must be unique")
    if step.kind not in KINDS:
        raise ValueError(f"step {step.name!r}: kind must be one of {KINDS}, got {step.kind!r}")
    if not callable(step.action):
        raise ValueError(f"step {step.name!r}: action must be callable (tx, ctx) -> None, got {step.action!r}")
    if step.kind == COMPENSATABLE and step.compensation is None:
        raise ValueError(f"step {step.name!r}: a compensatable step needs a compensation "
                         "(or make it the pivot)")
    if step.kind != COMPENSATABLE and step.compensation is not None:
        raise ValueError(f"step {step.name!r}: a {step.kind} step is never compensated; drop its "
                         "compensation or make it compensatable")
    if step.compensation is not None and not callable(step.compensation):
        raise ValueError(f"step {step.name!r}: compensation must be callable (tx, ctx) -> None")
