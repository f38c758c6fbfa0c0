"""The transfer service: idempotency key, saga, fraud call behind a breaker and a bulkhead -- on the kernel.

One :class:`TransferService` process owns the SQL store (ledger, saga log, idempotency keys and
outbox in one database, as Stripe keeps its keys beside the charges) and drives every saga one
local transaction per simulated event. A request:

1. **claims its key** (chapter 3's :class:`~distlab.transactions.idempotency.sql_store.SQLKeyStore`):
   a stored response is replayed; a key whose lock another request holds answers ``busy``; a key
   reused with other parameters is refused. With idempotency off, every attempt is a new transfer.
2. **starts the saga** (its id is the key) and steps it (:mod:`.transfer_saga`). Before the fraud
   step the service asks the fraud service -- unless the breaker is open or, with the bulkhead on,
   ``bulkhead_size`` calls are already out; then the verdict is "unavailable" at once.
3. **answers** when the saga ends, storing the response under the key in the same breath.

A crash (an armed saga crash point, chapter 3's :class:`~distlab.transactions.saga.orchestrator.CrashPlan`)
kills the process: its memory (waiting requests, verdicts, breaker) is gone, its open transaction
rolled back. It restarts after ``restart_s`` and resumes every unfinished saga from the log.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple

from distlab.reliability.breaker import BreakerConfig, CircuitBreaker
from distlab.reliability.bulkhead import Bulkhead
from distlab.sim import Process
from distlab.transactions.idempotency.charge import FINISHED, STARTED
from distlab.transactions.idempotency.keys import (
    IdempotencyConflict,
    IdempotencyKeyReused,
    LockLost,
    Response,
    fingerprint,
)
from distlab.transactions.idempotency.sql_store import Claim, SQLKeyStore
from distlab.transactions.outbox.broker import Broker
from distlab.transactions.outbox.events import Event
from distlab.transactions.saga.crash_points import OrchestratorCrash
from distlab.transactions.saga.log import ACTION_DONE, COMPENSATION_DONE, COMPLETED, RUNNING
from distlab.transactions.saga.orchestrator import CrashPlan, Orchestrator

from .backoffice import crash_and_restart
from .config import BankConfig
from .ledger import Ledger, LedgerError, Transfer
from .messages import BUSY, FAIL, OK, FraudCheck, FraudVerdict, ReadReply, ReadRequest, Reply, TransferRequest
from .metrics import Metrics
from .transfer_saga import STEP_EVENTS, TransferSaga, event_for

__all__ = ["STEP_S", "TransferService"]

STEP_S = 0.002  # simulated time between two units of work of one saga (a local transaction's round trip)
PUBLISH_S = 0.001  # the broker round trip of a dual write's publish, after the commit


class Waiter(NamedTuple):
    """The request waiting for a saga's end: who asked, its number, and the key's lock it holds."""

    src: Hashable
    request: int
    claim: Claim | None


class TransferService(Process):
    """The service process (see the module docstring); ``ledger`` is on the run's SQL store."""

    def __init__(self, config: BankConfig, ledger: Ledger, broker: Broker, crashes: CrashPlan,
                 metrics: Metrics) -> None:
        super().__init__("service")
        self.config, self.ledger, self.broker, self.crashes, self.metrics = config, ledger, broker, crashes, metrics
        self.saga = TransferSaga(self._verdict_of, outbox=config.safeguards.outbox,
                                 fallback_limit_cents=config.fallback_limit_cents)
        self.keys = SQLKeyStore(ledger.db, self._sim_time, config.lock_timeout_s, retention=1e9)
        self.orchestrator = Orchestrator(ledger.db, self.saga.definition, crashes=crashes, on_commit=self._committed,
                                         step_time=0.0)

    def _sim_time(self) -> float:
        return self.sim.now

    def on_start(self) -> None:
        """Fresh memory (after a crash nothing survives but the database), then resume the log's sagas."""
        cfg = self.config
        self.waiting: dict[str, Waiter] = {}
        self.verdicts: dict[str, str] = {}
        self.asked: dict[str, float] = {}
        breaker = BreakerConfig(consecutive_failures=cfg.breaker_failures, cooldown=cfg.breaker_cooldown_s)
        self.breaker = CircuitBreaker(breaker, clock=self._sim_time, name="fraud")
        self.breaker.add_listener(self._breaker_moved)
        self.bulkhead = Bulkhead("fraud", cfg.bulkhead_size) if cfg.safeguards.bulkhead else None
        for saga_id in self.orchestrator.log.unfinished():
            self._begin(saga_id)

    def _breaker_moved(self, breaker: CircuitBreaker, old: str, new: str, reason: str, now: float) -> None:
        self.metrics.note(now, "breaker", new)

    # -- requests -------------------------------------------------------------------------------------
    def on_message(self, src: Hashable, msg: Any) -> None:
        """A transfer, a read or a fraud verdict."""
        if isinstance(msg, TransferRequest):
            self._transfer(src, msg)
        elif isinstance(msg, FraudVerdict):
            self._fraud_answered(msg)
        elif isinstance(msg, ReadRequest):
            self.send(src, ReadReply(msg.request, self.ledger.balances()))

    def _transfer(self, src: Hashable, msg: TransferRequest) -> None:
        try:
            self.ledger.check(Transfer(msg.key, msg.source, msg.target, msg.amount_cents))
        except LedgerError as exc:
            self.send(src, Reply(msg.request, FAIL, "invalid", str(exc)))
            return
        claim: Claim | None = None
        # without idempotency every arrival is a new transfer (a duplicate or a retry included)
        saga_id = msg.key if self.config.safeguards.idempotency else f"{msg.key}/{self.rng.getrandbits(48):012x}"
        if self.config.safeguards.idempotency:
            try:
                got = self.keys.claim(msg.key, fingerprint(msg.params))
            except IdempotencyKeyReused as exc:
                self.send(src, Reply(msg.request, FAIL, "invalid", str(exc)))
                return
            except IdempotencyConflict:
                self.send(src, Reply(msg.request, BUSY, reason="another request holds this key"))
                return
            if isinstance(got, Response):
                self.send(src, Reply(msg.request, OK, str(got.body["result"]), str(got.body.get("reason", ""))))
                return
            claim = got
        self.orchestrator.start(saga_id, {"key": msg.key, **msg.params})
        self.waiting[saga_id] = Waiter(src, msg.request, claim)
        if claim is None or claim.token == 1:  # a transfer never seen before: its saga has just started
            self._ask_fraud(saga_id, msg.amount_cents)
        else:
            self._begin(saga_id)

    # -- the saga, one unit of work per event ---------------------------------------------------------
    def on_timer(self, name: str, data: Any) -> None:
        """``advance`` a saga, a fraud call timing out, or a dual write's publish."""
        if name.startswith("advance:"):
            self._advance(data)
        elif name.startswith("fraud:"):
            self._fraud_done(data, "unavailable (timed out)", failed=True)
        elif name.startswith("publish:"):
            self.broker.publish([data])

    def _begin(self, saga_id: str) -> None:
        """Pick a saga up (new, retried or resumed): finish it, ask the fraud service, or step it."""
        snap = self.orchestrator.log.snapshot(saga_id)  # the saga's row and its log, in one read
        if snap is None:
            return
        inst = snap.instance
        if inst.terminal:
            self._finish(saga_id, inst.state == COMPLETED)
        elif saga_id in self.asked:
            return  # the fraud service's answer will move it on
        elif inst.state == RUNNING and saga_id not in self.verdicts and \
                ("fraud_check", ACTION_DONE) not in snap.history:
            self._ask_fraud(saga_id, int(inst.params["amount_cents"]))
        else:
            self._advance(saga_id)

    def _advance(self, saga_id: str) -> None:
        """One unit of work of the saga (one local transaction), then the next one a moment later."""
        try:
            more = self.orchestrator.step(saga_id)
        except OrchestratorCrash as crash:
            crash_and_restart(self, f"saga crash point {crash.point.name}", self.metrics, self.config.restart_s)
            return
        if more:
            self.set_timer(f"advance:{saga_id}", STEP_S, saga_id)
        else:
            self._begin(saga_id)

    def _finish(self, saga_id: str, applied: bool) -> None:
        self.verdicts.pop(saga_id, None)
        waiter = self.waiting.pop(saga_id, None)
        if waiter is None:
            return  # nobody waits (the service restarted): the client's retry will read the stored result
        result = "applied" if applied else "refused"
        reason = "" if applied else self.saga.refusals.get(saga_id, "refused by the saga")
        if waiter.claim is not None:
            claim, response = waiter.claim, Response(200, {"result": result, "reason": reason})
            try:
                self.keys.transaction(lambda db: self.keys.advance(db, claim, STARTED, FINISHED, response))
            except LockLost:
                return  # a retry took the key over; it will answer
        self.send(waiter.src, Reply(waiter.request, OK, result, reason))

    def _committed(self, saga_id: str, step: str, event: str) -> None:
        """The orchestrator committed a unit: without the outbox, publish its event now (a dual write)."""
        if self.config.safeguards.outbox or event not in (ACTION_DONE, COMPENSATION_DONE):
            return
        kind = STEP_EVENTS[step, "action" if event == ACTION_DONE else "compensation"]
        inst = self.orchestrator.log.instance(saga_id)
        params = inst.params if inst is not None else {}
        published: Event = event_for(saga_id, kind, params)
        self.set_timer(f"publish:{published.id}", PUBLISH_S, published)

    # -- the fraud service, behind a breaker and a bulkhead -------------------------------------------
    def _verdict_of(self, saga_id: str) -> str:
        return self.verdicts.get(saga_id, "unavailable (not asked)")

    def _ask_fraud(self, saga_id: str, cents: int) -> None:
        if not self.breaker.allow():
            self._verdict(saga_id, "unavailable (breaker open)")
            return
        if self.bulkhead is not None and not self.bulkhead.try_acquire():
            self.metrics.note(self.sim.now, "bulkhead full")
            self._verdict(saga_id, "unavailable (bulkhead full)")
            return
        self.asked[saga_id] = self.sim.now
        self.send("fraud", FraudCheck(saga_id, cents))
        self.set_timer(f"fraud:{saga_id}", self.config.fraud_timeout_s, saga_id)

    def _fraud_answered(self, msg: FraudVerdict) -> None:
        if msg.saga_id in self.asked:
            self.cancel_timer(f"fraud:{msg.saga_id}")
            self._fraud_done(msg.saga_id, msg.verdict, failed=False)

    def _fraud_done(self, saga_id: str, verdict: str, *, failed: bool) -> None:
        asked = self.asked.pop(saga_id, None)
        if asked is None:
            return
        if self.bulkhead is not None:
            self.bulkhead.release()
        self.breaker.record(failed, self.sim.now - asked)
        self._verdict(saga_id, verdict)

    def _verdict(self, saga_id: str, verdict: str) -> None:
        self.verdicts[saga_id] = verdict
        self._advance(saga_id)
