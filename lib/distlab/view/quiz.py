"""Quiz widgets: multiple choice (single or multi-select) and numeric questions with instant
feedback and an explanation.  No sign-in, nothing leaves the notebook.

A first wrong try says "try again" (with the question's hint, if it has one); the explanation comes
with a right answer or a second, different wrong try, so it never gives the answer away unasked.

The judging is pure and lives in `distlab.grading.quiz`; this module only builds widgets::

    Quiz.from_data([
        {"kind": "choice", "prompt": "How many crashes does a 5-node Raft cluster survive?",
         "options": ["1", "2", "3"], "answer": 1,
         "explanation": "2f+1 = 5 gives f = 2."},
        {"kind": "numeric", "prompt": "Round trip Frankfurt–Sydney at 2/3 c (16,500 km)?",
         "answer": 165, "tolerance": 15, "unit": "ms", "explanation": "..."},
    ])

Tests drive it without a browser: set ``question.input.value`` (or tick ``question.boxes[i]``),
call ``question.check_button.click()`` and read ``question.feedback.value`` / ``question.last``.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable, Mapping, Sequence

import ipywidgets as widgets

from distlab.grading.quiz import Choice, Feedback, Numeric, judge, quiz_from_data

from .style import BAD, GOOD, NEUTRAL


def feedback_html(fb: Feedback) -> str:
    """Feedback as HTML: a symbol and a word as well as a colour."""
    if fb.correct is True:
        symbol, word, colour = "✓", "correct", GOOD
    elif fb.correct is False:
        symbol, word, colour = "✗", "not quite", BAD
    else:
        symbol, word, colour = "?", "no answer", NEUTRAL
    explanation = (f'<div style="margin-top:4px"><i>Why:</i> {html.escape(fb.explanation)}</div>'
                   if fb.explanation and fb.correct is not None else "")
    said = "" if fb.message.lower().startswith(word) else f" {word}"  # said once: not "not quite Not quite"
    return (f'<div class="distlab-feedback" data-correct="{word}" style="border-left:4px solid '
            f'{colour};padding:4px 8px"><b style="color:{colour}">{symbol}{said}</b> '
            f"{html.escape(fb.message)}{explanation}</div>")


def _in_number(question: Choice | Numeric, response: object) -> Choice | Numeric:
    """``question`` with its count's unit in the singular when the number the feedback states (the
    answer when ``response`` is right, else the response) is one: "1 region", not "1 regions"."""
    if (not isinstance(question, Numeric) or not question.integer or not question.unit.endswith("s")
            or isinstance(response, bool) or not isinstance(response, int | float)):
        return question
    stated = question.answer if abs(response - question.answer) <= question.tolerance else response
    return dataclasses.replace(question, unit=question.unit[:-1]) if stated == 1 else question


class QuestionWidget:
    """One question: prompt, an input, a "check" button and a feedback area."""

    def __init__(self, question: Choice | Numeric, number: int = 1) -> None:
        self.question = question
        self.last: Feedback | None = None
        self.wrong: list[object] = []  # the different wrong responses checked so far
        self.prompt = widgets.HTML(f"<b>Q{number}.</b> {html.escape(question.prompt)}")
        self.boxes: list[widgets.Checkbox] = []
        if isinstance(question, Numeric):
            # FloatText only ever holds a number; `touched` tells "0.0 typed" from "untouched".
            self.input = widgets.FloatText(value=0.0, description="answer",
                                           layout=widgets.Layout(width="220px"))
            self.touched = False
            self.input.observe(self._touch, names="value")
            body = widgets.HBox([self.input, widgets.Label(question.unit)])
        elif question.multi:
            self.boxes = [widgets.Checkbox(value=False, description=opt, indent=False)
                          for opt in question.options]
            self.input = None
            body = widgets.VBox([widgets.Label("Tick every correct option:"), *self.boxes])
        else:
            self.input = widgets.RadioButtons(
                options=[(opt, i) for i, opt in enumerate(question.options)], value=None,
                layout=widgets.Layout(width="auto"))
            body = self.input
        self.check_button = widgets.Button(description="check", button_style="info")
        self.check_button.on_click(lambda _b: self.check())
        self.feedback = widgets.HTML("")
        self.widget = widgets.VBox([self.prompt, body, self.check_button, self.feedback])

    def _touch(self, _change: object) -> None:
        self.touched = True

    def response(self) -> object:
        """What the learner has entered, in the form `judge` expects (None: nothing yet)."""
        if self.boxes:
            return {i for i, box in enumerate(self.boxes) if box.value}
        if isinstance(self.question, Numeric) and not self.touched:
            return None
        return self.input.value

    def check(self) -> Feedback:
        """Judge the current response, show the feedback and keep it in `last`; returns it.  The
        explanation is withheld until a right answer or a second, different wrong response."""
        response = self.response()
        wrong_before = sum(1 for earlier in self.wrong if earlier != response)
        self.last = judge(_in_number(self.question, response), response, wrong_before)
        if self.last.correct is False and response not in self.wrong:
            self.wrong.append(response)
        self.feedback.value = feedback_html(self.last)
        return self.last


class Quiz:
    """Several questions and a running score line ("2 of 3 correct")."""

    def __init__(self, questions: Iterable[Choice | Numeric], title: str = "Quick check") -> None:
        questions = list(questions)
        if not questions:
            raise ValueError("questions must contain at least one question")
        self.questions = [QuestionWidget(q, i + 1) for i, q in enumerate(questions)]
        self.score = widgets.HTML()
        for q in self.questions:
            q.check_button.on_click(lambda _b: self._update_score())
        self._update_score()
        self.widget = widgets.VBox([widgets.HTML(f"<h4>{html.escape(title)}</h4>"),
                                    *[q.widget for q in self.questions], self.score])

    @classmethod
    def from_data(cls, items: Sequence[object], title: str = "Quick check") -> Quiz:
        """A quiz from plain data, one dict per question (format: `distlab.grading.quiz.quiz_from_data`;
        each chapter keeps its questions in ``distlab.<chapter>.quiz.QUIZ``)."""
        questions = []
        for number, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                raise ValueError(f"question {number} must be a dict, got {item!r}")
            questions.append(dict(item))
        return cls(quiz_from_data(questions), title)

    @property
    def correct_count(self) -> int:
        """How many questions were last checked correct."""
        return sum(1 for q in self.questions if q.last is not None and q.last.correct)

    def _update_score(self) -> None:
        self.score.value = f"<b>{self.correct_count} of {len(self.questions)} correct</b>"

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)
