"""Concurrent retries for real: threads (each with its own connection) and processes sending the
same keys again and again to one database, some of them crashing midway, then counting charges.

Locks expire on ``time.monotonic`` here (a real-engine timeout, not a lesson figure): a crashed
attempt's key is taken over after ``lock_timeout`` seconds, and an attempt that was merely slow
finds itself fenced out. The figure that matters is a count: keys charged other than exactly once.

Run as a process: ``python -m distlab.transactions.idempotency.hammer URL --keys 50 --threads 2
--retries 5 --seed 1`` prints the :class:`HammerStats` as one JSON line.
"""
from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from distlab.services import sql

from .charge import CRASH_POINTS, NO_CRASH
from .scenarios import PARAMS, attempt
from .service import SQLChargeService
from .sql_store import charges_per_key


@dataclass
class HammerStats:
    """What the attempts got back, summed over threads."""

    requests: int = 0
    replies: dict[str, int] = field(default_factory=dict)

    def add(self, reply: str) -> None:
        """Count one reply (crashes are counted by point)."""
        self.requests += 1
        self.replies[reply] = self.replies.get(reply, 0) + 1

    def merge(self, other: HammerStats) -> None:
        """Add another worker's counts."""
        self.requests += other.requests
        for reply, count in other.replies.items():
            self.replies[reply] = self.replies.get(reply, 0) + count


def worker(url: str, keys: Sequence[str], retries: int, seed: int, *, crash_rate: float = 0.0,
           lock_timeout: float = 0.05) -> HammerStats:
    """One client with its own connection: *retries* rounds over *keys* in a seeded random order,
    each attempt crashing with probability *crash_rate* at a random crash point."""
    rng = random.Random(seed)
    stats = HammerStats()
    with sql.connect(url, timeout=30.0) as db:
        service = SQLChargeService(db, clock=time.monotonic, lock_timeout=lock_timeout, create_schema=False)
        order = list(keys)
        for _ in range(retries):
            rng.shuffle(order)
            for key in order:
                crash = rng.choice(CRASH_POINTS) if rng.random() < crash_rate else NO_CRASH
                stats.add(attempt(service, key, PARAMS, crash))
    return stats


def hammer_threads(url: str, keys: Sequence[str], threads: int, retries: int, *, seed: int = 0,
                   crash_rate: float = 0.0, lock_timeout: float = 0.05) -> HammerStats:
    """*threads* workers at once on *url*; their summed stats (a worker's exception is re-raised)."""
    if not isinstance(threads, int) or not 1 <= threads <= 256:
        raise ValueError(f"threads: must be an integer from 1 to 256, got {threads!r}")
    results: list[HammerStats] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        """One worker thread; its stats or its exception are collected."""
        try:
            results.append(worker(url, keys, retries, seed * 1000 + index, crash_rate=crash_rate,
                                  lock_timeout=lock_timeout))
        except BaseException as exc:  # noqa: BLE001 -- handed to the caller below
            errors.append(exc)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    total = HammerStats()
    for stats in results:
        total.merge(stats)
    return total


def settle(url: str, keys: Sequence[str], *, lock_timeout: float = 0.05, max_wait_s: float = 30.0) -> None:
    """Retry every key until it has a stored result (locks of crashed attempts expire meanwhile)."""
    with sql.connect(url, timeout=30.0) as db:
        service = SQLChargeService(db, clock=time.monotonic, lock_timeout=lock_timeout, create_schema=False)
        deadline = time.monotonic() + max_wait_s
        for key in keys:
            while not attempt(service, key, PARAMS).startswith("201"):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"key {key!r} still has no result after {max_wait_s} s")
                time.sleep(lock_timeout / 4)


def not_exactly_once(url: str, keys: Sequence[str]) -> int:
    """How many of *keys* were charged other than exactly once."""
    with sql.connect(url) as db:
        counts = charges_per_key(db)
    return sum(counts.get(key, 0) != 1 for key in keys)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line for a hammering process (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--retries", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crash-rate", type=float, default=0.0)
    args = parser.parse_args(argv)
    keys = [f"key-{i}" for i in range(args.keys)]
    stats = hammer_threads(args.url, keys, args.threads, args.retries, seed=args.seed, crash_rate=args.crash_rate)
    print(json.dumps(asdict(stats), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
