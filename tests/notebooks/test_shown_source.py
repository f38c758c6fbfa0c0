"""The library code a notebook shows (``show_source``) is the library's current code.

A stored ``show_source`` output is what the learner reads beside the prose before running anything
(and what a rendered notebook on GitHub shows). ``show_source`` reads the source when the cell runs,
so it cannot drift while the notebook runs; these tests keep the *stored* outputs in step: every
shown object still exists, and its stored text equals ``inspect.getsource`` of it today. When one
fails, re-run ``make notebooks`` (and read the changed code against the prose around it).
"""
import json
import pathlib
import re

import pytest

from distlab.view.source import parse, resolve, show_source, source_of

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CALL = re.compile(r"^show_source\((?P<args>[^)]*)\)\s*$", re.MULTILINE)


def shown_cells():
    for path in NOTEBOOKS:
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            text = "".join(cell["source"])
            if cell["cell_type"] == "code" and CALL.search(text):
                yield pytest.param(path, cell, id=f"{path.stem}[{index}]")


def stored_text(cell):
    texts = [o["data"]["text/plain"] for o in cell.get("outputs", [])
             if o.get("output_type") == "execute_result" and "text/plain" in o.get("data", {})]
    assert len(texts) == 1, "a show_source cell must have exactly one stored result (run `make notebooks`)"
    text = texts[0]
    return "".join(text) if isinstance(text, list) else text


def test_some_chapter_shows_library_code():
    assert list(shown_cells()), "no notebook calls show_source"


@pytest.mark.parametrize(("path", "cell"), list(shown_cells()))
def test_stored_source_equals_the_library(path, cell):
    parts = parse(stored_text(cell))
    named = [a.strip() for a in CALL.search("".join(cell["source"]))["args"].split(",")]
    assert len(parts) == len(named), f"{path.name}: the output shows {len(parts)} objects, the call names {named}"
    for module, qualname, code in parts:
        obj = resolve(module, qualname)  # AttributeError/ImportError: the shown object was renamed or removed
        assert code.rstrip("\n") == source_of(obj).rstrip("\n"), (
            f"{path.name}: the stored code of {module}.{qualname} differs from the library's; run `make notebooks`")


def test_show_source_round_trips_and_names_where_code_lives():
    from distlab.reliability.retry import Backoff, RetryBudget

    shown = show_source(Backoff.delay, RetryBudget)
    parts = parse(repr(shown))
    assert [(m, q) for m, q, _ in parts] == [("distlab.reliability.retry", "Backoff.delay"),
                                            ("distlab.reliability.retry", "RetryBudget")]
    assert parts[0][2].startswith("def delay(")  # dedented: a method reads like a function
    html = shown._repr_html_()
    assert "distlab.reliability.retry: Backoff.delay" in html and "<pre" in html


def test_show_source_without_arguments_is_an_error():
    with pytest.raises(ValueError, match="at least one"):
        show_source()
