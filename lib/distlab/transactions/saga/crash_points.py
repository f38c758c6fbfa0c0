"""A crash point before, during and after every step's action and every compensation, as data.

``CrashPoint(moment, phase, step)``, named ``"<moment>_<phase>:<step>"``:

===========  ===================================================================================
``before``   the orchestrator is about to open the step's local transaction: nothing written
``during``   the effect is written but the transaction has not committed: a crash rolls it back
``after``    the effect and its log row committed together; the orchestrator dies before going on
===========  ===================================================================================

``phase`` is ``action`` or ``compensation`` (compensation points exist only for compensatable
steps). :func:`crash_points` lists every point of a definition, so a test loops over them and a
slider picks one by name.
"""
from __future__ import annotations

from dataclasses import dataclass

from .definition import SagaDefinition

MOMENTS = ("before", "during", "after")
PHASES = ("action", "compensation")


class OrchestratorCrash(Exception):
    """The simulated crash of the orchestrator process at a :class:`CrashPoint`: everything it held
    in memory is gone; an open local transaction is rolled back, as the database would on a real
    crash. Only the saga log survives."""

    def __init__(self, point: CrashPoint, saga_id: str) -> None:
        super().__init__(f"orchestrator crashed at {point.name} of saga {saga_id}")
        self.point = point
        self.saga_id = saga_id


@dataclass(frozen=True)
class CrashPoint:
    """Where the orchestrator crashes: ``moment`` (before/during/after) of ``phase``
    (action/compensation) of step ``step``."""

    moment: str
    phase: str
    step: str

    def __post_init__(self) -> None:
        if self.moment not in MOMENTS:
            raise ValueError(f"moment must be one of {MOMENTS}, got {self.moment!r}")
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}, got {self.phase!r}")
        if not isinstance(self.step, str) or not self.step:
            raise ValueError(f"step must be a step name, got {self.step!r}")

    @property
    def name(self) -> str:
        """``"<moment>_<phase>:<step>"``, e.g. ``"after_action:reserve_seat"``."""
        return f"{self.moment}_{self.phase}:{self.step}"

    @classmethod
    def parse(cls, name: str) -> CrashPoint:
        """The point called ``name`` (see :attr:`name`)."""
        head, _, step = name.partition(":") if isinstance(name, str) else ("", "", "")
        moment, _, phase = head.partition("_")
        if not step or moment not in MOMENTS or phase not in PHASES:
            raise ValueError(f"crash_point must look like '<{'|'.join(MOMENTS)}>_<{'|'.join(PHASES)}>:<step>', "
                             f"got {name!r}")
        return cls(moment, phase, step)

    def check_fits(self, definition: SagaDefinition) -> None:
        """Raise ValueError unless the point exists in ``definition``."""
        step = definition.step(self.step)
        if self.phase == "compensation" and not step.compensatable:
            raise ValueError(f"crash_point {self.name!r}: step {self.step!r} is {step.kind}, it has no "
                             "compensation to crash in")

    def __str__(self) -> str:
        return self.name


def crash_points(definition: SagaDefinition) -> list[CrashPoint]:
    """Every crash point of ``definition``: three per action, three per compensation, in step order."""
    out = [CrashPoint(moment, "action", step.name) for step in definition.steps for moment in MOMENTS]
    out += [CrashPoint(moment, "compensation", step.name)
            for step in reversed(definition.steps) if step.compensatable for moment in MOMENTS]
    return out
