"""Every notebook in notebooks/: its shape (style) and a papermill smoke run with other parameters.

nbval (run by `make test` over notebooks/) checks the stored outputs; these tests check what nbval
cannot: one `parameters` cell, a python3 kernelspec, thin code cells, no stored errors, and that the
notebook still runs headless -- as an instructor would run it -- with the non-default parameters it
declares in its metadata (`metadata.distlab.smoke_parameters`).
"""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTERS = ["01_consistency_ladder", "02_consensus", "03_transactions", "04_geo",
            "05_reliability", "06_case_study"]
MAX_CODE_LINES = 8


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


ids = [p.stem for p in NOTEBOOKS]
needs_notebooks = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")


def test_notebooks_are_the_chapters_in_order():
    for path in NOTEBOOKS:
        assert path.stem in CHAPTERS, f"{path.name} is not one of the six chapters {CHAPTERS}"


@needs_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_shape(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = code_cells(nb)
    params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged `parameters`"
    for cell in cells:
        lines = [ln for ln in source(cell).splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(lines) <= MAX_CODE_LINES, f"a code cell has {len(lines)} lines:\n{source(cell)}"
        assert cell["execution_count"] is not None, f"unexecuted cell:\n{source(cell)}"
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert not errors, f"stored error output in:\n{source(cell)}"
    # the parameters cell holds plain literals only, so papermill can override every one of them
    for line in source(params[0]).splitlines():
        if line.strip() and not line.strip().startswith("#"):
            assert re.match(r"^[A-Za-z_]\w*\s*=\s*[-\w.'\" ]+(#.*)?$", line), line


@needs_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_runs_headless_with_other_parameters(path, tmp_path):
    papermill = pytest.importorskip("papermill")
    smoke = load(path)["metadata"].get("distlab", {}).get("smoke_parameters")
    assert smoke, "declare metadata.distlab.smoke_parameters (non-default values for a smoke run)"
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters=smoke, kernel_name="python3",
                               cwd=str(path.parent), progress_bar=False, log_output=False)
    executed = load(out)
    assert all(o["output_type"] != "error" for c in code_cells(executed) for o in c["outputs"])
