"""``python -m distlab.grading SUBMISSION... [--json] [--csv FILE] [--jobs N] [--timeout S] [--chapter NAME]``

Exit status: 0 when every submission was graded (whatever the scores); 1 when at least one could not
be (a broken file, another chapter, not a course notebook) -- it is reported, the others are graded
and the gradebook is still written; 2 for bad usage (unknown option, no such file, a ``--timeout``
or ``--jobs`` that is not a finite positive number), before anything runs.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from .course import load_course
from .gradebook import summary_line, to_json, to_text, write_gradebook
from .grader import DEFAULT_TIMEOUT_S, grade
from .runner import PR_SET_DUMPABLE, prctl

PR_GET_DUMPABLE = 3  # <linux/prctl.h>


def build_parser() -> argparse.ArgumentParser:
    """The command line (see the module docstring)."""
    p = argparse.ArgumentParser(prog="python -m distlab.grading",
                                description="Grade submitted notebooks against the instructor's copies.")
    p.add_argument("notebooks", nargs="+", metavar="SUBMISSION", help=".ipynb files to grade")
    p.add_argument("--json", action="store_true", help="print one JSON object per submission (with messages)")
    p.add_argument("--csv", metavar="FILE", help="write the gradebook (score, status, message per exercise)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="answers graded at once (default: the number of cores)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"wall-clock seconds per answer before it is killed (default {DEFAULT_TIMEOUT_S:g})")
    p.add_argument("--chapter", metavar="NAME", help="refuse submissions of any other chapter (e.g. 05_reliability)")
    p.add_argument("--course", metavar="DIR", type=Path, help="the instructor's notebooks (default: the course's)")
    return p


def _problems(args: argparse.Namespace) -> list[str]:
    problems = []
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        problems.append(f"--timeout must be a finite number of seconds > 0, got {args.timeout:g}")
    if args.jobs < 1:
        problems.append(f"--jobs must be at least 1, got {args.jobs}")
    for nb in args.notebooks:
        if not Path(nb).is_file():
            problems.append(f"no such file: {nb}")
    if args.csv and not (Path(args.csv).parent.is_dir() and not Path(args.csv).is_dir()):
        problems.append(f"--csv {args.csv}: its folder must exist and it must not be a folder")
    if not problems:
        try:
            names = [c.name for c in load_course(args.course)]
        except (OSError, ValueError) as exc:
            return [f"cannot read the course's notebooks: {exc}"]
        if args.chapter and args.chapter not in names:
            problems.append(f"--chapter must be one of {', '.join(names)}, got {args.chapter!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Grade, print each report, write the gradebook; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for bad usage
        return int(exc.code or 0)
    problems = _problems(args)
    if problems:
        for msg in problems:
            print(f"error: {msg}", file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print("warning: grading as root: an answer can trace the grader and its sandboxes and forge any verdict; "
              "grade an untrusted class as another user (docs/view-and-grading.md)", file=sys.stderr)
    hidden = prctl(PR_GET_DUMPABLE, 0)  # True when the process is already not dumpable
    prctl(PR_SET_DUMPABLE, 0)  # answers run as this user: they may not trace the grader or open its pipes
    try:
        reports = grade(args.notebooks, jobs=args.jobs, timeout=args.timeout, course=args.course, chapter=args.chapter)
    finally:
        prctl(PR_SET_DUMPABLE, 0 if hidden else 1)
    for report in reports:
        print(json.dumps(to_json(report), ensure_ascii=False) if args.json else to_text(report), flush=True)
        print(summary_line(report), file=sys.stderr, flush=True)
    if args.csv:
        write_gradebook(reports, args.csv)
    return 0 if all(r.graded for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
