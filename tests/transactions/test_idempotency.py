"""Idempotency keys with Stripe's semantics on SQL (SQLite, and PostgreSQL via ``sql_backend``):
valid keys, replayed first results (errors included), refused reuse, 409 in flight, nothing stored
on refusal, expiry after >= 24 h, lock timeout with fencing, recovery points."""
from __future__ import annotations

import doctest

import pytest

from distlab.services import sql
from distlab.services.sql import SQLBackend
from distlab.transactions import idempotency
from distlab.transactions.idempotency import (
    MAX_KEY_LENGTH,
    IdempotencyConflict,
    IdempotencyKeyReused,
    LockLost,
    ManualClock,
    SQLChargeService,
    charges_per_key,
    keys as keys_module,
    retries as retries_module,
    run_steps,
    scenarios as scenarios_module,
)

PARAMS = {"amount": 2000, "currency": "usd", "card": "tok_visa"}
DAY = 24 * 3600.0


def keys_table(db: SQLBackend) -> list[tuple[object, ...]]:
    return db.query("SELECT idempotency_key, lock_token, recovery_point, response FROM idempotency_keys "
                    "ORDER BY idempotency_key")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def service(sql_backend: SQLBackend, clock: ManualClock) -> SQLChargeService:
    return SQLChargeService(sql_backend, clock=clock)


@pytest.mark.parametrize("module", [keys_module, retries_module, scenarios_module])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


# ------------------------------------------------------------------ bad input
BAD_KEYS = ["", "x" * (MAX_KEY_LENGTH + 1), "x" * 10_000, "clé", "snow\u2603man", "tab\there", "new\nline",
            "nul\x00", "del\x7f", None, 42, b"bytes"]


@pytest.mark.parametrize("bad", BAD_KEYS, ids=lambda k: repr(k)[:20])
def test_bad_keys_are_refused_naming_key_and_store_nothing(service: SQLChargeService, bad: object) -> None:
    with pytest.raises(ValueError, match=r"^key: .*1-255"):
        service.handle(bad, PARAMS)  # type: ignore[arg-type]
    assert keys_table(service.db) == [] and charges_per_key(service.db) == {}


SQL_METACHARACTERS = ["'; DROP TABLE idempotency_keys; --", "Robert'); DROP TABLE idempotency_charges;--",
                      'a"b', "%s", "%(x)s", "?", "\\", "' OR '1'='1", "x" * MAX_KEY_LENGTH, " ", "~"]


@pytest.mark.parametrize("key", SQL_METACHARACTERS, ids=lambda k: repr(k)[:20])
def test_sql_metacharacters_are_plain_keys(service: SQLChargeService, key: str) -> None:
    first, again = service.handle(key, PARAMS), service.handle(key, PARAMS)
    assert (first.status, first.replayed, again.replayed, again.body) == (201, False, True, first.body)
    assert charges_per_key(service.db) == {key: 1}
    assert [row[0] for row in keys_table(service.db)] == [key]


@pytest.mark.parametrize("params, field", [
    ({"amount": 0}, r"params\['amount'\]"), ({"amount": -5}, r"params\['amount'\]"),
    ({"amount": "10"}, r"params\['amount'\]"), ({"amount": True}, r"params\['amount'\]"),
    ({"amount": 10**9}, r"params\['amount'\]"), ({"amount": 5, "currency": "USD"}, r"params\['currency'\]"),
    ({"amount": 5, "card": "tok_unknown"}, r"params\['card'\]"), ({"amount": 5, "x": 1}, "params: unknown"),
    ("amount=5", "params: must be a dict"),
])
def test_invalid_parameters_store_nothing_and_may_be_retried(service: SQLChargeService, params: object,
                                                              field: str) -> None:
    with pytest.raises(ValueError, match=field):
        service.handle("k", params)  # type: ignore[arg-type]
    assert keys_table(service.db) == []
    assert service.handle("k", PARAMS).status == 201  # the same key, now valid: a first request


def test_configuration_is_checked(sql_backend: SQLBackend) -> None:
    with pytest.raises(ValueError, match="retention: keys are kept at least 24 hours"):
        SQLChargeService(sql_backend, retention=3600)
    with pytest.raises(ValueError, match="lock_timeout"):
        SQLChargeService(sql_backend, lock_timeout=0)
    with pytest.raises(ValueError, match="params: must be a dict of JSON values"):
        idempotency.fingerprint({"amount": float("nan")})


# ------------------------------------------------------------------ Stripe's semantics
def test_first_result_replayed_and_reordered_params_are_the_same_request(service: SQLChargeService) -> None:
    first = service.handle("order-1", PARAMS)
    again = service.handle("order-1", dict(reversed(list(PARAMS.items()))))
    assert first.status == 201 and again.replayed and again.body == first.body
    assert charges_per_key(service.db) == {"order-1": 1}


@pytest.mark.parametrize("card, status", [("tok_chargeDeclined", 402), ("tok_processingError", 500)])
def test_errors_are_stored_and_replayed(service: SQLChargeService, card: str, status: int) -> None:
    params = {**PARAMS, "card": card}
    first, again = service.handle("e", params), service.handle("e", params)
    assert (first.status, first.replayed) == (status, False)
    assert (again.status, again.replayed, again.body) == (status, True, first.body)
    assert charges_per_key(service.db) == {}


def test_other_parameters_under_the_same_key_are_refused(service: SQLChargeService) -> None:
    service.handle("k", PARAMS)
    before = keys_table(service.db)
    with pytest.raises(IdempotencyKeyReused, match="different parameters") as refused:
        service.handle("k", {**PARAMS, "amount": 1})
    assert refused.value.status == 400 and keys_table(service.db) == before


def test_key_in_flight_gets_a_conflict_which_stores_nothing(service: SQLChargeService) -> None:
    holder = service.steps("k", PARAMS)
    assert [next(holder), next(holder)] == ["before_start", "after_claim"]
    before = keys_table(service.db)
    with pytest.raises(IdempotencyConflict) as conflict:
        service.handle("k", PARAMS)
    with pytest.raises(IdempotencyKeyReused):  # other parameters are refused even in flight
        service.handle("k", {**PARAMS, "amount": 7})
    assert conflict.value.status == 409 and keys_table(service.db) == before
    assert run_steps(holder).status == 201 and service.handle("k", PARAMS).replayed


def test_keys_are_kept_24_hours_then_a_reuse_is_a_new_request(service: SQLChargeService,
                                                               clock: ManualClock) -> None:
    service.handle("k", PARAMS)
    clock.advance(DAY - 1)
    assert service.handle("k", PARAMS).replayed
    assert service.store.purge_expired() == 0
    clock.advance(1)
    again = service.handle("k", PARAMS)
    assert again.status == 201 and not again.replayed
    assert charges_per_key(service.db) == {"k": 2}
    clock.advance(DAY)
    assert service.store.purge_expired() == 1 and keys_table(service.db) == []


# ------------------------------------------------------------------ locks, fencing, recovery points
def test_crashed_holder_lock_expires_and_the_retry_resumes(service: SQLChargeService, clock: ManualClock) -> None:
    crashed = service.steps("k", PARAMS)
    while next(crashed) != "after_charged":
        pass
    assert keys_table(service.db)[0][1:3] == (1, "charged")
    clock.advance(service.store.lock_timeout - 1)
    with pytest.raises(IdempotencyConflict):
        service.handle("k", PARAMS)
    clock.advance(1)
    resumed = service.handle("k", PARAMS)
    assert resumed.status == 201 and not resumed.replayed
    assert resumed.body["id"] == idempotency.charge.charge_id("k", 1)  # the first holder's charge
    assert charges_per_key(service.db) == {"k": 1}
    assert keys_table(service.db)[0][1:3] == (2, "finished")


@pytest.mark.parametrize("pause_at", ["after_claim", "after_charged", "before_store_result"])
def test_a_stale_holder_is_fenced_out(service: SQLChargeService, pause_at: str) -> None:
    slow = service.steps("k", PARAMS)
    while next(slow) != pause_at:
        pass
    service.let_lock_expire("k")
    winner = service.handle("k", PARAMS)
    with pytest.raises(LockLost) as lost:
        run_steps(slow)
    assert lost.value.token == 1 and winner.status == 201
    assert charges_per_key(service.db) == {"k": 1}
    assert service.handle("k", PARAMS).body == winner.body


def test_let_lock_expire_needs_a_manual_clock() -> None:
    import time

    with pytest.raises(ValueError, match="ManualClock"):
        SQLChargeService(sql.connect(), clock=time.monotonic).let_lock_expire("k")


def test_only_the_current_lock_holder_stores_the_result(service: SQLChargeService) -> None:
    """Both holders are at recovery point 'charged'; the fencing token alone decides who stores."""
    stale = service.steps("k", PARAMS)
    while next(stale) != "before_store_result":
        pass
    service.let_lock_expire("k")
    current = service.steps("k", PARAMS)
    while next(current) != "after_claim":
        pass
    with pytest.raises(LockLost):
        run_steps(stale)
    assert keys_table(service.db)[0][1:4] == (2, "charged", None)
    assert run_steps(current).status == 201 and keys_table(service.db)[0][1:3] == (2, "finished")
    assert charges_per_key(service.db) == {"k": 1}
