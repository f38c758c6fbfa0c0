"""Drive one notebook in JupyterLab (or Notebook 7) the way a learner would, and check what shows.

`NotebookInBrowser` opens a notebook, runs every cell, waits for the kernel to go idle, and then
checks: no cell errored, every widget output rendered, moving a slider and pressing a button
redraw the plot next to them (the PNG bytes of the image change), and a quiz question gives
"correct" and "not quite" feedback.

Waiting is never a fixed sleep: the helpers in ``lab_helpers.js`` count the kernel's iopub
``idle`` status messages, so after a click or a drag we wait until the kernel has gone idle
at least once and stayed idle for a short grace period (for the front end to apply the widget
update), bounded by a timeout.
"""

from __future__ import annotations

import pathlib

from .controls import Control, Interaction, NotebookProblem, PlotUnchanged, reflects
from .hints import BrowserHints

HELPERS_JS = (pathlib.Path(__file__).with_name("lab_helpers.js")).read_text()
GRACE_MS = 750           #: the kernel must have been idle this long before we read the page
ACTION_TIMEOUT_S = 90.0  #: one widget event (a redraw) must finish within this
APP_TIMEOUT_S = 120.0    #: page load until the app and its kernel are ready


class NotebookInBrowser:
    def __init__(self, page, base_url: str, path: str, hints: BrowserHints, *,
                 tolerated_errors: tuple[str, ...] = ()):
        """`tolerated_errors`: prefixes of uncaught page errors that are the front end's own
        known bugs (see test_notebook7.py); every other uncaught error fails the notebook."""
        self.page, self.base_url, self.path, self.hints = page, base_url, path, hints
        self.tolerated_errors = tuple(tolerated_errors)
        self.page_errors: list[str] = []
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.add_init_script(HELPERS_JS)

    # -- opening and running -------------------------------------------------------------------
    def open(self, route: str = "lab/tree") -> None:
        """Open the notebook (``lab/tree`` for JupyterLab, ``notebooks`` for Notebook 7) and wait
        until its kernel is idle."""
        in_lab = route.startswith("lab")
        self.page.goto(f"{self.base_url}/{route}/{self.path}{'?reset' if in_lab else ''}")
        self.wait_until_ready()
        if in_lab:  # the file browser would take a fifth of every screenshot
            self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")

    def wait_until_ready(self) -> None:
        """Wait for the app, the notebook panel and an idle kernel (works for a page opened by
        something else too, e.g. a click in Notebook 7's file browser)."""
        self.page.evaluate(HELPERS_JS)  # idempotent; the init script covers later navigations
        self.page.wait_for_function(
            "() => window.__distlab && window.__distlab.panel() !== null"
            " && window.__distlab.kernelStatus() === 'idle'",
            timeout=APP_TIMEOUT_S * 1000, polling=200)

    def run_all(self) -> None:
        """Run every cell (the "Run All Cells" command) and wait for the kernel and the widgets."""
        ms = int(self.hints.timeout_s * 1000)
        result = self.page.evaluate(
            "(ms) => Promise.race([window.__distlab.runAll(),"
            " new Promise((r) => setTimeout(() => r('timeout'), ms))])", ms)
        if result == "timeout":
            raise NotebookProblem(f"{self.path}: Run All did not finish in "
                                  f"{self.hints.timeout_s:g} s (raise "
                                  "metadata.distlab.browser.timeout_s if that is expected)")
        self.page.wait_for_function(
            "() => !window.__distlab.pending() && window.__distlab.kernelStatus() === 'idle'",
            timeout=ms, polling=200)
        # widget views render asynchronously after their cell finished
        try:
            self.page.wait_for_function(
                "() => window.__distlab.report().every((c) => !c.outputs"
                " || c.outputs.every((o) => !o.widget || o.rendered || o.broken))",
                timeout=60_000, polling=250)
        except Exception:  # noqa: BLE001 - the report below names the widget that never rendered
            pass

    # -- checks --------------------------------------------------------------------------------
    def check_cells(self) -> list[dict]:
        """Every non-empty code cell ran, none shows an error, every widget output rendered, and
        the page raised no uncaught exception."""
        report = self.page.evaluate("() => window.__distlab.report()")
        problems = []
        for cell in report:
            if cell["type"] != "code" or not cell["source"].strip():
                continue
            where = f"cell {cell['index']} ({cell['source'].splitlines()[0][:60]!r})"
            if cell["executionCount"] is None:
                problems.append(f"{where} did not run")
            for out in cell["outputs"]:
                if out["type"] == "error":
                    problems.append(f"{where} shows {out['ename']}: {out['evalue']}")
                if out.get("widget") and (out["broken"] or not out["rendered"]):
                    problems.append(f"{where}: a widget did not render in the browser")
        problems += [f"uncaught page error: {e}" for e in self.page_errors
                     if not e.startswith(self.tolerated_errors or ("\0",))]
        if problems:
            raise NotebookProblem(f"{self.path}:\n  " + "\n  ".join(problems))
        return report

    def inventory(self) -> dict:
        return self.page.evaluate("() => window.__distlab.inventory()")

    # -- waiting for the kernel ----------------------------------------------------------------
    def _idle_count(self) -> int:
        return self.page.evaluate("() => (window.__distlab.kernelStatus(),"
                                  " window.__distlab.idleCount())")

    def _settle(self, since: int, what: str) -> None:
        try:
            self.page.wait_for_function(
                "([since, grace]) => window.__distlab.settled(since, grace)", arg=[since, GRACE_MS],
                timeout=ACTION_TIMEOUT_S * 1000, polling=100)
        except Exception as exc:  # noqa: BLE001 - rephrase Playwright's timeout for the reader
            raise NotebookProblem(f"{self.path}: the kernel did not finish handling {what} "
                                  f"within {ACTION_TIMEOUT_S:g} s") from exc
        errors = self.page.evaluate("() => window.__distlab.callbackErrors()")
        if errors:
            raise NotebookProblem(f"{self.path}: a widget callback raised while handling {what}: "
                                  + "; ".join(errors))

    def signature(self, scope: str) -> str:
        return self.page.evaluate("(s) => window.__distlab.plotSignature(s)", scope) or ""

    def _locator(self, control_id: str, inner: str = ""):
        return self.page.locator(f'[data-distlab-id="{control_id}"] {inner}'.strip())

    # -- the slider ----------------------------------------------------------------------------
    def _drag_slider(self, slider: Control, x: float) -> str:
        """Drag the slider's handle with the mouse to page coordinate `x`, as a learner does
        (Notebook 7 swallows arrow keys before they reach the handle); returns the readout."""
        handle = self._locator(slider.id, ".noUi-handle")
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        y = box["y"] + box["height"] / 2
        readout = self._locator(slider.id, ".widget-readout")
        old = readout.inner_text().strip()
        since = self._idle_count()
        self.page.mouse.move(box["x"] + box["width"] / 2, y)
        self.page.mouse.down()
        self.page.mouse.move(x, y, steps=4)
        self.page.mouse.up()
        try:  # the readout follows the handle at once, kernel or not
            self.page.wait_for_function(
                "([sel, old]) => document.querySelector(sel).textContent.trim() !== old",
                arg=[f'[data-distlab-id="{slider.id}"] .widget-readout', old], timeout=5_000)
        except Exception:  # noqa: BLE001 - the caller reports a slider that did not move
            return old
        self._settle(since, f"the slider {slider.label!r}")
        return readout.inner_text().strip()

    def move_slider(self, slider: Control) -> Interaction:
        """Drag `slider` a quarter of its range (towards the wider side) and check the plot
        changed; then, unless the hint says otherwise, drag it back and check the plot is
        restored byte for byte (the plot is a function of the control, not just "it moved")."""
        handle = self._locator(slider.id, ".noUi-handle")
        handle.scroll_into_view_if_needed()
        lo, hi, now = (float(handle.get_attribute(a))
                       for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
        track = self._locator(slider.id, ".noUi-base").bounding_box()
        home = handle.bounding_box()
        home_x = home["x"] + home["width"] / 2
        fraction = (now - lo) / (hi - lo) if hi > lo else 0.0
        target = fraction + 0.25 if fraction < 0.5 else fraction - 0.25
        before = self.signature(slider.scope)
        start = self._locator(slider.id, ".widget-readout").inner_text().strip()
        value = self._drag_slider(slider, track["x"] + target * track["width"])
        after = self.signature(slider.scope)
        step = Interaction(f"slider {slider.label!r}", before, after,
                           {"from": start, "to": value})
        if value == start:
            raise NotebookProblem(f"{self.path}: dragging did not move the slider "
                                  f"{slider.label!r} (still {value})")
        if not after or after == before:
            raise PlotUnchanged(f"{self.path}: moving the slider {slider.label!r} from {start} "
                                f"to {value} did not change its plot")
        if self.hints.reflect is not None:
            result = self.page.evaluate("(e) => window.__distlab.evalInKernel(e)",
                                        self.hints.reflect.expr)
            expected = self.hints.reflect.expected(value)
            step.detail["reflect"] = result
            if result["error"] or not reflects(self.hints.reflect.expect, value, result["text"]):
                raise NotebookProblem(
                    f"{self.path}: after moving {slider.label!r} to {value}, "
                    f"{self.hints.reflect.expr} gave {result['text'] or result['error']!r}, "
                    f"which does not contain {expected!r}")
        if self.hints.roundtrip:
            restored = self._drag_slider(slider, home_x)
            again = self.signature(slider.scope)
            step.detail["restored"] = restored
            if restored != start:
                raise NotebookProblem(f"{self.path}: the slider {slider.label!r} did not return "
                                      f"to {start} (shows {restored})")
            if again != before:
                raise PlotUnchanged(f"{self.path}: moving {slider.label!r} back to {start} did "
                                    "not restore the original plot: the plot does not follow the "
                                    "slider (set roundtrip: false if it is meant to accumulate)")
        return step

    # -- the button ----------------------------------------------------------------------------
    def press_button(self, button: Control) -> Interaction:
        before = self.signature(button.scope)
        since = self._idle_count()
        self._locator(button.id).click(timeout=10_000)
        self._settle(since, f"the button {button.label!r}")
        after = self.signature(button.scope)
        step = Interaction(f"button {button.label!r}", before, after)
        if not after or after == before:
            raise PlotUnchanged(f"{self.path}: pressing the button {button.label!r} did not change "
                                "its plot")
        return step

    # -- the quiz ------------------------------------------------------------------------------
    def answer_quiz(self, question: dict) -> dict:
        """Pick options of one single-choice question in turn, pressing "check" each time, until
        one was judged correct and one wrong; finish on the correct one.  Returns the verdicts."""
        verdicts: dict[int, str] = {}
        radios = self._locator(question["id"], ".widget-radio-box input")
        for i in range(question["options"]):
            verdicts[i] = self._check_option(question, radios, i)
            seen = set(verdicts.values())
            if {"correct", "not quite"} <= seen:
                break
        right = [i for i, v in verdicts.items() if v == "correct"]
        wrong = [i for i, v in verdicts.items() if v == "not quite"]
        if not right or not wrong:
            raise NotebookProblem(f"{self.path}: quiz feedback never said both 'correct' and "
                                  f"'not quite' (got {verdicts})")
        if verdicts[max(verdicts)] != "correct":
            self._check_option(question, radios, right[0])
        final = self.page.evaluate("(q) => window.__distlab.feedback(q)", question["id"])
        if final["verdict"] != "correct":
            raise NotebookProblem(f"{self.path}: re-picking the right option shows {final}")
        if final["score"] is not None and not final["score"].startswith("1 of"):
            raise NotebookProblem(f"{self.path}: the quiz score reads {final['score']!r} after "
                                  "one right answer")
        return {"verdicts": verdicts, "final": final}

    def _check_option(self, question: dict, radios, index: int) -> str | None:
        since = self._idle_count()
        radios.nth(index).check()
        self._settle(since, "a quiz option")
        since = self._idle_count()
        self._locator(question["check"]).click()
        self._settle(since, "the quiz check button")
        return self.page.evaluate("(q) => window.__distlab.feedback(q)", question["id"])["verdict"]

    # -- artifacts -----------------------------------------------------------------------------
    def screenshot(self, path: pathlib.Path, scope: str | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if scope and self._locator(scope).count():  # it may have been re-rendered since
            self._locator(scope).scroll_into_view_if_needed()
        self.page.screenshot(path=str(path))
