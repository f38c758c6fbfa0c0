import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
SOLUTIONS = Path(__file__).resolve().parent / "solutions"

# Notebooks under data/ are grader fixtures, not course notebooks: `make test` runs pytest --nbval
# over tests/, which must not collect them.
collect_ignore_glob = ["data/*.ipynb"]

# The demo exercises live with the demo notebooks (they import them from their own folder).
if str(DATA) not in sys.path:
    sys.path.insert(0, str(DATA))


@pytest.fixture(autouse=True)
def _clean_grading_state():
    from distlab.grading import checks

    checks.reset()
    yield
    checks.reset()
