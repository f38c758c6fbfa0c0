"""Notebook 01 defines each term where a learner first meets it: the first markdown cell that uses
the term also holds it in bold, with its definition (a glossary elsewhere would not do)."""
import json
import pathlib
import re

import pytest

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "01_consistency_ladder.ipynb"
TERMS = ("PRAM", "monotonic writes", "writes-follow-reads", "causal", "quorum", "p99", "ABD", "sequencer",
         "read-your-writes", "monotonic reads", "consistent prefix", "sequential", "linearizable", "replica",
         "leader", "follower", "partition", "indeterminate", "compare-and-set")


def _markdown_cells():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("term", TERMS)
def test_a_term_is_defined_in_bold_where_it_is_first_used(term):
    word = re.compile(rf"(?<![\w-]){re.escape(term)}s?(?![\w-])", re.IGNORECASE)
    first = next(cell for cell in _markdown_cells() if word.search(cell))
    bold = re.findall(r"\*\*(.+?)\*\*", first, re.DOTALL)
    assert any(word.search(b) for b in bold), f"{term!r} is first used, undefined, in:\n{first[:300]}"
