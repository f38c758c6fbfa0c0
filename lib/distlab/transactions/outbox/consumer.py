"""The shipping service: a consumer in a consumer group that deduplicates with an inbox table.

For each delivered entry, in one local transaction of its own database, the consumer inserts the
event id into ``inbox`` (``INSERT ... ON CONFLICT DO NOTHING``) and, only if that row is new,
applies the effect (a shipment). Then it ``XACK``s. A crash before the COMMIT rolls both back; a
crash after the COMMIT and before the XACK leaves the entry pending, so it is delivered again and
the inbox turns the second delivery into a no-op: at-least-once delivery, exactly-once *effect*.
The inbox must be in the same transaction as the effect -- a dedup check in another store (Redis)
reopens the window between "effect done" and "remembered as done".

A consumer that died leaves its entries pending; another takes them over with
:meth:`Consumer.take_over` (``XAUTOCLAIM``). Pending entries deleted from the stream meanwhile are
counted in ``deleted_seen`` (on 6.2 they would otherwise stay pending for ever: :mod:`.redis_compat`).
"""
from __future__ import annotations

from collections.abc import Sequence

from .broker import Broker, Delivery
from .crash_points import CrashInjector
from .store import Database, Tables


class Consumer:
    """One member ``name`` of the consumer group; ``inbox=False`` is the naive consumer (no dedup)."""

    def __init__(self, name: str, db: Database, broker: Broker, hooks: CrashInjector | None = None,
                 *, inbox: bool = True, ack_each: bool = True, batch_commit: bool = False) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty consumer name, got {name!r}")
        if batch_commit and ack_each:
            raise ValueError("batch_commit needs ack_each=False: a batch committed at once is acknowledged at once")
        self.name, self.db, self.broker = name, db, broker
        self.hooks = hooks if hooks is not None else CrashInjector()
        self.inbox = inbox
        self.ack_each = ack_each  # False: a batch is acknowledged with one XACK after its last commit
        self.batch_commit = batch_commit  # True: a batch's effects and inbox rows commit in one transaction
        self.handled = 0  # deliveries processed to the end (acknowledged)
        self.duplicates_absorbed = 0  # deliveries the inbox recognised
        self.deleted_seen: list[str] = []
        self.deliveries = 0  # every delivery handed to handle(), including those it crashed in
        self.events_seen: dict[str, int] = {}  # event id -> deliveries

    def handle(self, delivery: Delivery) -> bool:
        """Process one delivery in one local transaction, then XACK; True if the effect was applied."""
        self._seen(delivery)
        with self.db.transaction() as tx:
            first = self._apply(tx, delivery)
            self.hooks.reach("consumer/before_commit")
        self.hooks.reach("consumer/after_commit")
        if self.ack_each:
            self.broker.ack([delivery.stream_id])
            self.hooks.reach("consumer/after_ack")
        self._count(first)
        return first

    def _seen(self, delivery: Delivery) -> None:
        self.deliveries += 1
        self.events_seen[delivery.event.id] = self.events_seen.get(delivery.event.id, 0) + 1

    def _apply(self, tx: Tables, delivery: Delivery) -> bool:
        """Inside ``tx``: the inbox row and, for an event not seen before, the effect; True if applied."""
        event = delivery.event
        first = tx.record_processed(event.id, self.name) if self.inbox else True
        if first:
            tx.insert_shipment(event)
        return first

    def _count(self, *applied: bool) -> None:
        self.handled += len(applied)
        self.duplicates_absorbed += applied.count(False)

    def handle_all(self, deliveries: Sequence[Delivery]) -> int:
        """Handle deliveries in order (without ``ack_each``, then XACK them all at once); return how many.

        Batching the XACK changes only how many entries a crash leaves pending: each was committed
        first, so its redelivery is absorbed by the inbox all the same. With ``batch_commit`` the
        whole batch is one local transaction (one BEGIN .. COMMIT, each crash point reached once):
        a crash before its COMMIT rolls every effect and inbox row of the batch back together."""
        if self.batch_commit and deliveries:
            for delivery in deliveries:
                self._seen(delivery)
            with self.db.transaction() as tx:
                applied = [self._apply(tx, delivery) for delivery in deliveries]
                self.hooks.reach("consumer/before_commit")
            self.hooks.reach("consumer/after_commit")
            self._count(*applied)
        else:
            for delivery in deliveries:
                self.handle(delivery)
        if not self.ack_each and deliveries:
            self.broker.ack([d.stream_id for d in deliveries])
            self.hooks.reach("consumer/after_ack")
        return len(deliveries)

    def poll(self, count: int = 100) -> int:
        """XREADGROUP up to ``count`` new entries and handle them; return how many arrived."""
        deliveries = self.broker.read(self.name, count)
        if deliveries:
            self.hooks.reach("consumer/after_read")
        return self.handle_all(deliveries)

    def take_over(self, min_idle_ms: int = 0) -> int:
        """XAUTOCLAIM every pending entry idle ``min_idle_ms`` or more (a dead consumer's) and handle it."""
        claimed = self.broker.claim(self.name, min_idle_ms)
        self.deleted_seen.extend(claimed.deleted)
        return self.handle_all(claimed.deliveries)
