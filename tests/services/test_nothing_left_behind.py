"""Headless runs that end badly -- a papermill timeout, a graded answer that never ends, a grader
killed with SIGKILL -- leave no embedded server behind (counted before and after)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import nbformat
import pytest

from distlab.grading import grader
from distlab.services import lifecycle
from tests.grading.classroom import submission

HOLD_SERVERS_FOREVER = (
    "from distlab.services import postgres, redis\n"
    "redis.connect().ping(); postgres.embedded()\n"
    "print('servers up', flush=True)\n"
    "while True:\n"
    "    pass\n"
)


def _notebook(tmp_path, name: str = "runaway.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HOLD_SERVERS_FOREVER)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _new_servers(before: set) -> list:
    return sorted(set(lifecycle.server_processes(names=("redis-server", "postgres"))) - before)


def _embedded_servers() -> set:
    return set(lifecycle.server_processes(names=("redis-server", "postgres")))


def _settles(before: set, timeout: float = 10.0) -> list:
    """New server processes still running after *timeout* seconds."""
    return lifecycle.wait_gone(_new_servers(before), timeout)


def test_a_papermill_cell_timeout_leaves_no_server(tmp_path):
    before = _embedded_servers()
    done = subprocess.run(
        [sys.executable, "-m", "papermill", str(_notebook(tmp_path)), str(tmp_path / "out.ipynb"), "-k", "python3",
         "--execution-timeout", "8", "--no-progress-bar"], capture_output=True, text=True, timeout=180)
    assert done.returncode != 0 and "Timeout" in done.stderr + done.stdout
    assert _settles(before) == []


def _answer_holding_servers(tmp_path, code: str, name: str = "runaway.ipynb"):
    """A chapter 5 submission whose first answer starts an embedded Redis and PostgreSQL, then runs on."""
    return submission(tmp_path / name, {"make_token_bucket": code + "\ndef make_token_bucket(*args):\n    pass"})


def test_grading_an_answer_that_never_ends_leaves_no_server(tmp_path):
    before = _embedded_servers()
    report = grader.grade_notebook(_answer_holding_servers(tmp_path, HOLD_SERVERS_FOREVER), timeout=15)
    assert report.exercises[0].status == "timeout", report.exercises[0]
    assert _settles(before) == []


def _staged_answer(tmp_path, stages):
    """HOLD_SERVERS_FOREVER, writing how far it got to *stages* (the grader shows no output until it
    ends, and this test kills it first)."""
    mark = f"open({str(stages)!r}, 'a').write"
    source = (f"{mark}('answer started\\n')\n"
              "from distlab.services import postgres, redis\n"
              f"redis.connect().ping(); {mark}('redis up\\n')\n"
              f"postgres.embedded(); {mark}('postgres up\\n')\n"
              "while True:\n    pass\n")
    return _answer_holding_servers(tmp_path, source, "staged.ipynb")


def test_a_grader_killed_mid_run_leaves_no_server(tmp_path):
    before = _embedded_servers()
    output, stages = tmp_path / "grader.log", tmp_path / "stages.txt"
    with output.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "distlab.grading", str(_staged_answer(tmp_path, stages)),
                                 "--timeout", "300"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    started = time.monotonic()
    while time.monotonic() < deadline and proc.poll() is None and not (
            stages.exists() and "postgres up" in stages.read_text() and len(_new_servers(before)) >= 2):
        time.sleep(0.2)  # redis + a postmaster (+ backends)
    if len(_new_servers(before)) < 2:
        proc.kill()
        proc.wait(timeout=10)
        reached = stages.read_text().splitlines() if stages.exists() else ["nothing"]
        tail = output.read_text(errors="replace")[-2000:]
        pytest.fail(f"the graded answer never started its servers (grader exit {proc.returncode}, "
                    f"after {time.monotonic() - started:.0f} s; the answer reached: {' / '.join(reached)}):"
                    f"\n{tail}")
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # the sandbox dies with the grader, the answer's process with the sandbox, its servers with it
    # (each armed Linux's parent-death signal)
    assert _settles(before, timeout=15.0) == []
