"""A saga's safety properties, as named functions of what is in the database.

Each returns a list of violations (empty when it holds), one readable sentence each:

* :func:`terminal_only` -- every saga ended ``completed`` or ``compensated``;
* :func:`compensated_in_reverse` -- the log shows the compensations of exactly the completed
  compensatable steps, in reverse order, each once (Garcia-Molina & Salem: T1..Tj, Cj..C1), and none
  when the saga completed;
* :func:`effects_applied_once` -- in the services' own audit, every action and every compensation
  was applied at most once, and a compensated saga's completed steps were undone exactly once;
* :func:`trip_consistent` -- the sum of effects: a completed trip has a confirmed booking, a
  reserved seat, a payment and a ticket; a compensated one has no seat held, no payment, no ticket.
"""
from __future__ import annotations

from distlab.services.sql import SQLBackend

from .definition import SagaDefinition
from .log import COMPENSATED, COMPLETED, TERMINAL, SagaInstance, SagaLog
from .travel import CANCELLED, COMPENSATIONS, CONFIRMED, SEAT_RESERVED, TripEffects, trip_effects

NAMES = ("terminal_only", "compensated_in_reverse", "effects_applied_once", "trip_consistent")


def terminal_only(log: SagaLog) -> list[str]:
    """Every saga in the log is in a terminal state."""
    return [f"saga {saga_id} ended {state!r}, not terminal" for saga_id, state in log.states().items()
            if state not in TERMINAL]


def compensated_in_reverse(log: SagaLog, definition: SagaDefinition, saga_id: str) -> list[str]:
    """The log's compensations are exactly the completed compensatable steps, reversed, once each."""
    return _in_reverse(log, definition, saga_id, log.instance(saga_id))


def _in_reverse(log: SagaLog, definition: SagaDefinition, saga_id: str, inst: SagaInstance | None) -> list[str]:
    """:func:`compensated_in_reverse` given the saga's row ``inst`` (already read)."""
    if inst is None:
        return [f"saga {saga_id}: not in the log"]
    done, undone = log.progress(saga_id)
    out: list[str] = []
    if len(set(done)) != len(done):
        out.append(f"saga {saga_id}: an action logged twice: {done}")
    expected = [n for n in reversed(done) if definition.step(n).compensatable] if inst.state == COMPENSATED else []
    if undone != expected:
        out.append(f"saga {saga_id} ({inst.state}): compensations {undone}, expected {expected}")
    if inst.state == COMPLETED and done != list(definition.names):
        out.append(f"saga {saga_id}: completed with actions {done}, expected all of {list(definition.names)}")
    return out


def effects_applied_once(db: SQLBackend, log: SagaLog, saga_id: str) -> list[str]:
    """Each effect applied at most once; on a compensated saga, each completed step undone exactly once."""
    inst = log.instance(saga_id)
    return applied_once(db, saga_id, inst.state if inst is not None else None)


def applied_once(db: SQLBackend, saga_id: str, state: str | None, effects: TripEffects | None = None) -> list[str]:
    """:func:`effects_applied_once` given the saga's ``state`` (from a log, or from events), and its
    ``effects`` if already read."""
    applied = (trip_effects(db, saga_id) if effects is None else effects).applied
    out = [f"saga {saga_id}: {effect} applied {n} times" for effect, n in applied.items() if n > 1]
    if state is None:
        return out
    for action, compensation in COMPENSATIONS.items():
        did, undid = applied.get(action, 0), applied.get(compensation, 0)
        want = did if state == COMPENSATED else 0
        if undid != want:
            out.append(f"saga {saga_id} ({state}): {action} applied {did}, {compensation} applied {undid}")
    return out


def trip_consistent(db: SQLBackend, log: SagaLog, saga_id: str) -> list[str]:
    """The services' rows agree with the saga's outcome."""
    inst = log.instance(saga_id)
    if inst is None or inst.state not in TERMINAL:
        return []
    return effects_match(db, saga_id, inst.state)


def effects_match(db: SQLBackend, saga_id: str, state: str, effects: TripEffects | None = None) -> list[str]:
    """:func:`trip_consistent` given the saga's terminal ``state``, and its ``effects`` if already read."""
    fx = trip_effects(db, saga_id) if effects is None else effects
    if state == COMPLETED:
        ok = fx.booking == CONFIRMED and fx.seat == SEAT_RESERVED and fx.charged and fx.ticket
    else:
        ok = fx.booking in (None, CANCELLED) and not seat_held(fx.seat) and not fx.charged and not fx.ticket
    return [] if ok else [f"saga {saga_id} ({state}): booking={fx.booking} seat={fx.seat} "
                          f"charged={fx.charged} ticket={fx.ticket}"]


def seat_held(status: str | None) -> bool:
    """A seat row that still holds the seat (pending or reserved)."""
    return status is not None and status != "RELEASED"


def check_saga(db: SQLBackend, log: SagaLog, definition: SagaDefinition, saga_id: str) -> list[str]:
    """All per-saga properties for ``saga_id`` (terminal state included), reading its row and its
    effects once."""
    inst = log.instance(saga_id)
    fx = trip_effects(db, saga_id)
    terminal = inst is not None and inst.terminal
    out = [] if terminal else [f"saga {saga_id}: not terminal"]
    out += _in_reverse(log, definition, saga_id, inst)
    out += applied_once(db, saga_id, inst.state if inst is not None else None, fx)
    if inst is not None and terminal:
        out += effects_match(db, saga_id, inst.state, fx)
    return out
