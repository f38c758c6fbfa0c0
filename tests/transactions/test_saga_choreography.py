"""The choreographed book-trip saga: same outcomes and effects as the orchestrated one, duplicates absorbed."""
from __future__ import annotations

import pytest

from distlab.services.sql import SQLBackend
from distlab.transactions.saga.choreography import Event, InMemoryBus, run_choreography
from distlab.transactions.saga.scenario import SagaConfig, run_saga
from distlab.transactions.saga.travel import STEP_NAMES


@pytest.mark.parametrize("fail_step", [None, *STEP_NAMES])
@pytest.mark.parametrize("duplicates", [False, True])
def test_same_outcome_as_the_orchestrator(fail_step: str | None, duplicates: bool) -> None:
    choreo = run_choreography(fail_step, sagas=2, duplicates=duplicates)
    orchestrated = run_saga(SagaConfig(fail_step=fail_step, sagas=2))
    assert choreo.violations == ()
    assert choreo.outcomes == orchestrated.states


def test_on_the_engine(sql_backend: SQLBackend) -> None:
    for fail_step in (None, "charge_card"):
        result = run_choreography(fail_step, sagas=2, db=sql_backend, prefix=f"c-{fail_step}")
        assert result.violations == ()


def test_event_flow_of_a_declined_card() -> None:
    result = run_choreography("charge_card")
    assert [t for t, _ in result.delivered] == ["trip_requested", "booking_created", "seat_reserved",
                                                "card_declined", "seat_released", "trip_cancelled"]


def test_duplicates_cascade_without_an_inbox() -> None:
    """At-least-once delivery with no consumer dedup: every handler republishes, so deliveries double
    at each hop -- harmless here (idempotent effects), costly in general (the outbox/inbox lesson)."""
    once = run_choreography(None)
    twice = run_choreography(None, duplicates=True)
    assert len(once.delivered) == 6 and len(twice.delivered) > 10 * len(once.delivered)


def test_bus_is_deterministic_fifo_and_bounded() -> None:
    bus = InMemoryBus()
    seen: list[str] = []
    bus.subscribe("x", lambda e: seen.append(e.saga_id))
    for i in range(3):
        bus.publish(Event("x", str(i)))
    assert bus.run_until_idle() == 3 and seen == ["0", "1", "2"]
    bus.subscribe("loop", lambda e: bus.publish(e))
    bus.publish(Event("loop", "l"))
    with pytest.raises(RuntimeError, match="limit"):
        bus.run_until_idle(limit=50)
    with pytest.raises(ValueError, match="sagas"):
        run_choreography(sagas=0)
