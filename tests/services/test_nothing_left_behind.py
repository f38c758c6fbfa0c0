"""Headless runs that end badly -- a papermill timeout, a grading run whose submission never ends,
a grader killed with SIGKILL -- leave no embedded server behind (counted before and after)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import nbformat
import pytest

from distlab.grading import grader
from distlab.services import lifecycle

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


def test_grading_a_submission_that_never_ends_leaves_no_server(tmp_path):
    before = _embedded_servers()
    report = grader.grade_notebook(_notebook(tmp_path), timeout=15)
    assert not report.executed and "timed out" in report.error
    assert _settles(before) == []


def _staged_notebook(tmp_path, stages):
    """HOLD_SERVERS_FOREVER, writing how far it got to *stages* (the grader shows no output until it
    ends, and this test kills it first)."""
    mark = f"open({str(stages)!r}, 'a').write"
    source = (f"{mark}('kernel started\\n')\n"
              "from distlab.services import postgres, redis\n"
              f"redis.connect().ping(); {mark}('redis up\\n')\n"
              f"postgres.embedded(); {mark}('postgres up\\n')\n"
              "while True:\n    pass\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "staged.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_grader_killed_mid_run_leaves_no_server(tmp_path):
    before = _embedded_servers()
    output, stages = tmp_path / "grader.log", tmp_path / "stages.txt"
    with output.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "distlab.grading", str(_staged_notebook(tmp_path, stages)),
                                 "--timeout", "300"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240  # twice a full run did not get there in 120 s: wait longer, say how far
    started = time.monotonic()
    while time.monotonic() < deadline and proc.poll() is None and not (
            stages.exists() and "postgres up" in stages.read_text() and len(_new_servers(before)) >= 2):
        time.sleep(0.2)  # redis + a postmaster (+ backends)
    if len(_new_servers(before)) < 2:
        proc.kill()
        proc.wait(timeout=10)
        reached = stages.read_text().splitlines() if stages.exists() else ["nothing"]
        tail = output.read_text(errors="replace")[-2000:]
        pytest.fail(f"the graded notebook never started its servers (grader exit {proc.returncode}, "
                    f"after {time.monotonic() - started:.0f} s; the notebook reached: {' / '.join(reached)}):"
                    f"\n{tail}")
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # papermill dies with the grader; the kernel's poller sees its parent gone within ~1 s and exits;
    # its servers die with it
    assert _settles(before, timeout=15.0) == []
