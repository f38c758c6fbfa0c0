"""The broker: Redis Streams with a consumer group, and an in-memory twin for the simulation.

Redis Streams (Redis documentation, "Redis Streams", XADD, XREADGROUP, XACK, XAUTOCLAIM): the
relay ``XADD``s one entry per event; consumers of a group read new entries with
``XREADGROUP ... >``, each entry then sits in the group's pending entries list (PEL) until its
consumer ``XACK``s it; a dead consumer's pending entries are taken over by another with
``XAUTOCLAIM`` (:mod:`.redis_compat` gives 6.2 and 7.x the same answer). The stream key follows
Debezium's topic naming, ``outbox.event.<aggregatetype>``.

:class:`MemoryBroker` keeps the same three structures (entries, last delivered id, PEL) in Python,
with 7.x's XAUTOCLAIM semantics, so the crash-point matrix can be computed in microseconds.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis as _redis

from .events import Event
from .redis_compat import autoclaim, server_major

DEFAULT_STREAM = "outbox.event.order"
DEFAULT_GROUP = "shipping"


class BrokerUnavailable(ConnectionError):
    """The broker cannot be reached (a retry may succeed later)."""


@dataclass(frozen=True)
class Delivery:
    """One stream entry handed to a consumer: its stream id and the event it carries."""

    stream_id: str
    event: Event


@dataclass
class Claimed:
    """What a takeover got: live deliveries, and ids of pending entries deleted from the stream."""

    deliveries: list[Delivery] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


class Broker(Protocol):
    """What the producer, relay and consumer need from a broker."""

    def publish(self, events: Sequence[Event]) -> list[str]:
        """Append one entry per event (in order); return their stream ids."""

    def read(self, consumer: str, count: int) -> list[Delivery]:
        """New entries for ``consumer`` (they become pending for it)."""

    def ack(self, stream_ids: Sequence[str]) -> None:
        """Remove entries from the pending list."""

    def claim(self, consumer: str, min_idle_ms: int = 0, count: int = 100) -> Claimed:
        """Take over every pending entry idle for at least ``min_idle_ms``."""

    def pending(self) -> int:
        """How many entries are pending (delivered, not acknowledged)."""

    def entries(self) -> list[Delivery]:
        """Every entry still in the stream, oldest first."""


class MemoryBroker:
    """A stream with one consumer group, in Python (7.x semantics)."""

    name = "in-memory simulation"

    def __init__(self) -> None:
        self.stream: dict[str, Event] = {}
        self.delivered = 0  # entries delivered to the group so far (the group's last-delivered id)
        self.pel: dict[str, str] = {}  # stream id -> consumer
        self.down = False

    def _check_up(self) -> None:
        if self.down:
            raise BrokerUnavailable("the in-memory broker is down")

    def publish(self, events: Sequence[Event]) -> list[str]:
        """XADD each event."""
        self._check_up()
        ids = []
        for event in events:
            stream_id = f"{len(self.stream) + 1}-0"
            self.stream[stream_id] = event
            ids.append(stream_id)
        return ids

    def read(self, consumer: str, count: int) -> list[Delivery]:
        """XREADGROUP ``>``."""
        self._check_up()
        fresh = list(self.stream.items())[self.delivered:self.delivered + count]
        self.delivered += len(fresh)
        for stream_id, _ in fresh:
            self.pel[stream_id] = consumer
        return [Delivery(stream_id, event) for stream_id, event in fresh]

    def ack(self, stream_ids: Sequence[str]) -> None:
        """XACK."""
        self._check_up()
        for stream_id in stream_ids:
            self.pel.pop(stream_id, None)

    def claim(self, consumer: str, min_idle_ms: int = 0, count: int = 100) -> Claimed:
        """XAUTOCLAIM (idle times are not modelled: every pending entry qualifies)."""
        self._check_up()
        out = Claimed()
        for stream_id in list(self.pel)[:count]:
            if stream_id in self.stream:
                self.pel[stream_id] = consumer
                out.deliveries.append(Delivery(stream_id, self.stream[stream_id]))
            else:
                del self.pel[stream_id]
                out.deleted.append(stream_id)
        return out

    def pending(self) -> int:
        """Size of the PEL."""
        return len(self.pel)

    def entries(self) -> list[Delivery]:
        """XRANGE - +."""
        return [Delivery(stream_id, event) for stream_id, event in self.stream.items()]

    def delete(self, stream_ids: Sequence[str]) -> None:
        """XDEL."""
        for stream_id in stream_ids:
            self.stream.pop(stream_id, None)


def _unavailable(exc: Exception) -> BrokerUnavailable:
    return BrokerUnavailable(f"Redis unreachable: {exc}")


class RedisStreamsBroker:
    """A Redis stream and its consumer group (created if missing)."""

    def __init__(self, client: _redis.Redis, stream: str = DEFAULT_STREAM, group: str = DEFAULT_GROUP, *,
                 reset: bool = False) -> None:
        if not isinstance(stream, str) or not stream:
            raise ValueError(f"stream must be a non-empty key name, got {stream!r}")
        if not isinstance(group, str) or not group:
            raise ValueError(f"group must be a non-empty name, got {group!r}")
        self.client, self.stream, self.group = client, stream, group
        self._major: int | None = None
        self.name = "redis streams"
        try:
            if reset:
                client.delete(stream)
            client.xgroup_create(stream, group, id="0", mkstream=True)
        except _redis.exceptions.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        except (_redis.exceptions.ConnectionError, _redis.exceptions.TimeoutError) as exc:
            raise _unavailable(exc) from exc

    @property
    def major(self) -> int:
        """The server's major version (asked once)."""
        if self._major is None:
            self._major = server_major(self.client)
        return self._major

    def publish(self, events: Sequence[Event]) -> list[str]:
        """XADD each event, pipelined (one round trip)."""
        try:
            pipe = self.client.pipeline(transaction=False)
            for event in events:
                pipe.xadd(self.stream, event.fields())  # type: ignore[arg-type]
            return [str(i) for i in pipe.execute()]
        except (_redis.exceptions.ConnectionError, _redis.exceptions.TimeoutError) as exc:
            raise _unavailable(exc) from exc

    def read(self, consumer: str, count: int) -> list[Delivery]:
        """XREADGROUP GROUP <group> <consumer> COUNT <count> STREAMS <stream> >."""
        try:
            reply: Any = self.client.xreadgroup(self.group, consumer, {self.stream: ">"}, count=count)
        except (_redis.exceptions.ConnectionError, _redis.exceptions.TimeoutError) as exc:
            raise _unavailable(exc) from exc
        if not reply:
            return []
        return [Delivery(str(i), Event.from_fields(f)) for i, f in reply[0][1] if f is not None]

    def ack(self, stream_ids: Sequence[str]) -> None:
        """XACK."""
        if stream_ids:
            self.client.xack(self.stream, self.group, *stream_ids)

    def claim(self, consumer: str, min_idle_ms: int = 0, count: int = 100) -> Claimed:
        """XAUTOCLAIM from ``0-0`` until the cursor comes back to ``0-0``."""
        out, cursor = Claimed(), "0-0"
        while True:
            cursor, entries, deleted = autoclaim(self.client, self.stream, self.group, consumer,
                                                 min_idle_ms=min_idle_ms, start=cursor, count=count,
                                                 major=self.major)
            out.deliveries.extend(Delivery(i, Event.from_fields(f)) for i, f in entries)
            out.deleted.extend(deleted)
            if cursor == "0-0":
                return out

    def pending(self) -> int:
        """XPENDING's count."""
        return int(self.client.xpending(self.stream, self.group)["pending"])

    def entries(self) -> list[Delivery]:
        """XRANGE - +."""
        reply: Any = self.client.xrange(self.stream)
        return [Delivery(str(i), Event.from_fields(f)) for i, f in reply]

    def delete(self, stream_ids: Sequence[str]) -> None:
        """XDEL."""
        if stream_ids:
            self.client.xdel(self.stream, *stream_ids)
