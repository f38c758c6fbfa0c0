"""Every notebook in notebooks/ (whatever exists at collection time) and the fixture notebook,
opened and run in JupyterLab in headless Chromium, with a slider moved, a button pressed and a
quiz answered; screenshots and plots go to artifacts/browser/."""

from __future__ import annotations

import json
import pathlib

import pytest

from .conftest import ARTIFACTS, DATA, FIXTURE, FIXTURES, NOTEBOOKS_DIR, PANEL_FIXTURE
from .driver import NotebookInBrowser
from .flow import learner_run
from .hints import parse_hints

pytestmark = pytest.mark.browser


def chapter_notebooks() -> list[pathlib.Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def served(source: pathlib.Path) -> str:
    """The notebook's path inside the served copy."""
    return f"{FIXTURES}/{source.name}" if source.parent == DATA else source.name


def metadata(source: pathlib.Path) -> dict:
    return json.loads(source.read_text())["metadata"]


#: what the generic discovery must pick in the fixtures (chapters are checked by the flow alone)
EXPECTED_CONTROLS = {
    "fixture_widgets": ("slider 'nodes'", "button 'new seed'"),
    # the Player's frame slider comes first; "first" and "back" change nothing at frame 0,
    # so "step" is the first button that redraws
    "fixture_panel": ("slider 'seed'", "button 'step'"),
}


@pytest.mark.parametrize("source", [*chapter_notebooks(), FIXTURE, PANEL_FIXTURE],
                         ids=lambda p: p.stem)
def test_learner_flow_in_jupyterlab(source, lab, page):
    nb = NotebookInBrowser(page, lab.url, served(source), parse_hints(metadata(source)))
    summary = learner_run(nb, ARTIFACTS, source.stem)
    assert summary["result"] == "passed"
    assert (ARTIFACTS / f"{source.stem}.png").stat().st_size > 0
    if source.stem in EXPECTED_CONTROLS:
        slider, button = EXPECTED_CONTROLS[source.stem]
        assert (summary["slider"]["control"], summary["button"]["control"]) == (slider, button)


def test_fixture_without_hints_finds_its_controls(lab, page):
    """The generic path (first slider, first button, first quiz by DOM class) on the fixture with
    its metadata hint removed: a chapter without a hint is tested the same way."""
    nb = NotebookInBrowser(page, lab.url, served(FIXTURE), parse_hints({}))
    summary = learner_run(nb, ARTIFACTS, "fixture_widgets-generic")
    assert summary["slider"]["control"] == "slider 'nodes'"
    assert summary["button"]["control"] == "button 'new seed'"
    assert set(summary["quiz"]["verdicts"].values()) == {"correct", "not quite"}
