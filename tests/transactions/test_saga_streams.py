"""The choreographed saga over Redis Streams: same outcomes and effects as the in-memory bus and the
orchestrator, and at-least-once delivery (an entry is XACKed only after its handler returned)."""
from __future__ import annotations

import pytest
from redis import Redis

from distlab.services import sql
from distlab.services.sql import SQLBackend
from distlab.transactions.saga.choreography import Event, InMemoryBus, run_choreography
from distlab.transactions.saga.scenario import SagaConfig, run_saga
from distlab.transactions.saga.streams_bus import RedisStreamsBus
from distlab.transactions.saga.travel import STEP_NAMES, TripEffects, trip_effects

STREAM = "saga.trip"


def _effects(db: SQLBackend, ids: list[str]) -> dict[str, TripEffects]:
    return {saga_id: trip_effects(db, saga_id) for saga_id in ids}


@pytest.mark.parametrize("fail_step", [None, *STEP_NAMES])
@pytest.mark.parametrize("duplicates", [False, True])
def test_same_outcomes_and_effects_as_memory_and_orchestrator(redis_client: Redis, fail_step: str | None,
                                                              duplicates: bool) -> None:
    ids = ["trip-0", "trip-1"]
    bus = RedisStreamsBus(redis_client, STREAM, reset=True, duplicates=duplicates)
    with sql.connect("sqlite:///:memory:") as streams_db, sql.connect("sqlite:///:memory:") as memory_db:
        streams = run_choreography(fail_step, sagas=2, bus=bus, db=streams_db)
        memory = run_choreography(fail_step, sagas=2, duplicates=duplicates, db=memory_db)
        streams_effects, memory_effects = _effects(streams_db, ids), _effects(memory_db, ids)
    orchestrated = run_saga(SagaConfig(fail_step=fail_step, sagas=2))
    assert streams.violations == () and memory.violations == ()
    assert streams.outcomes == memory.outcomes == orchestrated.states
    assert streams_effects == memory_effects == orchestrated.effects
    assert all(n == 1 for e in streams_effects.values() for n in e.applied.values())
    assert set(bus.pending().values()) == {0}  # every entry acknowledged by every group
    assert redis_client.xlen(STREAM) == len(streams.delivered) == len(memory.delivered)
    if not duplicates:  # one event chain per trip: the same flow as the in-memory FIFO
        assert streams.delivered == memory.delivered


def test_on_the_engine(redis_client: Redis, sql_backend: SQLBackend) -> None:
    for fail_step in (None, "charge_card"):
        bus = RedisStreamsBus(redis_client, f"saga.{fail_step}", reset=True, duplicates=True)
        result = run_choreography(fail_step, sagas=2, db=sql_backend, prefix=f"s-{fail_step}", bus=bus)
        assert result.violations == ()
        assert set(result.outcomes.values()) == {"completed" if fail_step is None else "compensated"}


def test_a_raising_handler_leaves_its_entry_pending_and_it_is_redelivered(redis_client: Redis) -> None:
    bus = RedisStreamsBus(redis_client, STREAM, reset=True, count=10)
    seen: list[str] = []
    others: list[str] = []
    failures = {"b"}

    def flaky(event: Event) -> None:
        seen.append(event.saga_id)
        if event.saga_id in failures:
            failures.discard(event.saga_id)
            raise ConnectionError("service down")

    bus.subscribe("x", flaky, group="flaky")
    bus.subscribe("x", lambda e: others.append(e.saga_id), group="steady")
    for saga_id in ("a", "b", "c"):
        bus.publish(Event("x", saga_id, {"n": 1}))
    with pytest.raises(ConnectionError):
        bus.run_until_idle()
    # "b" raised: not XACKed; "c" was read in the same batch but never handled: pending too
    assert seen == ["a", "b"] and others == []
    assert bus.pending() == {"flaky": 2, "steady": 0}
    detail = redis_client.xpending_range(STREAM, "flaky", min="-", max="+", count=10)
    assert [d["times_delivered"] for d in detail] == [1, 1]
    assert bus.run_until_idle() == 5  # b and c again (pending, id "0"), then a, b, c for "steady"
    assert seen == ["a", "b", "b", "c"] and others == ["a", "b", "c"]
    assert bus.redelivered == 2 and bus.pending() == {"flaky": 0, "steady": 0}
    assert bus.run_until_idle() == 0


def test_a_restarted_service_gets_its_pending_entries(redis_client: Redis) -> None:
    """The pending list lives in Redis: a new bus object on the same stream (a restarted process)
    with the same subscriptions redelivers what the crashed one had read but not acknowledged."""
    crashed = RedisStreamsBus(redis_client, STREAM, reset=True)

    def crash(event: Event) -> None:
        raise KeyboardInterrupt("killed")

    crashed.subscribe("x", crash)
    crashed.publish(Event("x", "t", {"seat": "12A"}))
    with pytest.raises(KeyboardInterrupt):
        crashed.run_until_idle()
    restarted = RedisStreamsBus(redis_client, STREAM)
    got: list[Event] = []
    restarted.subscribe("x", got.append)
    assert restarted.pending() == {"0.x": 1}
    assert restarted.run_until_idle() == 1 and got == [Event("x", "t", {"seat": "12A"})]
    assert restarted.pending() == {"0.x": 0}


def test_duplicates_knob_and_event_types(redis_client: Redis) -> None:
    bus = RedisStreamsBus(redis_client, STREAM, reset=True, duplicates=True)
    got: list[str] = []
    bus.subscribe("x", lambda e: got.append(e.type))
    bus.publish(Event("x", "1"))
    bus.publish(Event("y", "1"))  # nobody handles y: read and acknowledged, no handler call
    assert redis_client.xlen(STREAM) == 4
    assert bus.run_until_idle() == 2 and got == ["x", "x"]
    assert [e.type for e in bus.delivered] == ["x", "x", "y", "y"]


def test_limits_and_bad_input(redis_client: Redis) -> None:
    bus = RedisStreamsBus(redis_client, STREAM, reset=True)
    bus.subscribe("loop", bus.publish)
    bus.publish(Event("loop", "l"))
    with pytest.raises(RuntimeError, match="limit"):
        bus.run_until_idle(limit=20)
    with pytest.raises(ValueError, match="group"):
        bus.subscribe("loop", bus.publish, group="0.loop")
    for kwargs in ({"count": 0}, {"stream": ""}, {"consumer": ""}):
        args = {"stream": STREAM, **kwargs}
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            RedisStreamsBus(redis_client, **args)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="duplicates"):
        run_choreography(duplicates=True, bus=InMemoryBus())
    with pytest.raises(ValueError, match="limit"):
        bus.run_until_idle(limit=0)
