"""The browser test notices what a learner would notice: a control wired to nothing.

Broken copies of the fixture notebook are written into the served folder at test time (the
committed fixture stays intact): one with the slider's ``observe`` removed, one with the button's
``on_click`` removed.  Everything else about them is healthy -- every cell runs, every widget
renders -- so only the "the plot changed" check can catch them, and it must.
"""

from __future__ import annotations

import json

import pytest

from .conftest import FIXTURE, FIXTURES
from .controls import NotebookProblem, PlotUnchanged, controls, first_that_changes, pick
from .driver import NotebookInBrowser
from .hints import parse_hints

pytestmark = pytest.mark.browser

#: how each broken copy differs from the fixture: (line in the fixture, what replaces it)
BREAKS = {
    "slider": ('slider.observe(redraw, names="value")', "pass  # the slider is wired to nothing"),
    "button": ("reseed.on_click(next_seed)", "pass  # the button is wired to nothing"),
    # the slider redraws, but the picture ignores its value (a fresh seed each time instead)
    "ignored": ('picture = example_picture(slider.value, state["seed"])',
                'state["seed"] += 1; picture = example_picture(nodes, state["seed"])'),
}


def write_broken_copy(lab, part: str) -> str:
    original, replacement = BREAKS[part]
    nb = json.loads(FIXTURE.read_text())
    hits = 0
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if original in source:
            cell["source"] = source.replace(original, replacement)
            hits += 1
    assert hits == 1, f"the fixture no longer contains {original!r}; update BREAKS"
    name = f"{FIXTURES}/broken_{part}.ipynb"
    (lab.root / name).write_text(json.dumps(nb))
    return name


def open_and_run(lab, page, part: str) -> tuple[NotebookInBrowser, dict]:
    """Open the broken copy without its hint (the generic discovery); `hinted` gives the hint."""
    nb = NotebookInBrowser(page, lab.url, write_broken_copy(lab, part), parse_hints({}))
    nb.open()
    nb.run_all()
    nb.check_cells()  # nothing else is wrong with the broken copy
    return nb, nb.inventory()


def candidates(nb: NotebookInBrowser, kind: str, label: str | None):
    return pick(controls(nb.inventory()[kind]), label, kind.rstrip("s"), nb.path)


def hinted():
    return parse_hints(json.loads(FIXTURE.read_text())["metadata"])


def test_slider_wired_to_nothing_fails_the_plot_check(lab, page):
    nb, _ = open_and_run(lab, page, "slider")
    with pytest.raises(PlotUnchanged, match="did not change its plot"):  # generic discovery
        first_that_changes(lambda: candidates(nb, "sliders", None), nb.move_slider)
    nb.hints = hinted()  # and with the fixture's hint naming the slider
    with pytest.raises(PlotUnchanged, match="did not change its plot"):
        first_that_changes(lambda: candidates(nb, "sliders", "nodes"), nb.move_slider)
    # the button still works in this copy, so the failure is the slider's alone
    assert first_that_changes(lambda: candidates(nb, "buttons", "new seed"),
                              nb.press_button).changed


def test_button_wired_to_nothing_fails_the_plot_check(lab, page):
    nb, _ = open_and_run(lab, page, "button")
    with pytest.raises(PlotUnchanged, match="did not change its plot"):
        first_that_changes(lambda: candidates(nb, "buttons", None), nb.press_button)


def test_plot_that_ignores_the_slider_is_caught(lab, page):
    """The plot changes on every move, but not as a function of the slider.  Without a hint the
    round trip catches it (moving back does not bring the original picture back); with the
    fixture's hint the kernel-side `reflect` check does (the title names the wrong node count)."""
    nb, _ = open_and_run(lab, page, "ignored")
    with pytest.raises(PlotUnchanged, match="did not restore the original plot"):
        first_that_changes(lambda: candidates(nb, "sliders", None), nb.move_slider)
    nb.hints = hinted()
    slider = candidates(nb, "sliders", nb.hints.slider)[0]
    with pytest.raises(NotebookProblem, match=r"does not contain '\d-node cluster'"):
        nb.move_slider(slider)
