"""The message relay: claim unsent outbox rows, XADD them, mark them sent -- at least once.

One batch (:meth:`Relay.run_once`, at most 100 rows) is three steps, each its own round trip:

1. **claim** the oldest unsent rows (``WHERE sent = 0 ORDER BY seq LIMIT n``; rows are picked by
   their flag, never by "seq greater than the last one sent", so a row whose transaction commits
   late, with a smaller ``seq``, is not skipped);
2. **publish**: ``XADD`` each row's event (pipelined);
3. **mark** the rows sent in one local transaction.

A crash between 2 and 3 re-sends the batch after a restart: the relay is *at least once*, and the
consumer's inbox absorbs the duplicates. Nothing is marked sent before its XADD succeeded, so a
broker that is down costs time, never events: the publish is retried with chapter 5's backoff
(:class:`distlab.reliability.RetryPolicy`), and when the policy gives up the batch stays unsent.
(Richardson, microservices.io, "Pattern: Transactional outbox" / "Pattern: Polling publisher";
Debezium's outbox event router is the log-tailing alternative to this polling relay.)

Run as a process (the kill -9 test does)::

    python -m distlab.transactions.outbox.relay --db sqlite:///orders.db --redis unix:///path/redis.sock
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence

from distlab.reliability import Backoff, RetryPolicy

from ..checks import check_int, check_seconds
from .broker import DEFAULT_STREAM, Broker, BrokerUnavailable
from .crash_points import CrashInjector
from .events import Event
from .store import Database

MAX_BATCH = 100


def default_retry() -> RetryPolicy:
    """Five attempts, full-jitter exponential backoff from 50 ms capped at 2 s, on broker outages only."""
    return RetryPolicy(max_attempts=5, backoff=Backoff(base=0.05, cap=2.0, jitter="full"),
                       retry_on=(BrokerUnavailable,))


class Relay:
    """Ships outbox rows of ``db`` to ``broker`` in batches of at most ``batch_size`` (<= 100)."""

    def __init__(self, db: Database, broker: Broker, *, batch_size: int = MAX_BATCH,
                 hooks: CrashInjector | None = None, duplicates: int = 0, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], object] = time.sleep, seed: int = 0, publish_delay: float = 0.0) -> None:
        check_int("batch_size", batch_size, 1, MAX_BATCH)
        check_int("duplicates", duplicates, 0, 10)
        check_seconds("publish_delay", publish_delay, 0.0, 10.0)
        self.db, self.broker, self.batch_size = db, broker, batch_size
        self.hooks = hooks if hooks is not None else CrashInjector()
        self.duplicates = duplicates
        self.retry = retry if retry is not None else default_retry()
        self.sleep, self.rng, self.publish_delay = sleep, random.Random(seed), float(publish_delay)
        self.shipped = 0  # rows marked sent by this relay
        self.published = 0  # stream entries this relay XADDed

    def _publish(self, events: Sequence[Event]) -> None:
        entries = [event for event in events for _ in range(1 + self.duplicates)]
        if self.publish_delay:  # the kill -9 test's slow relay: one XADD at a time
            for event in entries:
                one = [event]
                self.retry.call(lambda: self.broker.publish(one), idempotent=True,  # noqa: B023 (called at once)
                                sleep=self.sleep, rng=self.rng)
                self.published += 1
                self.sleep(self.publish_delay)
            return
        # XADD is not idempotent, but a re-sent event is absorbed by the consumer's inbox
        self.retry.call(lambda: self.broker.publish(entries), idempotent=True, sleep=self.sleep, rng=self.rng)
        self.published += len(entries)

    def run_once(self) -> int:
        """Read, publish and mark one batch of unsent rows; return how many it shipped (0: none).

        ``hooks.reach(name)`` marks a named crash point (the panel's crash sliders pick one);
        otherwise it does nothing. The batch is published in two halves only so that a crash can
        land between them (``relay/mid_batch``).

        Raises :class:`distlab.reliability.retry.RetryRefused` when the broker stays down through
        every retry; the batch is then still unsent.
        """
        batch = self.db.unsent(self.batch_size)
        if not batch:
            return 0
        self.hooks.reach("relay/after_claim")
        events = [event for _, event in batch]
        half = len(events) // 2
        if half:
            self._publish(events[:half])
            self.hooks.reach("relay/mid_batch")
        self._publish(events[half:])
        self.hooks.reach("relay/after_publish")
        with self.db.transaction() as tx:
            tx.mark_sent([seq for seq, _ in batch])
            self.hooks.reach("relay/before_mark_commit")
        self.hooks.reach("relay/after_mark")
        self.shipped += len(batch)
        return len(batch)

    def drain(self, max_batches: int = 1_000_000) -> int:
        """Run batches until no row is unsent (or ``max_batches``); return the rows shipped."""
        total = 0
        for _ in range(max_batches):
            shipped = self.run_once()
            if not shipped:
                break
            total += shipped
        return total


class PipelinedRelay(Relay):
    """A :class:`Relay` that XADDs a batch in one round trip rather than two halves.

    The halves exist only so that a crash can land between them (``relay/mid_batch``); while that
    point is not armed, nothing can happen between the two XADDs, so sending them in one pipeline
    publishes the same entries in the same order and reaches the same crash points in the same
    order. When ``relay/mid_batch`` is armed, a batch runs :meth:`Relay.run_once` unchanged (the
    code chapter 3 shows). A broker outage is retried for the whole batch instead of per half.
    """

    def run_once(self) -> int:
        """One batch as :meth:`Relay.run_once` ships it, in one XADD round trip when it can."""
        if self.hooks.remaining.get("relay/mid_batch", 0) > 0:
            return super().run_once()
        batch = self.db.unsent(self.batch_size)
        if not batch:
            return 0
        self.hooks.reach("relay/after_claim")
        self._publish([event for _, event in batch])
        if len(batch) > 1:  # the halves' boundary, passed (it is not armed: see above)
            self.hooks.reach("relay/mid_batch")
        self.hooks.reach("relay/after_publish")
        return self._mark(batch)

    def _mark(self, batch: Sequence[tuple[int, Event]]) -> int:
        """Mark the published batch sent, in one local transaction; return its size."""
        with self.db.transaction() as tx:
            tx.mark_sent([seq for seq, _ in batch])
            self.hooks.reach("relay/before_mark_commit")
        self.hooks.reach("relay/after_mark")
        self.shipped += len(batch)
        return len(batch)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m distlab.transactions.outbox.relay",
                                     description="Ship outbox rows to a Redis stream, at least once.")
    parser.add_argument("--db", required=True, help="SQL URL (sqlite:///file.db or postgresql://...)")
    parser.add_argument("--redis", required=True, help="Redis URL (unix:///path or redis://127.0.0.1:6379/0)")
    parser.add_argument("--stream", default=DEFAULT_STREAM)
    parser.add_argument("--name", default="relay-1", help="the lease owner name")
    parser.add_argument("--batch-size", type=int, default=MAX_BATCH)
    parser.add_argument("--publish-delay", type=float, default=0.0, help="seconds to sleep after each XADD")
    parser.add_argument("--until-empty", action="store_true", help="exit once no row is unsent")
    parser.add_argument("--lease-ms", type=int, default=5000)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The relay process: hold the lease, ship batches, exit when empty (with ``--until-empty``)."""
    from distlab.services import redis as dredis, sql

    from .broker import RedisStreamsBroker
    from .redis_compat import Lease
    from .store import SQLDatabase

    args = _parse(argv)
    client = dredis.connect(args.redis)
    relay = Relay(SQLDatabase(sql.connect(args.db)), RedisStreamsBroker(client, args.stream),
                  batch_size=args.batch_size, publish_delay=args.publish_delay)
    lease = Lease(client, f"{args.stream}:relay-lease", args.name, args.lease_ms)
    while True:
        shipped = relay.run_once() if lease.acquire() else 0
        if not shipped:
            if args.until_empty and lease.holder() in (None, args.name):
                break
            time.sleep(0.05)
    lease.release()
    print(f"relay {args.name}: shipped {relay.shipped} rows, published {relay.published} entries", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
