"""Simulated time and the timeline a notebook draws: one :class:`TimelineEvent` per thing that happened.

The orchestrator never reads a wall clock. A :class:`Timeline` owns ``now`` (simulated seconds),
advanced by each local transaction's duration, each backoff wait and each crash's recovery time,
and the random generator the backoff jitter draws from (seeded). It belongs to the run, not to an
orchestrator, so it survives an orchestrator's crash just as an observer's notes would.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

#: Timeline event names (the log's events plus what the log does not keep).
RETRY, CRASH, RESUME, READ = "retry", "crash", "resume", "read"


@dataclass(frozen=True)
class TimelineEvent:
    """At simulated ``time``, saga ``saga_id``'s ``step`` had ``event``; ``detail`` says more (a
    backoff wait, a crash point, what a reader saw)."""

    time: float
    saga_id: str
    step: str
    event: str
    detail: str = ""


@dataclass
class Timeline:
    """The run's clock (``now``), its seeded generator and its events."""

    seed: int = 0
    now: float = 0.0
    events: list[TimelineEvent] = field(default_factory=list)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        self.rng = random.Random(self.seed)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        self.now += seconds

    def record(self, saga_id: str, step: str, event: str, detail: str = "") -> None:
        """Append an event at the current time."""
        self.events.append(TimelineEvent(round(self.now, 9), saga_id, step, event, detail))

    def rows(self) -> list[tuple[float, str, str, str, str]]:
        """The events as plain tuples ``(time, saga_id, step, event, detail)`` (for a table or a plot)."""
        return [(e.time, e.saga_id, e.step, e.event, e.detail) for e in self.events]
