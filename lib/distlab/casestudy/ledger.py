"""The ledger: double-entry bookkeeping in one SQL transaction per transfer, on a real engine.

Every transfer is one transaction that writes a debit and a credit entry (they sum to zero), moves
the two balances in step, and records the transfer under its id -- so a transfer id is applied at
most once, whatever retries arrive. :meth:`Ledger.audit` recomputes every balance from the opening
balance and the entries, which is how the checker knows the stored balances did not drift.

The overdraft rule is checked *by the transaction, from what it read*: an account alone may not go
below zero; accounts in a joint group (a couple's checking and savings) may, as long as the group's
sum stays at or above zero. The transfer reads, computes and writes back (``SET balance = ?``, not
``balance - ?``) on purpose: that read-modify-write is the shape in which the isolation level
decides who is right -- READ COMMITTED loses an update, REPEATABLE READ lets a joint limit be
overdrawn by write skew, SERIALIZABLE admits neither (Hermitage's PostgreSQL results; see
:mod:`distlab.casestudy.isolation`). Conflicts are retried by the engine-neutral loop of
:mod:`distlab.services.transaction`, never surfaced as a lost transfer.

Amounts are integer cents, 1 to 10**12; bad input raises :class:`LedgerError` naming the parameter
before any transaction opens, so it moves no money.
"""
from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import NamedTuple

from distlab.services.sql import SQLBackend

__all__ = ["MAX_CENTS", "SCHEMA", "Ledger", "LedgerError", "Transfer", "TransferResult", "check_cents"]

MAX_CENTS = 10**12
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS account (id TEXT PRIMARY KEY, grp TEXT, opening_cents BIGINT NOT NULL, "
    "balance_cents BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS transfer (id TEXT PRIMARY KEY, source TEXT NOT NULL REFERENCES account(id), "
    "target TEXT NOT NULL REFERENCES account(id), amount_cents BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entry (transfer_id TEXT NOT NULL REFERENCES transfer(id), "
    "account TEXT NOT NULL REFERENCES account(id), amount_cents BIGINT NOT NULL, PRIMARY KEY (transfer_id, account))",
)


class LedgerError(ValueError):
    """A transfer or account that cannot exist (the message names the parameter); nothing moved."""


def check_cents(value: object, name: str = "amount_cents", low: int = 1) -> int:
    """``value`` as integer cents from ``low`` to 10**12 (a bool, float or string is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_CENTS:
        raise LedgerError(f"{name} must be whole cents from {low} to {MAX_CENTS:,}, got {value!r}")
    return value


class Transfer(NamedTuple):
    """One requested transfer of ``amount_cents`` from ``source`` to ``target``."""

    id: str
    source: str
    target: str
    amount_cents: int


class TransferResult(NamedTuple):
    """What became of a transfer: ``applied``, ``duplicate`` (its id was applied before: nothing
    moved again) or ``refused`` (it would overdraw), and how many attempts the engine needed."""

    id: str
    status: str
    reason: str = ""
    attempts: int = 1


def _balance(db: SQLBackend, account: str) -> tuple[int, str | None]:
    row = db.query_one("SELECT balance_cents, grp FROM account WHERE id = ?", (account,))
    if row is None:
        raise LedgerError(f"unknown account {account!r}")
    return int(row[0]), row[1]


def transfer_steps(db: SQLBackend, t: Transfer) -> Generator[str, None, TransferResult]:
    """The transfer's statements inside an open transaction, pausing (``yield``) after each read and
    write so a lesson can interleave two of them; returns the result (the caller commits)."""
    seen = db.query_one("SELECT source, target, amount_cents FROM transfer WHERE id = ?", (t.id,))
    if seen is not None:
        if tuple(seen) != (t.source, t.target, t.amount_cents):
            raise LedgerError(f"transfer id {t.id!r} was used for {tuple(seen)!r}; a reused id must carry the "
                              "same source, target and amount")
        return TransferResult(t.id, "duplicate", "this transfer id was applied before")
    balance, group = _balance(db, t.source)
    available = balance
    if group is not None:
        (available,) = db.query_one("SELECT SUM(balance_cents) FROM account WHERE grp = ?", (group,)) or (0,)
    yield f"read {t.source}"
    if int(available) < t.amount_cents:
        return TransferResult(t.id, "refused", f"{t.source} has {int(available)} cents available, "
                                               f"{t.amount_cents} asked")
    db.execute("UPDATE account SET balance_cents = ? WHERE id = ?", (balance - t.amount_cents, t.source))
    yield f"debit {t.source}"
    credit, _ = _balance(db, t.target)
    db.execute("UPDATE account SET balance_cents = ? WHERE id = ?", (credit + t.amount_cents, t.target))
    db.execute("INSERT INTO transfer (id, source, target, amount_cents) VALUES (?, ?, ?, ?)", t)
    db.execute_many("INSERT INTO entry (transfer_id, account, amount_cents) VALUES (?, ?, ?)",
                    [(t.id, t.source, -t.amount_cents), (t.id, t.target, t.amount_cents)])
    return TransferResult(t.id, "applied")


def run_steps(steps: Generator[str, None, TransferResult]) -> TransferResult:
    """Run a transfer's steps to the end, without pausing."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


class Ledger:
    """Accounts and transfers on ``db`` (SQLite or PostgreSQL) at ``isolation``."""

    def __init__(self, db: SQLBackend, isolation: str = "serializable", max_attempts: int = 20) -> None:
        db.set_isolation(isolation)
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or not 1 <= max_attempts <= 1000:
            raise LedgerError(f"max_attempts must be an integer from 1 to 1000, got {max_attempts!r}")
        self.db, self.max_attempts = db, max_attempts
        self._accounts: frozenset[str] | None = None  # the known account ids (re-read on a miss)
        for statement in SCHEMA:
            db.execute(statement)

    def open_account(self, account: str, opening_cents: int, group: str | None = None) -> None:
        """Create ``account`` holding ``opening_cents`` (0 allowed), alone or in joint ``group``."""
        if not isinstance(account, str) or not account.strip():
            raise LedgerError(f"account must be a non-empty name, got {account!r}")
        check_cents(opening_cents, "opening_cents", low=0)
        if group is not None and (not isinstance(group, str) or not group.strip()):
            raise LedgerError(f"group must be None or a non-empty name, got {group!r}")
        self._accounts = None
        self.db.run_transaction(lambda db: db.execute(
            "INSERT INTO account (id, grp, opening_cents, balance_cents) VALUES (?, ?, ?, ?)",
            (account, group, opening_cents, opening_cents)))

    def check(self, t: Transfer) -> Transfer:
        """``t`` if it can be attempted, else :class:`LedgerError` naming what is wrong."""
        if not isinstance(t.id, str) or not t.id.strip():
            raise LedgerError(f"transfer id must be a non-empty string, got {t.id!r}")
        check_cents(t.amount_cents)
        if t.source == t.target:
            raise LedgerError(f"source and target are the same account {t.source!r}")
        if self._accounts is None or not {t.source, t.target} <= self._accounts:  # a miss reads the table again
            self._accounts = frozenset(str(row[0]) for row in self.db.query("SELECT id FROM account"))
        for name, account in (("source", t.source), ("target", t.target)):
            if account not in self._accounts:
                raise LedgerError(f"{name}: unknown account {account!r}")
        return t

    def transfer(self, transfer_id: str, source: str, target: str, amount_cents: int) -> TransferResult:
        """Apply one transfer in one transaction, retrying conflicts; see the module docstring."""
        t = self.check(Transfer(transfer_id, source, target, amount_cents))
        result, attempts = None, 0
        for attempt in self.db.transactions(max_attempts=self.max_attempts, base_delay=0.0):
            attempts = attempt.number
            with attempt:
                result = run_steps(transfer_steps(self.db, t))
        assert result is not None
        return result._replace(attempts=attempts)

    def balances(self) -> dict[str, int]:
        """Every balance, read in one transaction (what a bank checker's read sees)."""
        rows: Sequence[tuple[object, ...]] = self.db.run_transaction(
            lambda db: db.query("SELECT id, balance_cents FROM account ORDER BY id"))
        return {str(account): int(str(cents)) for account, cents in rows}

    def audit(self) -> list[str]:
        """What is wrong with the books: a balance that differs from its opening plus its entries, or
        a transfer whose entries do not sum to zero. ``[]`` when they are sound."""
        drift = self.db.query(
            "SELECT a.id, a.balance_cents, a.opening_cents + COALESCE(SUM(e.amount_cents), 0) FROM account a "
            "LEFT JOIN entry e ON e.account = a.id GROUP BY a.id, a.balance_cents, a.opening_cents ORDER BY a.id")
        problems = [f"{acct}: balance {bal} but opening + entries = {want}" for acct, bal, want in drift
                    if int(bal) != int(want)]
        unbalanced = self.db.query("SELECT transfer_id, SUM(amount_cents) FROM entry GROUP BY transfer_id "
                                   "HAVING SUM(amount_cents) <> 0 ORDER BY transfer_id")
        return problems + [f"transfer {tid}: entries sum to {total}, not 0" for tid, total in unbalanced]
