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
a crash inside the learner's code and a bug in the check function all become a message. Nothing
here reports to the headless grader: ``python -m distlab.grading`` computes scores itself, from the
instructor's copy, with the same `judge` (:mod:`distlab.grading.grader`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from . import registry
from .time_limit import CHECK_TIME_LIMIT_S, TookTooLong, time_limit

STATUSES = ("passed", "failed", "not-attempted", "error", "timeout")
_SYMBOL = {"passed": "✓", "failed": "✗", "not-attempted": "–", "error": "!", "timeout": "⏱"}
_WORD = {"passed": "passed", "failed": "not yet", "not-attempted": "not attempted",
         "error": "could not check", "timeout": "took too long"}
_COLOUR = {"passed": "#009E73", "failed": "#D55E00", "not-attempted": "#7F7F7F",
           "error": "#CC79A7", "timeout": "#E69F00"}


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
    return judge(ex, answer)


def judge(ex: registry.Exercise, answer: object) -> Verdict:
    """`ex`'s check on `answer`, within :data:`CHECK_TIME_LIMIT_S`, as a verdict. Never raises
    (except on Ctrl-C). The notebook's `check` and the headless grader both judge with this."""
    if answer is ...:
        return Verdict(ex.id, "not-attempted", 0, ex.points, "replace ... with your answer")
    try:
        with time_limit(CHECK_TIME_LIMIT_S):
            outcome = ex.check_fn(answer)
    except TookTooLong:
        return Verdict(ex.id, "timeout", 0, ex.points,
                       f"the check was stopped after {CHECK_TIME_LIMIT_S:g} s -- does your code "
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
    remember(verdict)
    show(verdict)


def start(notebook: str) -> list[str]:
    """The ids of the exercises `notebook` contains (a notebook's setup cell names its chapter
    this way, and loads the chapter's checks early).  Never raises."""
    try:
        return [e.id for e in registry.exercises_for(notebook)]
    except Exception:  # noqa: BLE001
        return []


def remember(verdict: Verdict) -> None:
    """Keep `verdict` as its exercise's latest (what `results` returns)."""
    _latest[verdict.id] = verdict


def results() -> dict[str, Verdict]:
    """The latest verdict per exercise checked in this process."""
    return dict(_latest)


def reset() -> None:
    """Forget attempts and verdicts (tests use this)."""
    _attempts.clear()
    _latest.clear()


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
