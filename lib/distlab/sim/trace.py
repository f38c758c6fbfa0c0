"""A trace of everything that happened in a simulation: sends, deliveries, drops, timers, faults
and state changes. Views replay it; tests assert on it; two runs with the same seed produce equal
traces (the kernel's first promise).

Records are immutable tuples ``(time, kind, pid, data)``; ``data`` is a small dict. Recording can be
switched off for speed (benchmarks, Figure 16 sweeps); counters in the network stay exact either way.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any, NamedTuple

KINDS = (
    "start", "send", "deliver", "drop", "duplicate", "timer", "crash", "restart",
    "pause", "resume", "clock", "partition", "block", "unblock", "heal", "link", "state", "note",
)


class TraceRecord(NamedTuple):
    """One thing that happened in a simulation."""

    time: float  # simulated seconds
    kind: str  # one of KINDS
    pid: Hashable  # the process concerned: the sender of a send, the receiver of a delivery; None for the network
    data: dict[str, Any]  # the details, e.g. dst and msg of a send, name of a timer

    def __repr__(self) -> str:
        details = ", ".join(f"{k}={v!r}" for k, v in self.data.items())
        return f"<{self.time:.6f} {self.kind} {self.pid!r} {details}>"


class Trace:
    """An append-only list of :class:`TraceRecord`."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._records: list[TraceRecord] = []

    def record(self, time: float, kind: str, pid: Hashable, **data: Any) -> None:
        """Append one record (nothing when tracing is switched off)."""
        if self.enabled:
            self._records.append(TraceRecord(time, kind, pid, data))

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[TraceRecord]:
        return iter(self._records)

    def __getitem__(self, i: int) -> TraceRecord:
        return self._records[i]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trace) and self._records == other._records

    def of_kind(self, *kinds: str) -> list[TraceRecord]:
        """The records of these kinds, in time order; an unknown kind is a ``ValueError``."""
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"kinds must be among {KINDS}, got {unknown}")
        return [r for r in self._records if r.kind in kinds]

    def until(self, time: float) -> list[TraceRecord]:
        """Records at or before ``time`` (the trace is in time order)."""
        return [r for r in self._records if r.time <= time]
