"""Transactions that may conflict, and the bounded retry loop that absorbs the conflicts.

A serializable database may refuse to commit a transaction that raced with another one: PostgreSQL
aborts it with SQLSTATE ``40001`` (serialization_failure) or ``40P01`` (deadlock_detected), and
SQLite reports ``SQLITE_BUSY`` when its lock could not be had in time. Either way the right reaction
is the same: roll back and run the *whole* transaction again, a bounded number of times (PostgreSQL
manual, "Serialization Failure Handling"). Both are turned into :class:`TransactionConflict`, so
chapter code handles one exception whatever the engine.

A ``with`` block cannot re-run its own body, so retries are spelled as a loop of attempts, in the
style of tenacity's ``for attempt in Retrying(): with attempt:``::

    for attempt in backend.transactions(max_attempts=5):
        with attempt:
            (balance,) = backend.query_one("SELECT balance FROM account WHERE id = ?", (1,))
            backend.execute("UPDATE account SET balance = ? WHERE id = ?", (balance - 10, 1))

``backend.run_transaction(fn)`` is the same loop for a function ``fn(backend)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # sql imports this module
    from distlab.services.sql import SQLBackend

#: PostgreSQL SQLSTATEs after which re-running the transaction is the documented remedy.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


class TransactionConflict(RuntimeError):
    """The engine aborted the transaction because of a concurrent one; running it again may succeed.

    ``code`` is the SQLSTATE (PostgreSQL) or ``"SQLITE_BUSY"``/``"SQLITE_LOCKED"`` (SQLite).
    """

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(f"transaction conflict ({code}): {message}")


class RetriesExhausted(TransactionConflict):
    """Every one of ``attempts`` attempts ended in a conflict."""

    def __init__(self, attempts: int, last: TransactionConflict):
        self.attempts = attempts
        self.last = last
        RuntimeError.__init__(self, f"gave up after {attempts} attempts; last error: {last}")
        self.code = last.code


class Attempt:
    """One try of a transaction: BEGIN on enter; COMMIT, or ROLLBACK on an exception, on exit.

    A :class:`TransactionConflict` raised in the body or by COMMIT is recorded and swallowed so
    that the surrounding loop can try again; any other exception propagates after the rollback.
    """

    def __init__(self, backend: SQLBackend, number: int):
        self.backend = backend
        self.number = number
        self.conflict: TransactionConflict | None = None
        self.committed = False

    def __enter__(self) -> SQLBackend:
        self.backend.begin()
        return self.backend

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        if exc is None:
            try:
                self.backend.commit()
                self.committed = True
                return False
            except TransactionConflict as conflict:
                exc = conflict
        self.backend.rollback()
        if isinstance(exc, TransactionConflict):
            self.conflict = exc
            return True
        return False


class SingleAttempt(Attempt):
    """One attempt whose conflict is raised, not recorded (``backend.transaction()``): a plain ``with``."""

    def __init__(self, backend: SQLBackend) -> None:
        super().__init__(backend, 1)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        super().__exit__(exc_type, exc, tb)
        if self.conflict is not None:
            raise self.conflict
        return False


def retrying(
    backend: SQLBackend,
    *,
    max_attempts: int = 5,
    base_delay: float = 0.005,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Attempt]:
    """Yield up to *max_attempts* :class:`Attempt` objects until one commits.

    Waits ``base_delay * 2**(n-1)`` seconds after the n-th conflict (no jitter, so runs repeat);
    raises :class:`RetriesExhausted` when the last attempt also conflicted. ``backend.conflicts``
    counts the conflicts absorbed, which the chapters show to the learner.
    """
    if not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError(f"max_attempts: must be an integer >= 1, got {max_attempts!r}")
    if base_delay < 0:
        raise ValueError(f"base_delay: must be >= 0 seconds, got {base_delay!r}")
    for number in range(1, max_attempts + 1):
        attempt = Attempt(backend, number)
        yield attempt
        if attempt.committed:
            return
        if attempt.conflict is None:
            raise RuntimeError("an attempt must be used as `with attempt:` inside the loop")
        backend.conflicts += 1
        if number == max_attempts:
            raise RetriesExhausted(max_attempts, attempt.conflict) from attempt.conflict
        sleep(base_delay * 2 ** (number - 1))
