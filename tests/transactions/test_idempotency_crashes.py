"""Crash enumeration (SQL: exactly one charge per key, every schedule), Redis ``SET NX PX`` alone on
real servers (its double-charge window, shown deterministically), a Hypothesis property over random
interleavings, crashes and clock ticks, and the panel record."""
from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from distlab.services import sql
from distlab.services.sql import SQLBackend
from distlab.transactions.idempotency import (
    CRASH_POINTS,
    WINDOWS,
    ChargeRetriesConfig,
    IdempotencyError,
    ManualClock,
    RedisChargeService,
    RedisLocks,
    SQLChargeService,
    charges_per_key,
    crash_schedules,
    enumerate_crashes,
    memory_service,
    run_charge_retries,
    window,
)
from distlab.transactions.idempotency.scenarios import PARAMS, attempt


def test_crash_schedules_cover_every_point_and_every_retry() -> None:
    schedules = crash_schedules(2)
    assert len(schedules) == 1 + len(CRASH_POINTS) + len(CRASH_POINTS) ** 2
    assert {s[0] for s in schedules if s} == set(CRASH_POINTS)
    with pytest.raises(ValueError, match="depth"):
        crash_schedules(9)


def test_sql_every_crash_schedule_charges_exactly_once(sql_backend: SQLBackend) -> None:
    verdicts = enumerate_crashes(lambda: SQLChargeService(sql_backend), depth=2)
    assert [v for v in verdicts if not v.exactly_once] == []


def test_sql_three_crashes_in_a_row_still_charge_once() -> None:
    verdicts = enumerate_crashes(lambda: SQLChargeService(sql.connect()), depth=3)
    assert len(verdicts) == 156 and all(v.exactly_once for v in verdicts)


def test_redis_alone_double_charges_exactly_in_its_window() -> None:
    verdicts = enumerate_crashes(lambda: memory_service(sql.connect()), depth=1)
    doubled = {v.crashes for v in verdicts if v.charges > 1}
    assert doubled == {("after_charged",), ("before_store_result",)}  # after the effect, before the result
    assert all(v.charges == 1 for v in verdicts if v.crashes not in doubled)


@pytest.mark.parametrize("name", WINDOWS)
def test_windows_on_real_redis_double_charge_and_sql_does_not(redis_client: Any, name: str,
                                                              tmp_path: Any) -> None:
    db = sql.connect(f"sqlite:///{tmp_path / 'charges.db'}")
    on_redis = window(RedisChargeService(RedisLocks(redis_client), db, lock_timeout=0.02), name)
    on_sql = window(SQLChargeService(sql.connect(), clock=ManualClock()), name)
    assert (on_redis.charges, on_sql.charges) == (2, 1)
    assert on_redis.replies[-1] == on_sql.replies[-1] == "201 charged"


def test_real_redis_semantics(redis_client: Any, tmp_path: Any) -> None:
    service = RedisChargeService(RedisLocks(redis_client), sql.connect(f"sqlite:///{tmp_path / 'c.db'}"))
    assert attempt(service, "k", PARAMS) == "201 charged"
    assert attempt(service, "k", PARAMS) == "201 replayed"
    assert attempt(service, "k", {**PARAMS, "amount": 1}) == "400 idempotency_key_reused"
    holder = service.steps("in-flight", PARAMS)
    next(holder), next(holder)
    assert attempt(service, "in-flight", PARAMS) == "409 idempotency_conflict"
    assert 0 < redis_client.pttl("idem:in-flight") <= 60_000  # SET NX PX: the lock expires by itself
    assert redis_client.pttl("idem:k") > 23 * 3600 * 1000  # the result is kept >= 24 h
    declined = {**PARAMS, "card": "tok_chargeDeclined"}
    assert [attempt(service, "d", declined) for _ in range(2)] == ["402 card_declined", "402 replayed"]
    with pytest.raises(ValueError, match=r"^key: "):
        service.handle("x" * 256, PARAMS)
    assert redis_client.keys("idem:x*") == []


# ------------------------------------------------------------------ random interleavings
ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("start"), st.integers(0, 1)),
    st.tuples(st.just("step"), st.integers(0, 5)),
    st.tuples(st.just("crash"), st.integers(0, 5)),
    st.tuples(st.just("tick"), st.sampled_from([1.0, 30.0, 61.0])),
), max_size=40)


def _play(service: SQLChargeService, clock: ManualClock, actions: list[tuple[str, Any]]) -> None:
    live: list[Any] = []
    for action, arg in actions:
        if action == "start":
            live.append(service.steps(f"key-{arg}", PARAMS))
        elif action == "tick":
            clock.advance(arg)
        elif live:
            index = arg % len(live)
            if action == "crash":
                live.pop(index).close()
                continue
            try:
                next(live[index])
            except (StopIteration, IdempotencyError):
                live.pop(index)
        assert all(n <= 1 for n in charges_per_key(service.db).values())  # never a second charge


@settings(max_examples=150)
@given(actions=ACTIONS)
def test_sql_random_interleavings_and_crashes_charge_each_key_once(actions: list[tuple[str, Any]]) -> None:
    clock = ManualClock()
    service = SQLChargeService(sql.connect(), clock=clock)
    _play(service, clock, actions)
    clock.advance(service.store.lock_timeout)  # every abandoned or paused lock expires
    for key in ("key-0", "key-1"):
        assert attempt(service, key, PARAMS).startswith("201")
    assert charges_per_key(service.db) == {"key-0": 1, "key-1": 1}


# ------------------------------------------------------------------ the panel record
def test_panel_record_is_fast_deterministic_and_tells_the_lesson() -> None:
    start = time.perf_counter()
    grid = {(b, k, c): run_charge_retries(ChargeRetriesConfig(crash_point=c, backend=b, with_key=k))
            for b in ("sql", "redis") for k in (True, False) for c in ("none", *CRASH_POINTS)}
    assert (time.perf_counter() - start) / len(grid) < 0.1
    assert all(r.charges == 1 for (b, k, _), r in grid.items() if b == "sql" and k)
    assert grid["sql", False, "after_finished"].charges == 2  # no key: a lost reply means a second charge
    assert grid["sql", True, "after_finished"].replies == ("crash at after_finished", "201 replayed")
    assert grid["redis", True, "before_store_result"].double_charged
    assert run_charge_retries(ChargeRetriesConfig()) == run_charge_retries(ChargeRetriesConfig())
    early = run_charge_retries(ChargeRetriesConfig(retry_delay=20.0))  # retries before the lock expires
    assert early.replies == ("crash at after_charged", "409 idempotency_conflict", "409 idempotency_conflict",
                             "201 charged") and early.times == (0.0, 20.0, 40.0, 60.0)
    assert run_charge_retries(ChargeRetriesConfig(retries=0)).replies == ("crash at after_charged",)


@pytest.mark.parametrize("field, value", [("retries", -1), ("retries", 21), ("crash_point", "nowhere"),
                                          ("backend", "mongo"), ("retry_delay", -1), ("lock_timeout", 0)])
def test_panel_config_bad_input(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=rf"^{field}: "):
        ChargeRetriesConfig(**{field: value})  # type: ignore[arg-type]
