"""The grader's side of a sandbox (:mod:`distlab.grading.sandbox`): start it, send it work, stop it.

One :class:`Sandbox` is one process, in a session of its own (so it and everything it starts can be
killed as a group), in an empty working directory, with one OpenBLAS thread and matplotlib's Agg
backend; the sandbox itself sets its address-space limit and arms Linux's parent-death signal, so
it dies with the grader. Every wait on it
is bounded: a sandbox that stops answering is killed and its answer is a ``timeout``.

Every request carries a fresh random token, and only a reply with that token counts: an answer that
writes forged verdicts into the pipes (through ``/proc``) forges nothing for its classmates, who
run later with tokens it never saw. Replies are checked (a known status, a message made one
printable line of bounded length) before the grader uses them.
"""
from __future__ import annotations

import ctypes
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from distlab.services import lifecycle

__all__ = ["PRELUDE_TIMEOUT_S", "PR_SET_CHILD_SUBREAPER", "PR_SET_DUMPABLE", "Sandbox", "printable", "prctl"]

PR_SET_DUMPABLE = 4  # <linux/prctl.h>: 0 = other processes of the same user cannot trace it or open /proc/PID/fd
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>: orphaned descendants are re-parented to this process
#: the statuses a sandbox may reply with
_STATUSES = frozenset({"passed", "failed", "not-attempted", "error", "timeout"})
#: the longest message kept (a check's hint is a sentence or two)
MAX_MESSAGE = 600
#: the most a sandbox may send without ending a line before the grader stops listening to it
_MAX_LINE_BYTES = 2**20

#: seconds a chapter's setup cells may take in a sandbox (imports, a first simulation)
PRELUDE_TIMEOUT_S = 120.0
#: what the sandbox may add to an answer's own limit (forking, reading the verdict)
_MARGIN_S = 15.0


def printable(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` as one printable line: newlines, control and direction marks, lone surrogates escaped
    (``\\n``, ``\\u202e``, ``\\ud800``), cut to ``limit`` characters -- what a message may hold when
    an answer chose it."""
    cleaned = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text[:limit])
    return cleaned[:limit] + ("..." if len(text) > limit or len(cleaned) > limit else "")


def prctl(option: int, value: int) -> bool:
    """Linux's ``prctl(option, value)``; False where it is missing or refused."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return int(ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


FOLDER_PREFIX = "distlab-grade-"


def remove_stale_folders(root: str | None = None) -> list[str]:
    """Remove the sandbox folders of graders that died without cleaning up (``kill -9``): each
    folder is named after its grader's pid (``distlab-grade-<pid>-...``). Returns what it removed."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        owner = folder.name[len(FOLDER_PREFIX):].split("-", 1)[0]
        if not owner.isdigit() or int(owner) == os.getpid():
            continue
        try:
            os.kill(int(owner), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
        except PermissionError:
            continue  # alive, another user's
    return removed


class Sandbox:
    """A running sandbox for one chapter: :meth:`run` an answer, :meth:`close` when done."""

    def __init__(self, prelude: Sequence[str]) -> None:
        remove_stale_folders()
        self.folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        self._pending = b""  # what the sandbox sent after the last line read
        env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": self.folder,
               # the servers an answer starts are recorded where the reaper looks, not in its TMPDIR
               lifecycle.RUNTIME_ENV: os.environ.get(lifecycle.RUNTIME_ENV) or str(lifecycle.runtime_dir())}
        argv = [sys.executable, "-m", "distlab.grading.sandbox", str(os.getpid())]
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        cwd=self.folder, env=env, start_new_session=True)
        reply = self._ask({"prelude": list(prelude)}, PRELUDE_TIMEOUT_S)
        self.problem = "" if reply.get("ready") else str(reply.get("message") or "the sandbox did not start")

    def _ask(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one request and wait at most ``timeout_s`` for the reply bearing its token (killing the
        sandbox when none comes)."""
        stdin = self.process.stdin
        assert stdin is not None
        token = secrets.token_hex(16)
        reply: dict[str, Any] | None = None
        try:
            stdin.write(json.dumps({**request, "token": token}).encode() + b"\n")
            stdin.flush()
            reply = self._reply(token, time.monotonic() + timeout_s)
        except (OSError, ValueError):
            pass
        if reply:
            return reply
        timed_out = reply is None and self.process.poll() is None
        self.close()
        if timed_out:
            return {"status": "timeout", "message": f"the sandbox gave no answer within {timeout_s:g} s and was killed"}
        return {"status": "error", "message": "the sandbox died (did the answer kill its parent?)"}

    def _reply(self, token: str, deadline: float) -> dict[str, Any] | None:
        """The first line with ``token`` before ``deadline`` (None), ``{}`` if the sandbox ended first;
        every other line is dropped (an answer may have written it)."""
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            while b"\n" not in self._pending:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([stdout], [], [], left)[0]:
                    return None
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk or len(self._pending) > _MAX_LINE_BYTES:
                    return {}
                self._pending += chunk
            line, self._pending = self._pending.split(b"\n", 1)
            try:
                reply = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(reply, dict) and reply.get("token") == token:
                return reply

    def run(self, exercise_id: str, name: str, cells: Sequence[str], timeout_s: float) -> dict[str, str]:
        """The verdict on an answer (its code ``cells``, run in order) for one exercise:
        ``{"status": ..., "message": ...}``."""
        if self.problem:
            return {"status": "error", "message": self.problem}
        if self.process.poll() is not None:
            return {"status": "error", "message": "the sandbox has stopped"}
        job = {"id": exercise_id, "name": name, "cells": list(cells), "timeout_s": timeout_s}
        reply = self._ask(job, timeout_s + _MARGIN_S)
        status, message = reply.get("status"), reply.get("message")
        if status not in _STATUSES or not isinstance(message, str):
            return {"status": "error", "message": "the sandbox sent a garbled reply"}
        return {"status": status, "message": printable(message)}

    def close(self) -> None:
        """Stop the sandbox and everything in its session; remove its working directory."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)
