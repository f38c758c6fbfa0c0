"""The transfer as a saga (chapter 3): fraud check, ledger, notification -- each step's event in the outbox.

=================  ============  ==============================================================
``fraud_check``     compensatable  the fraud service's verdict (asked before the step runs); when it
                                   is unavailable, transfers up to ``fallback_limit_cents`` go on and
                                   larger ones are refused (a degraded mode, not an outage)
``ledger``          pivot          debit and credit in one transaction (:mod:`.ledger`); refused if
                                   it would overdraw, and then the saga compensates the fraud step
``notify``          retriable      ask for the customer's notification
=================  ============  ==============================================================

Every step writes its event (``FraudChecked``, ``TransferApplied``, ``NotificationRequested``; the
compensation ``TransferCancelled``) as an outbox row in the step's own local transaction, which
also holds the saga-log row (:class:`~distlab.transactions.saga.orchestrator.Orchestrator`) -- so
"the step happened" and "its event will be sent" commit together. With the outbox switched off the
rows are not written; the service publishes each event itself after the commit (a dual write).

The saga id is the transfer's id in the ledger: with idempotency on it is the client's key, so
however many times a request lands, the ledger's primary key lets one transfer through.
"""
from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Mapping

from distlab.services.sql import SQLBackend
from distlab.transactions.outbox.events import Event
from distlab.transactions.outbox.store import SQLTables
from distlab.transactions.saga.definition import PIVOT, RETRIABLE, SagaDefinition, SagaStep, StepContext, StepFailed

from .ledger import Transfer, run_steps, transfer_steps

__all__ = ["EVENT_TYPES", "NOTIFICATION", "STEP_EVENTS", "TransferSaga", "event_for", "event_id"]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://distlab.invalid/casestudy/transfer")
#: the event each step (and the fraud step's compensation) announces
STEP_EVENTS = {("fraud_check", "action"): "FraudChecked", ("ledger", "action"): "TransferApplied",
               ("notify", "action"): "NotificationRequested", ("fraud_check", "compensation"): "TransferCancelled"}
EVENT_TYPES = tuple(STEP_EVENTS.values())
NOTIFICATION = "NotificationRequested"


@functools.lru_cache(maxsize=65_536)
def event_id(saga_id: str, kind: str) -> str:
    """The id of the event of type ``kind`` about transfer ``saga_id``: it depends on both alone, so
    a re-sent event carries the id the consumer's inbox deduplicates on."""
    return str(uuid.uuid5(NAMESPACE, f"{saga_id}/{kind}"))


def event_for(saga_id: str, kind: str, params: Mapping[str, object]) -> Event:
    """The event of type ``kind`` about transfer ``saga_id`` (:func:`event_id`), carrying ``params``."""
    return Event(event_id(saga_id, kind), "transfer", saga_id, kind, json.dumps(dict(params), sort_keys=True))


class TransferSaga:
    """The saga's definition, bound to the service's fraud verdicts and its outbox switch.

    ``verdict(saga_id)`` is the fraud verdict the service obtained (``"cleared"``, ``"declined"`` or
    ``"unavailable: <why>"``); ``refusals`` keeps why a saga was refused, for the client's reply.
    """

    def __init__(self, verdict: Callable[[str], str], *, outbox: bool, fallback_limit_cents: int) -> None:
        self.verdict, self.outbox, self.fallback_limit_cents = verdict, outbox, fallback_limit_cents
        self.refusals: dict[str, str] = {}
        self.definition = SagaDefinition("transfer", (
            SagaStep("fraud_check", self.check_fraud, self.cancel),
            SagaStep("ledger", self.move_money, kind=PIVOT),
            SagaStep("notify", self.notify, kind=RETRIABLE),
        ))

    def _emit(self, tx: SQLBackend, ctx: StepContext, kind: str) -> None:
        if self.outbox:
            SQLTables(tx).insert_outbox(event_for(ctx.saga_id, kind, ctx.params))

    def _refuse(self, saga_id: str, reason: str) -> StepFailed:
        self.refusals[saga_id] = reason
        return StepFailed(reason)

    def check_fraud(self, tx: SQLBackend, ctx: StepContext) -> None:
        """The fraud step: go on when cleared (or, when unavailable, when small enough)."""
        verdict = self.verdict(ctx.saga_id)
        cents = int(str(ctx.params["amount_cents"]))
        if verdict == "declined":
            raise self._refuse(ctx.saga_id, "declined by the fraud check")
        if verdict != "cleared" and cents > self.fallback_limit_cents:
            raise self._refuse(ctx.saga_id, f"fraud check {verdict}; only transfers up to "
                                            f"{self.fallback_limit_cents} cents go through without it")
        self._emit(tx, ctx, STEP_EVENTS["fraud_check", "action"])

    def cancel(self, tx: SQLBackend, ctx: StepContext) -> None:
        """The fraud step's compensation: announce that the transfer was cancelled."""
        self._emit(tx, ctx, STEP_EVENTS["fraud_check", "compensation"])

    def move_money(self, tx: SQLBackend, ctx: StepContext) -> None:
        """The pivot: the ledger's transfer in this local transaction (refused: the saga compensates)."""
        p = ctx.params
        result = run_steps(transfer_steps(tx, Transfer(ctx.saga_id, str(p["source"]), str(p["target"]),
                                                       int(str(p["amount_cents"])))))
        if result.status == "refused":
            raise self._refuse(ctx.saga_id, result.reason)
        self._emit(tx, ctx, STEP_EVENTS["ledger", "action"])

    def notify(self, tx: SQLBackend, ctx: StepContext) -> None:
        """The retriable step: ask for the customer's notification."""
        self._emit(tx, ctx, STEP_EVENTS["notify", "action"])
