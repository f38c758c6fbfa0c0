"""Idempotency keys with Stripe's semantics (chapter 3, ``docs/transactions.md``).

=================  =========================================================================
``keys``            valid keys (1-255 printable ASCII), fingerprints, responses, errors, the clock
``charge``          the lesson's ``POST /v1/charges``: parameters, recovery points, crash points
``sql_store``       the ``idempotency_keys`` table: unique key, lock + fencing token, expiry
``service``         :class:`SQLChargeService`: the charge committed with the key's progress
``redis_service``   :class:`RedisChargeService`: ``SET NX PX`` alone, and its window
``scenarios``       crash points as data, every crash schedule enumerated, the two windows
``retries``         the panel record: an idempotent charge under retries
``hammer``          concurrent retries from real threads and processes
=================  =========================================================================
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
from .redis_service import MemoryLocks, RedisChargeService, RedisLocks, memory_service
from .retries import ChargeRetriesConfig, ChargeRetriesResult, run_charge_retries
from .scenarios import WINDOWS, CrashVerdict, attempt, crash_schedules, enumerate_crashes, window
from .service import SQLChargeService, run_steps
from .sql_store import charges_per_key, install_schema

__all__ = [
    "CHARGED", "CRASH_POINTS", "FINISHED", "NO_CRASH", "RECOVERY_POINTS", "STARTED", "validate_charge",
    "MAX_KEY_LENGTH", "MIN_RETENTION_S", "IdempotencyConflict", "IdempotencyError", "IdempotencyKeyReused",
    "LockLost", "ManualClock", "Response", "fingerprint", "validate_key",
    "MemoryLocks", "RedisChargeService", "RedisLocks", "memory_service",
    "ChargeRetriesConfig", "ChargeRetriesResult", "run_charge_retries",
    "WINDOWS", "CrashVerdict", "attempt", "crash_schedules", "enumerate_crashes", "window",
    "SQLChargeService", "run_steps", "charges_per_key", "install_schema",
]
