"""The charge endpoint behind idempotency keys kept in SQL: exactly one charge per key.

:class:`SQLChargeService` is brandur's atomic-phases design on :mod:`distlab.services.sql` (SQLite
by default, PostgreSQL by URL):

1. **claim** (one transaction): insert the key, or find it; replay a stored response, refuse
   other parameters or an unexpired lock, else take the lock with a new fencing token;
2. **charge** (one transaction): ``started -> charged`` fenced by the token, *and* the charge row;
   a declined card instead stores its 402 (``started -> finished``) and charges nothing;
3. **finish** (one transaction): ``charged -> finished`` fenced, storing the 201 and unlocking.

A handler that crashes leaves its lock to expire after ``lock_timeout``; the retry takes it over
with a newer token and **resumes from the last recovery point**, so a charge that was committed is
never made again, and the old holder, if it was only slow, can no longer commit anything.

:meth:`SQLChargeService.steps` is the handler as a generator that yields the name of each crash
point it passes (:data:`~.charge.CRASH_POINTS`); a test or scenario crashes it by simply not
resuming it, and interleaves several by resuming them in any order. :meth:`handle` runs it through.
"""
from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from distlab.services.sql import SQLBackend

from .charge import (
    CHARGED,
    FINISHED,
    STARTED,
    ProcessingError,
    charge_id,
    charged_body,
    declined_body,
    server_error_body,
    validate_charge,
)
from .keys import (
    DEFAULT_LOCK_TIMEOUT_S,
    MIN_RETENTION_S,
    ManualClock,
    Response,
    check_timeouts,
    fingerprint,
    validate_key,
)
from .sql_store import CHARGES_TABLE, Claim, SQLKeyStore, install_schema

Steps = Generator[str, None, Response]


def run_steps(steps: Steps) -> Response:
    """Resume a handler generator until it returns; its response."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            result: Response = stop.value
            return result


class SQLChargeService:
    """``POST /v1/charges`` with Stripe-style idempotency keys stored in SQL.

    ``clock`` is injected (a :class:`~.keys.ManualClock` by default, so time moves only when a
    lesson moves it); ``lock_timeout`` is how long an in-flight key stays locked, ``retention``
    how long keys are kept (at least 24 h).
    """

    def __init__(self, db: SQLBackend, *, clock: Callable[[], float] | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S, retention: float = MIN_RETENTION_S,
                 create_schema: bool = True):
        check_timeouts(lock_timeout, retention)
        self.db = db
        self.clock: Callable[[], float] = clock if clock is not None else ManualClock()
        self.store = SQLKeyStore(db, self.clock, lock_timeout, retention)
        if create_schema:
            install_schema(db)

    def handle(self, key: str, params: dict[str, Any]) -> Response:
        """One request, run to the end: the response (``replayed`` if it was stored before)."""
        return run_steps(self.steps(key, params))

    def let_lock_expire(self, key: str) -> None:
        """Let the lock timeout pass on the injected clock (a :class:`~.keys.ManualClock`)."""
        if not isinstance(self.clock, ManualClock):
            raise ValueError("clock: letting a lock expire needs a ManualClock")
        self.clock.advance(self.store.lock_timeout)

    def steps(self, key: str, params: dict[str, Any]) -> Steps:
        """The handler as a generator yielding each crash point it passes; returns the response."""
        validate_key(key)
        amount, currency, card = validate_charge(params)
        print_ = fingerprint(params)
        yield "before_start"
        claimed = self.store.claim(key, print_)
        if isinstance(claimed, Response):
            return claimed
        yield "after_claim"
        if claimed.recovery_point == STARTED:
            stored = self._charge_phase(claimed, amount, currency, card)
            if stored is not None:
                return stored
            yield "after_charged"
        response = self._response_of(claimed, amount, currency)
        yield "before_store_result"
        self.store.transaction(lambda db: self.store.advance(db, claimed, CHARGED, FINISHED, response))
        yield "after_finished"
        return response

    def _charge_phase(self, claim: Claim, amount: int, currency: str, card: str) -> Response | None:
        """``started -> charged`` with the charge row, atomically; a stored error response instead
        when the card is declined (402) or the handler fails (500)."""
        def body(db: SQLBackend) -> Response | None:
            """The charge phase, inside one transaction."""
            if card == "tok_chargeDeclined":
                declined = Response(402, declined_body())
                self.store.advance(db, claim, STARTED, FINISHED, declined)
                return declined
            self.store.advance(db, claim, STARTED, CHARGED)
            if card == "tok_processingError":
                raise ProcessingError("the card network did not answer")
            db.execute(f"INSERT INTO {CHARGES_TABLE} (charge_id, idempotency_key, lock_token, amount, currency) "
                       "VALUES (?, ?, ?, ?, ?)", (charge_id(claim.key, claim.token), claim.key, claim.token,
                                                  amount, currency))
            return None

        try:
            result = self.store.transaction(body)
        except ProcessingError as exc:  # execution began: the 500 is the key's result, replayed to retries
            failed = Response(500, server_error_body(exc))
            self.store.transaction(lambda db: self.store.advance(db, claim, STARTED, FINISHED, failed))
            return failed
        assert result is None or isinstance(result, Response)
        return result

    def _response_of(self, claim: Claim, amount: int, currency: str) -> Response:
        """The 201 for the charge made under this key (by whichever holder made it; the newest
        token is the key's current lifetime, should it have expired and been reused)."""
        row = self.db.query_one(f"SELECT charge_id FROM {CHARGES_TABLE} WHERE idempotency_key = ? "
                                "ORDER BY lock_token DESC LIMIT 1", (claim.key,))
        if row is None:
            raise RuntimeError(f"key {claim.key!r} is at recovery point 'charged' but has no charge")
        return Response(201, charged_body(str(row[0]), amount, currency))
