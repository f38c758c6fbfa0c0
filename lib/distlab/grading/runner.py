"""The grader's side of a sandbox (:mod:`distlab.grading.sandbox`): start it, send it work, stop it.

One :class:`Sandbox` is one process, in a session of its own (so it and everything it starts can be
killed as a group), in an empty working directory, with one OpenBLAS thread and matplotlib's Agg
backend; the sandbox itself sets its address-space limit and arms Linux's parent-death signal, so
it dies with the grader. Every wait on it
is bounded: a sandbox that stops answering is killed and its answer is a ``timeout``.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

__all__ = ["PRELUDE_TIMEOUT_S", "Sandbox"]

#: seconds a chapter's setup cells may take in a sandbox (imports, a first simulation)
PRELUDE_TIMEOUT_S = 120.0
#: what the sandbox may add to an answer's own limit (forking, reading the verdict)
_MARGIN_S = 15.0


class Sandbox:
    """A running sandbox for one chapter: :meth:`run` an answer, :meth:`close` when done."""

    def __init__(self, prelude: Sequence[str]) -> None:
        self.folder = tempfile.mkdtemp(prefix="distlab-grade-")
        env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}
        argv = [sys.executable, "-m", "distlab.grading.sandbox", str(os.getpid())]
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        cwd=self.folder, env=env, start_new_session=True)
        reply = self._ask({"prelude": list(prelude)}, PRELUDE_TIMEOUT_S)
        self.problem = "" if reply.get("ready") else str(reply.get("message") or "the sandbox did not start")

    def _ask(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one request and wait at most ``timeout_s`` for its reply (killing the sandbox after)."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        answered = False
        try:
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
            answered = bool(select.select([stdout], [], [], timeout_s)[0])
            line = stdout.readline() if answered else b""
            if line:
                reply: dict[str, Any] = json.loads(line)
                return reply
        except (OSError, ValueError):
            pass
        self.close()
        if not answered:
            return {"status": "timeout", "message": f"the sandbox gave no answer within {timeout_s:g} s and was killed"}
        return {"status": "error", "message": "the sandbox died (did the answer kill its parent?)"}

    def run(self, exercise_id: str, name: str, code: str, timeout_s: float) -> dict[str, str]:
        """The verdict on ``code`` for one exercise: ``{"status": ..., "message": ...}``."""
        if self.problem:
            return {"status": "error", "message": self.problem}
        if self.process.poll() is not None:
            return {"status": "error", "message": "the sandbox has stopped"}
        job = {"id": exercise_id, "name": name, "code": code, "timeout_s": timeout_s}
        reply = self._ask(job, timeout_s + _MARGIN_S)
        return {"status": str(reply.get("status", "error")), "message": str(reply.get("message", ""))}

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
