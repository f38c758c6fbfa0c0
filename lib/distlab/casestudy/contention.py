"""The ledger under contention: many sessions interleaved on a real engine, judged by the bank checker.

:mod:`distlab.casestudy.isolation` shows each anomaly once, with two hand-placed transfers. Here a
seeded workload of transfers runs on ``sessions`` connections at once, at one isolation level: at
each turn a seeded random stream picks a session and advances its transfer by one step
(:func:`~distlab.casestudy.ledger.transfer_steps`: read, debit, credit-and-record); a session whose
transfer is done commits and takes the next one. Nothing waits on a lock (a ``lock_timeout`` of
1 ms, SQLite's busy timeout 0: :func:`~distlab.casestudy.isolation.no_wait`): a step that would
block, or a conflict the engine detects (SQLSTATE 40001 / 40P01 / 55P03, ``SQLITE_BUSY``), rolls the
transaction back and the session retries the *same* transfer on a later turn -- so a conflict is
never a lost transfer. Every ``read_every`` turns an auditor reads all
balances in one transaction of its own, and once more at the end. What the clients saw goes into a
:class:`~distlab.sim.history.History` (time is the turn number) and the bank checker
(:func:`~distlab.casestudy.checker.check_bank`, after Jepsen's bank test) judges it.

Measured on the embedded PostgreSQL with the default workload (80 transfers, 4 sessions, a read
every 3 turns), seeds 0-49 at each level:

* ``serializable``: no violation on any seed (about 53 conflicts per run, each retried);
* ``repeatable read``: the couple's joint limit overdrawn (write skew, an ``overdraft``) on 47 of 50
  seeds, money created or destroyed on none (the engine aborts every lost update);
* ``read committed``: money created or destroyed (a lost update, a ``money`` violation) on 48 of 50
  seeds, an overdraft on 49.

SQLite runs every transaction serializably: no violation, whatever the seed.
"""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from distlab.services import sql
from distlab.services.transaction import TransactionConflict
from distlab.sim.history import History, HistoryRecorder

from .checker import Applied, BankRecord, BankVerdict, check_bank
from .isolation import _Session, no_wait
from .ledger import SCHEMA, Ledger, Transfer, check_cents

__all__ = ["DEFAULT_ACCOUNTS", "INTO_GROUP", "ISOLATION_LEVELS", "OUT_OF_GROUP", "Account", "ContentionConfig",
           "ContentionRun", "empty", "plan", "run_contention"]

ISOLATION_LEVELS = ("serializable", "repeatable read", "read committed")


class Account(NamedTuple):
    """One account of the workload: its name, opening balance and joint group (None: it stands alone)."""

    name: str
    opening_cents: int
    group: str | None = None


#: a couple's three joint accounts (their SUM must stay >= 0) and five people on their own
DEFAULT_ACCOUNTS: tuple[Account, ...] = (
    Account("checking", 2_000, "couple"), Account("savings", 2_000, "couple"), Account("card", 2_000, "couple"),
    Account("alice", 6_000), Account("bob", 6_000), Account("carol", 6_000), Account("dave", 6_000),
    Account("erin", 6_000),
)
#: the share of transfers that leave the joint group, and of the others that pay into it
OUT_OF_GROUP, INTO_GROUP = 0.6, 0.6


def _whole(name: str, value: object, low: int, high: float = math.inf) -> int:
    """``value`` if it is an int (not a bool) from ``low`` to ``high``, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        upper = "" if high == math.inf else f" to {high:,}"
        raise ValueError(f"{name} must be an integer from {low:,}{upper}, got {value!r}")
    return value


def _check_accounts(accounts: object) -> None:
    """A ValueError naming ``accounts`` unless it is a tuple of at least two :class:`Account` with distinct
    non-empty names, whole-cent opening balances (0 allowed) and groups that are None or a name."""
    if not isinstance(accounts, tuple) or not all(isinstance(a, Account) for a in accounts):
        raise ValueError(f"accounts must be a tuple of Account, got {accounts!r}")
    names = [a.name for a in accounts]
    if len(set(names)) < 2 or len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"accounts must have at least two distinct non-empty names, got {names!r}")
    for a in accounts:
        check_cents(a.opening_cents, f"accounts opening_cents of {a.name}", low=0)
        if a.group is not None and (not isinstance(a.group, str) or not a.group):
            raise ValueError(f"accounts group of {a.name} must be None or a non-empty name, got {a.group!r}")


@dataclass(frozen=True, slots=True)
class ContentionConfig:
    """One contention run: the seed, the isolation level, the sessions and the workload.

    ``amounts`` is the (low, high) range of a transfer's cents, drawn in steps of 100; the default
    is large against the balances, so overdraft attempts and two sessions on one row are common.
    ``sessions`` connections (2-16) run ``transfers`` transfers (1-100,000); the auditor reads every
    ``read_every`` turns (1-1,000)."""

    seed: int
    isolation: str = "serializable"
    sessions: int = 4
    transfers: int = 80
    read_every: int = 3
    amounts: tuple[int, int] = (2_000, 5_000)
    accounts: tuple[Account, ...] = DEFAULT_ACCOUNTS

    def __post_init__(self) -> None:
        _whole("seed", self.seed, 0)
        if not isinstance(self.isolation, str) or self.isolation not in ISOLATION_LEVELS:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_LEVELS)}, got {self.isolation!r}")
        _whole("sessions", self.sessions, 2, 16)
        _whole("transfers", self.transfers, 1, 100_000)
        _whole("read_every", self.read_every, 1, 1_000)
        if not isinstance(self.amounts, tuple) or len(self.amounts) != 2:
            raise ValueError(f"amounts must be a (low, high) pair of cents, got {self.amounts!r}")
        low = check_cents(self.amounts[0], "amounts low")
        check_cents(self.amounts[1], "amounts high", low=low)
        _check_accounts(self.accounts)


class ContentionRun(NamedTuple):
    """One run: its configuration, the history the clients saw, the checker's verdict, and the books."""

    config: ContentionConfig
    history: History
    verdict: BankVerdict
    conflicts: int  # transactions rolled back by the engine and retried
    balances: dict[str, int]  # at the end
    created_cents: int  # final total minus opening total (0 when money is conserved)
    turns: int

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of violation the checker found, each once, earliest first."""
        return tuple(dict.fromkeys(v.kind for v in self.verdict.violations))


def plan(config: ContentionConfig) -> list[Transfer]:
    """The run's transfers (``t0``, ``t1``, ...), drawn from the seed's own stream: a share
    :data:`OUT_OF_GROUP` from a joint account to someone alone (two of them at once are the write skew),
    the rest from someone alone, into the group (:data:`INTO_GROUP`, refilling it) or to another."""
    rng = random.Random(f"contention/plan/{config.seed}")
    joint = [a.name for a in config.accounts if a.group is not None]
    alone = [a.name for a in config.accounts if a.group is None]
    low, high = config.amounts
    transfers = []
    for n in range(config.transfers):
        if joint and alone and rng.random() < OUT_OF_GROUP:
            source, target = rng.choice(joint), rng.choice(alone)
        elif joint and alone and (len(alone) < 2 or rng.random() < INTO_GROUP):
            source, target = rng.choice(alone), rng.choice(joint)
        else:
            source, target = rng.sample(alone if len(alone) >= 2 else joint, 2)
        transfers.append(Transfer(f"t{n}", source, target, low + 100 * rng.randint(0, (high - low) // 100)))
    return transfers


def _auditor(url: str, isolation: str) -> sql.SQLBackend:
    """The auditor's connection: each statement it runs alone is one transaction at ``isolation``
    (PostgreSQL's default level set; SQLite's only level), and it never waits for a lock."""
    db = no_wait(sql.connect(url))
    if db.dialect == "postgresql":
        db.execute(f"SET default_transaction_isolation = '{isolation}'")
    return db


def _read_all(db: sql.SQLBackend) -> dict[str, int] | None:
    """Every balance, read by one statement -- one transaction of its own (one round trip, not three) --
    or None when the engine refused it (the auditor tries again on the next turn)."""
    try:
        rows = db.query("SELECT id, balance_cents FROM account ORDER BY id")
    except TransactionConflict:
        return None
    return {str(account): int(cents) for account, cents in rows}


class _Driver:
    """The interleaving: sessions, the auditor, the plan still to run, and the recorder."""

    def __init__(self, config: ContentionConfig, url: str) -> None:
        self.config, self.now = config, 0.0  # simulated time: the turn (a read: half a turn after it)
        self.recorder = HistoryRecorder(lambda: self.now)
        self.todo = plan(config)[::-1]  # popped from the end
        self.rng = random.Random(f"contention/turns/{config.seed}")
        self.sessions: list[_Session] = []
        self.ops: dict[int, int] = {}  # session index -> its open transfer operation
        self.auditor = _auditor(url, config.isolation)
        try:
            for index in range(min(config.sessions, len(self.todo))):
                self.sessions.append(_Session(url, config.isolation, self.todo[-1]))
                self._take(index)
        except BaseException:
            self.close()
            raise

    def _take(self, index: int) -> None:
        """Session ``index`` takes the next transfer of the plan."""
        session, transfer = self.sessions[index], self.todo.pop()
        session.transfer, session.result = transfer, None
        self.ops[index] = self.recorder.invoke(index, "transfer", tuple(transfer))

    def read(self) -> bool:
        """The auditor reads every balance; False when the engine refused (the caller tries again)."""
        balances = _read_all(self.auditor)
        if balances is None:
            return False
        self.recorder.ok(self.recorder.invoke("auditor", "read"), balances)
        return True

    def run(self) -> int:
        """Turns until every transfer committed, then a last read; returns the number of turns."""
        active, turn, read_due = list(range(len(self.sessions))), 0, False
        limit = 200 * self.config.transfers + 1_000
        while active:
            turn += 1
            if turn > limit:
                raise RuntimeError(f"the transfers did not finish in {limit:,} turns (a livelock?)")
            self.now = float(turn)
            index = self.rng.choice(active)
            session = self.sessions[index]
            session.step()
            if session.result is not None:
                self.recorder.ok(self.ops.pop(index), session.result.status)
                if self.todo:
                    self._take(index)
                else:
                    active.remove(index)
            read_due = read_due or turn % self.config.read_every == 0
            self.now = turn + 0.5
            if read_due:
                read_due = not self.read()
        while not self.read():  # nothing else runs now: the engine has no reason to refuse twice
            turn += 1
            self.now = turn + 0.5
            if turn > limit:
                raise RuntimeError(f"the auditor's last read was refused until turn {limit:,}")
        return turn

    def close(self) -> None:
        """Close every connection."""
        for session in self.sessions:
            session.db.close()
        self.auditor.close()


def _open_ledger(config: ContentionConfig, db: sql.SQLBackend) -> Ledger:
    """The ledger on ``db``, which must be empty, with the workload's accounts opened."""
    if db.dialect == "sqlite" and db.url is None:
        raise ValueError("url must name a database file or server (an in-memory SQLite is private to "
                         "one connection)")
    ledger = Ledger(db)
    (count,) = db.query_one("SELECT COUNT(*) FROM account") or (0,)
    if int(count):
        raise ValueError(f"url must name an empty database, but it holds {int(count)} accounts")
    for account in config.accounts:
        ledger.open_account(account.name, account.opening_cents, account.group)
    return ledger


def empty(url: str) -> str:
    """``url`` with the ledger's tables made empty (created if need be): what a run starts from, one
    database reused across many runs (``TRUNCATE`` is faster than a new schema). Returns ``url``."""
    with sql.connect(url) as db:
        for statement in SCHEMA:
            db.execute(statement)
        db.script("TRUNCATE entry, transfer, account" if db.dialect == "postgresql" else
                  "DELETE FROM entry; DELETE FROM transfer; DELETE FROM account")
    return url


def _record(ledger: Ledger, history: History, accounts: Sequence[Account]) -> BankRecord:
    """What the checker reads: the history, the ledger's transfers, the joint groups. The ledger sends
    no notifications here, so each applied transfer counts as notified once."""
    rows = ledger.db.query("SELECT id, source, target, amount_cents FROM transfer ORDER BY id")
    applied = tuple(Applied(str(i), str(i), str(s), str(t), int(c)) for i, s, t, c in rows)
    groups = {a.name: a.group for a in accounts if a.group is not None}
    return BankRecord(history, sum(a.opening_cents for a in accounts), applied, groups,
                      notifications=tuple(a.id for a in applied))


def run_contention(config: ContentionConfig, url: str) -> ContentionRun:
    """Run ``config``'s transfers interleaved on the empty database at ``url`` (PostgreSQL at any level;
    a SQLite file at ``"serializable"``) and judge the history with the bank checker."""
    if not isinstance(config, ContentionConfig):
        raise TypeError(f"config must be a ContentionConfig, got {type(config).__name__}")
    with sql.connect(url) as admin:
        if config.isolation not in admin.ISOLATION_LEVELS:
            raise ValueError(f"isolation must be one of {', '.join(admin.ISOLATION_LEVELS)} on {admin.dialect}, "
                             f"got {config.isolation!r}")
        ledger = _open_ledger(config, admin)
        driver = _Driver(config, url)
        try:
            turns = driver.run()
        finally:
            driver.close()
        history = driver.recorder.history()
        record = _record(ledger, history, config.accounts)
        balances = ledger.balances()
        conflicts = sum(s.conflicts for s in driver.sessions)
        return ContentionRun(config, history, check_bank(record), conflicts, balances,
                             sum(balances.values()) - record.total_cents, turns)
