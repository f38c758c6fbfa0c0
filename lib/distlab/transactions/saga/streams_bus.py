"""The choreography's :class:`~.choreography.EventBus` over a real broker: Redis Streams.

Redis documentation, "Redis Streams" (``XADD``, ``XGROUP CREATE``, ``XREADGROUP``, ``XACK``): one
stream per bus holds every event, appended with ``XADD``. Every subscription is a *consumer group*
on that stream (one per handler, like one service per group in a real deployment): each group
reads the whole stream with ``XREADGROUP ... >``, skips (and acknowledges) the event types it does
not handle, and ``XACK``s an entry only after its handler has **returned**. An entry whose handler
raised stays in the group's pending entries list (PEL); the next :meth:`RedisStreamsBus.run_until_idle`
first re-reads the pending entries with ``XREADGROUP ... 0`` and hands them over again -- delivery
is *at least once*. The book-trip handlers absorb that (:mod:`.travel`: every effect is idempotent
under the saga id, ``INSERT ... ON CONFLICT DO NOTHING`` / ``UPDATE ... WHERE status <> ...``;
forward handlers ignore a cancelled trip; a trip's first terminal event wins). They do not dedup
the events they *publish*, so a redelivery republishes downstream -- the cascade the inbox of the
outbox chapter removes.

``run_until_idle`` is deterministic: groups are visited in subscription order, each reading
``COUNT``-sized batches, until one full pass finds no pending and no new entry in any group.
``duplicates=True`` ``XADD``s every event twice (a producer retry after a lost reply).

>>> from distlab.services import redis as dredis                       # doctest: +SKIP
>>> bus = RedisStreamsBus(dredis.connect(), "saga.trip", reset=True)    # doctest: +SKIP
>>> run_choreography("charge_card", bus=bus).outcomes                   # doctest: +SKIP
{'trip-0': 'compensated'}
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis as _redis

from .choreography import Event, Handler

#: The consumer name each group reads as (one consumer per group: its pending list is ours).
DEFAULT_CONSUMER = "worker"


@dataclass(frozen=True)
class Subscription:
    """One consumer group: its name, the event type it handles and the handler."""

    group: str
    event_type: str
    handler: Handler


def encode(event: Event) -> dict[str, str]:
    """A stream entry's fields for ``event`` (the payload as JSON)."""
    return {"type": event.type, "saga_id": event.saga_id,
            "payload": json.dumps(dict(event.payload), sort_keys=True)}


def decode(fields: dict[str, str]) -> Event:
    """The event carried by a stream entry's fields."""
    return Event(fields["type"], fields["saga_id"], json.loads(fields.get("payload", "{}")))


class RedisStreamsBus:
    """An :class:`~.choreography.EventBus` on one Redis stream, one consumer group per subscription.

    ``client``      a ``redis.Redis`` with ``decode_responses=True`` (``distlab.services.redis.connect()``)
    ``stream``      the stream's key (one per bus)
    ``reset``       delete the stream (and its groups) first
    ``duplicates``  ``XADD`` every event twice
    ``count``       the ``COUNT`` of each ``XREADGROUP`` batch (1 to 10000)
    ``consumer``    the consumer name inside every group

    ``delivered`` lists every entry once, when a group first reads it; ``acked`` counts ``XACK``s
    of handled entries and ``redelivered`` the pending entries handed over again.
    """

    def __init__(self, client: _redis.Redis, stream: str, *, reset: bool = False, duplicates: bool = False,
                 count: int = 64, consumer: str = DEFAULT_CONSUMER) -> None:
        if not isinstance(stream, str) or not stream:
            raise ValueError(f"stream must be a non-empty string (a Redis key), got {stream!r}")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10_000:
            raise ValueError(f"count must be an integer from 1 to 10000, got {count!r}")
        if not isinstance(consumer, str) or not consumer:
            raise ValueError(f"consumer must be a non-empty string, got {consumer!r}")
        self.client, self.stream, self.count, self.consumer = client, stream, count, consumer
        self.duplicates = duplicates
        self.subscriptions: list[Subscription] = []
        self.delivered: list[Event] = []
        self.acked = 0
        self.redelivered = 0
        self._seen: set[str] = set()
        if reset:
            client.delete(stream)

    # -- the EventBus interface ---------------------------------------------------------------
    def publish(self, event: Event) -> None:
        """``XADD`` ``event`` to the stream (twice with ``duplicates``)."""
        fields: Any = encode(event)
        for _ in range(2 if self.duplicates else 1):
            self.client.xadd(self.stream, fields)

    def subscribe(self, event_type: str, handler: Handler, *, group: str | None = None) -> None:
        """Create a consumer group for ``handler`` (reading the stream from its start).

        ``group`` defaults to ``"<n>.<event_type>"``, ``n`` the subscription's index, so that a bus
        rebuilt in the same order (a restarted service) finds its groups and their pending lists.
        """
        name = f"{len(self.subscriptions)}.{event_type}" if group is None else group
        if not isinstance(name, str) or not name or any(s.group == name for s in self.subscriptions):
            raise ValueError(f"group must be a new non-empty name on this bus, got {name!r}")
        try:
            self.client.xgroup_create(self.stream, name, id="0", mkstream=True)
        except _redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self.subscriptions.append(Subscription(name, event_type, handler))

    def run_until_idle(self, limit: int = 100_000) -> int:
        """Drain every group (pending entries first, then new ones) until a full pass finds nothing.

        Returns the number of handler calls; raises RuntimeError after ``limit`` of them. A handler's
        exception propagates and leaves its entry (and the rest of its batch) pending.
        """
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"limit must be a positive integer, got {limit!r}")
        calls = 0
        for sub in self.subscriptions:
            calls = self._drain_pending(sub, calls, limit)
        busy = True
        while busy:
            busy = False
            for sub in self.subscriptions:
                entries = self._read(sub, ">")
                busy = busy or bool(entries)
                for entry_id, fields in entries:
                    calls = self._deliver(sub, entry_id, fields, calls, limit)
        return calls

    # -- inside ---------------------------------------------------------------------------------
    def _read(self, sub: Subscription, start: str) -> list[tuple[str, dict[str, str] | None]]:
        """One ``XREADGROUP`` batch of ``sub``'s group: new entries (``>``) or its pending ones after ``start``."""
        reply: Any = self.client.xreadgroup(sub.group, self.consumer, {self.stream: start}, count=self.count)
        if not reply:
            return []
        return [(str(i), None if f is None else dict(f)) for i, f in reply[0][1]]

    def _drain_pending(self, sub: Subscription, calls: int, limit: int) -> int:
        """Hand over again every entry left pending in ``sub``'s group (a handler raised, or a crash)."""
        start = "0"
        while True:
            entries = self._read(sub, start)
            if not entries:
                return calls
            for entry_id, fields in entries:
                self.redelivered += fields is not None
                calls = self._deliver(sub, entry_id, fields, calls, limit)
                start = entry_id

    def _deliver(self, sub: Subscription, entry_id: str, fields: dict[str, str] | None, calls: int,
                 limit: int) -> int:
        """Run ``sub``'s handler on one entry if it has ``sub``'s type, then ``XACK`` it; return the calls."""
        if fields is None or not fields:  # trimmed or deleted while pending: nothing to deliver
            self.client.xack(self.stream, sub.group, entry_id)
            return calls
        event = decode(fields)
        if entry_id not in self._seen:
            self._seen.add(entry_id)
            self.delivered.append(event)
        if event.type == sub.event_type:
            if calls >= limit:
                raise RuntimeError(f"limit: still busy after {limit} deliveries")
            calls += 1
            sub.handler(event)  # an exception leaves the entry pending: no XACK
            self.acked += 1
        self.client.xack(self.stream, sub.group, entry_id)
        return calls

    def pending(self) -> dict[str, int]:
        """Each group's number of pending (delivered, not acknowledged) entries (``XPENDING``)."""
        counts: dict[str, int] = {}
        for sub in self.subscriptions:
            summary: Any = self.client.xpending(self.stream, sub.group)
            counts[sub.group] = int(summary["pending"])
        return counts
