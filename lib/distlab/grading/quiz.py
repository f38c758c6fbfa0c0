"""Quiz questions as plain data, and how a response is judged.

Two kinds of question:

* `Choice` -- multiple choice.  ``answer`` is one option index (single choice) or a set of indices
  (multi-select: tick every correct option and nothing else).  Optional ``why`` gives one line of
  feedback per option, shown when that option is picked.
* `Numeric` -- a number within an absolute ``tolerance`` of ``answer``; the feedback says whether a
  wrong response is too high or too low.

Every question carries an ``explanation``, and may carry a ``hint`` that points the way without
naming the answer.  A first wrong try gets "not quite -- try again" and the hint only: the
explanation and the picked options' ``why`` lines often give the answer away, so they come with a
right answer or a second, different wrong try (``judge(..., wrong_before=1)``).  Quizzes teach,
they do not gatekeep: there is no sign-in and nothing is sent anywhere.  The widgets are in
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
    explanation: str = ""  # shown after a right answer or a second wrong try
    why: tuple[str, ...] = ()  # one line of feedback per option, shown with the explanation
    hint: str = ""  # shown after a first wrong try; must not name the answer

    def __post_init__(self) -> None:
        _check_hint(self.hint)
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
    explanation: str = ""  # shown after a right answer or a second wrong try
    hint: str = ""  # shown after a first wrong try; must not name the answer
    integer: bool = False  # a count: a fraction is refused as an answer ("2.5 servers"), not judged

    def __post_init__(self) -> None:
        _check_hint(self.hint)
        if not isinstance(self.integer, bool):
            raise ValueError(f"integer must be True or False, got {self.integer!r}")
        if self.integer and self.answer != int(self.answer):
            raise ValueError(f"answer must be a whole number when integer is True, got {self.answer!r}")
        if not math.isfinite(self.answer):
            raise ValueError(f"answer must be a finite number, got {self.answer!r}")
        if not (math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise ValueError(f"tolerance must be a finite number >= 0, got {self.tolerance!r}")


def _check_hint(hint: object) -> None:
    if not isinstance(hint, str):
        raise ValueError(f"hint must be a string, got {hint!r}")


@dataclass(frozen=True)
class Feedback:
    """`correct` is None when there was nothing to judge (no option ticked, no number)."""

    correct: bool | None
    message: str
    explanation: str = ""


def judge(question: Choice | Numeric, response: object, wrong_before: int = 0) -> Feedback:
    """Judge `response`: an index (single choice), an iterable of indices (multi-select) or a
    number (numeric).  `wrong_before` counts the different wrong responses tried before this one:
    while it is 0, a wrong response gets "try again" and the question's hint, not the explanation or
    the ``why`` lines.  Bad responses give feedback, never an exception."""
    if isinstance(wrong_before, bool) or not isinstance(wrong_before, int) or wrong_before < 0:
        raise ValueError(f"wrong_before must be an integer >= 0, got {wrong_before!r}")
    if isinstance(question, Choice):
        return _judge_choice(question, response, wrong_before == 0)
    if isinstance(question, Numeric):
        return _judge_numeric(question, response, wrong_before == 0)
    raise ValueError(f"question must be a Choice or a Numeric, got {type(question).__name__}")


def _wrong(q: Choice | Numeric, head: str, notes: list[str], first_try: bool) -> Feedback:
    """A wrong response: on a first try `head`, "try again" and the hint; after that `head`, the
    ``why`` notes and the explanation."""
    if first_try:
        hint = f" Hint: {q.hint}" if q.hint else ""
        return Feedback(False, f"{head} -- try again.{hint}")
    return Feedback(False, " ".join([f"{head}.", *notes]), q.explanation)


def _judge_choice(q: Choice, response: Any, first_try: bool) -> Feedback:
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
        return _wrong(q, "Not quite: " + "; ".join(parts), notes, first_try)
    return _wrong(q, "Not quite", notes, first_try)


def _judge_numeric(q: Numeric, response: Any, first_try: bool) -> Feedback:
    if response is None or isinstance(response, bool):
        return Feedback(None, "Enter a number first.")
    try:
        value = float(response)
    except (TypeError, ValueError):
        return Feedback(None, f"Not a number: {response!r}.")
    if not math.isfinite(value):
        return Feedback(None, f"Not a finite number: {response!r}.")
    unit = f" {q.unit}" if q.unit else ""
    if q.integer and value != int(value):
        return Feedback(None, f"{value:g}{unit} is not a whole number; the answer is a count{unit and ' of' + unit}.")
    if abs(value - q.answer) <= q.tolerance:
        return Feedback(True, f"Correct: {q.answer:g}{unit}.", q.explanation)
    direction = "too high" if value > q.answer else "too low"
    return _wrong(q, f"Not quite: {value:g}{unit} is {direction}", [], first_try)


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
