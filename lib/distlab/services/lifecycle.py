"""Every server the course starts is owned by one process, and never outlives it.

An embedded engine (Redis, PostgreSQL) or a test server (Debian's ``redis-server``, PostgreSQL,
``etcd``) is started through :func:`spawn`, which ties it to its owner in two ways:

1. **A parent-death signal.** On Linux the server is started in the foreground (never daemonized)
   with ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, so the kernel kills it the moment its owner dies --
   by ``sys.exit``, an exception, or a ``kill -9`` that no ``atexit`` handler survives. The signal
   follows the *thread* that forked the server, so every spawn runs on the main thread or on one
   long-lived spawner thread (a worker thread that started a server and then ended would take the
   server with it).
2. **A reaper.** Each server writes an ownership record (its pid and start time, its owner's pid
   and start time, its folders) into a per-user runtime folder (:func:`runtime_dir`). The next
   :func:`spawn` -- or :func:`reap` -- stops every server whose owner is gone and deletes its
   folders. This is the only line of defence where there is no parent-death signal (macOS), and
   it also removes the temporary folder a killed server leaves behind.

The records, the reaper and the counting live in :mod:`distlab.services.ownership` (re-exported
here). ``python -m distlab.services.lifecycle`` reaps by hand and lists what is still running.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .ownership import (
    FOLDER_PREFIX,
    RUNTIME_ENV,
    SERVER_NAMES,
    TAG_ENV,
    Record,
    _write,
    forget,
    process_start,
    reap,
    records,
    remove_folders,
    runtime_dir,
    server_processes,
    signal_server,
    stop,
    tagged,
    wait_gone,
)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

__all__ = [  # spawning is defined here; the ownership records are re-exported from .ownership
    "FOLDER_PREFIX", "PR_SET_PDEATHSIG", "RUNTIME_ENV", "SERVER_NAMES", "TAG_ENV", "Owned", "Record",
    "as_user", "die_with_parent", "die_with_this_process", "forget", "main", "process_start", "reap", "records",
    "release",
    "remove_folders", "runtime_dir", "server_processes", "signal_server", "spawn", "stop", "tagged",
    "wait_gone",
]

T = TypeVar("T")


def _pdeathsig_setter(parent: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks Linux to SIGKILL the child when *parent* dies (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def die_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return die_with_parent


def die_with_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` for any ``subprocess.Popen``: the child is SIGKILLed when this process dies.

    For children that are not servers (the grader's notebook runs): pass it from the main thread
    or a thread that outlives the child. ``None`` where Linux's parent-death signal is missing.
    """
    return _pdeathsig_setter(os.getpid())


def die_with_parent(parent: int) -> None:
    """From inside a process: be SIGKILLed when ``parent`` (the process that started it) dies, and
    exit at once if it already has. No ``preexec_fn`` needed, so a thread may start the process."""
    arm = _pdeathsig_setter(parent)
    if arm is not None:
        arm()


class _Spawner:
    """One daemon thread that lives as long as the process and performs every off-main-thread spawn."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], dict[str, Any], threading.Event]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, fn: Callable[[], T]) -> T:
        if threading.current_thread() is threading.main_thread():
            return fn()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="distlab-spawner", daemon=True)
                self._thread.start()
        box: dict[str, Any] = {}
        done = threading.Event()
        self._jobs.put((fn, box, done))
        done.wait()
        if "error" in box:
            raise box["error"]
        value: T = box["value"]  # what fn() returned, set by _loop
        return value

    def _loop(self) -> None:
        while True:
            fn, box, done = self._jobs.get()
            try:
                box["value"] = fn()
            except BaseException as exc:  # handed to the caller's thread
                box["error"] = exc
            done.set()


_spawner = _Spawner()


@dataclass
class Owned:
    """What :func:`spawn` returns: the child process and its ownership record."""

    proc: subprocess.Popen[bytes]
    record: Record
    extra: dict[str, Any] = field(default_factory=dict)


def spawn(argv: Sequence[str], *, kind: str, folders: Sequence[str] = (), log_path: str | None = None,
          cwd: str | None = None, env: Mapping[str, str] | None = None, user: Any | None = None,
          stop_signal: int = int(signal.SIGTERM), group: bool = True) -> Owned:
    """Start *argv* as a server owned by this process; reap orphans of dead owners first.

    The server runs in its own session (a learner's "interrupt kernel", which signals the kernel's
    process group, does not reach it), with stdin closed and output appended to *log_path*.
    *user* (a ``pwd.struct_passwd``) runs it as that user -- root must not run PostgreSQL.
    *stop_signal* is what stops it gracefully, sent to its process group if *group*, else to it
    alone (PostgreSQL's postmaster shuts its backends down itself).
    """
    reap()

    def start() -> subprocess.Popen[bytes]:
        kwargs = as_user(user)
        with open(log_path or os.devnull, "ab") as log:  # the child keeps its own copy of the descriptor
            return subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=env,
                start_new_session=True, preexec_fn=_pdeathsig_setter(os.getpid()), **kwargs)

    proc = _spawner.run(start)
    me = os.getpid()
    record = Record(kind=kind, pid=proc.pid, started=process_start(proc.pid) or 0, owner=me,
                    owner_started=process_start(me) or 0, folders=tuple(str(f) for f in folders),
                    stop_signal=int(stop_signal), group=group,
                    tag=os.environ.get(TAG_ENV, ""))
    _write(record)
    return Owned(proc, record)


def as_user(user: Any | None) -> dict[str, Any]:
    """``subprocess`` keywords that run a child as *user* (a ``pwd.struct_passwd``) when we are root;
    none otherwise (only root can switch users, and nobody else needs to)."""
    if user is None or os.geteuid() != 0:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def release(owned: Owned, grace: float = 10.0) -> None:
    """Stop a server we spawned (its stop signal, SIGKILL after *grace* s), reap it, drop its record."""
    proc = owned.proc
    if proc.poll() is None:
        signal_server(owned.record, owned.record.stop_signal)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            signal_server(owned.record, signal.SIGKILL)
            proc.wait(timeout=grace)
    forget(proc.pid)


def main() -> int:
    """``python -m distlab.services.lifecycle``: reap orphans, then list the servers still owned."""
    for record in reap():
        print(f"reaped {record.kind} pid {record.pid} (owner {record.owner} is gone)")
    for record in records():
        state = "running" if record.alive() else "exited"
        print(f"{record.kind} pid {record.pid} {state}, owned by pid {record.owner}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
