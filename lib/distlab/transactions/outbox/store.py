"""The databases: the producer's (orders + outbox) and the consumer's (inbox + shipments).

The protocol logic (producer, relay, consumer) is written once against :class:`Database` and
:class:`Tables`, and runs on two implementations of them:

* :class:`SQLDatabase` -- real SQL through :mod:`distlab.services.sql` (SQLite by default,
  PostgreSQL by URL); every ``transaction()`` is one real ``BEGIN`` .. ``COMMIT``;
* :class:`MemoryDatabase` -- dictionaries with the same transaction semantics (writes staged and
  applied at commit, dropped on an exception), for the notebook's fast crash-point matrix.

Tables (the outbox's columns are Debezium's, plus ``seq`` for the relay's order and ``sent``)::

    orders(id PRIMARY KEY, customer, amount)                                   -- the business row
    outbox(seq, id UNIQUE, aggregatetype, aggregateid, type, payload, sent)    -- the event row
    inbox(event_id PRIMARY KEY, consumer)              -- the consumer's processed event ids
    shipments(seq, event_id, order_id)                 -- the consumer's (non-idempotent) effect
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from distlab.services.sql import SQLBackend

from .events import Event, Order

_SEQ = {"sqlite": "seq INTEGER PRIMARY KEY", "postgresql": "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"}
_TABLES = ("orders", "outbox", "inbox", "shipments")


def schema(dialect: str) -> str:
    """The DDL of the four tables for ``dialect`` (``"sqlite"`` or ``"postgresql"``)."""
    if dialect not in _SEQ:
        raise ValueError(f"dialect must be one of {tuple(_SEQ)}, got {dialect!r}")
    seq = _SEQ[dialect]
    return f"""
    CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, customer TEXT NOT NULL, amount BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS outbox ({seq}, id TEXT NOT NULL UNIQUE, aggregatetype TEXT NOT NULL,
        aggregateid TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, sent INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent = 0;
    CREATE TABLE IF NOT EXISTS inbox (event_id TEXT PRIMARY KEY, consumer TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS shipments ({seq}, event_id TEXT NOT NULL, order_id TEXT NOT NULL)
    """


class Tables(Protocol):
    """What one local transaction may do."""

    def insert_order(self, order: Order) -> None:
        """Write the business row."""

    def insert_outbox(self, event: Event) -> None:
        """Write the event row (unsent)."""

    def mark_sent(self, seqs: Sequence[int]) -> None:
        """Mark outbox rows sent."""

    def record_processed(self, event_id: str, consumer: str) -> bool:
        """Insert into the inbox; False when the event id is already there (a duplicate)."""

    def insert_shipment(self, event: Event) -> None:
        """The consumer's effect: one more shipment row (not idempotent on its own)."""


class Database(Protocol):
    """A database the outbox logic runs on."""

    def transaction(self) -> contextlib.AbstractContextManager[Tables]:
        """One local transaction: committed at the end of the block, rolled back on an exception."""

    def unsent(self, limit: int) -> list[tuple[int, Event]]:
        """Up to ``limit`` unsent outbox rows as ``(seq, event)``, oldest first."""

    def orders(self) -> list[str]:
        """Ids of the committed orders."""

    def shipments(self) -> dict[str, int]:
        """Committed shipments per order id."""

    def outbox_counts(self) -> tuple[int, int]:
        """``(sent, unsent)`` outbox rows."""


class _MemoryTables:
    """The staged writes of one in-memory transaction."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.writes: list[Callable[[], None]] = []
        self.inbox: set[str] = set()

    def insert_order(self, order: Order) -> None:
        if order.id in self.db.order_rows:
            raise ValueError(f"order {order.id!r} exists (primary key)")
        self.writes.append(lambda: self.db.order_rows.__setitem__(order.id, order))

    def insert_outbox(self, event: Event) -> None:
        self.writes.append(lambda: self.db.outbox_rows.append([event, False]))

    def mark_sent(self, seqs: Sequence[int]) -> None:
        def apply() -> None:
            for seq in seqs:
                self.db.outbox_rows[seq - 1][1] = True
        self.writes.append(apply)

    def record_processed(self, event_id: str, consumer: str) -> bool:
        if event_id in self.db.inbox_rows or event_id in self.inbox:
            return False
        self.inbox.add(event_id)
        self.writes.append(lambda: self.db.inbox_rows.__setitem__(event_id, consumer))
        return True

    def insert_shipment(self, event: Event) -> None:
        self.writes.append(lambda: self.db.shipment_rows.append(event.aggregateid))


class MemoryDatabase:
    """The four tables as Python containers, with staged transactions (the simulation engine)."""

    name = "in-memory simulation"

    def __init__(self) -> None:
        self.order_rows: dict[str, Order] = {}
        self.outbox_rows: list[list[object]] = []  # [event, sent]; seq = index + 1
        self.inbox_rows: dict[str, str] = {}
        self.shipment_rows: list[str] = []

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tables]:
        """Stage writes; apply them all at the end of the block, none on an exception."""
        tables = _MemoryTables(self)
        yield tables
        for write in tables.writes:
            write()

    def unsent(self, limit: int) -> list[tuple[int, Event]]:
        """Up to ``limit`` unsent rows, oldest first."""
        rows = [(i + 1, row[0]) for i, row in enumerate(self.outbox_rows) if not row[1]]
        return [(seq, event) for seq, event in rows[:limit] if isinstance(event, Event)]

    def orders(self) -> list[str]:
        """Committed order ids."""
        return list(self.order_rows)

    def shipments(self) -> dict[str, int]:
        """Shipments per order id."""
        counts: dict[str, int] = {}
        for order_id in self.shipment_rows:
            counts[order_id] = counts.get(order_id, 0) + 1
        return counts

    def outbox_counts(self) -> tuple[int, int]:
        """``(sent, unsent)``."""
        sent = sum(1 for row in self.outbox_rows if row[1])
        return sent, len(self.outbox_rows) - sent


class _SQLTables:
    """The statements of one SQL transaction."""

    def __init__(self, backend: SQLBackend) -> None:
        self.backend = backend

    def insert_order(self, order: Order) -> None:
        self.backend.execute("INSERT INTO orders (id, customer, amount) VALUES (?, ?, ?)",
                             (order.id, order.customer, order.amount))

    def insert_outbox(self, event: Event) -> None:
        self.backend.execute("INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
                             "VALUES (?, ?, ?, ?, ?)", tuple(event.fields().values()))

    def mark_sent(self, seqs: Sequence[int]) -> None:
        if seqs:
            marks = ", ".join("?" for _ in seqs)
            self.backend.execute(f"UPDATE outbox SET sent = 1 WHERE seq IN ({marks})", tuple(seqs))

    def record_processed(self, event_id: str, consumer: str) -> bool:
        cursor = self.backend.execute("INSERT INTO inbox (event_id, consumer) VALUES (?, ?) "
                                      "ON CONFLICT (event_id) DO NOTHING", (event_id, consumer))
        return bool(cursor.rowcount == 1)

    def insert_shipment(self, event: Event) -> None:
        self.backend.execute("INSERT INTO shipments (event_id, order_id) VALUES (?, ?)",
                             (event.id, event.aggregateid))


#: one SQL transaction's statements, for a caller that already holds the transaction (a saga step)
SQLTables = _SQLTables


class SQLDatabase:
    """The four tables on a real engine (one :class:`SQLBackend` = one connection)."""

    def __init__(self, backend: SQLBackend, *, reset: bool = False) -> None:
        self.backend = backend
        self.name = backend.name
        if reset:
            backend.script("; ".join(f"DROP TABLE IF EXISTS {t}" for t in _TABLES))
        backend.script(schema(backend.dialect))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tables]:
        """One real transaction (``BEGIN IMMEDIATE`` on SQLite, SERIALIZABLE on PostgreSQL)."""
        with self.backend.transaction():
            yield _SQLTables(self.backend)

    def unsent(self, limit: int) -> list[tuple[int, Event]]:
        """Up to ``limit`` unsent rows, oldest first (the partial index ``outbox_unsent``)."""
        rows = self.backend.query("SELECT seq, id, aggregatetype, aggregateid, type, payload FROM outbox "
                                  "WHERE sent = 0 ORDER BY seq LIMIT ?", (limit,))
        return [(int(row[0]), Event(*(str(v) for v in row[1:]))) for row in rows]

    def orders(self) -> list[str]:
        """Committed order ids."""
        return [str(row[0]) for row in self.backend.query("SELECT id FROM orders ORDER BY id")]

    def shipments(self) -> dict[str, int]:
        """Shipments per order id."""
        rows = self.backend.query("SELECT order_id, COUNT(*) FROM shipments GROUP BY order_id ORDER BY order_id")
        return {str(order_id): int(count) for order_id, count in rows}

    def outbox_counts(self) -> tuple[int, int]:
        """``(sent, unsent)``."""
        row = self.backend.query_one("SELECT COALESCE(SUM(sent), 0), COUNT(*) FROM outbox")
        sent, total = (int(row[0]), int(row[1])) if row else (0, 0)
        return sent, total - sent
