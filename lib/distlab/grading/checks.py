"""`check(exercise_id, answer)`: instant, never-raising feedback on a notebook exercise.

In a notebook::

    def majority(n):
        raise NotImplementedError   # the learner's stub

    check("consensus.majority", majority)    # pass the function itself, not majority(5)

shows one of

* ``– not attempted`` -- the answer is ``...`` or calling the stub raised `NotImplementedError`;
* ``✗ not yet`` plus a hint -- the check's specific hint, or the exercise's next generic hint;
* ``✓ passed``.

`check` never raises (papermill and "Run All" treat any error output as failure): an unknown id,
a crash inside the learner's code and a bug in the check function all become a message.  Each
result is also appended as one JSON line to the file named by ``$DISTLAB_GRADING_RESULTS`` when the
headless grader has set it, which is how ``python -m distlab.grading`` learns the scores.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import asdict, dataclass
from typing import Any

from . import registry
from .time_limit import CHECK_TIME_LIMIT_S, TookTooLong, time_limit

#: Environment variable naming the JSON-lines file the headless grader reads.
RESULTS_ENV = "DISTLAB_GRADING_RESULTS"

STATUSES = ("passed", "failed", "not-attempted", "error")
_SYMBOL = {"passed": "✓", "failed": "✗", "not-attempted": "–", "error": "!"}
_WORD = {"passed": "passed", "failed": "not yet", "not-attempted": "not attempted",
         "error": "could not check"}
_COLOUR = {"passed": "#009E73", "failed": "#D55E00", "not-attempted": "#7F7F7F",
           "error": "#CC79A7"}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: `status` is one of `STATUSES`."""

    id: str
    status: str
    score: int
    max: int
    message: str = ""

    @property
    def passed(self) -> bool:
        """True when the answer passed the check."""
        return self.status == "passed"

    def text(self) -> str:
        """One plain-text line, e.g. ``✗ consensus.majority: not yet -- Hint: ...``."""
        tail = f" -- {self.message}" if self.message else ""
        return f"{_SYMBOL[self.status]} {self.id}: {_WORD[self.status]}{tail}"

    def html(self) -> str:
        """The feedback box shown under the cell: a coloured bar, the symbol, the id, the score and the hint."""
        colour = _COLOUR[self.status]
        msg = f"<br>{html.escape(self.message)}" if self.message else ""
        return (f'<div class="distlab-check" data-status="{self.status}" style="border-left:4px '
                f'solid {colour};padding:4px 8px;font-family:sans-serif">'
                f'<b style="color:{colour}">{_SYMBOL[self.status]}</b> <code>{html.escape(self.id)}'
                f"</code>: <b>{_WORD[self.status]}</b> ({self.score}/{self.max}){msg}</div>")


_attempts: dict[str, int] = {}
_latest: dict[str, Verdict] = {}


def evaluate(exercise_id: str, answer: object) -> Verdict:
    """Judge `answer` without showing or recording anything.  Never raises."""
    try:
        ex = registry.get(exercise_id)
    except Exception as exc:  # noqa: BLE001
        return Verdict(str(exercise_id), "error", 0, 1, f"cannot load exercises: {exc}")
    if ex is None:
        return Verdict(str(exercise_id), "error", 0, 1,
                       f"unknown exercise id {exercise_id!r}; check the spelling in this cell")
    if answer is ...:
        return Verdict(ex.id, "not-attempted", 0, ex.points, "replace ... with your answer")
    try:
        with time_limit(CHECK_TIME_LIMIT_S):
            outcome = ex.check_fn(answer)
    except TookTooLong:
        return Verdict(ex.id, "failed", 0, ex.points,
                       f"took too long: the check was stopped after {CHECK_TIME_LIMIT_S:g} s -- does your code "
                       "loop forever, or try far more cases than it needs?")
    except NotImplementedError:
        return Verdict(ex.id, "not-attempted", 0, ex.points,
                       "the stub still raises NotImplementedError; write your code and re-run")
    except Exception as exc:  # noqa: BLE001 - the learner's code (or the check) crashed
        return Verdict(ex.id, "failed", 0, ex.points,
                       f"your code raised {type(exc).__name__}: {exc}")
    if outcome is True:
        return Verdict(ex.id, "passed", ex.points, ex.points, "well done")
    if outcome is False or isinstance(outcome, str):
        attempt = _attempts.get(ex.id, 0)
        _attempts[ex.id] = attempt + 1
        if isinstance(outcome, str) and outcome:
            hint = outcome
        elif ex.hints:
            k = min(attempt, len(ex.hints) - 1)
            hint = f"Hint {k + 1}/{len(ex.hints)}: {ex.hints[k]}"
        else:
            hint = "not quite; re-read the question and try again"
        return Verdict(ex.id, "failed", 0, ex.points, hint)
    return Verdict(ex.id, "error", 0, ex.points,
                   f"the check returned {outcome!r}; expected True, False or a hint string")


def check(exercise_id: str, answer: object = ...) -> None:
    """Evaluate, show the feedback and record the result.  Never raises (except on Ctrl-C)."""
    verdict = evaluate(exercise_id, answer)
    _latest[verdict.id] = verdict
    record({"event": "check", **asdict(verdict)})
    show(verdict)


def start(notebook: str) -> list[str]:
    """Declare, from a notebook's setup cell, which exercises it contains (all exercises
    registered for `notebook`), so the grader can report the ones never reached.  Never raises."""
    try:
        exercises = registry.exercises_for(notebook)
    except Exception:  # noqa: BLE001
        exercises = []
    record({"event": "declare", "notebook": notebook,
            "exercises": [{"id": e.id, "max": e.points} for e in exercises]})
    return [e.id for e in exercises]


def results() -> dict[str, Verdict]:
    """The latest verdict per exercise checked in this process."""
    return dict(_latest)


def reset() -> None:
    """Forget attempts and verdicts (tests use this)."""
    _attempts.clear()
    _latest.clear()


def record(event: dict[str, Any]) -> None:
    """Append `event` as a JSON line to ``$DISTLAB_GRADING_RESULTS``, if set.  Never raises."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")
    except OSError:
        pass


def show(verdict: Verdict) -> None:
    """Display as HTML (with a plain-text fallback) in IPython, else print.  Never raises."""
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({"text/html": verdict.html(), "text/plain": verdict.text()}, raw=True)
            return
    except Exception:  # noqa: BLE001
        pass
    try:
        print(verdict.text())
    except Exception:  # noqa: BLE001
        pass
