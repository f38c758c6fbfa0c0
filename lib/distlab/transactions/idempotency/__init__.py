"""Idempotency keys with Stripe's semantics (chapter 3, ``docs/transactions.md``).

=======================  ===================================================================
``keys``                  valid keys, fingerprints, responses, errors, the injected clock
``charge``                the lesson's ``POST /v1/charges``: parameters, recovery points, crash points
``sql_store``             the ``idempotency_keys`` table: unique key, lock + fencing token
``service``               :class:`SQLChargeService`: exactly one charge per key
=======================  ===================================================================
"""
from .charge import CHARGED, CRASH_POINTS, FINISHED, NO_CRASH, RECOVERY_POINTS, STARTED, validate_charge
from .keys import (
    MAX_KEY_LENGTH,
    MIN_RETENTION_S,
    IdempotencyConflict,
    IdempotencyError,
    IdempotencyKeyReused,
    LockLost,
    ManualClock,
    Response,
    fingerprint,
    validate_key,
)
from .service import SQLChargeService, run_steps
from .sql_store import charges_per_key, install_schema

__all__ = [
    "CHARGED", "CRASH_POINTS", "FINISHED", "NO_CRASH", "RECOVERY_POINTS", "STARTED", "validate_charge",
    "MAX_KEY_LENGTH", "MIN_RETENTION_S", "IdempotencyConflict", "IdempotencyError", "IdempotencyKeyReused",
    "LockLost", "ManualClock", "Response", "fingerprint", "validate_key",
    "SQLChargeService", "run_steps", "charges_per_key", "install_schema",
]
