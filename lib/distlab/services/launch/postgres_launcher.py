"""Launch a throw-away PostgreSQL cluster from Debian's ``postgresql`` package.

``initdb`` refuses to run as root, and CI runs as root, so when we are root every PostgreSQL
program runs as the ``postgres`` user through ``runuser -u postgres --`` in a temporary directory
handed to that user. The server listens on a free loopback port and a unix socket in the same
directory, with ``fsync`` off (a scratch cluster need not survive a power cut) and trust
authentication (only this machine can reach it). ``pg_ctl -w`` waits until it accepts connections.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import subprocess
from typing import Iterator, List

from distlab.services.errors import ServerNotInstalled, ServiceUnavailable
from distlab.services.launch.process import RunningServer, log_tail, temp_dir
from distlab.services.loopback import free_port

INSTALL_HINT = "apt-get install postgresql"
SERVER_OPTIONS = "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"


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


def _run_as_prefix() -> List[str]:
    """``runuser -u postgres --`` when we are root (initdb refuses root), else nothing."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ServerNotInstalled("the postgres user", INSTALL_HINT) from None
    return ["runuser", "-u", "postgres", "--"]


def _run(argv: List[str], what: str, timeout: float) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailable(f"{what} did not finish within {timeout:g} s") from exc
    if done.returncode != 0:
        raise ServiceUnavailable(f"{what} failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()}")
    return done.stdout


@contextlib.contextmanager
def postgres_server(*, timeout: float = 60.0) -> Iterator[RunningServer]:
    """A scratch PostgreSQL on ``127.0.0.1:<free port>``; stopped and deleted on exit.

    The yielded ``url`` is ``postgresql://postgres@127.0.0.1:<port>/postgres``.
    """
    bin_dir = find_bin_dir()
    prefix = _run_as_prefix()
    banner = _run([os.path.join(bin_dir, "postgres"), "--version"], "postgres --version", 30)
    found = re.search(r"PostgreSQL\)\s+(\S+)", banner)
    version = found.group(1) if found else "?"
    with temp_dir("distlab-pg-") as root_dir:
        if prefix:
            user = pwd.getpwnam("postgres")
            os.chown(root_dir, user.pw_uid, user.pw_gid)
        data = os.path.join(root_dir, "data")
        log_path = os.path.join(root_dir, "postgres.log")
        _run(prefix + [os.path.join(bin_dir, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
                       "-E", "UTF8", "--no-sync"], "initdb", timeout)
        pg_ctl = prefix + [os.path.join(bin_dir, "pg_ctl"), "-D", data]
        for attempt in range(1, 4):  # a port chosen free may be taken before the server binds it
            port = free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root_dir} {SERVER_OPTIONS}"
            try:
                _run(pg_ctl + ["-l", log_path, "-o", options, "-w", "-t", str(int(timeout)), "start"],
                     f"pg_ctl start on port {port}", timeout + 10)
                break
            except ServiceUnavailable as exc:
                if attempt == 3 or "already in use" not in log_tail(log_path):
                    raise ServiceUnavailable(f"{exc}\nserver log:\n{log_tail(log_path)}") from exc
        try:
            yield RunningServer(
                name=f"postgresql {version} at 127.0.0.1:{port}",
                url=f"postgresql://postgres@127.0.0.1:{port}/postgres",
                pid=_postmaster_pid(data), data_dir=root_dir,
            )
        finally:
            _stop(pg_ctl, data)


def _postmaster_pid(data: str):
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(os.path.join(data, "postmaster.pid")) as handle:
            return int(handle.readline().strip())
    return None


def _stop(pg_ctl: List[str], data: str) -> None:
    """``pg_ctl stop -m fast``; if that fails, SIGKILL the postmaster so nothing is left running."""
    pid = _postmaster_pid(data)
    try:
        _run(pg_ctl + ["-m", "fast", "-w", "-t", "30", "stop"], "pg_ctl stop", 40)
    except ServiceUnavailable:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
