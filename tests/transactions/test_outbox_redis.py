"""The outbox on Redis Streams: 6.2 vs 7.x (deleted pending entries, SET NX GET), the consumer
group takeover, batches of at most 100, a broker that is down, and bad input."""
from __future__ import annotations

import os
import random

import pytest
import redis as _redis

from distlab.reliability import Backoff, RetryPolicy
from distlab.reliability.retry import RetryRefused
from distlab.services import redis as dredis, sql
from distlab.services.launch.process import managed_process
from distlab.transactions.outbox import (
    BrokerUnavailable,
    Consumer,
    Event,
    Lease,
    MemoryBroker,
    MemoryDatabase,
    Order,
    RedisStreamsBroker,
    Relay,
    SQLDatabase,
    autoclaim,
    make_orders,
    order_placed,
    place_with_outbox,
    set_nx_get,
)
from distlab.transactions.outbox.crash_points import CrashInjector
from distlab.transactions.outbox.redis_compat import server_major


def test_deleted_pending_entries_are_reported_and_never_left_pending(redis_client):
    broker = RedisStreamsBroker(redis_client, "outbox.deleted", reset=True)
    events = [order_placed(o) for o in make_orders(3)]
    ids = broker.publish(events)
    assert len(broker.read("c1", 10)) == 3
    broker.delete([ids[1]])
    claimed = broker.claim("c2")
    assert [d.stream_id for d in claimed.deliveries] == [ids[0], ids[2]]
    assert claimed.deleted == [ids[1]]
    assert broker.pending() == 2  # the deleted entry left the pending list, on 6.2 as on 7.x
    again = broker.claim("c3")
    assert again.deleted == [] and len(again.deliveries) == 2


def test_the_servers_really_differ_where_the_compat_layer_says(redis_client):
    broker = RedisStreamsBroker(redis_client, "outbox.raw", reset=True)
    ids = broker.publish([order_placed(o) for o in make_orders(2)])
    broker.read("c1", 10)
    broker.delete([ids[0]])
    reply = redis_client.xautoclaim("outbox.raw", "shipping", "c2", 0, "0-0")
    if server_major(redis_client) >= 7:
        assert reply[2] == [ids[0]] and broker.pending() == 1
        assert redis_client.set("k", "a", nx=True, get=True) is None
    else:  # 6.2: a nil entry, still pending; SET ... NX GET refused
        assert (None, None) in reply[1] or any(f is None for _, f in reply[1])
        assert broker.pending() == 2
        with pytest.raises(_redis.exceptions.ResponseError, match="syntax error"):
            redis_client.set("k", "a", nx=True, get=True)


def test_autoclaim_pages_through_many_entries(redis_client):
    broker = RedisStreamsBroker(redis_client, "outbox.many", reset=True)
    ids = broker.publish([order_placed(o) for o in make_orders(250)])
    broker.read("c1", 250)
    broker.delete(ids[::50])
    claimed = broker.claim("c2", count=100)
    assert len(claimed.deliveries) == 245 and claimed.deleted == ids[::50]
    assert broker.pending() == 245


def test_a_dead_consumers_messages_are_taken_over_and_deduplicated(sql_backend, redis_client):
    db = SQLDatabase(sql_backend, reset=True)
    broker = RedisStreamsBroker(redis_client, "outbox.takeover", reset=True)
    orders = make_orders(5)
    for order in orders:
        place_with_outbox(order, db, CrashInjector())
    Relay(db, broker, duplicates=1).drain()
    dying = Consumer("c1", db, broker, CrashInjector("consumer/after_commit"))
    with pytest.raises(Exception, match="crashed at consumer/after_commit"):
        dying.poll(100)
    assert broker.pending() == 10
    survivor = Consumer("c2", db, broker)
    assert survivor.take_over() == 10
    assert survivor.duplicates_absorbed == 6  # 5 re-sent copies + the one c1 committed but never acked
    assert db.shipments() == {o.id: 1 for o in orders}
    assert broker.pending() == 0


def test_set_nx_get_and_the_relay_lease_on_both_servers(redis_client):
    assert set_nx_get(redis_client, "lease", "r1", 10_000) is None
    assert set_nx_get(redis_client, "lease", "r2", 10_000) == "r1"
    redis_client.delete("lease")
    first, second = Lease(redis_client, "relay-lease", "r1"), Lease(redis_client, "relay-lease", "r2")
    assert first.acquire() and first.acquire()  # taken, then renewed
    assert not second.acquire() and second.holder() == "r1"
    first.release()
    assert second.acquire() and second.holder() == "r2"


def test_relay_batches_hold_at_most_100_rows(tmp_path, redis_client):
    db = SQLDatabase(sql.connect(f"sqlite:///{tmp_path / 'orders.db'}"))
    for order in make_orders(250):
        place_with_outbox(order, db, CrashInjector())
    relay = Relay(db, RedisStreamsBroker(redis_client, "outbox.batches", reset=True))
    assert [relay.run_once() for _ in range(4)] == [100, 100, 50, 0]
    assert db.outbox_counts() == (250, 0)


def test_a_down_broker_is_retried_with_backoff_and_nothing_is_marked_sent():
    db, broker = MemoryDatabase(), MemoryBroker()
    for order in make_orders(3):
        place_with_outbox(order, db, CrashInjector())
    broker.down = True
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=4, backoff=Backoff(base=0.05, cap=1.0, jitter="full"),
                         retry_on=(BrokerUnavailable,))
    relay = Relay(db, broker, retry=policy, sleep=waits.append, seed=7)
    with pytest.raises(RetryRefused, match="attempts exhausted"):
        relay.run_once()
    assert waits == policy.backoff.table(3, random.Random(7))
    assert db.outbox_counts() == (0, 3) and broker.entries() == []

    def comes_back(seconds: float) -> None:
        broker.down = False
    assert Relay(db, broker, retry=policy, sleep=comes_back).run_once() == 3
    assert db.outbox_counts() == (3, 0)


def _redis_argv(folder: str) -> list[str]:
    return [dredis.embedded_binary(), "--port", "0", "--unixsocket", os.path.join(folder, "redis.sock"),
            "--unixsocketperm", "700", "--dir", folder, "--save", "", "--appendonly", "no", "--daemonize", "no"]


def _ping(path: str) -> bool:
    try:
        return bool(_redis.Redis(unix_socket_path=path, socket_timeout=0.5).ping())
    except _redis.exceptions.ConnectionError:
        return False


def test_a_real_broker_that_goes_down_costs_time_not_events(tmp_path):
    folder = str(tmp_path)
    sock = os.path.join(folder, "redis.sock")
    db = SQLDatabase(sql.connect(f"sqlite:///{tmp_path / 'orders.db'}"))
    for order in make_orders(20):
        place_with_outbox(order, db, CrashInjector())
    policy = RetryPolicy(max_attempts=3, backoff=Backoff(base=0.01, cap=0.05), retry_on=(BrokerUnavailable,))
    kwargs = dict(what="a broker for the outage test", log_path=os.path.join(folder, "r.log"),
                  ready=lambda: _ping(sock), timeout=15.0, kind="redis")
    with managed_process(_redis_argv(folder), **kwargs):
        client = dredis.connect(f"unix://{sock}", timeout=1.0)
        broker = RedisStreamsBroker(client)
    waits: list[float] = []
    with pytest.raises(RetryRefused):  # the server is gone: every XADD fails
        Relay(db, broker, retry=policy, sleep=waits.append).run_once()
    assert len(waits) == 2 and db.outbox_counts() == (0, 20)
    with managed_process(_redis_argv(folder), **kwargs):  # back (empty: no persistence)
        assert Relay(db, RedisStreamsBroker(client), retry=policy, sleep=waits.append).drain() == 20
        consumer = Consumer("c1", db, RedisStreamsBroker(client))
        assert consumer.poll() == 20
    assert db.outbox_counts() == (20, 0) and sum(db.shipments().values()) == 20


SQL_NASTY = ["o'; DROP TABLE orders; --", 'o"quoted"', "o%s?", "ö-ünïcödé", "x" * 200]


@pytest.mark.parametrize("order_id", SQL_NASTY)
def test_hostile_ids_travel_intact(tmp_path, redis_client, order_id):
    db = SQLDatabase(sql.connect(f"sqlite:///{tmp_path / 'o.db'}"))
    place_with_outbox(Order(order_id, "c", 1), db, CrashInjector())
    broker = RedisStreamsBroker(redis_client, "outbox.nasty", reset=True)
    Relay(db, broker).drain()
    Consumer("c1", db, broker).poll()
    assert db.orders() == [order_id] and db.shipments() == {order_id: 1}


@pytest.mark.parametrize("make, field", [
    (lambda: Order("", "c", 1), "order id"), (lambda: Order("x" * 201, "c", 1), "order id"),
    (lambda: Order("o", "c", -5), "amount"), (lambda: Event.from_fields({"id": "1"}), "fields"),
    (lambda: Relay(MemoryDatabase(), MemoryBroker(), batch_size=101), "batch_size"),
    (lambda: Relay(MemoryDatabase(), MemoryBroker(), batch_size=0), "batch_size"),
    (lambda: Relay(MemoryDatabase(), MemoryBroker(), duplicates=-1), "duplicates"),
    (lambda: CrashInjector("nowhere"), "crash_point"), (lambda: CrashInjector("relay/mid_batch", -1), "times"),
    (lambda: Consumer("", MemoryDatabase(), MemoryBroker()), "name"),
    (lambda: make_orders(-1), "orders"),
])
def test_bad_input_is_refused_with_the_parameter_named(make, field):
    with pytest.raises(ValueError, match=field):
        make()


def test_bad_redis_parameters_are_refused(redis_client):
    with pytest.raises(ValueError, match="min_idle_ms"):
        autoclaim(redis_client, "s", "g", "c", min_idle_ms=-1)
    with pytest.raises(ValueError, match="count"):
        autoclaim(redis_client, "s", "g", "c", min_idle_ms=0, count=0)
    with pytest.raises(ValueError, match="px"):
        set_nx_get(redis_client, "k", "v", 0)
    with pytest.raises(ValueError, match="stream"):
        RedisStreamsBroker(redis_client, "")
    with pytest.raises(ValueError, match="ttl_ms"):
        Lease(redis_client, "k", "me", 0)
