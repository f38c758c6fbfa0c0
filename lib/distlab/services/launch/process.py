"""One server process: start it, wait for it, and always stop it and remove its files.

:func:`managed_process` is the shared skeleton of every launcher: it starts the command through
:func:`distlab.services.lifecycle.spawn` (in the foreground, in its own process group, killed by the
kernel if this process dies, recorded for the reaper), polls a readiness probe against a deadline,
and on the way out sends the server's stop signal, waits, escalates to SIGKILL, and deletes the
temporary directory. The server's log file is quoted in the error when start-up fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from distlab.services import lifecycle
from distlab.services.errors import ServerNotInstalled, ServiceUnavailable
from distlab.services.loopback import free_ports, wait_until

T = TypeVar("T")


class StartupFailed(ServiceUnavailable):
    """The server did not become ready; ``exited`` tells a crash at start from a timeout."""

    def __init__(self, message: str, *, exited: bool):
        self.exited = exited
        super().__init__(message)


@dataclass(frozen=True)
class RunningServer:
    """A server started by a launcher: where to reach it and what it is."""

    name: str  # one line, e.g. "redis-server 7.0.15 at 127.0.0.1:40123"
    url: str  # what the matching connect() takes
    pid: int | None
    data_dir: str


def require_program(program: str, install_hint: str, candidates: Sequence[str] = ()) -> str:
    """The path of *program* (on PATH or one of *candidates*), or ``ServerNotInstalled``."""
    found = shutil.which(program)
    if found:
        return found
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise ServerNotInstalled(program, install_hint)


def log_tail(path: str, lines: int = 15) -> str:
    """The last *lines* of a log file, or a note that it is missing."""
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:]).strip()
    except OSError:
        return "(no log written)"


def _shared_temp_root() -> str | None:
    """``/tmp`` when the default temp dir would be hidden from other users (TMPDIR under /root).

    PostgreSQL runs as the ``postgres`` user, who must be able to reach its data directory; the
    short path also keeps unix-socket paths under their 107-byte limit.
    """
    default = tempfile.gettempdir()
    probe = default
    while probe not in ("/", ""):
        if not os.stat(probe).st_mode & 0o001:  # others may not traverse this directory
            return "/tmp" if os.path.isdir("/tmp") else None
        probe = os.path.dirname(probe)
    return None


@contextlib.contextmanager
def temp_dir(prefix: str, parent: str | None = None) -> Iterator[str]:
    """A fresh temporary directory that other local users can reach; removed on exit whatever happened.

    It is made in *parent* if given (which other users must be able to traverse), else in the temp dir.
    """
    if not prefix.startswith(lifecycle.FOLDER_PREFIX):
        raise ValueError(
            f"prefix: must start with {lifecycle.FOLDER_PREFIX!r} (the reaper deletes only those), got {prefix!r}")
    path = tempfile.mkdtemp(prefix=prefix, dir=parent or _shared_temp_root())
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def managed_process(
    argv: Sequence[str],
    *,
    what: str,
    log_path: str,
    ready: Callable[[], bool],
    timeout: float,
    kind: str,
    folders: Sequence[str] = (),
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    user: object | None = None,
    stop_signal: int = int(signal.SIGTERM),
) -> Iterator[subprocess.Popen[bytes]]:
    """Run *argv* until the block ends; wait for *ready* first (``ServiceUnavailable`` on failure).

    *kind* and *folders* go into the ownership record (:mod:`distlab.services.lifecycle`): if this
    process dies, the server dies with it, and the next start deletes *folders*.
    """
    owned = lifecycle.spawn(argv, kind=kind, folders=folders, log_path=log_path, cwd=cwd, env=env,
                            user=user, stop_signal=stop_signal)
    proc = owned.proc
    try:
        try:
            wait_until(ready, timeout=timeout, what=what, alive=lambda: proc.poll() is None)
        except (TimeoutError, RuntimeError) as exc:
            raise StartupFailed(f"{exc}; its log ends with:\n{log_tail(log_path)}",
                                exited=isinstance(exc, RuntimeError)) from exc
        yield proc
    finally:
        lifecycle.release(owned)


@contextlib.contextmanager
def on_free_ports(start: Callable[..., contextlib.AbstractContextManager[T]], count: int = 1,
                  attempts: int = 3) -> Iterator[T]:
    """Enter ``start(*ports)`` on *count* fresh loopback ports; retry if the server exits at once.

    Between choosing a free port and the server binding it, another process may take it; the
    server then exits during start-up, and we simply try new ports (at most *attempts* times).
    """
    for attempt in range(1, attempts + 1):
        stack = contextlib.ExitStack()
        try:
            value = stack.enter_context(start(*free_ports(count)))
        except StartupFailed as exc:
            if not exc.exited or attempt == attempts:
                raise
            continue
        with stack:
            yield value
        return
