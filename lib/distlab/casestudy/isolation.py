"""Two transfers interleaved on a real PostgreSQL, at each isolation level: what goes wrong where.

Two sessions (two connections) run :func:`~distlab.casestudy.ledger.transfer_steps` in turns: both
read, then the first finishes and commits, then the second. Nothing ever waits on a lock: each
session sets ``lock_timeout`` to 1 ms (0 would mean no limit), so a step that would block fails at once
and the session retries its whole transaction on its next turn -- the interleaving is the schedule's,
not the scheduler's.

* ``lost update``: two withdrawals from one account that holds enough for only one. READ COMMITTED
  lets both commit from the same read, and the second write overwrites the first: money appears.
  REPEATABLE READ and SERIALIZABLE abort the second (SQLSTATE 40001); its retry reads the new balance
  and is refused.
* ``write skew``: two withdrawals from the two accounts of a joint group whose sum must stay >= 0,
  each checking the group's sum, into two different wallets. They write different rows, so READ
  COMMITTED and REPEATABLE READ let both commit and the group is overdrawn; SERIALIZABLE aborts one
  (Cahill's serializable snapshot isolation), whose retry is refused.

These are the engine's answers (Hermitage, Kleppmann 2014, lists the same for PostgreSQL), measured
every time, not modelled. SQLite runs every transaction serializably; it has no weaker level to show.
"""
from __future__ import annotations

from collections.abc import Generator
from typing import NamedTuple

from distlab.services import sql
from distlab.services.transaction import TransactionConflict

from .ledger import Ledger, Transfer, TransferResult, transfer_steps

__all__ = ["ANOMALIES", "MAX_TURNS", "Interleaving", "interleave", "no_wait"]

#: turns a session may take to finish after the other committed (a retry needs one)
MAX_TURNS = 5

#: the two lessons: their accounts (opening cents, joint group) and the two competing transfers
ANOMALIES: dict[str, tuple[dict[str, tuple[int, str | None]], tuple[Transfer, Transfer]]] = {
    "lost update": ({"alice": (10_000, None), "bob": (0, None), "carol": (0, None)},
                    (Transfer("t1", "alice", "bob", 6_000), Transfer("t2", "alice", "carol", 6_000))),
    "write skew": ({"checking": (10_000, "couple"), "savings": (10_000, "couple"), "her wallet": (0, None),
                    "his wallet": (0, None)},
                   (Transfer("t1", "checking", "her wallet", 15_000), Transfer("t2", "savings", "his wallet", 15_000))),
}


class Interleaving(NamedTuple):
    """One interleaved run: what each transfer became, the balances after, and the damage."""

    anomaly: str
    isolation: str
    results: tuple[TransferResult, ...]
    balances: dict[str, int]
    conflicts: int  # aborts the engine raised (each retried)
    created_cents: int  # total after minus total before (0 when money is conserved)
    overdrawn: tuple[str, ...]  # accounts or joint groups below zero

    @property
    def anomalous(self) -> bool:
        """True when money was created or destroyed, or a limit overdrawn."""
        return self.created_cents != 0 or bool(self.overdrawn)


def no_wait(db: sql.SQLBackend) -> sql.SQLBackend:
    """``db``, set never to wait for a lock: a statement that would block fails at once (PostgreSQL's
    ``lock_timeout`` of 1 ms -- 0 would mean no limit; SQLite's busy timeout of 0)."""
    db.execute("SET lock_timeout = 1" if db.dialect == "postgresql" else "PRAGMA busy_timeout = 0")
    return db


class _Session:
    """One connection running one transfer, step by step, restarting it after a conflict."""

    def __init__(self, url: str, isolation: str, transfer: Transfer) -> None:
        self.db = no_wait(sql.connect(url))
        self.db.set_isolation(isolation)
        self.transfer, self.conflicts = transfer, 0
        self.result: TransferResult | None = None
        self.steps: Generator[str, None, TransferResult] | None = None

    def step(self, to_end: bool = False) -> None:
        """Run one step (or all the rest); commit when the transfer is done; retry after a conflict."""
        try:
            if self.steps is None:
                self.db.begin()
                self.steps = transfer_steps(self.db, self.transfer)
            while True:
                try:
                    next(self.steps)
                except StopIteration as done:
                    self.db.commit()  # a conflict found at commit is retried like any other
                    self.result, self.steps = done.value, None
                    return
                if not to_end:
                    return
        except TransactionConflict:
            self.db.rollback()
            self.conflicts, self.steps = self.conflicts + 1, None
        except Exception as exc:  # noqa: BLE001 - lock_not_available (55P03): try again next turn
            if getattr(exc.__cause__, "sqlstate", None) != "55P03" and getattr(exc, "sqlstate", None) != "55P03":
                self.db.rollback()
                raise
            self.db.rollback()
            self.conflicts, self.steps = self.conflicts + 1, None


def _overdrawn(ledger: Ledger, balances: dict[str, int]) -> tuple[str, ...]:
    groups: dict[str, int] = {}
    alone = []
    for account, group in ledger.db.query("SELECT id, grp FROM account ORDER BY id"):
        if group is None:
            alone.append(str(account))
        else:
            groups[str(group)] = groups.get(str(group), 0) + balances[str(account)]
    return tuple([a for a in alone if balances[a] < 0] + [g for g, total in sorted(groups.items()) if total < 0])


def interleave(anomaly: str, isolation: str, url: str) -> Interleaving:
    """Run ``anomaly`` (a key of :data:`ANOMALIES`) at ``isolation`` on the empty PostgreSQL at
    ``url``: both sessions read, the first commits, the second finishes (retrying until done)."""
    if anomaly not in ANOMALIES:
        raise ValueError(f"anomaly must be one of {', '.join(ANOMALIES)}, got {anomaly!r}")
    accounts, transfers = ANOMALIES[anomaly]
    with sql.connect(url) as admin:
        if admin.dialect != "postgresql":
            raise ValueError(f"url must name a PostgreSQL database (SQLite runs everything serializably), got {url!r}")
        ledger = Ledger(admin)
        for name, (cents, group) in accounts.items():
            ledger.open_account(name, cents, group)
        before = sum(ledger.balances().values())
        sessions = [_Session(url, isolation, t) for t in transfers]
        try:
            for session in sessions:
                session.step()  # both read
            for session in sessions:
                for _turn in range(MAX_TURNS):
                    if session.result is not None:
                        break
                    session.step(to_end=True)
                else:
                    raise RuntimeError(f"{session.transfer.id} did not finish in {MAX_TURNS} turns")
        finally:
            for session in sessions:
                session.db.close()
        balances = ledger.balances()
        done = tuple(s.result for s in sessions if s.result is not None)
        return Interleaving(anomaly, isolation, done, balances,
                            sum(s.conflicts for s in sessions), sum(balances.values()) - before,
                            _overdrawn(ledger, balances))
