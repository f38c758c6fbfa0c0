"""distlab.grading: exercise checks, quiz scoring and the headless grader.

* `check(id, answer)` -- instant feedback in a notebook; never raises (`distlab.grading.checks`).
* `start(notebook)` -- a setup cell declares which exercises the notebook contains.
* `exercise(...)` -- decorator registering a chapter's check function (`distlab.grading.registry`).
* ``python -m distlab.grading NOTEBOOK... [--json] [--csv FILE] [--timeout S]`` -- run notebooks
  with papermill and report every exercise's score (`distlab.grading.grader`).
* `distlab.grading.soundness` -- helpers proving each check accepts its reference solution and
  rejects known-wrong answers.

Nothing here imports ipywidgets or matplotlib; the quiz and exercise *widgets* live in
`distlab.view`.
"""

from .checks import STATUSES, Verdict, check, evaluate, results, start
from .registry import Exercise, all_exercises, exercise, exercises_for, register

__all__ = ["STATUSES", "Exercise", "Verdict", "all_exercises", "check", "evaluate", "exercise",
           "exercises_for", "register", "results", "start"]
