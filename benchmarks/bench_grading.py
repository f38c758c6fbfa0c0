"""Benchmark: grading a class (`python -m distlab.grading`), serially and with two jobs, same run.

Thirty chapter 5 submissions (tests/grading/classroom.py): 10 fully correct, 10 untouched, 10 mixed
(one right, one wrong, one raising). Prints ``bench grade_class_serial_s`` and
``grade_class_parallel_s`` (``--jobs 2``: the goal on 2 cores is parallel <= 0.6 x serial), their
ratio, and ``grade_class_per_submission_ms`` for the serial run. Best of three runs each; the
gradebooks of the two must be the same file, or the benchmark fails.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.grading.classroom import class_of_30  # noqa: E402

from distlab.grading.gradebook import write_gradebook  # noqa: E402
from distlab.grading.grader import grade  # noqa: E402


def _timed(paths: list[str], jobs: int, book: Path) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        reports = grade(paths, jobs=jobs)
        best = min(best, time.perf_counter() - began)
    write_gradebook(reports, book)
    return best


def main() -> None:
    """Time the class of 30 with one job and with two; compare their gradebooks."""
    with tempfile.TemporaryDirectory(prefix="distlab-bench-grade-") as folder:
        paths = [str(p) for p in class_of_30(Path(folder))]
        serial = _timed(paths, 1, Path(folder) / "serial.csv")
        parallel = _timed(paths, 2, Path(folder) / "parallel.csv")
        same = (Path(folder) / "serial.csv").read_bytes() == (Path(folder) / "parallel.csv").read_bytes()
    print(f"bench grade_class_serial_s {serial:.2f} s")
    print(f"bench grade_class_parallel_s {parallel:.2f} s")
    print(f"bench grade_class_parallel_over_serial {parallel / serial:.2f} ratio")
    print(f"bench grade_class_per_submission_ms {serial / len(paths) * 1000:.0f} ms")
    if not same:
        raise SystemExit("serial and parallel gradebooks differ")


if __name__ == "__main__":
    main()
