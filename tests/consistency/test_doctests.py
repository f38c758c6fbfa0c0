"""The examples in the docstrings run."""
import doctest

import pytest

import distlab.consistency
import distlab.consistency.edn


@pytest.mark.parametrize("module", [distlab.consistency, distlab.consistency.edn])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
