"""What the grader writes: a text report, JSON lines, a summary line and the CSV gradebook.

The gradebook has one row per submission: its chapter, score, whether it could be graded (and why
not), the locked cells it changed, and three columns per exercise -- the score, the status and the
feedback -- so an instructor sees *why* without opening the notebook. It is written beside its
path and renamed over it only when complete, so a crash never leaves half a gradebook; no text cell
in it starts like a spreadsheet formula.
"""
from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from .grader import NotebookReport
from .runner import printable

__all__ = ["SYMBOLS", "summary_line", "to_json", "to_text", "write_gradebook"]

SYMBOLS = {"passed": "✓", "failed": "✗", "not-attempted": "–", "error": "!", "timeout": "⏱", "missing": "?",
           "uses-reference": "✗"}


def _changed(report: NotebookReport) -> str:
    cells = report.changed_cells
    shown = ", ".join(str(i) for i in cells[:8]) + (", ..." if len(cells) > 8 else "")
    return f"{len(cells)} locked cell{'s' if len(cells) != 1 else ''} changed or deleted (instructor cells {shown})"


def _name(report: NotebookReport) -> str:
    """The submission's path as printable text (a file name may hold anything but ``/``)."""
    return printable(report.notebook, 4096)


def to_json(report: NotebookReport) -> dict[str, Any]:
    """The report as a JSON-ready dict, messages included."""
    return {"notebook": _name(report), "chapter": report.chapter, "score": report.score, "max": report.max,
            "graded": report.graded, "problem": report.problem, "changed_cells": list(report.changed_cells),
            "exercises": [{"id": e.id, "score": e.score, "max": e.max, "status": e.status, "message": e.message}
                          for e in report.exercises]}


def to_text(report: NotebookReport) -> str:
    """A header with the total, then one line per exercise: symbol, id, score, status, feedback."""
    if not report.graded:
        return f"{_name(report)}: NOT graded: {report.problem}"
    lines = [f"{_name(report)}: {report.score}/{report.max} ({report.chapter})"]
    if report.changed_cells:
        lines.append(f"  flag: {_changed(report)}")
    for e in report.exercises:
        lines.append(f"  {SYMBOLS.get(e.status, '?')} {e.id}  {e.score}/{e.max}  {e.status}"
                     + (f" -- {e.message}" if e.message else ""))
    return "\n".join(lines)


def summary_line(report: NotebookReport) -> str:
    """One line for stderr: the file, its score and how many exercises ended in each status."""
    if not report.graded:
        return f"grade: {_name(report)}: not graded ({report.problem})"
    counts = Counter(e.status for e in report.exercises)
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    flag = f"; {len(report.changed_cells)} locked cells changed" if report.changed_cells else ""
    return f"grade: {_name(report)}: {report.score}/{report.max} ({tally}{flag})"


def _inert(value: Any) -> Any:
    """A text cell a spreadsheet will not run: one starting with ``= + - @`` (or a tab or carriage
    return) gets a leading ``'`` -- an answer chooses its messages, and a student its file name."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(reports: list[NotebookReport]) -> tuple[list[str], list[list[Any]]]:
    ids = list(dict.fromkeys(e.id for r in reports for e in r.exercises))
    header = ["notebook", "chapter", "score", "max", "graded", "problem", "changed_cells"]
    for exercise_id in ids:
        header += [exercise_id, f"{exercise_id} status", f"{exercise_id} message"]
    rows = []
    for r in reports:
        by_id = {e.id: e for e in r.exercises}
        row: list[Any] = [_name(r), r.chapter, r.score, r.max, "yes" if r.graded else "no", r.problem or "",
                          " ".join(map(str, r.changed_cells))]
        for exercise_id in ids:
            e = by_id.get(exercise_id)
            row += [e.score, e.status, e.message] if e else ["", "", ""]
        rows.append([_inert(value) for value in row])
    return header, rows


def write_gradebook(reports: list[NotebookReport], path: str | Path) -> None:
    """Write the CSV gradebook of ``reports`` to ``path`` (atomically)."""
    path = Path(path)
    header, rows = _rows(reports)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
