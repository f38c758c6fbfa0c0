"""Ownership records: which process owns which server, kept in a per-user runtime folder.

Each server :func:`distlab.services.lifecycle.spawn` starts writes a :class:`Record` (its pid and
start time, its owner's pid and start time, its folders, how to stop it, the run tag) into
:func:`runtime_dir`. :func:`reap` stops every server whose owner is gone and deletes its folders;
:func:`tagged` and :func:`server_processes` count what a test session or a grading run left behind.

Start times (``/proc/<pid>/stat``, field 22) guard against a recycled pid: a record whose process
has the same pid but another start time describes a process that no longer exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

RUNTIME_ENV = "DISTLAB_RUNTIME_DIR"
FOLDER_PREFIX = "distlab-"  # the reaper deletes only folders whose name starts with this


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
