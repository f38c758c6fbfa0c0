"""A saga has no isolation: the anomaly as data, and the semantic lock that removes it.

Each step commits on its own, so between steps another reader sees the intermediate state -- the
lecture's "seat reserved, card not charged" (Garcia-Molina & Salem 1987, §1: a saga's intermediate
results are visible to other transactions; Richardson, "Microservices Patterns" §4.3, calls it a
*dirty read* and lists countermeasures). :class:`IsolationReader` is that other reader: after every
local commit of the run it reads each trip's seat and payment, and counts an **anomaly** each time it
takes a seat for sold while the card is not charged.

The countermeasure, the **semantic lock**: the saga's compensatable steps write ``*_PENDING`` states
and the reader respects them (:func:`.travel.seat_taken`); with it on the count drops to 0.
"""
from __future__ import annotations

from dataclasses import dataclass

from distlab.services import sql
from distlab.services.sql import SQLBackend

from .timeline import READ, Timeline
from .travel import seat_taken


@dataclass(frozen=True)
class Observation:
    """What the reader saw of trip ``saga_id`` at simulated ``time``, right after ``after`` (the
    step and event that had just committed)."""

    time: float
    saga_id: str
    after: str
    seat: str | None
    charged: bool
    taken: bool

    @property
    def anomaly(self) -> bool:
        """The reader counted the seat as sold while the card was not charged."""
        return self.taken and not self.charged


class IsolationReader:
    """Another session reading every trip after each commit (its own connection when the database
    has a URL; else the same connection, between transactions, which sees the same committed rows)."""

    def __init__(self, db: SQLBackend, timeline: Timeline, saga_ids: list[str], *, respect_lock: bool) -> None:
        self.own = db.url is not None
        self.db = sql.connect(db.url) if db.url is not None else db
        self.timeline = timeline
        self.saga_ids = list(saga_ids)
        self.respect_lock = respect_lock
        self.observations: list[Observation] = []

    def __call__(self, saga_id: str, step: str, event: str) -> None:
        """The orchestrator's ``on_commit`` hook: read every trip now."""
        after = f"{saga_id}:{step or '-'}:{event}"
        for one in self.saga_ids:
            seat = self.db.query_one("SELECT status FROM trip_seat WHERE saga_id = ?", (one,))
            status = str(seat[0]) if seat else None
            charged = self.db.query_one("SELECT 1 FROM trip_payment WHERE saga_id = ?", (one,)) is not None
            seen = Observation(round(self.timeline.now, 9), one, after, status, charged,
                               seat_taken(status, self.respect_lock))
            self.observations.append(seen)
            if seen.anomaly:
                self.timeline.record(one, "", READ, "seat reserved, card not charged")

    @property
    def anomalies(self) -> int:
        """How many reads saw "seat reserved, card not charged"."""
        return sum(o.anomaly for o in self.observations)

    def close(self) -> None:
        """Close the reader's own connection, if it opened one."""
        if self.own:
            self.db.close()
