"""Submissions of chapter 5 as a class hands them in, built from the instructor's copy.

`submission(**answers)` fills the answer slots (by the names the check cells pass) and applies
edits; `CORRECT`, `WRONG` and `RAISING` are answer-cell sources. The grader tests and
`benchmarks/bench_grading.py` (the class of 30) use them.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "05_reliability"
INSTRUCTOR = ROOT / "notebooks" / f"{CHAPTER}.ipynb"

CORRECT = {
    "make_token_bucket": '''def make_token_bucket(capacity, rate, clock):
    state = {"tokens": float(capacity), "last": clock()}

    def hit(cost=1):
        now = clock()
        state["tokens"] = min(float(capacity), state["tokens"] + (now - state["last"]) * rate)
        state["last"] = now
        if state["tokens"] + 1e-9 >= cost:
            state["tokens"] -= cost
            return True
        return False
    return hit''',
    "my_breaker": "def my_breaker():\n    return BreakerConfig(consecutive_failures=5, cooldown=2.0, probes=3)",
    "storm_settings": ('def storm_settings():\n    return {"jitter": "full", "max_attempts": 3, "budget_tokens": 10, '
                       '"budget_ratio": 0.1}'),
}
WRONG = {"my_breaker": "def my_breaker():\n    return BreakerConfig()  # the default 30 s cooldown"}
RAISING = {"storm_settings": "def storm_settings():\n    raise KeyError('jitter')"}

Edit = Callable[[list[dict[str, Any]]], None]


def instructor_cells() -> list[dict[str, Any]]:
    """A fresh copy of the instructor's cells."""
    cells: list[dict[str, Any]] = json.loads(INSTRUCTOR.read_text())["cells"]
    return cells


def code_cell(source: str) -> dict[str, Any]:
    """A new code cell as a learner's JupyterLab would save it."""
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def source(cell: dict[str, Any]) -> str:
    """A cell's source as one string."""
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else str(text)


def answer_index(cells: list[dict[str, Any]], name: str) -> int:
    """Where the template defining ``name`` sits."""
    return next(i for i, c in enumerate(cells) if source(c).startswith(f"def {name}(") and c["cell_type"] == "code")


def fill(cells: list[dict[str, Any]], answers: dict[str, str]) -> None:
    """Replace each named template with its answer."""
    for name, code in answers.items():
        cells[answer_index(cells, name)]["source"] = code


def submission(path: Path, answers: dict[str, str] | None = None, *edits: Edit) -> Path:
    """Write a chapter 5 submission with ``answers`` filled in, then ``edits`` applied, to ``path``."""
    notebook = json.loads(INSTRUCTOR.read_text())
    cells = copy.deepcopy(notebook["cells"])
    fill(cells, answers or {})
    for edit in edits:
        edit(cells)
    notebook["cells"] = cells
    path.write_text(json.dumps(notebook))
    return path


def class_of_30(folder: Path) -> list[Path]:
    """10 fully correct, 10 untouched, 10 mixed (one right, one wrong, one raising) submissions."""
    mixed = {**CORRECT, **WRONG, **RAISING}
    kinds = [("correct", CORRECT), ("untouched", {}), ("mixed", mixed)]
    return [submission(folder / f"{kind}-{i:02d}.ipynb", answers) for kind, answers in kinds for i in range(10)]
