"""Quiz questions as plain data, and how a response is judged.

Two kinds of question:

* `Choice` -- multiple choice.  ``answer`` is one option index (single choice) or a set of indices
  (multi-select: tick every correct option and nothing else).  Optional ``why`` gives one line of
  feedback per option, shown when that option is picked.
* `Numeric` -- a number within an absolute ``tolerance`` of ``answer``; the feedback says whether a
  wrong response is too high or too low.

Every question carries an ``explanation`` shown after any attempt: quizzes teach, they do not
gatekeep, and there is no sign-in and nothing is sent anywhere.  The widgets are in
`distlab.view.quiz`; `quiz_from_data` builds questions from lists of dicts so a notebook (or a
JSON file) can hold a quiz without code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question: one correct option (``answer`` an index) or several (a set of indices)."""

    prompt: str
    options: tuple[str, ...]
    answer: int | frozenset[int]
    explanation: str = ""  # shown after any attempt
    why: tuple[str, ...] = ()  # one line of feedback per option, shown when it is picked

    def __post_init__(self) -> None:
        options = tuple(self.options)
        object.__setattr__(self, "options", options)
        object.__setattr__(self, "why", tuple(self.why))
        if len(options) < 2:
            raise ValueError(f"options must list at least 2 choices, got {len(options)}")
        answers = self.answer if isinstance(self.answer, int) else frozenset(self.answer)
        if not isinstance(answers, int):
            object.__setattr__(self, "answer", answers)
        idx = {answers} if isinstance(answers, int) else answers
        if not idx or any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(options)
                          for i in idx):
            raise ValueError(f"answer must be option indices in [0, {len(options) - 1}], "
                             f"got {self.answer!r}")
        if self.why and len(self.why) != len(options):
            raise ValueError(f"why must give one line per option ({len(options)}), "
                             f"got {len(self.why)}")

    @property
    def multi(self) -> bool:
        """True for a multi-select question (the answer is a set of indices)."""
        return not isinstance(self.answer, int)

    @property
    def correct(self) -> frozenset[int]:
        """The indices of the correct options, as a set whether single or multi-select."""
        return frozenset({self.answer}) if isinstance(self.answer, int) else self.answer


@dataclass(frozen=True)
class Numeric:
    """A question answered with a number; a response within ``tolerance`` (absolute) of ``answer`` is right."""

    prompt: str
    answer: float
    tolerance: float = 0.0
    unit: str = ""  # shown after the number in the feedback, e.g. "ms"
    explanation: str = ""  # shown after any attempt

    def __post_init__(self) -> None:
        if not math.isfinite(self.answer):
            raise ValueError(f"answer must be a finite number, got {self.answer!r}")
        if not (math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise ValueError(f"tolerance must be a finite number >= 0, got {self.tolerance!r}")


@dataclass(frozen=True)
class Feedback:
    """`correct` is None when there was nothing to judge (no option ticked, no number)."""

    correct: bool | None
    message: str
    explanation: str = ""


def judge(question: Choice | Numeric, response: object) -> Feedback:
    """Judge `response`: an index (single choice), an iterable of indices (multi-select) or a
    number (numeric).  Bad responses give feedback, never an exception."""
    if isinstance(question, Choice):
        return _judge_choice(question, response)
    if isinstance(question, Numeric):
        return _judge_numeric(question, response)
    raise ValueError(f"question must be a Choice or a Numeric, got {type(question).__name__}")


def _judge_choice(q: Choice, response: Any) -> Feedback:
    if response is None or response == () or response == set():
        return Feedback(None, "Pick an answer first.")
    try:
        picked = frozenset([response]) if isinstance(response, int) else frozenset(response)
    except TypeError:
        return Feedback(None, f"Not an option: {response!r}.")
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(q.options)
           for i in picked):
        return Feedback(None, f"Not an option: {sorted(picked)!r}.")
    if not q.multi and len(picked) != 1:
        return Feedback(None, "Pick exactly one answer.")
    notes = [q.why[i] for i in sorted(picked) if q.why and q.why[i]]
    if picked == q.correct:
        return Feedback(True, " ".join(["Correct."] + notes), q.explanation)
    if q.multi:
        missed, wrong = len(q.correct - picked), len(picked - q.correct)
        parts = []
        if missed:
            parts.append(f"{missed} correct option{'s' if missed > 1 else ''} not ticked")
        if wrong:
            parts.append(f"{wrong} ticked option{'s are' if wrong > 1 else ' is'} wrong")
        return Feedback(False, ("Not quite: " + "; ".join(parts) + ". " + " ".join(notes)).strip(),
                        q.explanation)
    return Feedback(False, " ".join(["Not quite."] + notes), q.explanation)


def _judge_numeric(q: Numeric, response: Any) -> Feedback:
    if response is None or isinstance(response, bool):
        return Feedback(None, "Enter a number first.")
    try:
        value = float(response)
    except (TypeError, ValueError):
        return Feedback(None, f"Not a number: {response!r}.")
    if not math.isfinite(value):
        return Feedback(None, f"Not a finite number: {response!r}.")
    unit = f" {q.unit}" if q.unit else ""
    if abs(value - q.answer) <= q.tolerance:
        return Feedback(True, f"Correct: {q.answer:g}{unit}.", q.explanation)
    direction = "too high" if value > q.answer else "too low"
    return Feedback(False, f"Not quite: {value:g}{unit} is {direction}.", q.explanation)


def question_from_data(data: dict[str, Any]) -> Choice | Numeric:
    """Build a question from a plain dict with ``"kind": "choice" | "numeric"``."""
    data = dict(data)
    kind = data.pop("kind", None)
    if kind == "choice":
        answer = data.get("answer")
        if isinstance(answer, (list, tuple, set, frozenset)):
            data["answer"] = frozenset(answer)
        return Choice(**data)
    if kind == "numeric":
        return Numeric(**data)
    raise ValueError(f"kind must be 'choice' or 'numeric', got {kind!r}")


def quiz_from_data(items: list[dict[str, Any]]) -> list[Choice | Numeric]:
    """A list of questions from a list of dicts (see `question_from_data`)."""
    if not items:
        raise ValueError("a quiz needs at least one question")
    return [question_from_data(item) for item in items]
