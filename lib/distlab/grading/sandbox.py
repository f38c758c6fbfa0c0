"""Where answers run: a process that runs a chapter's prelude once, then forks a fresh child per answer.

``python -m distlab.grading.sandbox`` is started by the grader (:mod:`distlab.grading.runner`),
one per worker and chapter. It reads JSON requests on stdin and writes one JSON reply per request
on the stdout it was started with; its own fds 0-2 then point at ``/dev/null``, so nothing the
prelude or an answer prints can reach the grader. The first request is the prelude (the instructor's
setup and parameter cells, trusted); each later one is a job: an exercise id, the name its check
cell passes, and the learner's code. For a job the sandbox forks: the child closes the request and
reply channels, takes the exercise's check function from the registry *before* the learner's code
runs, runs the code (IPython syntax, under :data:`CHECK_TIME_LIMIT_S`), judges the answer with the
same `judge` as the notebook's ``check()`` and writes the verdict to a pipe of its own. The sandbox
waits at most ``timeout_s`` for it, then kills the child's process group either way.

What one child can still do: forge its *own* verdict (its code runs in the same process as its
check, so it can patch the check function or write to its result pipe). It cannot touch another
exercise, another submission or the grader's score: the score is computed by the grader, capped at
the exercise's points, from the status alone.
"""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import sys
import tempfile
import time
from collections.abc import Mapping
from typing import Any

from distlab.services import lifecycle

from .checks import judge
from .time_limit import CHECK_TIME_LIMIT_S, TookTooLong, time_limit

__all__ = ["MEMORY_LIMIT_BYTES", "main", "run_job"]

#: address-space limit of every answer's process (numpy and OpenBLAS need a few GiB of it reserved)
MEMORY_LIMIT_BYTES = 4 * 2**30
#: CPU seconds one answer's process may use (its wall-clock limit is the grader's --timeout)
CPU_LIMIT_S = 120


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
            _run(shell, job["code"], "<answer>")
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
    os.chdir(tempfile.mkdtemp(prefix="answer-", dir=os.getcwd()))  # removed with the sandbox's folder
    try:
        reply = _verdict(shell, job)
    except BaseException as exc:  # noqa: BLE001
        reply = {"status": "error", "message": f"the check crashed: {type(exc).__name__}: {exc}"}
    os.write(write_fd, json.dumps(reply).encode() + b"\n")


def _collect(pid: int, read_fd: int, timeout_s: float) -> dict[str, str]:
    deadline, data = time.monotonic() + timeout_s, b""
    while True:
        left = deadline - time.monotonic()
        ready = select.select([read_fd], [], [], max(0.0, left))[0] if left > 0 else []
        if not ready:
            reply = {"status": "timeout", "message": f"stopped after {timeout_s:g} s (the grader's --timeout)"}
            break
        chunk = os.read(read_fd, 65536)
        if not chunk:
            reply = {"status": "error", "message": "the answer's process ended without a verdict"}
            break
        data += chunk
        if data.endswith(b"\n"):
            reply = json.loads(data)
            break
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    os.waitpid(pid, 0)
    return reply


def run_job(shell: Any, job: dict[str, Any], closing: tuple[int, ...]) -> dict[str, str]:
    """Run one job in a forked child (closing ``closing`` fds there) and return its verdict."""
    read_fd, write_fd = os.pipe()
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


def _private_channels() -> tuple[Any, Any]:
    """The grader's request and reply pipes, moved off fds 0-2 (which now read and write /dev/null)."""
    requests, replies = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    return requests, replies


def main(argv: list[str] | None = None) -> None:
    """Serve the grader (whose pid is the one argument): the prelude first, then one forked child
    per job, until stdin closes."""
    args = sys.argv[1:] if argv is None else argv
    lifecycle.die_with_parent(int(args[0]) if args else os.getppid())
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    requests, replies = _private_channels()
    shell = _shell()
    closing = (requests.fileno(), replies.fileno())
    prelude_error = ""
    for line in requests:
        request = json.loads(line)
        reply: Mapping[str, object]
        if "prelude" in request:
            try:
                for number, code in enumerate(request["prelude"]):
                    _run(shell, code, f"<setup cell {number + 1}>")
            except BaseException as exc:  # noqa: BLE001 - reported with every job
                prelude_error = f"the course's setup cells failed: {type(exc).__name__}: {exc}"
            reply = {"ready": not prelude_error, "message": prelude_error}
        elif prelude_error:
            reply = {"status": "error", "message": prelude_error}
        else:
            reply = run_job(shell, request, closing)
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
