"""The pipelined relay: one XADD round trip per batch, the same stream and crash points as the relay."""
from __future__ import annotations

from collections.abc import Sequence

import pytest

from distlab.services import sql
from distlab.transactions.outbox import Event, MemoryBroker, MemoryDatabase, RedisStreamsBroker, Relay, SQLDatabase
from distlab.transactions.outbox.crash_points import Crashed, CrashInjector
from distlab.transactions.outbox.events import make_orders
from distlab.transactions.outbox.producer import place_with_outbox
from distlab.transactions.outbox.relay import PipelinedRelay


class CountingBroker(MemoryBroker):
    """A memory broker that counts publish calls (one call = one round trip on Redis)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def publish(self, events: Sequence[Event]) -> list[str]:
        self.calls += 1
        return super().publish(events)


def _ship(relay_class: type[Relay], orders: int, hooks: CrashInjector | None = None) -> tuple[Relay, CountingBroker]:
    db = MemoryDatabase()
    for order in make_orders(orders):
        place_with_outbox(order, db, CrashInjector())
    broker = CountingBroker()
    relay = relay_class(db, broker, hooks=hooks or CrashInjector())
    relay.drain()
    return relay, broker


@pytest.mark.parametrize("orders", [1, 2, 5, 150])
def test_same_entries_and_crash_points_in_fewer_round_trips(orders: int) -> None:
    plain, plain_broker = _ship(Relay, orders)
    piped, piped_broker = _ship(PipelinedRelay, orders)
    assert [d.event for d in piped_broker.entries()] == [d.event for d in plain_broker.entries()]
    assert piped.hooks.reached == plain.hooks.reached  # every point passed as often, mid_batch included
    assert (piped.shipped, piped.published) == (plain.shipped, plain.published) == (orders, orders)
    batches = -(-orders // 100)
    assert piped_broker.calls == batches
    assert plain_broker.calls == batches + sum(1 for size in (100,) * (orders // 100) + (orders % 100,) if size > 1)


def test_an_armed_mid_batch_crash_still_lands_between_the_halves() -> None:
    db = MemoryDatabase()
    for order in make_orders(6):
        place_with_outbox(order, db, CrashInjector())
    broker = CountingBroker()
    relay = PipelinedRelay(db, broker, hooks=CrashInjector("relay/mid_batch"))
    with pytest.raises(Crashed, match="relay/mid_batch"):
        relay.run_once()
    assert len(broker.entries()) == 3 and db.outbox_counts() == (0, 6)  # half published, nothing marked
    assert relay.run_once() == 6 and db.outbox_counts() == (6, 0)  # at least once: the first half again


def test_a_crash_after_publish_leaves_the_whole_batch_unsent() -> None:
    _, broker = _ship(PipelinedRelay, 0)
    db = MemoryDatabase()
    for order in make_orders(4):
        place_with_outbox(order, db, CrashInjector())
    relay = PipelinedRelay(db, broker, hooks=CrashInjector("relay/after_publish"))
    with pytest.raises(Crashed):
        relay.run_once()
    assert len(broker.entries()) == 4 and db.outbox_counts() == (0, 4) and broker.calls == 1


def test_on_redis_the_stream_holds_the_batch_in_order(tmp_path, redis_client) -> None:  # type: ignore[no-untyped-def]
    db = SQLDatabase(sql.connect(f"sqlite:///{tmp_path / 'orders.db'}"))
    orders = make_orders(7)
    for order in orders:
        place_with_outbox(order, db, CrashInjector())
    broker = RedisStreamsBroker(redis_client, "outbox.pipelined", reset=True)
    assert PipelinedRelay(db, broker).run_once() == 7
    assert [d.event.aggregateid for d in broker.entries()] == [o.id for o in orders]
    assert db.outbox_counts() == (7, 0)
