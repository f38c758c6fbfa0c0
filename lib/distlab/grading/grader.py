"""The headless grader: scores come from the instructor's copy and the grader, never the submission.

For each submission the grader (1) reads the file, reporting a broken one by name and line; (2)
finds its chapter and, exercise by exercise, the code the learner wrote where the instructor's copy
has the template (:mod:`distlab.grading.matching`), flagging locked cells that were changed or
deleted; (3) decides what it can without running anything -- ``missing`` (no answer found),
``not-attempted`` (the template untouched), ``uses-reference`` (the answer calls the library's own
solution, :mod:`distlab.grading.references`); (4) runs every other answer on its own, in a fresh
fork of a sandbox that has run the chapter's setup cells (:mod:`distlab.grading.sandbox`), judged
by the same `judge` as the notebook's ``check()`` within the same :data:`CHECK_TIME_LIMIT_S`.
Nothing else of the submission runs: an error in an unrelated cell cannot cost an exercise, and
nothing the submission prints or writes reaches the score. A score is the exercise's points when
its status is ``passed``, else 0.
"""
from __future__ import annotations

import ast
import queue
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import registry
from .course import Chapter, cell_source, load_course
from .matching import Answer, identify, match
from .references import used_references
from .runner import Sandbox
from .submission import SubmissionError, read_cells

__all__ = ["DEFAULT_TIMEOUT_S", "GRADER_STATUSES", "MAX_ANSWER_CHARS", "ExerciseScore", "NotebookReport", "grade",
           "grade_notebook"]

#: wall-clock seconds one answer may take in its sandbox (its check alone has CHECK_TIME_LIMIT_S)
DEFAULT_TIMEOUT_S = 60.0
#: the longest answer the grader reads (an exercise's answer is a few hundred lines at most; a longer
#: one, pasted data or a generated file, would cost seconds of parsing before anything runs)
MAX_ANSWER_CHARS = 200_000
GRADER_STATUSES = ("passed", "failed", "not-attempted", "error", "timeout", "missing", "uses-reference")
_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")


@dataclass
class ExerciseScore:
    """One exercise's line in a notebook's grade."""

    id: str
    score: int
    max: int
    status: str  # one of GRADER_STATUSES
    message: str = ""


@dataclass
class NotebookReport:
    """The grade of one submission. ``problem`` says why it could not be graded at all."""

    notebook: str
    chapter: str = ""
    problem: str | None = None
    exercises: list[ExerciseScore] = field(default_factory=list)
    changed_cells: tuple[int, ...] = ()

    @property
    def graded(self) -> bool:
        """True when the submission could be read and matched to a chapter."""
        return self.problem is None

    @property
    def score(self) -> int:
        """Points earned over all exercises."""
        return sum(e.score for e in self.exercises)

    @property
    def max(self) -> int:
        """Points available over all exercises."""
        return sum(e.max for e in self.exercises)


@dataclass
class _Job:
    report: NotebookReport
    index: int  # into report.exercises
    chapter: Chapter
    answer: Answer
    cells: list[dict[str, Any]]  # the whole submission, to say where a missing name was defined


def _defined_elsewhere(message: str, job: _Job) -> str:
    """``message``, plus where the submission defines the name a NameError says is missing, when it
    does so outside the answer (a learner's helper in a cell of its own, which the grader never runs)."""
    missing = _UNDEFINED.search(message)
    if missing is None:
        return message
    name = missing.group(1)
    for number, cell in enumerate(job.cells, start=1):
        if cell.get("cell_type") != "code" or cell_source(cell) in (job.answer.code or ""):
            continue
        try:
            tree = ast.parse(cell_source(cell))
        except (SyntaxError, ValueError, RecursionError):
            continue
        targets = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.Import, ast.ImportFrom)
        if any(name in _names(node) for node in tree.body if isinstance(node, targets)):
            return (f"{message} ({name} is defined in cell {number} of your notebook, outside this exercise; the "
                    "grader runs only the cells between the exercise's text and its check cell: define it there)")
    return message


def _names(node: ast.stmt) -> set[str]:
    """The names a top-level statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return {t.id for t in ast.walk(node) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}


def _static(answer: Answer, chapter: Chapter) -> tuple[str, str] | None:
    """The status and message an answer gets without running it, or None when it must run."""
    if answer.code is None:
        return "missing", answer.problem
    if answer.untouched:
        return "not-attempted", "the template is unchanged"
    if len(answer.code) > MAX_ANSWER_CHARS:
        return "error", (f"your answer is {len(answer.code):,} characters long; the grader reads at most "
                         f"{MAX_ANSWER_CHARS:,} (keep data out of the answer cells)")
    used = used_references(answer.slot.id, answer.code, chapter.prelude)
    if "distlab.grading" in used:
        return "uses-reference", "your answer uses the grader itself (distlab.grading), which no answer may touch"
    if used:
        return "uses-reference", (f"your answer uses {', '.join(used)}, the course's own solution; the exercise "
                                  "asks you to write it yourself")
    return None


def _plan(path: str, course: Sequence[Chapter], expected: str | None) -> tuple[NotebookReport, list[_Job]]:
    report = NotebookReport(path)
    try:
        cells = read_cells(Path(path))
    except SubmissionError as exc:
        report.problem = str(exc)
        return report, []
    chapter, share = identify(cells, course)
    if chapter is None:
        report.problem = f"not a notebook of this course (at best {share:.0%} of a chapter's cells match)"
        return report, []
    report.chapter = chapter.name
    if expected and chapter.name != expected:
        report.problem = f"this is chapter {chapter.name}, not {expected}"
        return report, []
    matched = match(chapter, cells)
    report.changed_cells = matched.changed
    jobs = []
    for answer in matched.answers:
        points = _points(answer.slot.id)
        decided = _static(answer, chapter)
        report.exercises.append(ExerciseScore(answer.slot.id, 0, points, *(decided or ("error", "not run"))))
        if decided is None:
            jobs.append(_Job(report, len(report.exercises) - 1, chapter, answer, cells))
    return report, jobs


def _points(exercise_id: str) -> int:
    exercise = registry.get(exercise_id)
    return exercise.points if exercise is not None else 1


def _worker(tasks: queue.Queue[_Job | None], timeout_s: float, live: set[Sandbox], stop: threading.Event) -> None:
    """Run jobs until the queue hands out None (or ``stop`` is set), with one sandbox at a time, kept
    in ``live``: the jobs come sorted by chapter, so a worker that moves to the next chapter never
    needs the last one's sandbox again."""
    box: Sandbox | None = None
    chapter = ""
    try:
        while not stop.is_set() and (job := tasks.get()) is not None:
            if box is not None and (chapter != job.chapter.name or box.process.poll() is not None):
                box.close()  # another chapter's, or died with the last answer: replaced, not reused
                live.discard(box)
                box = None
            if box is None:
                box, chapter = Sandbox(job.chapter.prelude), job.chapter.name
                live.add(box)
            slot = job.answer.slot
            reply = box.run(slot.id, slot.name, job.answer.cells or (), timeout_s)
            line = job.report.exercises[job.index]
            line.status, line.message = reply["status"], _defined_elsewhere(reply["message"], job)
            line.score = line.max if line.status == "passed" else 0
    finally:
        if box is not None:
            box.close()
            live.discard(box)


def _run(jobs: list[_Job], workers: int, timeout_s: float) -> None:
    """Grade ``jobs`` with ``workers`` threads; interrupted (Ctrl-C), stop every sandbox and remove
    its folder before the interrupt goes on (the worker threads are daemons: they do not hold the exit)."""
    tasks: queue.Queue[_Job | None] = queue.Queue()
    for job in sorted(jobs, key=lambda j: j.chapter.name):
        tasks.put(job)
    count = max(1, min(workers, len(jobs)))
    for _ in range(count):
        tasks.put(None)
    live: set[Sandbox] = set()
    stop = threading.Event()
    threads = [threading.Thread(target=_worker, args=(tasks, timeout_s, live, stop), name=f"distlab-grade-{i}",
                                daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        for box in list(live):
            box.close()
        raise


def grade(paths: Sequence[str], *, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT_S,
          course: Path | None = None, chapter: str | None = None) -> list[NotebookReport]:
    """Grade ``paths`` (in that order) with ``jobs`` sandboxes at once; see the module docstring.
    ``course`` is the folder of the instructor's copies; ``chapter`` the one every file must be."""
    chapters = load_course(course)
    plans = [_plan(str(p), chapters, chapter) for p in paths]
    work = [job for _, planned in plans for job in planned]
    if work:
        _run(work, jobs, timeout)
    return [report for report, _ in plans]


def grade_notebook(notebook: str | Path, **options: Any) -> NotebookReport:
    """Grade one submission (options as :func:`grade`)."""
    return grade([str(notebook)], **options)[0]
