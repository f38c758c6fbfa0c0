"""The headless grader: run each submitted notebook with papermill and score its exercises.

Each notebook runs in its own subprocess (``python -m papermill NB OUT -k python3 --cwd DIR``),
its output written to a temporary directory (never over the submission), with a wall-clock
timeout after which the whole process group is killed, so a runaway submission cannot hang the
grading of the others.  The kernel inherits ``$DISTLAB_GRADING_RESULTS``; every `check(...)` and
`start(...)` in the notebook appends a JSON line there, and that file -- not the notebook's
printed output -- is what we score.

Which exercises does a notebook contain?  The union of (1) what its setup cell declared with
``start("<notebook>")``, (2) the registry's exercises for a ``start("...")`` call found in its
source, and (3) every literal ``check("<id>", ...)`` in its code cells.  An expected exercise that
never reported (the kernel died, timed out, or the cell was deleted) is scored 0 with status
``error``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distlab.services import lifecycle

from . import registry
from .checks import RESULTS_ENV

DEFAULT_TIMEOUT_S = 300.0
_CHECK_CALL = re.compile(r"""\bcheck\(\s*(['"])([^'"]+)\1""")
_START_CALL = re.compile(r"""\bstart\(\s*(['"])([^'"]+)\1""")


@dataclass
class ExerciseScore:
    """One exercise's line in a notebook's grade."""

    id: str
    score: int  # points earned: the check's score if it passed, else 0
    max: int  # the exercise's points
    status: str  # one of checks.STATUSES; "error" also when the exercise never reported
    message: str = ""  # the check's feedback, or why there is none ("never reached")


@dataclass
class NotebookReport:
    """The grade of one notebook.  `executed` is False when it errored or timed out."""

    notebook: str
    executed: bool
    error: str | None = None
    exercises: list[ExerciseScore] = field(default_factory=list)

    @property
    def score(self) -> int:
        """Points earned over all exercises."""
        return sum(e.score for e in self.exercises)

    @property
    def max(self) -> int:
        """Points available over all exercises."""
        return sum(e.max for e in self.exercises)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (``--json`` prints one per notebook; messages left out)."""
        return {"notebook": self.notebook, "score": self.score, "max": self.max,
                "exercises": [{"id": e.id, "score": e.score, "max": e.max, "status": e.status}
                              for e in self.exercises],
                "executed": self.executed, "error": self.error}

    def to_text(self) -> str:
        """A header line with the total, then one line per exercise with its status symbol."""
        state = "executed" if self.executed else f"NOT executed: {self.error}"
        lines = [f"{self.notebook}: {self.score}/{self.max} ({state})"]
        symbols = {"passed": "✓", "failed": "✗", "not-attempted": "–", "error": "!"}
        for e in self.exercises:
            lines.append(f"  {symbols.get(e.status, '?')} {e.id}  {e.score}/{e.max}  {e.status}")
        if not self.exercises:
            lines.append("  (no exercises found)")
        return "\n".join(lines)


def declared_in_source(notebook: Path) -> list[tuple[str, int]]:
    """``(id, max)`` of the exercises a notebook's code cells name, without running it."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found: dict[str, int] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        for m in _START_CALL.finditer(src):
            for ex in registry.exercises_for(m.group(2)):
                found.setdefault(ex.id, ex.points)
        for m in _CHECK_CALL.finditer(src):
            checked = registry.get(m.group(2))
            found.setdefault(m.group(2), checked.points if checked else 1)
    return list(found.items())


def score_events(events: list[dict[str, Any]], expected: list[tuple[str, int]]) -> list[ExerciseScore]:
    """Combine the recorded JSON events with the statically expected exercises.  The last check
    of an exercise counts; an expected exercise with no check is an ``error`` (never reached)."""
    order: dict[str, int] = {}
    for ev in events:
        if ev.get("event") == "declare":
            for item in ev.get("exercises", []):
                order.setdefault(item["id"], int(item.get("max", 1)))
    for ex_id, points in expected:
        order.setdefault(ex_id, points)
    latest: dict[str, dict[str, Any]] = {}
    for ev in events:
        if ev.get("event") == "check":
            latest[ev["id"]] = ev
            order.setdefault(ev["id"], int(ev.get("max", 1)))
    scores = []
    for ex_id, points in order.items():
        last = latest.get(ex_id)
        if last is None:
            scores.append(ExerciseScore(ex_id, 0, points, "error", "never reached"))
        else:
            status = last.get("status", "error")
            score = int(last.get("score", 0)) if status == "passed" else 0
            scores.append(ExerciseScore(ex_id, score, int(last.get("max", points)), status,
                                        last.get("message", "")))
    return scores


def run_notebook(notebook: Path, workdir: Path, results_file: Path, timeout: float,
                 kernel: str = "python3") -> str | None:
    """Execute `notebook` with papermill into `workdir`; returns None on success or an error."""
    out = workdir / f"{notebook.stem}.out.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(notebook), str(out), "-k", kernel,
           "--cwd", str(notebook.parent), "--no-progress-bar"]
    env = dict(os.environ, **{RESULTS_ENV: str(results_file)})
    # a grader killed by any means takes papermill along; the kernel's own poller then sees its
    # parent gone and exits, and the kernel's embedded servers die with it (distlab.services.lifecycle)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, preexec_fn=lifecycle.die_with_this_process())
    try:
        _stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return f"timed out after {timeout:g} s"
    if proc.returncode != 0:
        return _last_error_line(stderr) or f"papermill exited with {proc.returncode}"
    return None


def grade_notebook(notebook: str | Path, *, timeout: float = DEFAULT_TIMEOUT_S,
                   kernel: str = "python3") -> NotebookReport:
    """Execute and score one notebook."""
    path = Path(notebook).resolve()
    expected = declared_in_source(path)
    workdir = Path(tempfile.mkdtemp(prefix="distlab-grade-"))
    try:
        results_file = workdir / "results.jsonl"
        error = run_notebook(path, workdir, results_file, timeout, kernel)
        events = _read_events(results_file)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return NotebookReport(str(notebook), error is None, error, score_events(events, expected))


def write_gradebook(reports: list[NotebookReport], path: str | Path) -> None:
    """One row per submission; a score column per exercise seen in any submission.

    The file is written beside ``path`` and renamed over it only when complete, so a crash or a
    full disk never leaves a half-written gradebook in place of the previous one."""
    path = Path(path)
    ids = sorted({e.id for r in reports for e in r.exercises})
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["notebook", "score", "max", "executed", *ids])
            for r in reports:
                by_id = {e.id: e.score for e in r.exercises}
                writer.writerow([r.notebook, r.score, r.max, "yes" if r.executed else "no",
                                 *[by_id.get(i, "") for i in ids]])
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a kill
    return events


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill papermill's process group and every descendant.  The kernel runs in a session of
    its own (jupyter_client starts it that way), so the group alone would miss it."""
    victims = _descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.communicate()


def _descendants(root: int) -> list[int]:
    """Process ids below `root`, read from /proc (empty where there is no /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _last_error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "Exception" in ln:
            return ln[:300]
    return lines[-1][:300] if lines else ""
