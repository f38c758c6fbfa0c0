"""What the chapters' sweep tests share: bad values per kind of parameter, the sweep's cases, the
values a control is swept over, what a panel shows, and the defined-at-first-use rule for terms.

* ``tests/<chapter>/test_bad_parameters.py`` -- every public callable refuses NaN, the infinities,
  bools and strings by the parameter's name (:func:`bad_value_cases`, :func:`refused_by_name`);
* ``tests/view/test_<chapter>_controls_sweep.py`` -- every control changes what is drawn
  (:func:`candidates`, :func:`drawn`);
* ``tests/<chapter>/test_notebook_terms.py`` -- a term is bold where the prose first uses it
  (:func:`first_use_is_defined`).
"""
from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pytest

NAN, INF = float("nan"), float("inf")
#: bad values per kind of parameter, shared by every chapter (a chapter adds its own kinds)
BAD: dict[str, tuple[object, ...]] = {
    "number": (NAN, INF, -INF, True, False, "1"),
    "int": (NAN, INF, -INF, True, False, "1", 2.5),
    "seed": (NAN, INF, True, "1", 2.5),
    "bool": (NAN, INF, "yes", "", 1),
    "str": (NAN, INF, True),
    "choice": (NAN, INF, True, "no-such-option"),
}

Case = tuple[Callable[..., object], Mapping[str, Any], Mapping[str, str]]


def _name(make: Callable[..., object]) -> str:
    return getattr(make, "__name__", "call")


def accepted_cases(cases: Sequence[Case]) -> list[Any]:
    """One ``pytest.param(make, valid)`` per row: the valid arguments must be accepted."""
    return [pytest.param(make, valid, id=f"{i}-{_name(make)}") for i, (make, valid, _) in enumerate(cases)]


def bad_value_cases(cases: Sequence[Case], bad: Mapping[str, Iterable[object]]) -> list[Any]:
    """One ``pytest.param(make, valid, name, value)`` per bad value of each parameter's kind."""
    return [pytest.param(make, valid, name, value, id=f"{i}-{_name(make)}-{name}={value!r}")
            for i, (make, valid, kinds) in enumerate(cases) for name, kind in kinds.items() for value in bad[kind]]


def refused_by_name(make: Callable[..., object], valid: Mapping[str, Any], name: str, bad: object) -> None:
    """``make(**valid)`` with ``name=bad`` raises a ValueError or TypeError whose message names ``name``."""
    with pytest.raises((ValueError, TypeError)) as err:
        make(**{**valid, name: bad})
    assert name in str(err.value), f"{name}={bad!r}: the error does not name {name!r}: {err.value}"


def drawn(panel: Any) -> object:
    """What the learner sees: the PNG of a figure panel, the HTML of a chooser, or the error shown."""
    return panel.last_png if panel.last_png is not None else (panel.last_result, panel.last_error)


def candidates(control: Any, extra: Sequence[float] = ()) -> list[Any]:
    """Values across a control's range, the far ends first (any one that changes the picture will do),
    then ``extra`` (a seed's first few values, say)."""
    if hasattr(control, "options") and control.options:
        return [v for v in (o[1] if isinstance(o, tuple) else o for o in control.options) if v != control.value]
    if isinstance(control.value, bool):
        return [not control.value]
    lo, hi = control.min, control.max
    if hasattr(control, "base"):  # a log slider: min and max are exponents
        lo, hi = control.base ** lo, control.base ** hi
    return [v for v in (hi, lo, lo + (hi - lo) / 2, lo + (hi - lo) / 4, *extra) if v != control.value]


def markdown_cells(notebook: pathlib.Path) -> list[str]:
    """The notebook's markdown cells, in order."""
    cells = json.loads(notebook.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def first_use_is_defined(notebook: pathlib.Path, term: str) -> None:
    """The first markdown cell that uses ``term`` also holds it in bold (its definition)."""
    word = re.compile(rf"(?<![\w-]){re.escape(term)}s?(?![\w-])", re.IGNORECASE)
    first = next((cell for cell in markdown_cells(notebook) if word.search(cell)), None)
    assert first is not None, f"{term!r} is not used in the notebook's prose: drop it from TERMS"
    bold = re.findall(r"\*\*(.+?)\*\*", first, re.DOTALL)
    assert any(word.search(b) for b in bold), f"{term!r} is first used, undefined, in:\n{first[:300]}"
