"""Every notebook checks its papermill parameters once, by name, in the cell after ``parameters``.

The check (`distlab.view.parameters`) must know exactly the names the parameters cell assigns, accept
the notebook's defaults and its smoke-run values, and refuse a wrong type or range with the
parameter's name -- also end to end, through papermill, before any simulation runs.
"""
import ast
import doctest
import json
import math
import pathlib

import pytest

import distlab.view.parameters as parameters_module
from distlab.view.parameters import PARAMETERS, ParameterError, check_parameters

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = {p.stem: p for p in sorted((ROOT / "notebooks").glob("0*.ipynb"))}
TEXT = ("etcd_endpoint", "redis_url", "database_url")


def _cells(chapter):
    return json.loads(NOTEBOOKS[chapter].read_text())["cells"]


def _parameters_cell(chapter):
    cells = _cells(chapter)
    index = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    return index, cells


def _defaults(chapter):
    index, cells = _parameters_cell(chapter)
    tree = ast.parse("".join(cells[index]["source"]))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)}


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
def test_the_check_knows_every_parameter_and_accepts_the_defaults(chapter):
    defaults = _defaults(chapter)
    assert list(PARAMETERS[chapter]) == list(defaults)
    check_parameters(chapter, **defaults)
    smoke = json.loads(NOTEBOOKS[chapter].read_text())["metadata"]["distlab"]["smoke_parameters"]
    check_parameters(chapter, **{**defaults, **smoke})


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
def test_the_cell_after_parameters_checks_all_of_them(chapter):
    index, cells = _parameters_cell(chapter)
    call = ast.parse("".join(cells[index + 1]["source"])).body[0].value
    assert isinstance(call, ast.Call) and call.func.id == "check_parameters"
    assert ast.literal_eval(call.args[0]) == chapter
    assert {k.arg: k.value.id for k in call.keywords} == {name: name for name in _defaults(chapter)}
    assert not cells[index + 1]["outputs"]


BAD_NUMBERS = [True, False, "3", None, math.nan, math.inf, -math.inf, -1, 10**12]
BAD_TEXT = [1, True, None, "ftp://127.0.0.1:21", "redis://10.1.2.3:6379/0", "http://10.1.2.3:2379"]


def _bad_cases():
    for chapter in sorted(NOTEBOOKS):
        for name in PARAMETERS[chapter]:
            for value in BAD_TEXT if name in TEXT else BAD_NUMBERS:
                yield pytest.param(chapter, name, value, id=f"{chapter}-{name}-{value!r}")


@pytest.mark.parametrize(("chapter", "name", "value"), list(_bad_cases()))
def test_a_wrong_parameter_is_refused_by_name(chapter, name, value):
    with pytest.raises(ParameterError, match=rf"^notebook parameter {name}\b.*papermill -p {name} VALUE"):
        check_parameters(chapter, **{**_defaults(chapter), name: value})


@pytest.mark.parametrize(("chapter", "name", "value"), [
    ("01_consistency_ladder", "trials", 2.5), ("03_transactions", "participants", 6),
    ("02_consensus", "fig16_scale", 0), ("05_reliability", "backoff_runs", 0.5)])
def test_fractions_and_ranges_are_refused(chapter, name, value):
    with pytest.raises(ParameterError, match=name):
        check_parameters(chapter, **{**_defaults(chapter), name: value})


def test_unknown_or_missing_names_and_chapters_are_refused():
    with pytest.raises(TypeError, match=r"unknown \['sed'\]"):
        check_parameters("04_geo", seed=0, sed=1)
    with pytest.raises(TypeError, match=r"missing \['trials'\]"):
        check_parameters("01_consistency_ladder", seed=0, lag_ms=50.0)
    with pytest.raises(ValueError, match="notebook must be one of"):
        check_parameters("07_nope", seed=0)


def test_the_docstring_example_runs():
    result = doctest.testmod(parameters_module)
    assert result.attempted > 0 and result.failed == 0


def test_papermill_stops_at_a_wrong_parameter_with_its_name(tmp_path):
    papermill = pytest.importorskip("papermill")
    path = NOTEBOOKS["04_geo"]
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(path), str(tmp_path / path.name), parameters={"seed": "3"},
                                   kernel_name="python3", cwd=str(path.parent), progress_bar=False,
                                   log_output=False)
    assert caught.value.ename == "ParameterError"
    assert "notebook parameter seed must be an integer" in caught.value.evalue


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
def test_papermill_reads_every_parameter_with_its_help(chapter, caplog):
    """``papermill --help-notebook`` lists what papermill's parser reads from the parameters cell; a
    comment it cannot parse (``# "" = ...``) drops that parameter from the list, with a warning."""
    nbformat = pytest.importorskip("nbformat")
    from papermill.translators import PythonTranslator

    notebook = nbformat.read(NOTEBOOKS[chapter], as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    with caplog.at_level("WARNING"):
        found = PythonTranslator.inspect(cell)
    assert [p.name for p in found] == list(PARAMETERS[chapter]) and "Unable to parse" not in caplog.text
