"""Chapter 3's graded exercises (``notebooks/03_transactions.ipynb``).

* ``transactions.compensations`` -- the compensations to run, in order, when a saga's step fails;
* ``transactions.inbox`` -- a consumer of an at-least-once stream that applies each event's effect exactly once;
* ``transactions.idempotent_charge`` -- a charge handler made idempotent with a key.

The crash model is the real one: a crash ends the connection, so PostgreSQL or SQLite rolls back
the open transaction; the statements already committed stay. Each check returns True, or a string
saying what went wrong (`distlab.grading.registry`).
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from distlab.grading.registry import exercise
from distlab.services import sql
from distlab.services.sql import SQLBackend

NOTEBOOK = "03_transactions"


# ------------------------------------------------------------------------ exercise 1: compensations
def trip_steps() -> list[tuple[str, str]]:
    """``(name, kind)`` of the trip saga's steps, in order (from the library's definition)."""
    from distlab.transactions.saga.travel import travel_saga

    return [(step.name, step.kind) for step in travel_saga().steps]


#: a second saga the check also asks about, so that an answer cannot be written for the trip alone
HOLIDAY = [("book_hotel", "compensatable"), ("book_flight", "compensatable"), ("rent_car", "compensatable"),
           ("pay", "pivot"), ("send_voucher", "retriable")]


def expected_compensations(completed: list[str], steps: list[tuple[str, str]] | None = None) -> list[str]:
    """The compensations to run when the step after *completed* fails: compensatable ones, newest
    first -- and none once the pivot has completed (the saga then only moves forward)."""
    kinds = dict(trip_steps() if steps is None else steps)
    if any(kinds[name] == "pivot" for name in completed):
        return []
    return [name for name in reversed(completed) if kinds[name] == "compensatable"]


@exercise("transactions.compensations", notebook=NOTEBOOK, points=1, title="Order a saga's compensations",
          hints=["Undo only steps that completed, and only those that can be undone (compensatable ones).",
                 "The most recent completed step is undone first.",
                 "The step that failed needs no compensation: its local transaction rolled back.",
                 "Once the pivot has completed, the saga only moves forward: nothing is undone."])
def check_compensations(compensations: Callable[[list[str], list[tuple[str, str]]], list[str]]) -> bool | str:
    """On the trip saga and `HOLIDAY`, each step failing in turn: equal to :func:`expected_compensations`."""
    for steps in (trip_steps(), HOLIDAY):
        verdict = _compensations_on(compensations, steps)
        if verdict is not True:
            return verdict
    return True


def _compensations_on(compensations: Callable[..., Any], steps: list[tuple[str, str]]) -> bool | str:
    names = [n for n, _ in steps]
    pivot = next(n for n, kind in steps if kind == "pivot")
    for failed in range(len(names)):  # the step that fails: before, at and after the pivot
        completed = names[:failed]
        got = compensations(list(completed), list(steps))
        want = expected_compensations(completed, steps)
        case = f"with steps {names}, after {completed} completed and {names[failed]} failed"
        if not isinstance(got, list):
            return f"Return a list of step names, got {type(got).__name__} ({case})."
        if names[failed] in got:
            return f"{case}: {names[failed]} failed, so its local transaction rolled back; nothing of it to undo."
        if not want and got:
            return (f"{case}: the pivot ({pivot}) has completed, so from here the saga only moves forward "
                    f"(retry, undo nothing): expected [], got {got}.")
        if sorted(got) == sorted(want) and got != want:
            return f"{case}: the right steps, in the wrong order. Undo the newest step first."
        if got != want:
            return f"{case}: expected {want}, got {got}."
    return True


# ------------------------------------------------------------------------ crash harness
class Crash(Exception):
    """The process died here (raised by :class:`CrashingBackend` after its n-th statement)."""


class CrashingBackend:
    """A :class:`SQLBackend` stand-in that dies after its *n*-th statement, as a killed process would:
    the connection closes, so the open transaction rolls back and committed work stays."""

    def __init__(self, db: SQLBackend, crash_after: int | None):
        self._db, self._left, self.statements = db, crash_after, 0

    def execute(self, statement: str, params: Any = ()) -> Rows:
        """Run one statement (its rows read at once), then die if this was the armed one."""
        cursor = self._db.execute(statement, params)
        rows = Rows(cursor.fetchall() if cursor.description else [])
        self._tick()
        return rows

    def _tick(self) -> None:
        self.statements += 1
        if self._left is not None:
            self._left -= 1
            if self._left == 0:
                raise Crash(f"crashed after statement {self.statements}")

    def query(self, statement: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Rows of one statement (counts as a statement)."""
        return self.execute(statement, params).fetchall()

    def query_one(self, statement: str, params: Any = ()) -> tuple[Any, ...] | None:
        """The first row of one statement, or None (counts as a statement)."""
        return self.execute(statement, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[CrashingBackend]:
        """BEGIN ... COMMIT (ROLLBACK on any exception, a crash included); a crash may also come right
        after the COMMIT, which counts as a statement."""
        self._db.begin()
        try:
            yield self
        except BaseException:
            self._db.rollback()
            raise
        self._db.commit()
        self._tick()


class Rows:
    """A statement's rows, read before the next statement runs (``fetchone``, ``fetchall``)."""

    def __init__(self, rows: list[Any]):
        self._rows = [tuple(r) for r in rows]

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row, or None."""
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        """The remaining rows."""
        rows, self._rows = self._rows, []
        return rows


@contextmanager
def _database(schema: str) -> Iterator[tuple[SQLBackend, str]]:
    with tempfile.TemporaryDirectory(prefix="distlab-grade-") as folder:
        url = f"sqlite:///{os.path.join(folder, 'db.sqlite')}"
        with sql.connect(url) as db:
            db.script(schema)
            yield db, url


def _until_done(fn: Callable[[CrashingBackend], Any], db: SQLBackend, crash_after: int | None) -> Any:
    """Run *fn* with a crash after *crash_after* statements, then retry it (no crash) until it returns."""
    try:
        return fn(CrashingBackend(db, crash_after))
    except Crash:
        db.rollback()  # the connection died: the open transaction is gone
        return fn(CrashingBackend(db, None))


# ------------------------------------------------------------------------ exercise 2: the inbox
INBOX_SCHEMA = ("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);"
                "CREATE TABLE inbox (event_id TEXT PRIMARY KEY);"
                "INSERT INTO account (id, balance) VALUES (1, 0);"
                "INSERT INTO account (id, balance) VALUES (2, 0)")
EVENTS = [{"id": "e1", "account": 1, "amount": 10}, {"id": "e2", "account": 2, "amount": 5},
          {"id": "e3", "account": 1, "amount": 7}]


def _balances(db: SQLBackend) -> dict[int, int]:
    return {row[0]: row[1] for row in db.query("SELECT id, balance FROM account ORDER BY id")}


def _deliver(handle: Callable[..., Any], event: dict[str, Any], db: CrashingBackend) -> Any:
    return handle(db, dict(event))


def _pay(charge: Callable[..., Any], key: str, db: CrashingBackend) -> Any:
    return charge(db, key, 5)


def _inbox_after(handle: Callable[..., Any], deliveries: list[dict[str, Any]], crash: tuple[int, int] | None) -> Any:
    """Balances after *deliveries* (with a crash after statement crash[1] of delivery crash[0])."""
    with _database(INBOX_SCHEMA) as (db, _):
        for index, event in enumerate(deliveries):
            after = crash[1] if crash is not None and crash[0] == index else None
            _until_done(functools.partial(_deliver, handle, event), db, after)
        return _balances(db)


def _skipped(got: dict[int, int], want: dict[int, int]) -> str:
    """A hint when events were not applied at all (balances below what they should be)."""
    if all(got.get(k, 0) <= v for k, v in want.items()):
        return (" Some events were never applied. Does your handler remember events outside the database "
                "(a Python set, a global)? The check uses a fresh database each run; only what is in the "
                "database -- the inbox table -- belongs with the balances.")
    return ""


@exercise("transactions.inbox", notebook=NOTEBOOK, points=2, title="A consumer that applies each event once",
          hints=["Record each event's id in the inbox table; a duplicate finds its id already there.",
                 "The inbox row and the balance update must commit together: use one db.transaction().",
                 "Insert into the inbox first (a duplicate then fails, or check with a SELECT inside the "
                 "same transaction) and only then apply the effect."])
def check_inbox(handle: Callable[..., Any]) -> bool | str:
    """``handle(db, event)`` must give the right balances on `EVENTS` delivered once, twice each, and
    with a crash after each of its first 8 statements of every delivery (then delivered again)."""
    want = {1: 17, 2: 5}
    got = _inbox_after(handle, EVENTS, None)
    if got != want:
        return f"One delivery of each event should give balances {want}, got {got}." + _skipped(got, want)
    twice = [e for e in EVENTS for _ in range(2)]
    got = _inbox_after(handle, twice, None)
    if got != want:
        return (f"Every event delivered twice (at least once!) gave {got}, not {want}"
                + (_skipped(got, want) or ": duplicates got through."))
    for index in range(len(twice)):
        for after in range(1, 9):
            got = _inbox_after(handle, twice, (index, after))
            if got != want:
                return (f"A crash after statement {after} of delivery {index + 1} (the event is then delivered "
                        f"again) gave {got}, not {want}: the inbox row and the effect must commit together.")
    return True


# ------------------------------------------------------------------------ exercise 3: idempotent charge
CHARGE_SCHEMA = ("CREATE TABLE charges (id INTEGER PRIMARY KEY AUTOINCREMENT, amount INTEGER NOT NULL);"
                 "CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, charge_id INTEGER)")


def _charge_count(db: SQLBackend) -> int:
    row = db.query_one("SELECT COUNT(*) FROM charges")
    return int(row[0]) if row else 0


def _racing(charge: Callable[..., Any], url: str, threads: int = 4) -> list[Any]:
    """*threads* threads, each with its own connection, call ``charge`` with one key at once."""
    barrier, results = threading.Barrier(threads), []

    def worker() -> None:
        with sql.connect(url, timeout=10) as own:
            barrier.wait()
            for _ in range(20):  # a retry loop: a busy database is a conflict, not an answer
                try:
                    results.append(charge(CrashingBackend(own, None), "race", 42))
                    return
                except Exception:  # noqa: BLE001 -- the learner's conflict; retried
                    own.rollback()
            results.append("gave up")

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


@exercise("transactions.idempotent_charge", notebook=NOTEBOOK, points=2, title="An idempotent charge",
          hints=["Look the key up first; if it is there, return the charge it recorded.",
                 "The charge and the key's row must commit in one db.transaction(), or a crash between "
                 "them charges again on the retry.",
                 "Two requests with one key at the same time: the key's PRIMARY KEY lets only one "
                 "transaction insert it. Do the lookup inside the same transaction."])
def check_idempotent_charge(charge: Callable[..., Any]) -> bool | str:
    """``charge(db, key, amount)`` must charge once per key: a retry returns the first result, a new key
    charges anew, a crash after any of its first 8 statements and a retry charge once, and 4 threads
    racing on one key make one charge and all get one answer."""
    with _database(CHARGE_SCHEMA) as (db, url):
        first = charge(CrashingBackend(db, None), "k1", 100)
        again = charge(CrashingBackend(db, None), "k1", 100)
        if again != first:
            return f"A retry with the same key must return the first result ({first!r}), got {again!r}."
        if _charge_count(db) != 1:
            return f"Two calls with key k1 made {_charge_count(db)} charges."
        if charge(CrashingBackend(db, None), "k2", 100) == first or _charge_count(db) != 2:
            return "A new key is a new payment: it must make a new charge with its own result."
        for after in range(1, 9):
            key = f"crash-{after}"
            before = _charge_count(db)
            _until_done(functools.partial(_pay, charge, key), db, after)
            if _charge_count(db) - before != 1:
                return (f"A crash after statement {after} and a retry with the same key made "
                        f"{_charge_count(db) - before} charges: commit the charge and the key together.")
        before = _charge_count(db)
        results = _racing(charge, url)
        made = _charge_count(db) - before
        if made != 1 or len(set(map(repr, results))) != 1:
            return (f"4 threads retrying one key at once made {made} charges and got "
                    f"{sorted(set(map(repr, results)))}: do the lookup and the insert in one transaction.")
    return True
