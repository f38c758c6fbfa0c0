"""The instructor's copies: the course's own notebooks, read as chapters of locked cells and answer slots.

The grader trusts these files, never the submission's: a submission is only searched for the code
a learner wrote where an instructor's copy has an exercise's template. In an instructor's copy an
exercise is two code cells, the template and then its check::

    def majority(n):                              # the answer slot (its template)
        raise NotImplementedError
    ----
    check("consensus.majority", majority)         # the check cell: which exercise, which name

Every other cell is *locked*: the grader finds it in a submission by its content (never by cell
ids or metadata, which a submission can edit). The *prelude* -- the setup cell, the ``parameters``
cell and the cell that checks them -- runs before every answer, at the instructor's values.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Chapter", "Slot", "cell_key", "cell_source", "course_dir", "load_chapter", "load_course"]

_CHECK_CELL = re.compile(r"""^check\(\s*(['"])([\w.]+)\1\s*,\s*([A-Za-z_]\w*)\s*\)$""")


def course_dir() -> Path:
    """The installed course's notebooks: ``notebooks/`` beside ``lib/`` of this package's checkout."""
    return Path(__file__).resolve().parents[3] / "notebooks"


def cell_source(cell: Any) -> str:
    """A cell's source as one string, whatever the file stored (a list of lines or a string)."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def cell_key(cell: Any) -> tuple[str, str]:
    """What identifies a locked cell: its type and its source with trailing spaces and blank edges
    ignored (an editor's whitespace changes nothing)."""
    kind = cell.get("cell_type", "") if isinstance(cell, dict) else ""
    lines = [line.rstrip() for line in cell_source(cell).strip().splitlines()]
    return (str(kind), "\n".join(lines))


@dataclass(frozen=True)
class Slot:
    """One exercise in an instructor's copy: where its template and check cells sit."""

    id: str
    name: str  # what the check cell passes: the answer's name
    answer_index: int
    check_index: int
    template: str


@dataclass(frozen=True)
class Chapter:
    """An instructor's notebook: its cells' keys, its exercise slots and its prelude."""

    name: str
    keys: tuple[tuple[str, str], ...]
    slots: tuple[Slot, ...]
    prelude: tuple[str, ...]

    @property
    def locked(self) -> frozenset[int]:
        """Indices of the cells a learner should not change (all but the answer templates)."""
        answers = {slot.answer_index for slot in self.slots}
        return frozenset(i for i in range(len(self.keys)) if i not in answers)


def _slots(cells: list[dict[str, Any]]) -> tuple[Slot, ...]:
    slots = []
    for index, cell in enumerate(cells):
        match = _CHECK_CELL.match(cell_key(cell)[1]) if cell.get("cell_type") == "code" else None
        if match and index > 0 and cells[index - 1].get("cell_type") == "code":
            slots.append(Slot(match.group(2), match.group(3), index - 1, index, cell_key(cells[index - 1])[1]))
    return tuple(slots)


def _prelude(cells: list[dict[str, Any]]) -> tuple[str, ...]:
    """The code cells up to the ``parameters`` cell, and the next one when it checks them."""
    code = [(i, c) for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    last = next((i for i, c in code if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if last is None:
        return tuple(cell_source(c) for _, c in code[:1])
    if last + 1 < len(cells) and "check_parameters(" in cell_source(cells[last + 1]):
        last += 1
    return tuple(cell_source(c) for i, c in code if i <= last)


def load_chapter(path: Path) -> Chapter:
    """An instructor's notebook file as a :class:`Chapter` named after the file."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return Chapter(path.stem, tuple(cell_key(c) for c in cells), _slots(cells), _prelude(cells))


@lru_cache(maxsize=8)
def load_course(directory: Path | None = None) -> tuple[Chapter, ...]:
    """Every chapter with at least one exercise in ``directory`` (default: :func:`course_dir`)."""
    folder = directory or course_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"course notebooks not found in {folder}; pass --course DIR")
    chapters = tuple(load_chapter(p) for p in sorted(folder.glob("*.ipynb")))
    return tuple(c for c in chapters if c.slots)
