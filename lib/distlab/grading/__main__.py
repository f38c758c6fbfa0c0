"""``python -m distlab.grading NOTEBOOK... [--json] [--csv FILE] [--timeout S]``

Exit status: 0 when every notebook was executed and graded (whatever the scores), 1 when at least
one could not be executed or timed out, 2 for bad usage (unknown option, missing file, a file that
is not a notebook, a non-positive timeout).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .grader import DEFAULT_TIMEOUT_S, grade_notebook, write_gradebook


def build_parser() -> argparse.ArgumentParser:
    """The command line: notebooks to grade, ``--json``, ``--csv FILE``, ``--timeout S``, ``--kernel``."""
    p = argparse.ArgumentParser(prog="python -m distlab.grading",
                                description="Execute notebooks with papermill and grade their "
                                            "exercises.")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help=".ipynb files to grade")
    p.add_argument("--json", action="store_true", help="print one JSON object per notebook")
    p.add_argument("--csv", metavar="FILE", help="write a gradebook of all submissions")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"seconds per notebook before it is killed (default {DEFAULT_TIMEOUT_S:g})")
    p.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Grade each notebook in turn, print its report and write the gradebook; returns the exit status
    (see the module docstring)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for bad usage
        return int(exc.code or 0)
    problems = []
    if not args.timeout > 0:
        problems.append(f"--timeout must be > 0 seconds, got {args.timeout:g}")
    for nb in args.notebooks:
        path = Path(nb)
        if not path.is_file():
            problems.append(f"no such notebook: {nb}")
        elif path.suffix != ".ipynb":
            problems.append(f"not a notebook (expected .ipynb): {nb}")
    if problems:
        for msg in problems:
            print(f"error: {msg}", file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    reports = []
    for nb in args.notebooks:
        report = grade_notebook(nb, timeout=args.timeout, kernel=args.kernel)
        reports.append(report)
        if args.json:
            print(json.dumps(report.to_json(), ensure_ascii=False), flush=True)
        else:
            print(report.to_text(), flush=True)
    if args.csv:
        write_gradebook(reports, args.csv)
    return 0 if all(r.executed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
