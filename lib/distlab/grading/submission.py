"""Reading a submitted notebook: its cells, or a :class:`SubmissionError` that says what is wrong.

Submissions arrive truncated, empty, as binary, as ``[]``, as another program's JSON. Each of
those is reported for that file (naming the line where JSON broke), and the batch goes on.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["MAX_BYTES", "SubmissionError", "read_cells"]

#: a course notebook with its outputs is a few MB; anything far larger is not a submission
MAX_BYTES = 64 * 2**20


class SubmissionError(ValueError):
    """A file that cannot be graded, with the reason."""


def _text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SubmissionError(f"cannot read the file: {exc.strerror or exc}") from None
    if size == 0:
        raise SubmissionError("the file is empty")
    if size > MAX_BYTES:
        raise SubmissionError(f"the file is {size / 2**20:.0f} MB; a notebook is at most {MAX_BYTES // 2**20} MB")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")  # a byte-order mark (Windows editors write one) is not an error
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"not a notebook: the file is not UTF-8 text (byte {exc.start})") from None


def read_cells(path: Path) -> list[dict[str, Any]]:
    """The cells of the notebook at ``path`` (dicts; anything else in the list is dropped)."""
    text = _text(path)
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"not a notebook: broken JSON at line {exc.lineno}, column {exc.colno} "
                              f"({exc.msg}); was the file cut short?") from None
    except RecursionError:
        raise SubmissionError("not a notebook: its JSON is nested too deeply") from None
    if not isinstance(notebook, dict):
        raise SubmissionError(f"not a notebook: the file holds a JSON {type(notebook).__name__}, not an object "
                              "with cells")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise SubmissionError("not a notebook: it has no list of cells")
    return [cell for cell in cells if isinstance(cell, dict)]
