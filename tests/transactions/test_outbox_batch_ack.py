"""A consumer that acknowledges a batch with one XACK after its last commit (``ack_each=False``)."""
from __future__ import annotations

from collections.abc import Sequence

import pytest

from distlab.transactions.outbox import Consumer, MemoryBroker, MemoryDatabase, Relay
from distlab.transactions.outbox.crash_points import Crashed, CrashInjector
from distlab.transactions.outbox.events import make_orders
from distlab.transactions.outbox.producer import place_with_outbox


class AckCountingBroker(MemoryBroker):
    """A memory broker that records each XACK call's ids."""

    def __init__(self) -> None:
        super().__init__()
        self.acks: list[list[str]] = []

    def ack(self, stream_ids: Sequence[str]) -> None:
        self.acks.append(list(stream_ids))
        super().ack(stream_ids)


def _published(orders: int) -> tuple[MemoryDatabase, AckCountingBroker]:
    db, broker = MemoryDatabase(), AckCountingBroker()
    for order in make_orders(orders):
        place_with_outbox(order, db, CrashInjector())
    Relay(db, broker).drain()
    return db, broker


@pytest.mark.parametrize("ack_each", [True, False])
def test_one_xack_per_batch_or_per_entry(ack_each: bool) -> None:
    db, broker = _published(4)
    consumer = Consumer("c", db, broker, ack_each=ack_each)
    assert consumer.poll(100) == 4
    assert broker.pending() == 0 and db.shipments() == {f"o{i}": 1 for i in range(1, 5)}
    assert [len(ids) for ids in broker.acks] == ([1, 1, 1, 1] if ack_each else [4])
    assert consumer.hooks.reached["consumer/after_ack"] == (4 if ack_each else 1)


def test_a_crash_before_the_batch_xack_leaves_it_pending_and_the_inbox_absorbs_it() -> None:
    db, broker = _published(3)
    dying = Consumer("c", db, broker, CrashInjector("consumer/after_commit"), ack_each=False)
    with pytest.raises(Crashed):
        dying.poll(100)  # the first entry committed, then the crash: no XACK at all
    assert broker.acks == [] and broker.pending() == 3 and db.shipments() == {"o1": 1}
    survivor = Consumer("c", db, broker, ack_each=False)
    assert survivor.take_over() == 3 and survivor.duplicates_absorbed == 1
    assert broker.pending() == 0 and db.shipments() == {"o1": 1, "o2": 1, "o3": 1}
    assert [len(ids) for ids in broker.acks] == [3]  # the survivor acknowledged the batch with one XACK


class CountingMemoryDatabase(MemoryDatabase):
    """A memory database that counts its transactions."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions = 0

    def transaction(self):  # type: ignore[no-untyped-def]
        self.transactions += 1
        return super().transaction()


def test_batch_commit_is_one_transaction_and_one_xack() -> None:
    db, broker = CountingMemoryDatabase(), AckCountingBroker()
    for order in make_orders(5):
        place_with_outbox(order, db, CrashInjector())
    Relay(db, broker, duplicates=1).drain()
    before = db.transactions
    consumer = Consumer("c", db, broker, ack_each=False, batch_commit=True)
    assert consumer.poll(100) == 10
    assert db.transactions - before == 1 and [len(ids) for ids in broker.acks] == [10]
    assert db.shipments() == {f"o{i}": 1 for i in range(1, 6)}  # the inbox absorbs a duplicate in the same batch
    assert (consumer.handled, consumer.duplicates_absorbed, consumer.deliveries) == (10, 5, 10)
    assert consumer.hooks.reached == {"consumer/after_read": 1, "consumer/before_commit": 1,
                                      "consumer/after_commit": 1, "consumer/after_ack": 1}


def test_a_crash_before_the_batch_commit_rolls_the_whole_batch_back() -> None:
    db, broker = _published(4)
    dying = Consumer("c", db, broker, CrashInjector("consumer/before_commit"), ack_each=False, batch_commit=True)
    with pytest.raises(Crashed):
        dying.poll(100)
    assert db.shipments() == {} and broker.pending() == 4  # nothing applied, nothing acknowledged
    survivor = Consumer("c", db, broker, ack_each=False, batch_commit=True)
    assert survivor.take_over() == 4 and survivor.duplicates_absorbed == 0
    assert db.shipments() == {f"o{i}": 1 for i in range(1, 5)} and broker.pending() == 0


def test_batch_commit_needs_the_batch_ack() -> None:
    db, broker = _published(1)
    with pytest.raises(ValueError, match="batch_commit"):
        Consumer("c", db, broker, batch_commit=True)


def test_batch_commit_on_the_real_engines(sql_backend, redis_client) -> None:  # type: ignore[no-untyped-def]
    from distlab.transactions.outbox import RedisStreamsBroker, SQLDatabase

    db = SQLDatabase(sql_backend, reset=True)
    broker = RedisStreamsBroker(redis_client, "outbox.batch_commit", reset=True)
    for order in make_orders(3):
        place_with_outbox(order, db, CrashInjector())
    Relay(db, broker, duplicates=1).drain()
    dying = Consumer("c", db, broker, CrashInjector("consumer/after_commit"), ack_each=False, batch_commit=True)
    with pytest.raises(Crashed):
        dying.poll(100)  # committed, never acknowledged
    assert db.shipments() == {"o1": 1, "o2": 1, "o3": 1} and broker.pending() == 6
    survivor = Consumer("c", db, broker, ack_each=False, batch_commit=True)
    assert survivor.take_over() == 6 and survivor.duplicates_absorbed == 6
    assert db.shipments() == {"o1": 1, "o2": 1, "o3": 1} and broker.pending() == 0
