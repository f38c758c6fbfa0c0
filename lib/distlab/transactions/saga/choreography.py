"""Choreography: the book-trip saga with no orchestrator -- each service reacts to the others' events.

Richardson ("Microservices Patterns" §4.2.1): in a choreographed saga the decision logic is spread
over the participants; each one subscribes to events, runs its local transaction and publishes the
next event. The same service functions as the orchestrated saga (:mod:`.travel`) do the work:

====================  ========================  ==================================================
event                 handled by                publishes
====================  ========================  ==================================================
``trip_requested``    booking: create_booking   ``booking_created`` / ``trip_cancelled``
``booking_created``   flight: reserve_seat      ``seat_reserved`` / ``seat_unavailable``
``seat_reserved``     payment: charge_card      ``card_charged`` / ``card_declined``
``card_charged``      ticketing: issue_ticket   ``ticket_issued`` (retried with backoff)
``ticket_issued``     booking: confirm_booking  ``trip_confirmed``
``card_declined``     flight: release_seat      ``seat_released``
``seat_released``,    booking: cancel_booking   ``trip_cancelled``
``seat_unavailable``
====================  ========================  ==================================================

The bus is deliberately small (:class:`EventBus`: ``publish``, ``subscribe``, ``run_until_idle``) so
that :class:`~.streams_bus.RedisStreamsBus` (``XADD`` / ``XREADGROUP`` / ``XACK`` on a real Redis,
passed as ``run_choreography(..., bus=...)``) or the chapter's transactional outbox can replace
:class:`InMemoryBus`. Delivery is at least once (``duplicates=True`` delivers every
event twice): the effects are idempotent under the saga id and a handler publishes nothing for a
trip that has already moved past it. Here a handler publishes *after* its local commit -- the dual
write the outbox exists to fix; this module does not inject crashes between the two.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from distlab.reliability.retry import Backoff, RetryPolicy
from distlab.services import sql
from distlab.services.sql import SQLBackend

from ..checks import check_int
from . import travel
from .definition import StepContext, StepFailed, StepFn
from .invariants import applied_once, effects_match
from .log import COMPENSATED, COMPLETED
from .timeline import Timeline, TimelineEvent


@dataclass(frozen=True)
class Event:
    """A domain event: its ``type``, the saga (trip) it belongs to, and the request's parameters."""

    type: str
    saga_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]


class EventBus(Protocol):
    """What a choreographed saga needs from a broker; deliberately three methods."""

    #: every event delivered so far, once each, in delivery order
    delivered: list[Event]

    def publish(self, event: Event) -> None:
        """Append ``event`` for every subscriber of its type."""

    def subscribe(self, event_type: str, handler: Handler) -> None:
        """Call ``handler(event)`` for every event of ``event_type``."""

    def run_until_idle(self, limit: int = 100_000) -> int:
        """Deliver until nothing is left (at most ``limit`` deliveries); return how many."""


class InMemoryBus:
    """A deterministic FIFO bus: one queue, handlers in subscription order; ``duplicates`` delivers
    every event twice (at least once, as a broker that redelivers after a lost ack would)."""

    def __init__(self, *, duplicates: bool = False) -> None:
        self.duplicates = duplicates
        self.queue: deque[Event] = deque()
        self.handlers: dict[str, list[Handler]] = {}
        self.delivered: list[Event] = []

    def publish(self, event: Event) -> None:
        """Queue ``event`` (twice with ``duplicates``)."""
        self.queue.append(event)
        if self.duplicates:
            self.queue.append(event)

    def subscribe(self, event_type: str, handler: Handler) -> None:
        """Register ``handler`` for ``event_type``."""
        self.handlers.setdefault(event_type, []).append(handler)

    def run_until_idle(self, limit: int = 100_000) -> int:
        """Deliver queued events in order until the queue is empty."""
        count = 0
        while self.queue:
            if count >= limit:
                raise RuntimeError(f"limit: still busy after {limit} deliveries")
            event = self.queue.popleft()
            self.delivered.append(event)
            for handler in self.handlers.get(event.type, []):
                handler(event)
            count += 1
        return count


#: (event it reacts to, service function, step name for the failure rule, success event, failure event)
REACTIONS: tuple[tuple[str, StepFn, str, str, str | None], ...] = (
    ("trip_requested", travel.create_booking, "create_booking", "booking_created", "trip_cancelled"),
    ("booking_created", travel.reserve_seat, "reserve_seat", "seat_reserved", "seat_unavailable"),
    ("seat_reserved", travel.charge_card, "charge_card", "card_charged", "card_declined"),
    ("card_charged", travel.issue_ticket, "issue_ticket", "ticket_issued", None),
    ("ticket_issued", travel.confirm_booking, "confirm_booking", "trip_confirmed", None),
    ("card_declined", travel.release_seat, "release_seat", "seat_released", None),
    ("seat_released", travel.cancel_booking, "cancel_booking", "trip_cancelled", None),
    ("seat_unavailable", travel.cancel_booking, "cancel_booking", "trip_cancelled", None),
)
#: Booking states after which a trip must not move forward any more (the handlers' guard).
_CANCELLED = (travel.CANCELLED,)


class TripServices:
    """The four services as event handlers on one bus and one database."""

    def __init__(self, db: SQLBackend, bus: EventBus, timeline: Timeline, *, retry: RetryPolicy,
                 step_time: float = 0.01) -> None:
        self.db, self.bus, self.timeline, self.retry, self.step_time = db, bus, timeline, retry, step_time
        self.outcomes: dict[str, str] = {}
        for event_type, fn, step, ok, failed in REACTIONS:
            bus.subscribe(event_type, self._reaction(fn, step, ok, failed))
        bus.subscribe("trip_confirmed", lambda e: self._end(e, COMPLETED))
        bus.subscribe("trip_cancelled", lambda e: self._end(e, COMPENSATED))

    def _reaction(self, fn: StepFn, step: str, ok: str, failed: str | None) -> Handler:
        """A handler: the local transaction (retried with backoff when it has no failure event), then
        the next event -- unless the trip was cancelled meanwhile (a late or duplicate event)."""
        def handle(event: Event) -> None:
            booking = self.db.query_one("SELECT status FROM trip_booking WHERE saga_id = ?", (event.saga_id,))
            if failed is not None and booking is not None and booking[0] in _CANCELLED:
                return  # a forward step for a cancelled trip: ignore
            attempts = [0]

            def local() -> None:
                attempts[0] += 1
                with self.db.transaction() as tx:
                    fn(tx, StepContext(event.saga_id, step, attempts[0], event.payload))
                self.timeline.advance(self.step_time)

            try:
                if failed is None:
                    self.retry.call(local, idempotent=True, sleep=self._wait, rng=self.timeline.rng)
                else:
                    local()
            except StepFailed as exc:
                self.timeline.record(event.saga_id, step, "failed", str(exc))
                self.bus.publish(Event(failed or "", event.saga_id, event.payload))
                return
            self.timeline.record(event.saga_id, step, ok)
            self.bus.publish(Event(ok, event.saga_id, event.payload))
        return handle

    def _wait(self, seconds: float) -> None:
        """The retry policy's sleep: simulated time passes."""
        self.timeline.advance(seconds)

    def _end(self, event: Event, state: str) -> None:
        """A trip's last event: remember its outcome (the first one wins)."""
        if event.saga_id not in self.outcomes:
            self.outcomes[event.saga_id] = state
            self.timeline.record(event.saga_id, "", state)


@dataclass(frozen=True)
class ChoreographyResult:
    """Each trip's outcome, the events delivered (type, saga id), the timeline and the violations."""

    outcomes: dict[str, str]
    delivered: tuple[tuple[str, str], ...]
    timeline: tuple[TimelineEvent, ...]
    violations: tuple[str, ...]


def run_choreography(fail_step: str | None = None, *, sagas: int = 1, duplicates: bool = False,
                     transient_failures: int = 2, seed: int = 0, db: SQLBackend | None = None,
                     prefix: str = "trip", bus: EventBus | None = None) -> ChoreographyResult:
    """Run ``sagas`` trips by choreography; judge them as the orchestrated ones.

    The bus is a fresh :class:`InMemoryBus` unless ``bus`` is given (with no subscribers yet, e.g.
    a :class:`~.streams_bus.RedisStreamsBus`); duplicates are then the given bus's own setting.
    """
    check_int("sagas", sagas, 1, 50)
    if bus is not None and duplicates:
        raise ValueError("duplicates: set it on the bus passed as bus= (e.g. RedisStreamsBus(duplicates=True))")
    own = db is None
    backend = sql.connect("sqlite:///:memory:") if db is None else db
    try:
        travel.install(backend)
        timeline = Timeline(seed)
        bus = InMemoryBus(duplicates=duplicates) if bus is None else bus
        retry = RetryPolicy(max_attempts=8, backoff=Backoff(base=0.05, cap=2.0), retry_on=(StepFailed,))
        services = TripServices(backend, bus, timeline, retry=retry)
        params = travel.trip_params(fail_step=fail_step, transient_failures=transient_failures)
        ids = [f"{prefix}-{i}" for i in range(sagas)]
        for saga_id in ids:
            bus.publish(Event("trip_requested", saga_id, params))
        bus.run_until_idle()
        violations: list[str] = []
        for saga_id in ids:
            state = services.outcomes.get(saga_id)
            if state is None:
                violations.append(f"saga {saga_id}: no terminal event")
                continue
            violations += applied_once(backend, saga_id, state) + effects_match(backend, saga_id, state)
        return ChoreographyResult(dict(services.outcomes), tuple((e.type, e.saga_id) for e in bus.delivered),
                                  tuple(timeline.events), tuple(violations))
    finally:
        if own:
            backend.close()
