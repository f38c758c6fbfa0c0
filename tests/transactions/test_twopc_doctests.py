"""The examples in the docstrings run."""
import doctest

import pytest

from distlab.transactions.twopc import enumeration, replicated_scenario, scenario, slow_participant


@pytest.mark.parametrize("module", [scenario, enumeration, slow_participant, replicated_scenario])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
