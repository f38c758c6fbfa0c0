"""What the service's parts report while a run goes: one timestamped event per thing worth a chart.

:class:`Metrics` is an append-only list of :class:`Note` (time, kind, detail): the gateway notes
each request it rate-limits, sheds or lets expire and its queue length; the service notes breaker
transitions, full bulkheads and crashes; the chaos schedule notes each fault. The dashboard bins
them by time (:mod:`distlab.casestudy.series`, drawn by :mod:`distlab.view.casestudy`); nothing here reads a wall clock.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Metrics", "Note"]


class Note(NamedTuple):
    """At simulated ``time``, ``kind`` happened (``detail`` says more)."""

    time: float
    kind: str
    detail: str = ""


class Metrics:
    """The run's notes, in the order they happened."""

    def __init__(self) -> None:
        self.notes: list[Note] = []

    def note(self, time: float, kind: str, detail: str = "") -> None:
        """Record one event."""
        self.notes.append(Note(time, kind, detail))

    def of(self, kind: str) -> list[Note]:
        """The notes of one kind."""
        return [n for n in self.notes if n.kind == kind]

    def count(self, kind: str, start: float = 0.0, end: float = float("inf")) -> int:
        """How many notes of ``kind`` fall in ``[start, end)``."""
        return sum(1 for n in self.notes if n.kind == kind and start <= n.time < end)
