"""A real relay process killed with SIGKILL in the middle of a batch loses nothing: a restarted
relay re-sends what was XADDed but not yet marked, and the consumer's inbox absorbs it."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

from distlab.services import lifecycle, redis as dredis, sql
from distlab.transactions.outbox import Consumer, RedisStreamsBroker, SQLDatabase, make_orders
from distlab.transactions.outbox.events import order_placed

ORDERS = 300


def _relay(db_url: str, stream: str, *extra: str) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "distlab.transactions.outbox.relay", "--db", db_url,
            "--redis", f"unix://{dredis.embedded_socket()}", "--stream", stream, "--until-empty", *extra]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lifecycle.die_with_this_process())


def _wait_mid_batch(client, stream: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        length = client.xlen(stream)
        if length >= 150 and length % 100 not in (0, 99):
            return
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "relay exited"
        time.sleep(0.005)
    raise AssertionError("the relay never got into its second batch")


def test_kill_9_of_a_relay_mid_batch_loses_nothing(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'orders.db'}"
    db = SQLDatabase(sql.connect(db_url))
    orders = make_orders(ORDERS)
    with db.transaction() as tx:  # one transaction for the set-up; the relay sees committed rows only
        for order in orders:
            tx.insert_order(order)
            tx.insert_outbox(order_placed(order))
    client = dredis.connect()
    stream = "outbox.kill9"
    RedisStreamsBroker(client, stream, reset=True)

    first = _relay(db_url, stream, "--publish-delay", "0.002")
    try:
        _wait_mid_batch(client, stream, first)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    sent, unsent = db.outbox_counts()
    published_at_kill = client.xlen(stream)
    assert unsent > 0 and published_at_kill > sent  # killed between XADD and mark: the at-least-once window

    second = _relay(db_url, stream)  # same name: its lease is its own
    _out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err.decode()
    assert db.outbox_counts() == (ORDERS, 0)

    consumer = Consumer("c1", db, RedisStreamsBroker(client, stream))
    while consumer.poll(100):
        pass
    assert db.shipments() == {order.id: 1 for order in orders}  # nothing lost, nothing twice
    assert consumer.duplicates_absorbed == client.xlen(stream) - ORDERS > 0
