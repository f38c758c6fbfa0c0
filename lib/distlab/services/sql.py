"""One small SQL API over SQLite (default) and PostgreSQL (when a URL names one).

``connect(url=None)`` picks the engine:

* no URL and no ``DISTLAB_DATABASE_URL`` -> SQLite in memory; ``sqlite:///file.db`` (relative),
  ``sqlite:////abs/file.db``, ``sqlite:///:memory:`` or a plain path -> SQLite on that file (WAL);
* ``postgresql://user@127.0.0.1:5432/db`` -> PostgreSQL through psycopg 3, SERIALIZABLE.

Chapter code writes SQL once with ``?`` placeholders; the PostgreSQL backend rewrites them to
psycopg's ``%s``. Both backends run in autocommit mode and open transactions explicitly: SQLite with
``BEGIN IMMEDIATE`` (Python's default handling opens no transaction before a SELECT, so a
read-then-write loses updates), PostgreSQL with ``BEGIN ISOLATION LEVEL SERIALIZABLE``.
See :mod:`distlab.services.transaction` for the retry loop.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from distlab.services.errors import ServiceUnavailable
from distlab.services.loopback import check_loopback_host
from distlab.services.transaction import (
    RETRYABLE_SQLSTATES,
    Attempt,
    SingleAttempt,
    TransactionConflict,
    retrying,
)

ENV_VAR = "DISTLAB_DATABASE_URL"
_SQLITE_CONFLICTS = {5: "SQLITE_BUSY", 6: "SQLITE_LOCKED"}

_Backend = TypeVar("_Backend", bound="SQLBackend")


def qmark_to_format(sql: str) -> str:
    """Rewrite ``?`` placeholders as ``%s`` (and ``%`` as ``%%``) outside quoted text."""
    out, quote = [], None
    for char in sql:
        if quote:
            quote = None if char == quote else quote
            out.append("%%" if char == "%" else char)
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        else:
            out.append("%s" if char == "?" else "%%" if char == "%" else char)
    return "".join(out)


#: the rewrite of each statement text, kept (chapter code runs the same few dozen texts thousands of times)
_native_text = functools.lru_cache(maxsize=1024)(qmark_to_format)


class SQLBackend:
    """A DB-API connection plus the few things chapter code needs to stay engine-neutral."""

    dialect = ""  # "sqlite" or "postgresql"
    placeholder = "?"  # what one parameter looks like in this engine's own SQL
    paramstyle = "qmark"

    def __init__(self, connection: Any, name: str, where: str, url: str | None = None):
        # a DB-API 2 connection: sqlite3.Connection or psycopg.Connection
        self.connection = connection
        self.url = url  # what connect() takes to open another connection to the same database
        self.name = name  # e.g. "sqlite 3.40.1 (embedded)"
        self.where = where
        self.conflicts = 0  # conflicts absorbed by transactions(); see the transaction module
        self._in_transaction = False

    # -- statements -------------------------------------------------------------
    def _native(self, sql: str) -> str:
        return sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement written with ``?`` placeholders; return the cursor."""
        try:
            cursor = self.connection.cursor()
            if params:
                cursor.execute(self._native(sql), tuple(params))
            else:  # no parameters: the text goes as written (a literal % needs no escaping)
                cursor.execute(sql)
            return cursor
        except Exception as exc:
            raise self._translate(exc) from exc

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""
        try:
            self.connection.cursor().executemany(self._native(sql), [tuple(r) for r in rows])
        except Exception as exc:
            raise self._translate(exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows, as tuples."""
        return list(self.execute(sql, params).fetchall())

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row as a tuple, or None."""
        row = self.execute(sql, params).fetchone()
        return tuple(row) if row is not None else None

    def script(self, sql: str) -> None:
        """Run several ``;``-separated statements without parameters (schemas, fixtures)."""
        for statement in (part.strip() for part in sql.split(";")):
            if statement:
                self.execute(statement)

    # -- transactions -----------------------------------------------------------
    BEGIN = "BEGIN"
    #: isolation levels this engine can run a transaction at (the first is what ``BEGIN`` gives)
    ISOLATION_LEVELS: tuple[str, ...] = ("serializable",)

    @property
    def isolation(self) -> str:
        """The isolation level of the transactions this backend opens (see :meth:`set_isolation`)."""
        return getattr(self, "_isolation", self.ISOLATION_LEVELS[0])

    def set_isolation(self, level: str) -> None:
        """Open later transactions at ``level`` (``"read committed"``, ``"repeatable read"``,
        ``"serializable"``, as the engine offers: SQLite has only ``"serializable"``)."""
        if level not in self.ISOLATION_LEVELS:
            raise ValueError(f"isolation must be one of {', '.join(self.ISOLATION_LEVELS)} on {self.dialect}, "
                             f"got {level!r}")
        self._isolation = level

    def begin(self) -> None:
        """Open a transaction (``BEGIN``, in the engine's flavour); nested transactions are a ``RuntimeError``."""
        if self._in_transaction:
            raise RuntimeError("transaction: already inside a transaction on this backend")
        self.execute(self.BEGIN)
        self._in_transaction = True

    def commit(self) -> None:
        """``COMMIT``: the transaction's writes become durable and visible (a conflict raises here too)."""
        try:
            self.execute("COMMIT")
        finally:
            self._in_transaction = False

    def rollback(self) -> None:
        """``ROLLBACK``, never raising: safe after an error, or when no transaction is open."""
        self._in_transaction = False
        with contextlib.suppress(Exception):
            self.execute("ROLLBACK")

    def transaction(self) -> contextlib.AbstractContextManager[SQLBackend]:
        """One attempt: commit on success, roll back on any exception (re-raised).

        A conflict surfaces as :class:`TransactionConflict`; use :meth:`transactions` or
        :meth:`run_transaction` to retry it.
        """
        return SingleAttempt(self)

    def transactions(self, max_attempts: int = 5, base_delay: float = 0.005) -> Iterator[Attempt]:
        """Up to *max_attempts* attempts, retried on :class:`TransactionConflict`."""
        return retrying(self, max_attempts=max_attempts, base_delay=base_delay)

    def run_transaction(self, fn: Callable[[SQLBackend], Any], max_attempts: int = 5) -> Any:
        """Run ``fn(backend)`` in a transaction, retrying conflicts; return its result."""
        for attempt in self.transactions(max_attempts=max_attempts):
            with attempt:
                result = fn(self)
        return result

    # -- the rest ---------------------------------------------------------------
    def _translate(self, exc: Exception) -> Exception:
        return exc

    def describe(self) -> str:
        """One line for a notebook: which engine, and where."""
        return f"SQL backend: {self.name}, {self.where}"

    def close(self) -> None:
        """Close the connection; an open transaction is rolled back by the server (as after a crash)."""
        self.connection.close()

    def __enter__(self: _Backend) -> _Backend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class SQLiteBackend(SQLBackend):
    """SQLite (stdlib): ``BEGIN IMMEDIATE`` serializes writers; "busy"/"locked" is a conflict to retry."""

    dialect, placeholder, paramstyle = "sqlite", "?", "qmark"
    BEGIN = "BEGIN IMMEDIATE"  # take the write lock now, so read-then-write cannot lose updates

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` is SQLite's own placeholder); return the cursor. One C call: sqlite3
        reuses the compiled statement from the connection's cache (``cached_statements``)."""
        try:
            return self.connection.execute(sql, params if type(params) is tuple else tuple(params))
        except Exception as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> Exception:
        code = _SQLITE_CONFLICTS.get(getattr(exc, "sqlite_errorcode", None) or -1)
        if code is None and isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            code = "SQLITE_BUSY"
        return TransactionConflict(code, str(exc)) if code else exc


class PostgresBackend(SQLBackend):
    """PostgreSQL through psycopg 3: SERIALIZABLE transactions, serialization failures and deadlocks
    (`RETRYABLE_SQLSTATES`) are conflicts to retry; ``?`` placeholders are rewritten to ``%s``."""

    dialect, placeholder, paramstyle = "postgresql", "%s", "format"
    ISOLATION_LEVELS = ("serializable", "repeatable read", "read committed")

    @property
    def BEGIN(self) -> str:  # type: ignore[override]  # noqa: N802 - the base's class constant
        """``BEGIN ISOLATION LEVEL`` at :attr:`isolation` (SERIALIZABLE unless set otherwise)."""
        return f"BEGIN ISOLATION LEVEL {self.isolation.upper()}"

    def _native(self, sql: str) -> str:
        return _native_text(sql)

    def _translate(self, exc: Exception) -> Exception:
        state = getattr(exc, "sqlstate", None)
        return TransactionConflict(state, str(exc).strip()) if state in RETRYABLE_SQLSTATES else exc


def connect_sqlite(path: str = ":memory:", *, timeout: float = 5.0) -> SQLiteBackend:
    """SQLite on *path* (``:memory:`` for a private in-memory database), WAL on files."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    where = "in memory" if path == ":memory:" else f"file {os.path.basename(path)}"
    url = None if path == ":memory:" else f"sqlite:///{path}"
    return SQLiteBackend(conn, f"sqlite {sqlite3.sqlite_version} (embedded)", where, url)


def connect_postgres(url: str, *, timeout: float = 5.0) -> PostgresBackend:
    """PostgreSQL at *url* through psycopg 3, autocommit, transactions SERIALIZABLE."""
    import psycopg

    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, round(timeout)))
    except psycopg.OperationalError as exc:
        raise ServiceUnavailable(
            f"cannot reach PostgreSQL at {urlsplit(url).netloc or url} ({str(exc).strip()}); start one "
            f"(apt-get install postgresql, or distlab.services.launch.postgres_server()) or unset {ENV_VAR}"
        ) from exc
    info = conn.info
    major, minor = divmod(info.server_version, 10000)
    version = f"postgresql {major}.{minor}"
    from distlab.services import postgres  # the embedded clusters of this process

    if postgres.is_embedded_socket(info.host):  # no temp path in a notebook's stored output
        return PostgresBackend(conn, f"{version} ({postgres.LABEL})", f"database {info.dbname}", url)
    host = f"{info.host}:{info.port}" if not info.host.startswith("/") else f"unix socket {info.host}"
    return PostgresBackend(conn, f"{version} at {host}", f"database {info.dbname}", url)


def connect(url: str | None = None, *, timeout: float = 5.0) -> SQLBackend:
    """The SQL backend for *url*, else ``$DISTLAB_DATABASE_URL``, else SQLite in memory."""
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout: must be a number of seconds > 0, got {timeout!r}")
    parameter = "url" if url is not None else ENV_VAR
    chosen = url if url is not None else (os.environ.get(ENV_VAR) or ":memory:")
    if not isinstance(chosen, str) or not chosen:
        raise ValueError(f"{parameter}: expected a postgresql:// or sqlite:// URL or a file path, got {chosen!r}")
    if "://" not in chosen:
        return connect_sqlite(chosen, timeout=timeout)
    parts = urlsplit(chosen)
    if parts.scheme in ("postgresql", "postgres"):
        check_loopback_host(parts.hostname, parameter)
        for host in parse_qs(parts.query).get("host", []):  # ?host=/socket/dir or ?host=127.0.0.1
            for one in host.split(","):
                check_loopback_host(one, parameter)
        return connect_postgres(chosen, timeout=timeout)
    if parts.scheme == "sqlite":
        path = chosen[len("sqlite:///"):] if chosen.startswith("sqlite:///") else ""
        return connect_sqlite(path or ":memory:", timeout=timeout)
    raise ValueError(
        f"{parameter}: unsupported scheme {parts.scheme!r}; use postgresql://user@127.0.0.1:5432/db, "
        "sqlite:///path/to/file.db, sqlite:///:memory: or a plain file path"
    )


def describe(backend: SQLBackend | None = None) -> str:
    """One line naming the SQL engine in use (that of :func:`connect` when *backend* is None)."""
    if backend is not None:
        return backend.describe()
    with connect() as fresh:
        return fresh.describe()
