"""Two boxes of the cluster lab's panel (`raft_lab_panel.ClusterLabView`).

`ShareBox`: export the run on screen as a string, import one. `ConfirmBox`: a yes / no question
under the status line, for changes that would throw work away -- a settings slider starts a new run
from t = 0, and once the learner has acted (crashed a server, sent requests, ...) that would silently
discard the run built so far: "start a new run" goes ahead, "keep this run" puts the sliders back.
The box is hidden while nothing is asked.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

HIDDEN, SHOWN = "none", "flex"


class ConfirmBox:
    """A question with two buttons; `ask` shows it and remembers what each answer does."""

    def __init__(self, yes: str = "start a new run", no: str = "keep this run") -> None:
        self.question = widgets.HTML()
        self.yes = widgets.Button(description=yes, button_style="warning", layout={"width": "auto"})
        self.no = widgets.Button(description=no, layout={"width": "auto"})
        self.widget = widgets.HBox([self.question, self.yes, self.no], layout={"display": HIDDEN})
        self._answers: tuple[Callable[[], object], Callable[[], object]] | None = None
        self.yes.on_click(lambda _b: self.answer(True))
        self.no.on_click(lambda _b: self.answer(False))

    @property
    def pending(self) -> bool:
        """Whether a question waits for an answer."""
        return self._answers is not None

    def ask(self, question_html: str, on_yes: Callable[[], object], on_no: Callable[[], object]) -> None:
        """Show `question_html` with the two buttons; the answer calls `on_yes` or `on_no` once."""
        self._answers = (on_yes, on_no)
        self.question.value = question_html
        self.widget.layout.display = SHOWN

    def clear(self) -> None:
        """Hide the question and forget its answers."""
        self._answers = None
        self.question.value = ""
        self.widget.layout.display = HIDDEN

    def answer(self, yes: bool) -> None:
        """Answer the pending question (what the buttons do); nothing happens when none is pending."""
        if self._answers is None:
            return
        on_yes, on_no = self._answers
        self.clear()
        (on_yes if yes else on_no)()


class ShareBox:
    """Export / import of a run: "export run" fills a read-only box with the run's string (typing
    in it puts the string back), "import run" loads the string pasted in the box beside it."""

    def __init__(self) -> None:
        self.export_button = widgets.Button(description="export run", icon="share",
                                            tooltip="the run on screen as a string to send")
        self.export_box = widgets.Textarea(value="", placeholder="press 'export run', then copy this",
                                           layout={"width": "460px", "height": "56px"})
        self.import_box = widgets.Text(value="", placeholder="paste a shared run here",
                                       layout={"width": "460px"})
        self.import_button = widgets.Button(description="import run", icon="upload",
                                            tooltip="replay the pasted run from its seed")
        self._exported = ""
        self.export_box.observe(self._keep_read_only, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.export_button, self.export_box]),
                                    widgets.HBox([self.import_button, self.import_box])])

    @property
    def exported(self) -> str:
        """The string in the export box ("" until an export, and after the run changed)."""
        return self._exported

    def show(self, text: str) -> None:
        """Put `text` in the export box (the empty string clears it)."""
        self._exported = text
        self.export_box.value = text

    def _keep_read_only(self, change: dict[str, Any]) -> None:
        if change["new"] != self._exported:
            self.export_box.value = self._exported
