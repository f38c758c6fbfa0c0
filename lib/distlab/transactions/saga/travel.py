"""The course's example saga: book a trip across four "services" that share one SQL database.

Each service owns its table; each step is a local transaction on it, idempotent under the saga id
(``INSERT ... ON CONFLICT DO NOTHING``, ``UPDATE ... WHERE status <> ...``), and every effect that
really changes a row also writes one ``trip_audit`` row, so a test can count how many times an
effect was *applied* (a non-idempotent replay would show two rows):

=================  ===============  =================  ======================================
step               kind             compensation       table
=================  ===============  =================  ======================================
``create_booking``  compensatable    ``cancel_booking``  ``trip_booking`` (booking service)
``reserve_seat``    compensatable    ``release_seat``    ``trip_seat`` (flight service)
``charge_card``     pivot            --                  ``trip_payment`` (payment service)
``issue_ticket``    retriable        --                  ``trip_ticket`` (ticketing service)
``confirm_booking`` retriable        --                  ``trip_booking``, ``trip_seat``
=================  ===============  =================  ======================================

**Semantic lock** (Richardson, "Microservices Patterns", §4.3.3, the countermeasure for a saga's
missing isolation): with ``semantic_lock`` in the saga's parameters, ``create_booking`` and
``reserve_seat`` write ``*_PENDING`` states and only ``confirm_booking`` (after the pivot) makes
them final, so a reader that respects the flag never takes an uncommitted saga's seat for a sale.

Failures are part of the request, so a resumed orchestrator meets the same ones: ``fail_step`` names
a step whose action fails (for good on a compensatable step or the pivot; ``transient_failures``
times, then success, on a retriable one).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from distlab.services.sql import SQLBackend

from .definition import COMPENSATABLE, PIVOT, RETRIABLE, SagaDefinition, SagaStep, StepContext, StepFailed

SCHEMA = """
CREATE TABLE IF NOT EXISTS trip_booking (saga_id TEXT PRIMARY KEY, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trip_seat (saga_id TEXT PRIMARY KEY, seat TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trip_payment (saga_id TEXT PRIMARY KEY, amount INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS trip_ticket (saga_id TEXT PRIMARY KEY, seat TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trip_audit (saga_id TEXT NOT NULL, effect TEXT NOT NULL)
"""

PENDING, BOOKED, CONFIRMED, CANCELLED = "PENDING", "BOOKED", "CONFIRMED", "CANCELLED"
SEAT_PENDING, SEAT_RESERVED, SEAT_RELEASED = "RESERVED_PENDING", "RESERVED", "RELEASED"
STEP_NAMES = ("create_booking", "reserve_seat", "charge_card", "issue_ticket", "confirm_booking")
COMPENSATIONS = {"create_booking": "cancel_booking", "reserve_seat": "release_seat"}


def install(db: SQLBackend) -> None:
    """Create the services' tables (idempotent)."""
    db.script(SCHEMA)


def trip_params(*, seat: str = "12A", amount: int = 300, fail_step: str | None = None,
                transient_failures: int = 0, semantic_lock: bool = False) -> dict[str, Any]:
    """One trip request (the saga's parameters), checked."""
    if fail_step is not None and fail_step not in STEP_NAMES:
        raise ValueError(f"fail_step must be None or one of {STEP_NAMES}, got {fail_step!r}")
    if not isinstance(transient_failures, int) or not 0 <= transient_failures <= 20:
        raise ValueError(f"transient_failures must be an integer from 0 to 20, got {transient_failures!r}")
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"amount must be a positive integer, got {amount!r}")
    return {"seat": seat, "amount": amount, "fail_step": fail_step, "transient_failures": transient_failures,
            "semantic_lock": bool(semantic_lock)}


def _applied(tx: SQLBackend, cursor: Any, ctx: StepContext, effect: str) -> None:
    """Audit an effect that really changed a row (rowcount 1); a replay changes none."""
    if cursor.rowcount == 1:
        tx.execute("INSERT INTO trip_audit (saga_id, effect) VALUES (?, ?)", (ctx.saga_id, effect))


def _maybe_fail(ctx: StepContext, why: str) -> None:
    """Raise StepFailed if the request says this step fails (now)."""
    if ctx.params.get("fail_step") != ctx.step:
        return
    if ctx.step in ("issue_ticket", "confirm_booking") and ctx.attempt > int(ctx.params.get("transient_failures", 0)):
        return
    raise StepFailed(why)


# -- actions and compensations ------------------------------------------------------------------
def create_booking(tx: SQLBackend, ctx: StepContext) -> None:
    """Booking service: a booking row, PENDING under the semantic lock, else BOOKED."""
    _maybe_fail(ctx, "booking refused")
    status = PENDING if ctx.params.get("semantic_lock") else BOOKED
    _applied(tx, tx.execute("INSERT INTO trip_booking (saga_id, status) VALUES (?, ?) ON CONFLICT (saga_id) "
                            "DO NOTHING", (ctx.saga_id, status)), ctx, "create_booking")


def cancel_booking(tx: SQLBackend, ctx: StepContext) -> None:
    """Compensation of create_booking: the booking becomes CANCELLED (once)."""
    _applied(tx, tx.execute("UPDATE trip_booking SET status = ? WHERE saga_id = ? AND status <> ?",
                            (CANCELLED, ctx.saga_id, CANCELLED)), ctx, "cancel_booking")


def reserve_seat(tx: SQLBackend, ctx: StepContext) -> None:
    """Flight service: hold the seat (RESERVED_PENDING under the semantic lock)."""
    _maybe_fail(ctx, "no seat left")
    status = SEAT_PENDING if ctx.params.get("semantic_lock") else SEAT_RESERVED
    _applied(tx, tx.execute("INSERT INTO trip_seat (saga_id, seat, status) VALUES (?, ?, ?) ON CONFLICT (saga_id) "
                            "DO NOTHING", (ctx.saga_id, str(ctx.params.get("seat", "12A")), status)),
             ctx, "reserve_seat")


def release_seat(tx: SQLBackend, ctx: StepContext) -> None:
    """Compensation of reserve_seat: the seat is RELEASED (once)."""
    _applied(tx, tx.execute("UPDATE trip_seat SET status = ? WHERE saga_id = ? AND status <> ?",
                            (SEAT_RELEASED, ctx.saga_id, SEAT_RELEASED)), ctx, "release_seat")


def charge_card(tx: SQLBackend, ctx: StepContext) -> None:
    """Payment service, the pivot: charge the card (once per saga id) or decline it."""
    _maybe_fail(ctx, "card declined")
    _applied(tx, tx.execute("INSERT INTO trip_payment (saga_id, amount) VALUES (?, ?) ON CONFLICT (saga_id) "
                            "DO NOTHING", (ctx.saga_id, int(ctx.params.get("amount", 300)))), ctx, "charge_card")


def issue_ticket(tx: SQLBackend, ctx: StepContext) -> None:
    """Ticketing service (retriable): issue the ticket, once per saga id."""
    _maybe_fail(ctx, "ticketing service unavailable")
    _applied(tx, tx.execute("INSERT INTO trip_ticket (saga_id, seat) VALUES (?, ?) ON CONFLICT (saga_id) DO NOTHING",
                            (ctx.saga_id, str(ctx.params.get("seat", "12A")))), ctx, "issue_ticket")


def confirm_booking(tx: SQLBackend, ctx: StepContext) -> None:
    """Booking service (retriable): CONFIRMED, and the seat's pending flag lifted."""
    _maybe_fail(ctx, "booking service unavailable")
    _applied(tx, tx.execute("UPDATE trip_booking SET status = ? WHERE saga_id = ? AND status <> ?",
                            (CONFIRMED, ctx.saga_id, CONFIRMED)), ctx, "confirm_booking")
    tx.execute("UPDATE trip_seat SET status = ? WHERE saga_id = ? AND status = ?",
               (SEAT_RESERVED, ctx.saga_id, SEAT_PENDING))


def travel_saga() -> SagaDefinition:
    """The book-trip saga: two compensatable steps, the card charge as pivot, two retriable steps."""
    return SagaDefinition("book_trip", (
        SagaStep("create_booking", create_booking, cancel_booking, COMPENSATABLE),
        SagaStep("reserve_seat", reserve_seat, release_seat, COMPENSATABLE),
        SagaStep("charge_card", charge_card, None, PIVOT),
        SagaStep("issue_ticket", issue_ticket, None, RETRIABLE),
        SagaStep("confirm_booking", confirm_booking, None, RETRIABLE),
    ))


# -- what a reader sees, and what a test counts ----------------------------------------------------
@dataclass(frozen=True)
class TripEffects:
    """A trip's rows across the services, and how many times each effect was applied."""

    booking: str | None
    seat: str | None
    charged: bool
    ticket: bool
    applied: Mapping[str, int]


def trip_effects(db: SQLBackend, saga_id: str) -> TripEffects:
    """Read one trip's rows (outside any saga transaction)."""
    booking = db.query_one("SELECT status FROM trip_booking WHERE saga_id = ?", (saga_id,))
    seat = db.query_one("SELECT status FROM trip_seat WHERE saga_id = ?", (saga_id,))
    charged = db.query_one("SELECT 1 FROM trip_payment WHERE saga_id = ?", (saga_id,)) is not None
    ticket = db.query_one("SELECT 1 FROM trip_ticket WHERE saga_id = ?", (saga_id,)) is not None
    rows = db.query("SELECT effect, COUNT(*) FROM trip_audit WHERE saga_id = ? GROUP BY effect ORDER BY effect",
                    (saga_id,))
    return TripEffects(booking[0] if booking else None, seat[0] if seat else None, charged, ticket,
                       {str(e): int(n) for e, n in rows})


def seat_taken(seat_status: str | None, respect_lock: bool = True) -> bool:
    """Does a reader count this seat as sold? One that respects the semantic lock skips pending seats."""
    if seat_status is None or seat_status == SEAT_RELEASED:
        return False
    return not (respect_lock and seat_status == SEAT_PENDING)
