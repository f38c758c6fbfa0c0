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

Start times (``/proc/<pid>/stat``, field 22) guard against a recycled pid: a record whose process
has the same pid but another start time describes a process that no longer exists.
``python -m distlab.services.lifecycle`` reaps by hand and lists what is still running.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

RUNTIME_ENV = "DISTLAB_RUNTIME_DIR"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
FOLDER_PREFIX = "distlab-"  # the reaper deletes only folders whose name starts with this

T = TypeVar("T")


def runtime_dir() -> Path:
    """The per-user folder holding ownership records, created private (mode 0700).

    ``$DISTLAB_RUNTIME_DIR`` if set, else ``$XDG_RUNTIME_DIR/distlab``, else
    ``<tempdir>/distlab-run-<uid>``.
    """
    chosen = os.environ.get(RUNTIME_ENV)
    if not chosen:
        xdg = os.environ.get("XDG_RUNTIME_DIR")
        chosen = (os.path.join(xdg, "distlab") if xdg and os.path.isdir(xdg)
                  else os.path.join(tempfile.gettempdir(), f"distlab-run-{os.getuid()}"))
    path = Path(chosen)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid != os.getuid():
        raise PermissionError(f"{RUNTIME_ENV}: {path} belongs to another user; set {RUNTIME_ENV} to a folder of yours")
    return path


def process_start(pid: int) -> int | None:
    """The start time of *pid* in clock ticks since boot, or ``None`` if it is gone or a zombie.

    Where there is no ``/proc`` (macOS), a live pid gets the start time ``0``.
    """
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    except OSError:
        if not os.path.isdir("/proc"):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return None
            except PermissionError:
                pass
            return 0
        return None
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


@dataclass(frozen=True)
class Record:
    """One owned server: who it is, who owns it, what to delete when it is gone."""

    kind: str  # "redis", "postgres", "etcd"
    pid: int
    started: int  # process_start(pid) when it was spawned
    owner: int
    owner_started: int
    folders: tuple[str, ...] = ()
    stop_signal: int = int(signal.SIGTERM)
    group: bool = True  # the server leads its own process group (signal the group)
    tag: str = ""  # $DISTLAB_RUN_TAG of the owner: which test session or grading run started it

    def alive(self) -> bool:
        """True while the server process this record describes runs."""
        start = process_start(self.pid)
        return start is not None and start == self.started

    def owner_alive(self) -> bool:
        """True while the owner process this record names runs."""
        start = process_start(self.owner)
        return start is not None and start == self.owner_started

    @property
    def path(self) -> Path:
        """Where this record is stored."""
        return runtime_dir() / f"{self.kind}-{self.pid}.json"


def records() -> list[Record]:
    """Every ownership record in the runtime folder (unreadable ones are skipped)."""
    found: list[Record] = []
    for path in sorted(runtime_dir().glob("*.json")):
        try:
            data = json.loads(path.read_text())
            data["folders"] = tuple(data.get("folders", ()))
            found.append(Record(**data))
        except (OSError, ValueError, TypeError):
            continue
    return found


def _write(record: Record) -> None:
    tmp = record.path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(record)))
    os.replace(tmp, record.path)


def forget(pid: int) -> None:
    """Drop the ownership record of *pid* (the owner stopped it itself)."""
    for path in runtime_dir().glob(f"*-{pid}.json"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# ------------------------------------------------------------------------------- stopping
def signal_server(record: Record, signum: int) -> None:
    """Send *signum* to the server (its whole process group when it leads one)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if record.group:
            os.killpg(record.pid, signum)
        else:
            os.kill(record.pid, signum)


def stop(record: Record, grace: float = 5.0) -> None:
    """Stop a server that is not our child: its stop signal, then SIGKILL after *grace* seconds."""
    if record.alive():
        signal_server(record, record.stop_signal)
        deadline = time.monotonic() + grace
        while record.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if record.alive():
            signal_server(record, signal.SIGKILL)
            deadline = time.monotonic() + grace
            while record.alive() and time.monotonic() < deadline:
                time.sleep(0.02)


def remove_folders(folders: Sequence[str]) -> None:
    """Delete the server's temporary folders (only ``distlab-*`` ones: a bad record deletes nothing else)."""
    for folder in folders:
        if os.path.basename(os.path.normpath(folder)).startswith(FOLDER_PREFIX):
            shutil.rmtree(folder, ignore_errors=True)


def reap() -> list[Record]:
    """Stop every recorded server whose owner is gone, delete its folders and its record.

    Returns the records reaped. Servers of live owners are left alone.
    """
    reaped: list[Record] = []
    for record in records():
        if record.owner_alive():
            continue
        stop(record)
        remove_folders(record.folders)
        with contextlib.suppress(FileNotFoundError):
            record.path.unlink()
        reaped.append(record)
    return reaped


# ------------------------------------------------------------------------------- spawning
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
        kwargs: dict[str, Any] = {}
        if user is not None and os.geteuid() == 0:
            kwargs.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
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


# ------------------------------------------------------------------------------- counting
SERVER_NAMES = ("redis-server", "postgres", "etcd")
TAG_ENV = "DISTLAB_RUN_TAG"  # set by a test session or a grading run; every process it starts inherits it


def server_processes(names: Sequence[str] = SERVER_NAMES) -> dict[int, str]:
    """``{pid: name}`` of every live process on the machine whose name is one of *names* (Linux)."""
    found: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.find("(") + 1:text.rfind(")")]
        if name in names and text.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
            found[int(stat.parent.name)] = name
    return found


def tagged(tag: str) -> list[Record]:
    """The records of live servers spawned under ``DISTLAB_RUN_TAG=<tag>`` (at any depth: a kernel
    started by a test inherits the tag), so a test session counts its own servers and not those of
    a learner's JupyterLab running beside it. (The servers' own environment cannot tell: Redis and
    PostgreSQL overwrite it with their process titles.)"""
    return [r for r in records() if r.tag == tag and r.alive()]


def wait_gone(pids: Sequence[int], timeout: float) -> list[int]:
    """Wait up to *timeout* s for *pids* to end; return those still running."""
    deadline = time.monotonic() + timeout
    left = [p for p in pids if process_start(p) is not None]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if process_start(p) is not None]
    return left


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
