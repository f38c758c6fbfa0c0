"""Two-phase commit on real PostgreSQL servers: ``PREPARE TRANSACTION`` / ``COMMIT PREPARED``.

PostgreSQL is a real 2PC participant. ``PREPARE TRANSACTION 'gid'`` ends the session's transaction
without committing it: its changes and its row locks are written to disk and *detached from the
session* -- they survive the client disconnecting, and the server crashing and restarting -- until
someone says ``COMMIT PREPARED 'gid'`` or ``ROLLBACK PREPARED 'gid'``. The server lists them in
``pg_prepared_xacts``. That is the participant's "yes" vote, and its blocking: until the coordinator's
decision arrives, the prepared rows stay locked for everyone.

:class:`Coordinator` drives a transaction over several participant databases. Its own durable log is
a SQLite file (the coordinator's stable storage): a decision is written there *before* any
participant hears it, so a coordinator that crashes can be restarted and :meth:`Coordinator.recover`
finishes what it left in doubt -- the logged decision, or abort if none was logged (presumed abort).
``crash_at`` stops the coordinator at one of :data:`CRASH_POINTS`, closing its connections as a
killed process would (the tests also ``kill -9`` a coordinator in another process).

:func:`participants` gives two (or more) participant URLs: separate embedded PostgreSQL servers by
default (transaction ids are per server; restarting one must not take the other down), or, with
``DISTLAB_DATABASE_URL``, databases of that one server (the gid names the participant, since gids
are unique per server).

Sources: Gray & Lamport, "Consensus on Transaction Commit" (2006), section 3; PostgreSQL's manual,
``PREPARE TRANSACTION`` and ``pg_prepared_xacts``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from distlab.services import postgres, sql
from distlab.services.errors import ServiceUnavailable
from distlab.services.sql import SQLBackend

CRASH_POINTS = (
    "after-first-prepare",  # one participant voted yes; the others still have an open transaction
    "after-all-prepared",  # every participant voted yes; no decision in the coordinator's log
    "after-decision-logged",  # the decision is durable; no participant has heard it
    "after-first-commit",  # one participant committed; the others are still in doubt
)
_TXID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")  # no ':' -- it separates the parts of a gid
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class CoordinatorCrashed(RuntimeError):
    """The coordinator stopped at ``crash_at``; what it left behind is for :meth:`Coordinator.recover`."""


@dataclass(frozen=True)
class Write:
    """One statement (``?`` placeholders) that runs on one participant inside the global transaction."""

    participant: str
    statement: str
    params: tuple[Any, ...] = ()


@dataclass
class Outcome:
    """What happened to one global transaction."""

    txid: str
    decision: str  # "commit" or "abort"
    votes: dict[str, str] = field(default_factory=dict)  # participant -> "yes" / "no: <reason>"
    reason: str = ""


def gid_of(txid: str, participant: str) -> str:
    """The participant's global transaction id: unique per server even when participants share one."""
    if not isinstance(txid, str) or not _TXID.match(txid):
        raise ValueError(f"txid: 1-128 ASCII letters, digits, '_', '.' or '-', got {txid!r}")
    return f"distlab:{txid}:{participant}"


def prepared_max(db: SQLBackend) -> int:
    """The server's ``max_prepared_transactions`` (0 means no two-phase commit at all)."""
    row = db.query_one("SHOW max_prepared_transactions")
    return int(row[0]) if row else 0


def require_prepared(db: SQLBackend, name: str) -> None:
    """A clear error naming the setting if *db*'s server cannot prepare transactions."""
    if prepared_max(db) <= 0:
        raise ServiceUnavailable(
            f"participant {name}: max_prepared_transactions is 0 on its server, so it cannot PREPARE "
            "TRANSACTION; set it above 0 (ALTER SYSTEM SET max_prepared_transactions = 16) and restart it")


def participants(names: Sequence[str] = ("a", "b"), *, url: str | None = None) -> dict[str, str]:
    """A URL per participant name: databases ``distlab_2pc_<name>`` of the server at *url* (or of
    ``$DISTLAB_DATABASE_URL``), else one embedded server each."""
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"names: lower-case identifiers of 1-31 characters, got {name!r}")
    if len(set(names)) != len(names) or not 2 <= len(names) <= 5:
        raise ValueError(f"names: 2-5 distinct participant names, got {list(names)!r}")
    configured = url or postgres.configured_url()
    if configured is None:
        return {name: postgres.url(f"participant-{name}") for name in names}
    urls = {}
    with sql.connect(configured) as admin:
        for name in names:
            database = f"distlab_2pc_{name}"
            if admin.query_one("SELECT 1 FROM pg_database WHERE datname = ?", (database,)) is None:
                admin.execute(f'CREATE DATABASE "{database}"')
            urls[name] = _with_database(configured, database)
    return urls


def _with_database(url: str, database: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


class Coordinator:
    """A 2PC coordinator over participant databases, with a durable decision log in SQLite."""

    def __init__(self, participant_urls: Mapping[str, str], log_path: str):
        if len(participant_urls) < 1:
            raise ValueError("participant_urls: at least one participant")
        self.urls = dict(participant_urls)
        self._checked: set[str] = set()  # participants known to allow PREPARE TRANSACTION
        self.log = sql.connect(f"sqlite:///{log_path}" if "://" not in log_path else log_path)
        self.log.script("CREATE TABLE IF NOT EXISTS decision (txid TEXT PRIMARY KEY, outcome TEXT NOT NULL, "
                        "participants TEXT NOT NULL)")

    def close(self) -> None:
        """Close the log (participants' connections are per transaction)."""
        self.log.close()

    # -- the protocol ---------------------------------------------------------------
    def run(self, txid: str, writes: Sequence[Write], *, crash_at: str | None = None) -> Outcome:
        """Phase 1 (work + PREPARE on every participant), log the decision, phase 2 (COMMIT/ROLLBACK PREPARED)."""
        if crash_at is not None and crash_at not in CRASH_POINTS:
            raise ValueError(f"crash_at: one of {list(CRASH_POINTS)} or None, got {crash_at!r}")
        unknown = sorted({w.participant for w in writes} - set(self.urls))
        if unknown:
            raise ValueError(f"writes: unknown participant(s) {unknown}; known: {sorted(self.urls)}")
        names = sorted({w.participant for w in writes})
        gids = {name: gid_of(txid, name) for name in names}
        outcome = Outcome(txid, "abort")
        with contextlib.ExitStack() as sessions:
            conns = {n: sessions.enter_context(sql.connect(self.urls[n])) for n in names}
            for name, db in conns.items():
                if name not in self._checked:  # a server's setting does not change while it runs
                    require_prepared(db, name)
                    self._checked.add(name)
            self._phase_one(names, conns, gids, writes, outcome, crash_at)
            outcome.decision = "commit" if all(v == "yes" for v in outcome.votes.values()) else "abort"
            self._log_decision(txid, outcome.decision, names)
            if crash_at == "after-decision-logged":
                raise CoordinatorCrashed(crash_at)
            prepared = {n for n, vote in outcome.votes.items() if vote == "yes"}
            self._phase_two(names, conns, gids, prepared, outcome.decision, crash_at)
        self._forget(txid)
        return outcome

    def _phase_one(self, names: list[str], conns: dict[str, SQLBackend], gids: dict[str, str],
                   writes: Sequence[Write], outcome: Outcome, crash_at: str | None) -> None:
        for index, name in enumerate(names):
            db = conns[name]
            try:
                db.execute("BEGIN")
                for w in (w for w in writes if w.participant == name):
                    db.execute(w.statement, w.params)
                db.execute(f"PREPARE TRANSACTION '{gids[name]}'")
                outcome.votes[name] = "yes"
            except Exception as exc:  # the participant votes no: its work failed
                db.rollback()
                outcome.votes[name] = f"no: {_first_line(exc)}"
                outcome.reason = f"{name} voted no"
                return  # no need to ask the rest: the decision is abort
            if crash_at == "after-first-prepare" and index == 0 and len(names) > 1:
                raise CoordinatorCrashed(crash_at)
        if crash_at == "after-all-prepared":
            raise CoordinatorCrashed(crash_at)

    def _phase_two(self, names: list[str], conns: dict[str, SQLBackend], gids: dict[str, str],
                   prepared: set[str], decision: str, crash_at: str | None) -> None:
        verb = "COMMIT PREPARED" if decision == "commit" else "ROLLBACK PREPARED"
        for index, name in enumerate(names):
            db = conns[name]
            if name in prepared:
                db.execute(f"{verb} '{gids[name]}'")
            else:
                db.rollback()  # never prepared (a "no" vote or never asked): its open work just ends
            if crash_at == "after-first-commit" and index == 0 and len(names) > 1:
                raise CoordinatorCrashed(crash_at)

    def _log_decision(self, txid: str, decision: str, names: list[str]) -> None:
        with self.log.transaction():
            self.log.execute("INSERT INTO decision (txid, outcome, participants) VALUES (?, ?, ?)",
                             (txid, decision, ",".join(names)))

    def _forget(self, txid: str) -> None:
        """Every participant has the outcome: the log entry may go (as a real coordinator's would)."""
        self.log.execute("DELETE FROM decision WHERE txid = ?", (txid,))

    # -- recovery ---------------------------------------------------------------------
    def recover(self) -> dict[str, str]:
        """Finish every transaction of ours left prepared on any participant: ``{txid: outcome}``.

        The logged decision if there is one; otherwise abort (presumed abort: with no decision
        logged, no participant can have been told to commit).
        """
        logged = {txid: outcome for txid, outcome, _ in self.log.query("SELECT * FROM decision")}
        finished: dict[str, str] = {}
        for name, url in self.urls.items():
            with sql.connect(url) as db:
                for (gid,) in db.query("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE ? AND database = "
                                       "current_database()", (f"distlab:%:{name}",)):
                    txid = gid.split(":")[1]
                    outcome = logged.get(txid, "abort")
                    db.execute(f"{'COMMIT' if outcome == 'commit' else 'ROLLBACK'} PREPARED '{gid}'")
                    finished[txid] = outcome
        for txid in logged:
            self._forget(txid)
        return finished


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# -- what a learner looks at ----------------------------------------------------------------
def in_doubt(url: str) -> list[tuple[str, str]]:
    """``(gid, database)`` of every prepared transaction in *url*'s database, from ``pg_prepared_xacts``.

    (The view lists the whole server; participants sharing one server are told apart by database.)
    Transaction ids and timestamps are left out: they change from run to run.
    """
    with sql.connect(url) as db:
        return [(g, d) for g, d in db.query("SELECT gid, database FROM pg_prepared_xacts "
                                            "WHERE database = current_database() ORDER BY gid")]


def try_write(url: str, statement: str, params: Sequence[Any] = (), *, lock_timeout_ms: int = 300) -> str:
    """Run one write in another session with a ``lock_timeout``: ``"done"`` or why it was refused."""
    if not isinstance(lock_timeout_ms, int) or not 1 <= lock_timeout_ms <= 60_000:
        raise ValueError(f"lock_timeout_ms: an integer in 1..60000, got {lock_timeout_ms!r}")
    with sql.connect(url) as db:
        db.execute(f"SET lock_timeout = {lock_timeout_ms}")
        try:
            db.execute(statement, params)
        except Exception as exc:
            return f"refused: {_first_line(exc)}"
    return "done"


@contextlib.contextmanager
def accounts(urls: Mapping[str, str], balance: int = 100) -> Iterator[dict[str, SQLBackend]]:
    """An ``account(id, balance >= 0)`` table with account 1 on every participant (fresh each time)."""
    with contextlib.ExitStack() as stack:
        dbs = {n: stack.enter_context(sql.connect(u)) for n, u in urls.items()}
        for db in dbs.values():
            for (gid,) in db.query("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"):
                db.execute(f"ROLLBACK PREPARED '{gid}'")  # leftovers of an earlier run hold the rows
            db.script("DROP TABLE IF EXISTS account; "
                      "CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))")
            db.execute("INSERT INTO account (id, balance) VALUES (1, ?)", (balance,))
        yield dbs
