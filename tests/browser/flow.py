"""What a learner does first with a notebook, as one function the tests call for every notebook.

Open it, Run All, check nothing errored and every widget rendered, move a slider, press a button,
answer a quiz question right and wrong; keep a screenshot, the plot before and after, and a JSON
summary under ``artifacts/browser/`` for a person to look at.
"""

from __future__ import annotations

import json
import pathlib
import time

from .controls import NotebookProblem, controls, first_that_changes, pick, png_bytes
from .driver import NotebookInBrowser


def learner_run(nb: NotebookInBrowser, artifacts: pathlib.Path, name: str, *,
                route: str | None = "lab/tree") -> dict:
    """Run the whole learner flow on `nb`; raises `NotebookProblem` (an AssertionError) on the
    first thing a learner would find broken.  Returns the summary also written as JSON.

    `route` is where to open the notebook (``lab/tree`` or Notebook 7's ``notebooks``); None
    means the page already shows it (opened from a file browser)."""
    hints = nb.hints
    summary: dict = {"notebook": nb.path, "route": route, "skipped": hints.skip}
    clock = time.perf_counter()

    def lap(key: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.setdefault("seconds", {})[key] = round(now - clock, 2)
        clock = now

    try:
        if route is None:
            nb.wait_until_ready()
        else:
            nb.open(route)
        lap("open")
        nb.run_all()
        lap("run_all")
        nb.check_cells()
        inventory = nb.inventory()
        summary["widgets"] = {k: len(v) for k, v in inventory.items()}
        needs_plot = not {"slider", "button"} <= set(hints.skip)
        if needs_plot and not any(o["images"] for o in inventory["outputs"]):
            raise NotebookProblem(f"{nb.path}: no Output widget shows a plot (an image)")
        shot_scope = None
        if "slider" not in hints.skip:
            step = first_that_changes(lambda: pick(controls(nb.inventory()["sliders"]),
                                                   hints.slider, "slider", nb.path),
                                      nb.move_slider)
            summary["slider"] = {"control": step.control, **step.detail}
            _save_plots(artifacts, name, "slider", step.before, step.after)
            shot_scope = _scope_of(nb.inventory()["sliders"], step.control)
            lap("slider")
        if "button" not in hints.skip:
            step = first_that_changes(lambda: pick(controls(nb.inventory()["buttons"]),
                                                   hints.button, "button", nb.path),
                                      nb.press_button)
            summary["button"] = {"control": step.control}
            _save_plots(artifacts, name, "button", step.before, step.after)
            shot_scope = shot_scope or _scope_of(nb.inventory()["buttons"], step.control)
            lap("button")
        if "quiz" not in hints.skip:
            if not inventory["quizzes"]:
                raise NotebookProblem(f"{nb.path}: no single-choice quiz question (radio buttons "
                                      "and a 'check' button, distlab.view.Quiz) was found")
            summary["quiz"] = nb.answer_quiz(nb.inventory()["quizzes"][0])
            lap("quiz")
        nb.check_cells()
        nb.screenshot(artifacts / f"{name}.png", shot_scope)
        summary["result"] = "passed"
        return summary
    except Exception as exc:
        summary["result"] = f"failed: {exc}"
        _try_screenshot(nb, artifacts / f"{name}-failed.png")
        raise
    finally:
        artifacts.mkdir(parents=True, exist_ok=True)
        (artifacts / f"{name}.json").write_text(json.dumps(summary, indent=1, default=str))


def _scope_of(items: list[dict], control: str) -> str | None:
    for item in items:
        if control.endswith(repr(item["label"])) and item["scope"]:
            return item["scope"]
    return None


def _save_plots(artifacts: pathlib.Path, name: str, what: str, before: str, after: str) -> None:
    artifacts.mkdir(parents=True, exist_ok=True)
    for when, signature in (("before", before), ("after", after)):
        for i, png in enumerate(png_bytes(signature)):
            suffix = f"-{i}" if i else ""
            (artifacts / f"{name}-{what}-{when}{suffix}.png").write_bytes(png)


def _try_screenshot(nb: NotebookInBrowser, path: pathlib.Path) -> None:
    try:
        nb.screenshot(path)
    except Exception:  # noqa: BLE001 - a failed screenshot must not hide the real failure
        pass
