"""Idempotency keys in SQL: a unique constraint on the key, a lock with a fencing token, recovery
points, and the side effect committed in the same transaction as the key's progress.

The table follows brandur's ``idempotency_keys`` (rocket-rides-atomic's ``schema.sql``): the key
(here the primary key: the unique constraint that lets exactly one of several concurrent first
requests insert it), the request's fingerprint, ``locked_at``, the ``recovery_point`` and the stored
response. Two additions: ``lock_token``, a generation number bumped every time a request takes the
lock (a fencing token, as in Kleppmann's "How to do distributed locking"), and ``created_at`` for
expiry, both read from an injected clock (never the database's ``now()``).

Every phase of a handler runs :func:`advance` inside its own transaction::

    UPDATE idempotency_keys SET recovery_point = <next> ...
     WHERE idempotency_key = ? AND lock_token = <mine> AND recovery_point = <expected>

and does its effect in that same transaction. If the lock was taken over (a newer token) the
UPDATE matches no row, :class:`~.keys.LockLost` is raised and the whole phase rolls back: a holder
whose lock expired can no longer charge or store a result. All SQL is parameterized.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from distlab.services.sql import SQLBackend
from distlab.services.transaction import TransactionConflict

from .charge import FINISHED, STARTED
from .keys import IdempotencyConflict, IdempotencyKeyReused, LockLost, Response

KEYS_TABLE = "idempotency_keys"
CHARGES_TABLE = "idempotency_charges"
MAX_ATTEMPTS = 200  # conflicts absorbed per transaction: 16 threads on one key conflict a lot on PostgreSQL

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (
    idempotency_key TEXT PRIMARY KEY CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    fingerprint     TEXT NOT NULL,
    created_at      DOUBLE PRECISION NOT NULL,
    locked_at       DOUBLE PRECISION,
    lock_token      BIGINT NOT NULL,
    recovery_point  TEXT NOT NULL,
    response        TEXT
);
CREATE TABLE IF NOT EXISTS {CHARGES_TABLE} (
    charge_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    lock_token      BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL
)
"""


def install_schema(db: SQLBackend) -> None:
    """Create the two tables if they are missing (run once, before concurrent handlers start).

    The charges table has deliberately no unique constraint on the key: a double charge must be
    visible to the lesson (Redis alone) and to the tests, not hidden by the database.
    """
    db.script(SCHEMA)


def charges_per_key(db: SQLBackend) -> dict[str, int]:
    """How many charges were made under each key (the side effect the lesson counts)."""
    rows = db.query(f"SELECT idempotency_key, COUNT(*) FROM {CHARGES_TABLE} GROUP BY idempotency_key")
    return {str(key): int(count) for key, count in rows}


@dataclass(frozen=True)
class Claim:
    """The lock on a key, taken by this request: its fencing ``token`` and where to resume."""

    key: str
    token: int
    recovery_point: str


def _is_unique_violation(exc: Exception) -> bool:
    return isinstance(exc, sqlite3.IntegrityError) or getattr(exc, "sqlstate", None) == "23505"


class SQLKeyStore:
    """The ``idempotency_keys`` table on one connection, with an injected clock."""

    def __init__(self, db: SQLBackend, clock: Callable[[], float], lock_timeout: float, retention: float):
        self.db, self.clock = db, clock
        self.lock_timeout, self.retention = float(lock_timeout), float(retention)

    def transaction(self, body: Callable[[SQLBackend], object]) -> object:
        """Run ``body(db)`` in one transaction, retrying engine conflicts and unique-key races."""
        for attempt in self.db.transactions(max_attempts=MAX_ATTEMPTS, base_delay=0.001):
            with attempt:
                try:
                    result = body(self.db)
                except Exception as exc:
                    if _is_unique_violation(exc):  # another request inserted the key first: read it again
                        raise TransactionConflict("23505", str(exc)) from exc
                    raise
        return result

    def claim(self, key: str, fingerprint: str) -> Claim | Response:
        """Take the key's lock (inserting the key if new), or return its stored response.

        Raises :class:`IdempotencyKeyReused` for other parameters and :class:`IdempotencyConflict`
        while another request holds an unexpired lock; neither stores anything.
        """
        now = self.clock()

        def body(db: SQLBackend) -> Claim | Response:
            """The claim, inside one transaction."""
            row = db.query_one(
                f"SELECT fingerprint, created_at, locked_at, lock_token, recovery_point, response "
                f"FROM {KEYS_TABLE} WHERE idempotency_key = ?", (key,))
            if row is not None and float(row[1]) + self.retention <= now:  # pruned: a new request
                db.execute(f"DELETE FROM {KEYS_TABLE} WHERE idempotency_key = ?", (key,))
                return self._insert(db, key, fingerprint, now, int(row[3]) + 1)
            if row is None:
                return self._insert(db, key, fingerprint, now, 1)
            stored_fp, _, locked_at, token, point, response = row
            if stored_fp != fingerprint:
                raise IdempotencyKeyReused(key)
            if response is not None:
                return Response.from_json(str(response))
            if locked_at is not None and now < float(locked_at) + self.lock_timeout:
                raise IdempotencyConflict(key)
            db.execute(f"UPDATE {KEYS_TABLE} SET locked_at = ?, lock_token = ? WHERE idempotency_key = ?",
                       (now, int(token) + 1, key))
            return Claim(key, int(token) + 1, str(point))

        result = self.transaction(body)
        assert isinstance(result, (Claim, Response))
        return result

    @staticmethod
    def _insert(db: SQLBackend, key: str, fingerprint: str, now: float, token: int) -> Claim:
        db.execute(f"INSERT INTO {KEYS_TABLE} (idempotency_key, fingerprint, created_at, locked_at, lock_token, "
                   "recovery_point, response) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                   (key, fingerprint, now, now, token, STARTED))
        return Claim(key, token, STARTED)

    @staticmethod
    def advance(db: SQLBackend, claim: Claim, expected: str, to: str, response: Response | None = None) -> None:
        """Inside a transaction: move the key from recovery point *expected* to *to* if *claim* still
        holds the current lock (fencing token), storing *response* and unlocking when *to* is
        ``finished``; else raise :class:`LockLost` (the caller's transaction rolls back)."""
        if to == FINISHED:
            if response is None:
                raise ValueError("response: a finished key needs its response")
            cursor = db.execute(
                f"UPDATE {KEYS_TABLE} SET recovery_point = ?, response = ?, locked_at = NULL "
                "WHERE idempotency_key = ? AND lock_token = ? AND recovery_point = ?",
                (to, response.to_json(), claim.key, claim.token, expected))
        else:
            cursor = db.execute(
                f"UPDATE {KEYS_TABLE} SET recovery_point = ? "
                "WHERE idempotency_key = ? AND lock_token = ? AND recovery_point = ?",
                (to, claim.key, claim.token, expected))
        if cursor.rowcount != 1:
            raise LockLost(claim.key, claim.token)

    def purge_expired(self) -> int:
        """Delete keys at least ``retention`` old (Stripe prunes after >= 24 h); return how many."""
        cutoff = self.clock() - self.retention
        cursor = self.db.execute(f"DELETE FROM {KEYS_TABLE} WHERE created_at <= ?", (cutoff,))
        return int(cursor.rowcount)
