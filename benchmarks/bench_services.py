"""Real engines: start-up times, round trips, and contended read-then-write counters.

Prints ``bench <name> <value> <unit>`` lines. Servers that are not installed are reported as a
``count`` of 0 started and skipped; everything started here is stopped before exit.
"""
from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from distlab.services import ServerNotInstalled, etcd, lifecycle, postgres, redis as dredis, sql
from distlab.services.launch import etcd_server, postgres_server, redis_server


def bench(name: str, value: float, unit: str) -> None:
    print(f"bench {name} {value:.6g} {unit}", flush=True)


def timed_start(launcher):
    started = time.perf_counter()
    context = launcher()
    server = context.__enter__()
    return context, server, time.perf_counter() - started


def redis_ops(client, n: int = 3000) -> float:
    started = time.perf_counter()
    for i in range(n):
        client.set(f"k{i % 100}", i)
        client.get(f"k{i % 100}")
    return 2 * n / (time.perf_counter() - started)


def counter_run(url: str, threads: int = 2, per_thread: int = 150):
    """Each thread adds 1 per_thread times with read-then-write transactions; return (final, tps, conflicts)."""
    with sql.connect(url) as setup:
        setup.script("DROP TABLE IF EXISTS bench_counter; "
                     "CREATE TABLE bench_counter (id INTEGER PRIMARY KEY, n INTEGER)")
        setup.execute("INSERT INTO bench_counter (id, n) VALUES (1, 0)")
    conflicts = []

    def work():
        with sql.connect(url, timeout=30) as backend:
            for _ in range(per_thread):
                backend.run_transaction(
                    lambda b: b.execute("UPDATE bench_counter SET n = ? WHERE id = 1",
                                        (b.query_one("SELECT n FROM bench_counter WHERE id = 1")[0] + 1,)),
                    max_attempts=100)
            conflicts.append(backend.conflicts)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    with sql.connect(url) as check:
        final = check.query_one("SELECT n FROM bench_counter WHERE id = 1")[0]
    return final, threads * per_thread / elapsed, sum(conflicts)


def main() -> None:
    os.environ.setdefault(lifecycle.TAG_ENV, f"bench-{os.getpid()}")
    started = time.perf_counter()
    embedded = dredis.connect()
    bench("redis_embedded_start", (time.perf_counter() - started) * 1000, "ms")
    bench("redis_embedded_ops", redis_ops(embedded), "ops/s")

    started = time.perf_counter()
    pg_url = postgres.embedded("bench").url  # first start: initdb + postmaster (pg_embedded_start_s)
    bench("pg_embedded_start_s", time.perf_counter() - started, "s")
    final, tps, conflicts = counter_run(pg_url)
    bench("pg_embedded_counter_txn", tps, "txn/s")
    bench("pg_embedded_counter_lost_updates", 300 - final, "count")
    cluster = postgres.embedded("bench")
    started = time.perf_counter()
    cluster.crash()
    cluster.start()  # crash recovery on the same data directory
    bench("pg_embedded_crash_restart_s", time.perf_counter() - started, "s")

    with tempfile.TemporaryDirectory() as tmp:
        final, tps, conflicts = counter_run(f"sqlite:///{Path(tmp) / 'bench.db'}")
        bench("sqlite_counter_txn", tps, "txn/s")
        bench("sqlite_counter_lost_updates", 300 - final, "count")
        bench("sqlite_counter_conflicts", conflicts, "count")

    for label, launcher in (("redis_server", redis_server), ("postgresql", postgres_server), ("etcd", etcd_server)):
        try:
            context, server, seconds = timed_start(launcher)
        except ServerNotInstalled as exc:
            print(f"# {exc}", file=sys.stderr)
            bench(f"{label}_started", 0, "count")
            continue
        try:
            bench(f"{label}_start", seconds, "s")
            if label == "redis_server":
                bench("redis_server_ops", redis_ops(dredis.connect(server.url)), "ops/s")
            elif label == "postgresql":
                final, tps, conflicts = counter_run(server.url)
                bench("postgresql_counter_txn", tps, "txn/s")
                bench("postgresql_counter_lost_updates", 300 - final, "count")
                bench("postgresql_counter_conflicts", conflicts, "count")
            else:
                client = etcd.connect(server.url)
                t0 = time.perf_counter()
                for i in range(300):
                    client.put(f"bench/{i}", "v")
                bench("etcd_put", 300 / (time.perf_counter() - t0), "ops/s")
                t0 = time.perf_counter()
                wins = sum(client.put_if_absent("bench/lock", f"n{i}") for i in range(100))
                bench("etcd_txn_lock", 100 / (time.perf_counter() - t0), "ops/s")
                bench("etcd_lock_winners", wins, "count")
        finally:
            context.__exit__(None, None, None)

    dredis.shutdown_embedded()
    postgres.shutdown_embedded()
    left = lifecycle.wait_gone([r.pid for r in lifecycle.tagged(os.environ[lifecycle.TAG_ENV])], 5.0)
    bench("services_servers_left", len(left), "count")  # every server this run started is stopped


if __name__ == "__main__":
    main()
