"""Concurrent retries for real: 16 threads with their own connections, and several processes, sending
the same keys over and over (some attempts crashing midway) to one file-backed SQLite or PostgreSQL;
every key is charged exactly once. A smaller size than ``make bench`` (50 keys x 16 threads x 20)."""
from __future__ import annotations

import json
import subprocess
import sys

from distlab.services import lifecycle
from distlab.services.sql import SQLBackend
from distlab.transactions.idempotency import install_schema
from distlab.transactions.idempotency.hammer import hammer_threads, not_exactly_once, settle

KEYS = [f"key-{i}" for i in range(50)]


def test_threads_without_crashes_execute_each_key_once(sql_backend: SQLBackend) -> None:
    install_schema(sql_backend)
    assert sql_backend.url is not None
    stats = hammer_threads(sql_backend.url, KEYS, threads=16, retries=3, seed=1, lock_timeout=60.0)
    assert stats.requests == 50 * 16 * 3
    # no lock outlives 60 s here, so no takeover: one execution per key, the rest replays or 409s
    assert stats.replies.get("201 charged") == len(KEYS)
    assert set(stats.replies) <= {"201 charged", "201 replayed", "409 idempotency_conflict"}
    settle(sql_backend.url, KEYS)
    assert not_exactly_once(sql_backend.url, KEYS) == 0


def test_threads_with_crashes_charge_each_key_once(sql_backend: SQLBackend) -> None:
    install_schema(sql_backend)
    assert sql_backend.url is not None
    stats = hammer_threads(sql_backend.url, KEYS, threads=16, retries=3, seed=2, crash_rate=0.2)
    assert any(reply.startswith("crash") for reply in stats.replies)
    settle(sql_backend.url, KEYS)
    assert not_exactly_once(sql_backend.url, KEYS) == 0


def test_processes_hammering_the_same_keys_charge_each_once(sql_backend: SQLBackend) -> None:
    install_schema(sql_backend)
    assert sql_backend.url is not None
    argv = [sys.executable, "-m", "distlab.transactions.idempotency.hammer", sql_backend.url,
            "--keys", "30", "--threads", "2", "--retries", "4", "--crash-rate", "0.1"]
    children = [subprocess.Popen([*argv, "--seed", str(seed)], stdout=subprocess.PIPE, text=True,
                                 preexec_fn=lifecycle.die_with_this_process())
                for seed in range(3)]
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0]
    assert sum(json.loads(out)["requests"] for out in outputs) == 3 * 2 * 4 * 30
    keys = KEYS[:30]
    settle(sql_backend.url, keys)
    assert not_exactly_once(sql_backend.url, keys) == 0
