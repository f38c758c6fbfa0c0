"""Chapter 2's notebook as a learner reads it: what an exercise needs is stated in the prose before it,
not only cited by section number."""
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_consensus.ipynb"


@pytest.fixture(scope="module")
def cells():
    return nbformat.read(NOTEBOOK, as_version=4).cells


def prose_before(cells, marker):
    """The markdown of every cell before the first code cell containing `marker`, lower-cased."""
    first = next(i for i, c in enumerate(cells) if c.cell_type == "code" and marker in c.source)
    return " ".join(c.source for c in cells[:first] if c.cell_type == "markdown").lower()


def test_exercise_1_states_the_vote_rules_it_grades(cells):
    text = " ".join(prose_before(cells, "def grant_vote").split())
    assert "older term" in text                       # a stale term is refused
    assert "one vote per term" in text                # ... one vote per term
    assert "at least as up to date" in text           # ... the log comparison
    assert "last terms first" in text                 # the comparison's order: last term, then length
