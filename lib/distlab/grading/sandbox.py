"""Where answers run: a process that runs a chapter's prelude once, then forks a fresh child per answer.

``python -m distlab.grading.sandbox`` is started by the grader (:mod:`distlab.grading.runner`), one
per worker and chapter. It reads JSON requests on stdin and writes one JSON reply per request on the
stdout it was started with; its own fds 0-2 then point at ``/dev/null``, so nothing the prelude or
an answer prints can reach the grader. The first request is the prelude (the instructor's setup and
parameter cells, trusted); each later one is a job: an exercise id, the name its check cell passes,
and the learner's code cells. For a job the sandbox forks: the child closes the request and reply
channels, takes the exercise's check function from the registry *before* the learner's code runs,
runs the code (IPython syntax, under :data:`CHECK_TIME_LIMIT_S`), judges the answer with the same
`judge` as the notebook's ``check()`` and writes the verdict to a pipe of its own. The sandbox waits
at most ``timeout_s`` for it, then kills the child's process group -- and, being the *subreaper* of
everything it starts, every process the answer left behind (a daemon that called ``setsid``
included) -- either way, and reaps the servers the answer started (their folders and ownership
records, :mod:`distlab.services.lifecycle`). A verdict that is not one JSON object with a known
status is an ``error``.

The sandbox only ever runs one prelude (the first request) and answers each job with the token the
grader gave it, so lines an answer writes into the sandbox's pipes (through ``/proc``) neither run
code in the sandbox nor pass for a classmate's verdict; it is not dumpable, so no other process of
its user can open its pipes or trace it (the super-user still can: never grade as root).

What one child can still do: forge its *own* verdict (its code runs in the same process as its
check, so it can patch the check function or write to its result pipe). It cannot touch another
exercise, another submission or the grader's score: the score is computed by the grader, capped at
the exercise's points, from the status alone.
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import sys
import tempfile
import time
from typing import Any

from distlab.services import lifecycle

from .checks import STATUSES, judge
from .runner import PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, prctl, printable
from .time_limit import CHECK_TIME_LIMIT_S, TookTooLong, time_limit

__all__ = ["MEMORY_LIMIT_BYTES", "main", "run_job"]

#: address-space limit of every answer's process (numpy and OpenBLAS need a few GiB of it reserved)
MEMORY_LIMIT_BYTES = 4 * 2**30
#: CPU seconds one answer's process may use (its wall-clock limit is the grader's --timeout)
CPU_LIMIT_S = 120
#: the largest file one answer's process may write
FILE_LIMIT_BYTES = 256 * 2**20
#: the most a verdict may hold (a message is a line or two)
_MAX_VERDICT_BYTES = 65536
#: how many times the sandbox looks again for processes a job left behind (each round kills all it finds)
_SWEEP_ROUNDS = 100


def _shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no history thread: this process forks
    return InteractiveShell.instance(config=config)


def _run(shell: Any, code: str, where: str) -> None:
    exec(compile(shell.transform_cell(code), where, "exec"), shell.user_ns)


def _verdict(shell: Any, job: dict[str, Any]) -> dict[str, str]:
    from . import registry

    exercise = registry.get(job["id"])
    if exercise is None:
        return {"status": "error", "message": f"unknown exercise {job['id']!r}"}
    try:
        with time_limit(CHECK_TIME_LIMIT_S):
            for number, code in enumerate(job["cells"]):  # one by one, as the notebook runs them
                _run(shell, code, f"<answer cell {number + 1}>")
    except TookTooLong:
        return {"status": "timeout", "message": f"your answer cell ran past {CHECK_TIME_LIMIT_S:g} s"}
    except BaseException as exc:  # noqa: BLE001 - the learner's cell, reported
        return {"status": "error", "message": f"your answer cell raised {type(exc).__name__}: {exc}"}
    if job["name"] not in shell.user_ns:
        return {"status": "error", "message": f"your answer does not define {job['name']} (the check cell "
                                              f"passes {job['name']} to check)"}
    verdict = judge(exercise, shell.user_ns[job["name"]])
    return {"status": verdict.status, "message": verdict.message}


def _child(shell: Any, job: dict[str, Any], write_fd: int) -> None:
    os.setpgid(0, 0)
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT_BYTES, FILE_LIMIT_BYTES))
    folder = tempfile.mkdtemp(prefix="answer-", dir=os.getcwd())  # removed with the sandbox's folder
    os.chdir(folder)
    os.environ["TMPDIR"] = tempfile.tempdir = folder  # the answer's temporary files go with it
    try:
        reply = _verdict(shell, job)
    except BaseException as exc:  # noqa: BLE001
        reply = {"status": "error", "message": f"the check crashed: {type(exc).__name__}: {exc}"}
    os.write(write_fd, json.dumps(reply).encode() + b"\n")


def _read_verdict(read_fd: int, timeout_s: float) -> bytes | None:
    """The child's first line (``b""`` when it closed the pipe without one), None after ``timeout_s``."""
    deadline, data = time.monotonic() + timeout_s, b""
    while b"\n" not in data and len(data) <= _MAX_VERDICT_BYTES:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_fd], [], [], left)[0]:
            return None
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return b""
        data += chunk
    return data.split(b"\n", 1)[0]


def _parse_verdict(line: bytes) -> dict[str, str]:
    """The child's verdict, or an ``error`` saying it was garbled (the child's code may write anything)."""
    try:
        reply = json.loads(line)
    except (ValueError, RecursionError):
        reply = None
    if not (isinstance(reply, dict) and reply.get("status") in STATUSES and isinstance(reply.get("message", ""), str)):
        return {"status": "error", "message": "the answer's process sent a garbled verdict (did it write to the "
                                              "grader's pipe?)"}
    return {"status": reply["status"], "message": printable(reply.get("message", ""))}


def _collect(pid: int, read_fd: int, timeout_s: float) -> dict[str, str]:
    line = _read_verdict(read_fd, timeout_s)
    if line is None:
        reply = {"status": "timeout", "message": f"stopped after {timeout_s:g} s (the grader's --timeout)"}
    elif not line:
        reply = {"status": "error", "message": "the answer's process ended without a verdict"}
    else:
        reply = _parse_verdict(line)
    for kill, target in ((os.killpg, pid), (os.kill, pid)):  # the child may have left its group
        try:
            kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    os.waitpid(pid, 0)
    return reply


def _children() -> set[int]:
    """This process's children (orphans of its children included: it is their subreaper)."""
    me, found = os.getpid(), set()
    for stat in os.listdir("/proc"):
        if not stat.isdigit():
            continue
        try:
            with open(f"/proc/{stat}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            found.add(int(stat))
    return found


def _sweep(keep: set[int]) -> None:
    """Kill and reap every child but ``keep``, until none is left (killing one hands its children to us)."""
    for _ in range(_SWEEP_ROUNDS):
        strays = _children() - keep
        if not strays:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def run_job(shell: Any, job: dict[str, Any], closing: tuple[int, ...]) -> dict[str, str]:
    """Run one job in a forked child (closing ``closing`` fds there) and return its verdict."""
    read_fd, write_fd = os.pipe()
    keep = _children()
    dies_with_us = lifecycle.die_with_this_process()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            if dies_with_us is not None:
                dies_with_us()
            os.close(read_fd)
            for fd in closing:
                os.close(fd)
            _child(shell, job, write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)
    try:
        return _collect(pid, read_fd, float(job["timeout_s"]))
    finally:
        os.close(read_fd)
        _sweep(keep)
        with contextlib.suppress(Exception):
            lifecycle.reap()  # the folders and records of servers the answer started, now dead


def _private_channels() -> tuple[Any, Any]:
    """The grader's request and reply pipes, moved off fds 0-2 (which now read and write /dev/null)."""
    requests, replies = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    return requests, replies


def _prelude(shell: Any, request: dict[str, Any]) -> str:
    """Run the chapter's setup cells; the error, if one failed."""
    try:
        for number, code in enumerate(request["prelude"]):
            _run(shell, code, f"<setup cell {number + 1}>")
    except BaseException as exc:  # noqa: BLE001 - reported with every job
        return f"the course's setup cells failed: {type(exc).__name__}: {exc}"
    return ""


def _job(line: str) -> dict[str, Any] | None:
    """A job request, or None for anything else (an answer may have written it into our pipe)."""
    try:
        job = json.loads(line)
    except (ValueError, RecursionError):
        return None
    fields: dict[str, type | tuple[type, ...]] = {"token": str, "id": str, "name": str, "cells": list,
                                                  "timeout_s": (int, float)}
    if not isinstance(job, dict) or any(not isinstance(job.get(k), t) for k, t in fields.items()):
        return None
    return job if all(isinstance(code, str) for code in job["cells"]) else None


def main(argv: list[str] | None = None) -> None:
    """Serve the grader (whose pid is the one argument): the prelude first, then one forked child
    per job, until stdin closes."""
    args = sys.argv[1:] if argv is None else argv
    lifecycle.die_with_parent(int(args[0]) if args else os.getppid())
    prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    requests, replies = _private_channels()
    shell = _shell()
    closing = (requests.fileno(), replies.fileno())
    first = json.loads(requests.readline() or "{}")
    problem = _prelude(shell, first)
    replies.write(json.dumps({"token": first.get("token"), "ready": not problem, "message": problem}) + "\n")
    replies.flush()
    for line in requests:
        job = _job(line)
        if job is None:
            continue
        reply = {"status": "error", "message": problem} if problem else run_job(shell, job, closing)
        replies.write(json.dumps({**reply, "token": job["token"]}) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
