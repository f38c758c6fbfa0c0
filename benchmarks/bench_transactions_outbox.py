"""The transactional outbox: crash enumeration on the real engines, and the relay's throughput.

Prints ``bench <name> <value> <unit>`` lines:

* ``outbox_crash_points``  distinct crash points enumerated (every point x crashes 1-2 x duplicates
  0-1 x relay restart immediate/late) on embedded SQLite + embedded Redis;
* ``outbox_lost`` / ``outbox_phantom``  summed over the outbox's schedules (must be 0), with the dual
  writes' figures beside them (``outbox_dual_write_lost`` / ``_phantom``: must be > 0);
* ``outbox_relay_events_per_s``  a relay draining 20,000 committed outbox rows from an embedded
  SQLite file into the embedded Redis in batches of 100 (claim, pipelined XADD, mark sent).
"""
from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

from distlab.services import redis as dredis, sql
from distlab.transactions.outbox import (
    COMMIT_THEN_PUBLISH,
    OUTBOX,
    PUBLISH_THEN_COMMIT,
    RedisStreamsBroker,
    Relay,
    SQLDatabase,
    crash_schedules,
    make_orders,
    order_placed,
    run_enumeration,
    tally,
)

RELAY_EVENTS = 20_000


def bench(name: str, value: float, unit: str) -> None:
    print(f"bench {name} {value:.6g} {unit}", flush=True)


def enumeration(folder: Path) -> None:
    backend = sql.connect(f"sqlite:///{folder / 'enum.db'}")
    client = dredis.connect(f"unix://{dredis.embedded_socket()}")
    counter = itertools.count()

    def engine(config):
        return SQLDatabase(backend, reset=True), RedisStreamsBroker(client, f"bench.enum.{next(counter)}", reset=True)

    runs = run_enumeration(crash_schedules(), engine)
    outbox = tally(runs, OUTBOX)
    points = {c.crash_point for c, _ in runs}
    bench("outbox_crash_points", len(points), "count")
    bench("outbox_crash_schedules", len(runs), "count")
    bench("outbox_lost", outbox.lost, "count")
    bench("outbox_phantom", outbox.phantom, "count")
    bench("outbox_duplicate_effects", outbox.duplicate_effects, "count")
    bench("outbox_duplicates_absorbed", outbox.duplicate_deliveries, "count")
    bench("outbox_dual_write_lost", tally(runs, COMMIT_THEN_PUBLISH).lost, "count")
    bench("outbox_dual_write_phantom", tally(runs, PUBLISH_THEN_COMMIT).phantom, "count")
    client.delete(*(f"bench.enum.{i}" for i in range(next(counter))))
    backend.close()


def relay_throughput(folder: Path) -> float:
    db = SQLDatabase(sql.connect(f"sqlite:///{folder / 'relay.db'}"), reset=True)
    with db.transaction() as tx:
        for order in make_orders(RELAY_EVENTS):
            tx.insert_order(order)
            tx.insert_outbox(order_placed(order))
    client = dredis.connect(f"unix://{dredis.embedded_socket()}")
    broker = RedisStreamsBroker(client, "bench.relay", reset=True)
    relay = Relay(db, broker, batch_size=100)
    started = time.perf_counter()
    shipped = relay.drain()
    elapsed = time.perf_counter() - started
    assert shipped == RELAY_EVENTS and client.xlen("bench.relay") == RELAY_EVENTS
    client.delete("bench.relay")
    return shipped / elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="distlab-bench-outbox-") as folder:
        enumeration(Path(folder))
        rates = [relay_throughput(Path(folder)) for _ in range(3)]
        bench("outbox_relay_events_per_s", sorted(rates)[1], "events/s")


if __name__ == "__main__":
    main()
