"""The business row and the event row: an order, and Debezium's outbox columns.

Debezium's outbox event router reads a table with the columns ``id`` (unique event id),
``aggregatetype`` (routes the event: Debezium publishes to the topic ``outbox.event.<aggregatetype>``),
``aggregateid`` (the message key: the entity the event is about), ``type`` (what happened) and
``payload`` (the event body). :class:`Event` carries exactly those five fields, and the same five
become the fields of a Redis Streams entry, so the consumer sees what the outbox row held.
(Debezium documentation, "Outbox Event Router"; Richardson, microservices.io, "Pattern:
Transactional outbox".)

Event ids are derived from the order (UUID version 5), never drawn at random, so every run of a
scenario produces the same ids and a re-sent event carries the id the consumer deduplicates on.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

#: The namespace of every event id this chapter makes (uuid5 of a fixed URL).
EVENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://distlab.invalid/transactions/outbox")
#: Debezium's outbox columns, in its documented order.
OUTBOX_COLUMNS = ("id", "aggregatetype", "aggregateid", "type", "payload")
ORDER_PLACED = "OrderPlaced"


@dataclass(frozen=True)
class Order:
    """The business row: an order placed by ``customer`` for ``amount`` cents."""

    id: str
    customer: str
    amount: int

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id or len(self.id) > 200:
            raise ValueError(f"order id must be a non-empty string of at most 200 characters, got {self.id!r}")
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount < 0:
            raise ValueError(f"amount must be an integer number of cents >= 0, got {self.amount!r}")


@dataclass(frozen=True)
class Event:
    """One outbox row / one stream entry, with Debezium's five columns."""

    id: str
    aggregatetype: str
    aggregateid: str
    type: str
    payload: str

    def fields(self) -> dict[str, str]:
        """The Redis Streams fields of this event (the five columns, by name)."""
        return {name: getattr(self, name) for name in OUTBOX_COLUMNS}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> Event:
        """The event a stream entry carries; ValueError naming a missing column."""
        missing = [name for name in OUTBOX_COLUMNS if name not in fields]
        if missing:
            raise ValueError(f"fields: a stream entry must carry {OUTBOX_COLUMNS}, missing {missing}")
        return cls(*(fields[name] for name in OUTBOX_COLUMNS))


def order_placed(order: Order) -> Event:
    """The ``OrderPlaced`` event of ``order`` (its id depends on the order id alone)."""
    event_id = str(uuid.uuid5(EVENT_NAMESPACE, f"order/{order.id}/{ORDER_PLACED}"))
    payload = json.dumps({"order": order.id, "customer": order.customer, "amount": order.amount},
                         sort_keys=True)
    return Event(event_id, "order", order.id, ORDER_PLACED, payload)


def make_orders(n: int, prefix: str = "o") -> list[Order]:
    """``n`` orders ``o1`` .. ``on`` with fixed customers and amounts (deterministic)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n (orders) must be an integer >= 0, got {n!r}")
    return [Order(f"{prefix}{i}", f"customer-{i % 7}", 100 * i) for i in range(1, n + 1)]
