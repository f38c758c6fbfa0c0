"""Run a throw-away PostgreSQL cluster from a folder of PostgreSQL binaries.

:class:`PostgresCluster` is one cluster (one data directory, one ``postgres`` server): ``start()``
runs ``initdb`` the first time, then ``postgres`` *in the foreground* through
:func:`distlab.services.lifecycle.spawn`, so the server dies with its owner and is reaped if it is
ever left behind. ``stop()``, ``crash()`` (SIGKILL, as a power cut would end it) and ``restart()``
keep the data directory, so what was committed -- and what was ``PREPARE``d -- is still there after a
restart; ``close()`` stops the server and deletes everything.

Settings go into ``postgresql.conf`` (never ``-c`` on the command line, which would override
``ALTER SYSTEM`` and every later reload): scratch defaults (``fsync=off``: a killed server loses
nothing that was committed; only an operating-system crash would) and ``max_prepared_transactions``
above zero, so two-phase commit works.

``initdb`` refuses to run as root, so as root every PostgreSQL program runs as an unprivileged user:
``$DISTLAB_POSTGRES_USER`` or ``postgres``. None is created silently: if neither exists, the error
says what to do.

:func:`postgres_server` is the test launcher for Debian's ``postgresql`` package (the newest
``/usr/lib/postgresql/<major>/bin``) on a free loopback port.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from typing import Any

from distlab.services import lifecycle
from distlab.services.errors import ServerNotInstalled, ServiceUnavailable
from distlab.services.launch.process import RunningServer, log_tail, temp_dir
from distlab.services.loopback import free_port, wait_until

INSTALL_HINT = "apt-get install postgresql"
USER_ENV = "DISTLAB_POSTGRES_USER"
SCRATCH_SETTINGS: Mapping[str, Any] = {
    "fsync": "off",
    "full_page_writes": "off",
    "max_prepared_transactions": 16,
    "max_connections": 60,
    "shared_buffers": "32MB",
    "dynamic_shared_memory_type": "mmap",    # in the data dir: a killed server leaves nothing in /dev/shm
}
STOP_MODES = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}
_SETTING_NAME = re.compile(r"^[a-z_][a-z0-9_.]*$")


def find_bin_dir() -> str:
    """The newest ``/usr/lib/postgresql/<major>/bin`` holding ``initdb``, else the one on PATH."""
    def major(path: str) -> int:
        found = re.search(r"/postgresql/(\d+)/", path)
        return int(found.group(1)) if found else -1

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=major)
    if candidates:
        return os.path.dirname(candidates[-1])
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if directory and os.access(os.path.join(directory, "initdb"), os.X_OK):
            return directory
    raise ServerNotInstalled("initdb (PostgreSQL)", INSTALL_HINT)


def server_user() -> pwd.struct_passwd | None:
    """The user PostgreSQL runs as: ``None`` (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get(USER_ENV) or "postgres"
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise ServiceUnavailable(
            f"PostgreSQL refuses to run as root, and there is no user {name!r} to run it as; "
            f"create one (useradd --system --no-create-home {name}), name another unprivileged user in "
            f"{USER_ENV}, run the course as a normal user, or set DISTLAB_DATABASE_URL"
        ) from None


def render_settings(settings: Mapping[str, Any]) -> str:
    """``postgresql.conf`` lines for *settings*; ``ValueError`` naming ``settings`` on a bad name or value."""
    lines = []
    for name, value in settings.items():
        if not isinstance(name, str) or not _SETTING_NAME.match(name):
            raise ValueError(
                f"settings: {name!r} is not a PostgreSQL setting name (lower-case letters, digits, _ and .)")
        if isinstance(value, bool):
            text = "on" if value else "off"
        elif isinstance(value, (int, float)):
            text = str(value)
        elif isinstance(value, str) and "\n" not in value:
            text = "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        else:
            raise ValueError(f"settings: {name} must be a bool, a number or a one-line string, got {value!r}")
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


def _run(argv: list[str], what: str, timeout: float, user: pwd.struct_passwd | None) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd="/", **lifecycle.as_user(user))
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailable(f"{what} did not finish within {timeout:g} s") from exc
    except PermissionError as exc:
        raise ServiceUnavailable(
            f"{what}: user {user.pw_name if user else '?'} cannot run {argv[0]} ({exc.strerror}); "
            "install the course where other users can read it (not under /root), make the folders on "
            f"that path traversable (chmod o+x), or set DISTLAB_DATABASE_URL") from exc
    if done.returncode != 0:
        raise ServiceUnavailable(f"{what} failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()}")
    stdout: str = done.stdout  # text=True
    return stdout


class PostgresCluster:
    """One scratch PostgreSQL cluster that keeps its data across stop/crash/restart until ``close()``.

    Its folder is made in *parent_dir* if given, else in the temp dir.
    """

    def __init__(self, bin_dir: str, *, port: int | None = None, settings: Mapping[str, Any] | None = None,
                 label: str = "", timeout: float = 60.0, parent_dir: str | None = None):
        if port is not None and not (isinstance(port, int) and 1024 <= port <= 65535):
            raise ValueError(f"port: must be an integer in 1024..65535 or None (unix socket only), got {port!r}")
        self.bin_dir = bin_dir
        self.port = port
        self.label = label
        self.timeout = timeout
        self.user = server_user()
        self.settings = dict(SCRATCH_SETTINGS, **(settings or {}))
        render_settings(self.settings)  # validate now, before anything starts
        self._stack = contextlib.ExitStack()
        self.root = self._stack.enter_context(temp_dir("distlab-pg-", parent_dir))
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.data_dir = os.path.join(self.root, "data")
        self.log_path = os.path.join(self.root, "postgres.log")
        self.version = "?"
        self._owned: lifecycle.Owned | None = None

    # -- where ------------------------------------------------------------------
    @property
    def socket_dir(self) -> str:
        """The folder holding the unix socket (the cluster's own temporary folder)."""
        return self.root

    @property
    def url(self) -> str:
        """A ``postgresql://`` URL for :func:`distlab.services.sql.connect` (loopback or unix socket)."""
        if self.port is not None:
            return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return f"postgresql://postgres@/postgres?host={self.root}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs."""
        owned = self._owned
        return owned.proc.pid if owned is not None and owned.proc.poll() is None else None

    def describe(self) -> str:
        """One line without paths or ports that change between runs, e.g. ``postgresql 18.6 (embedded)``."""
        return f"postgresql {self.version}" + (f" ({self.label})" if self.label else "")

    # -- lifecycle --------------------------------------------------------------
    def _initdb(self) -> None:
        banner = _run([os.path.join(self.bin_dir, "postgres"), "--version"], "postgres --version", 30, self.user)
        found = re.search(r"\)\s+(\d+(?:\.\d+)?)", banner)
        self.version = found.group(1) if found else "?"
        _run([os.path.join(self.bin_dir, "initdb"), "-D", self.data_dir, "-U", "postgres", "-A", "trust",
              "-E", "UTF8", "--no-sync", "--no-instructions"], "initdb", self.timeout, self.user)
        listen = {"listen_addresses": "127.0.0.1" if self.port is not None else "",
                  "port": self.port or 5432, "unix_socket_directories": self.root}
        with open(os.path.join(self.data_dir, "postgresql.conf"), "a") as conf:
            conf.write("\n# distlab scratch cluster\n" + render_settings({**self.settings, **listen}))

    def _ready(self, pid: int) -> bool:
        """*pid*'s ``postmaster.pid`` says ``ready`` (what ``pg_ctl -w`` waits for).

        A crashed server's stale file names another pid, so it never counts.
        """
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as handle:
                lines = handle.read().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[0].strip() == str(pid) and lines[7].strip() == "ready"

    def start(self) -> PostgresCluster:
        """Start the server (``initdb`` first if the cluster is new); wait until it accepts connections."""
        if self.pid is not None:
            return self
        if not os.path.isdir(self.data_dir):
            self._initdb()
        self._owned = lifecycle.spawn(
            [os.path.join(self.bin_dir, "postgres"), "-D", self.data_dir], kind="postgres", folders=[self.root],
            log_path=self.log_path, cwd="/", user=self.user, stop_signal=int(signal.SIGINT), group=False)
        proc = self._owned.proc
        try:
            wait_until(lambda: self._ready(proc.pid), timeout=self.timeout, what="postgres",
                       alive=lambda: proc.poll() is None)
        except (TimeoutError, RuntimeError) as exc:
            self._kill()
            raise ServiceUnavailable(f"{exc}; its log ends with:\n{log_tail(self.log_path)}") from exc
        return self

    def stop(self, mode: str = "fast") -> None:
        """Shut the server down: ``fast`` (roll back open transactions), ``smart`` or ``immediate``."""
        if mode not in STOP_MODES:
            raise ValueError(f"mode: one of {sorted(STOP_MODES)}, got {mode!r}")
        owned, self._owned = self._owned, None
        if owned is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(owned.proc.pid, STOP_MODES[mode])
        try:
            owned.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._owned = owned
            self._kill()  # kills the whole group and forgets the record
            return
        lifecycle.forget(owned.proc.pid)

    def crash(self) -> None:
        """SIGKILL the server and every backend at once, as a power cut would; the data directory stays."""
        self._kill()

    def _kill(self) -> None:
        owned, self._owned = self._owned, None
        if owned is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(owned.proc.pid, signal.SIGKILL)
        owned.proc.wait(timeout=30)
        deadline = time.monotonic() + 10  # backends end when they notice the postmaster is gone
        while _group_alive(owned.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        lifecycle.forget(owned.proc.pid)

    def restart(self, mode: str = "fast") -> PostgresCluster:
        """``stop(mode)`` then ``start()`` on the same data directory."""
        self.stop(mode)
        return self.start()

    def close(self) -> None:
        """Stop the server and delete the cluster's folder; safe to call twice."""
        try:
            self.stop("fast")
        finally:
            self._stack.close()

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def postgres_server(*, timeout: float = 60.0, settings: Mapping[str, Any] | None = None) -> Iterator[RunningServer]:
    """A scratch PostgreSQL from Debian's package on ``127.0.0.1:<free port>``; stopped and deleted on exit.

    The yielded ``url`` is ``postgresql://postgres@127.0.0.1:<port>/postgres``.
    """
    bin_dir = find_bin_dir()
    for attempt in range(1, 4):  # a port chosen free may be taken before the server binds it
        cluster = PostgresCluster(bin_dir, port=free_port(), settings=settings, timeout=timeout)
        try:
            cluster.start()
            break
        except ServiceUnavailable as exc:
            cluster.close()
            if attempt == 3 or "already in use" not in str(exc):
                raise
    try:
        yield RunningServer(name=f"postgresql {cluster.version} at 127.0.0.1:{cluster.port}", url=cluster.url,
                            pid=cluster.pid, data_dir=cluster.root)
    finally:
        cluster.close()
