"""An exercise widget: a "check my answer" button and progressive hints next to an exercise.

`distlab.grading.check(id, answer)` is the plain, printable way to check an exercise (it works in
papermill and in CI).  `ExerciseBox` is the interactive companion for a learner: it re-reads the
answer each time the button is pressed (``get_answer`` is usually ``lambda: my_function``), shows
the same verdict as `check`, records it the same way, and reveals hints one at a time.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from distlab.grading import checks, registry


class ExerciseBox:
    """A "check my answer" button and a hint button for one registered exercise.

    Each check calls `get_answer` afresh (so the learner's latest definition is checked), shows and
    records the verdict as `distlab.grading.check` does; hints are revealed one per click."""

    def __init__(self, exercise_id: str, get_answer: Callable[[], object]) -> None:
        if not callable(get_answer):
            raise ValueError(f"get_answer must be callable, got {get_answer!r}")
        self.exercise_id = exercise_id
        self.get_answer = get_answer
        ex = registry.get(exercise_id)
        self.hints: tuple[str, ...] = ex.hints if ex else ()
        self.points = ex.points if ex else 1
        self.hints_shown = 0
        self.last: checks.Verdict | None = None
        title = ex.title if ex else exercise_id
        self.check_button = widgets.Button(description="check my answer", button_style="info")
        self.hint_button = widgets.Button(description=f"hint (0/{len(self.hints)})",
                                          disabled=not self.hints)
        self.feedback = widgets.HTML("")
        self.hint_area = widgets.HTML("")
        self.check_button.on_click(lambda _b: self.check())
        self.hint_button.on_click(lambda _b: self.next_hint())
        self.widget = widgets.VBox([widgets.HTML(f"<b>Exercise:</b> {html.escape(title)}"),
                                    widgets.HBox([self.check_button, self.hint_button]),
                                    self.feedback, self.hint_area])

    def check(self) -> checks.Verdict:
        """Read the answer, judge it, record and show the verdict; returns it.  A stub that raises
        `NotImplementedError` is "not attempted"; an answer that cannot be read fails with why."""
        try:
            answer = self.get_answer()
        except NotImplementedError:
            answer = ...
        except Exception as exc:  # noqa: BLE001 - e.g. a NameError before the cell ran
            last = checks.Verdict(self.exercise_id, "failed", 0, self.points,
                                  f"could not read your answer: {type(exc).__name__}: {exc}")
        else:
            last = checks.evaluate(self.exercise_id, answer)
        self.last = last
        checks.remember(last)
        self.feedback.value = last.html()
        return last

    def next_hint(self) -> None:
        """Reveal one more hint (all hints so far stay shown); the button is disabled after the last."""
        if self.hints_shown < len(self.hints):
            self.hints_shown += 1
        items = "".join(f"<li>{html.escape(h)}</li>" for h in self.hints[: self.hints_shown])
        self.hint_area.value = f"<ol>{items}</ol>" if items else ""
        self.hint_button.description = f"hint ({self.hints_shown}/{len(self.hints)})"
        self.hint_button.disabled = self.hints_shown >= len(self.hints)

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)
