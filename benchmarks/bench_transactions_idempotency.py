"""Idempotency-key benchmarks: 50 keys x 16 threads x 20 retries on a file-backed SQLite (and on
PostgreSQL when one is configured or embedded), some attempts crashing; keys not charged exactly
once (must be 0); requests per second; the Redis-alone lesson's double charges (expected > 0).

Prints ``bench <name> <value> <unit>`` lines only (details of any failure go to stderr).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

from distlab.services import sql
from distlab.transactions.idempotency import (
    WINDOWS,
    RedisChargeService,
    RedisLocks,
    SQLChargeService,
    enumerate_crashes,
    install_schema,
    window,
)
from distlab.transactions.idempotency.hammer import hammer_threads, not_exactly_once, settle

KEYS = [f"key-{i}" for i in range(50)]
THREADS, RETRIES, CRASH_RATE = 16, 20, 0.02


def bench(name: str, value: object, unit: str) -> None:
    print(f"bench {name} {value} {unit}", flush=True)


def hammer(url: str) -> tuple[int, float]:
    """Keys not charged exactly once, and requests per second, for one database."""
    with sql.connect(url) as db:
        install_schema(db)
    start = time.perf_counter()
    stats = hammer_threads(url, KEYS, THREADS, RETRIES, seed=7, crash_rate=CRASH_RATE)
    rate = stats.requests / (time.perf_counter() - start)
    settle(url, KEYS)
    bad = not_exactly_once(url, KEYS)
    if bad:
        print(f"{url}: {bad} keys not charged exactly once; replies {stats.replies}", file=sys.stderr)
    return bad, rate


def postgres_url() -> str | None:
    """A fresh database on the configured or embedded PostgreSQL, else None (reported on stderr)."""
    try:
        from distlab.services import postgres

        return postgres.url()
    except Exception as exc:  # noqa: BLE001 -- no PostgreSQL here: the SQLite figures stand alone
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="distlab-idem-") as folder:
        bad, rate = hammer(f"sqlite:///{os.path.join(folder, 'idem.db')}")
        bench("idempotency_keys_not_exactly_once", bad, "count")
        bench("idempotency_requests_per_s", f"{rate:.0f}", "req/s")
        url = postgres_url()
        if url is not None:
            with sql.connect(url) as db:
                db.script("DROP TABLE IF EXISTS idempotency_keys; DROP TABLE IF EXISTS idempotency_charges")
            pg_bad, pg_rate = hammer(url)
            bench("idempotency_keys_not_exactly_once_postgresql", pg_bad, "count")
            bench("idempotency_requests_per_s_postgresql", f"{pg_rate:.0f}", "req/s")
        verdicts = enumerate_crashes(lambda: SQLChargeService(sql.connect_sqlite()), depth=3)
        bench("idempotency_crash_schedules", len(verdicts), "schedules")
        bench("idempotency_crash_not_exactly_once", sum(not v.exactly_once for v in verdicts), "count")
        from distlab.services import redis as dredis

        client = dredis.connect(f"unix://{dredis.embedded_socket()}")  # never a configured server: it is flushed
        client.flushall()
        with sql.connect(f"sqlite:///{os.path.join(folder, 'charges.db')}") as db:
            service = RedisChargeService(RedisLocks(client), db, lock_timeout=0.02)
            doubles = sum(window(service, name, key=name).charges - 1 for name in WINDOWS)
        bench("idempotency_redis_double_effects", doubles, "count")


if __name__ == "__main__":
    main()
