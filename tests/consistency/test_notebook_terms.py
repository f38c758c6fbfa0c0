"""Notebook 01 defines each term where a learner first meets it: the first markdown cell that uses
the term also holds it in bold, with its definition (a glossary elsewhere would not do)."""
import pathlib

import pytest

from tests.sweeps import first_use_is_defined

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "01_consistency_ladder.ipynb"
TERMS = ("PRAM", "monotonic writes", "writes-follow-reads", "causal", "quorum", "p99", "ABD", "sequencer",
         "read-your-writes", "monotonic reads", "consistent prefix", "sequential", "linearizable", "replica",
         "leader", "follower", "partition", "indeterminate", "compare-and-set")


@pytest.mark.parametrize("term", TERMS)
def test_a_term_is_defined_in_bold_where_it_is_first_used(term):
    first_use_is_defined(NOTEBOOK, term)
