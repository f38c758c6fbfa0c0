"""Command line: ``python -m distlab.consistency check|classify ...``.

``check FILE... [--model register|cas-register|kv] [--timeout S] [--json]`` prints one
linearizability verdict per file (with ``--json``, one JSON object per line with ``file`` and
``verdict``: ``holds``/``violated``/``unknown``, or ``error`` plus an ``error`` message for a file
that cannot be read). Exit code: 3 if any file was unreadable, else 1 if any was violated, else 2 if
any was unknown, else 0.

``classify FILE [--model ...] [--timeout S] [--json]`` prints every rung's verdict; its JSON has
``strongest``, ``rungs``, ``explanations`` and ``availability``. Exit code 3 if the file cannot be
read, else 0.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Collection

from distlab.consistency.history_io import read_file
from distlab.consistency.ladder import classify
from distlab.consistency.linearizability import check_linearizable
from distlab.consistency.rungs import RUNGS
from distlab.consistency.specs import MODELS
from distlab.consistency.verdict import Budget

EXIT = {"holds": 0, "violated": 1, "unknown": 2, "error": 3}


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"timeout must be a number of seconds > 0, got {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"timeout must be > 0 seconds, got {text}")
    return v


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m distlab.consistency",
                                description="Check histories against the consistency ladder.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, nargs, help_ in (("check", "+", "linearizability verdict per file"),
                               ("classify", None, "every rung's verdict for one file")):
        c = sub.add_parser(name, help=help_)
        c.add_argument("files" if nargs else "file", nargs=nargs, metavar="FILE")
        c.add_argument("--model", choices=sorted(MODELS), default=None,
                       help="default: kv for get/put/append histories, else cas-register")
        c.add_argument("--timeout", type=_positive, default=60.0, help="seconds per file (default 60)")
        c.add_argument("--json", action="store_true", help="one JSON object per line")
    return p


def _check(args: argparse.Namespace) -> int:
    seen = set()
    for path in args.files:
        try:
            v = check_linearizable(read_file(path), args.model, Budget(args.timeout))
            rec = {"file": path, **v.as_dict()}
        except (OSError, ValueError) as err:
            rec = {"file": path, "verdict": "error", "error": str(err)}
        seen.add(rec["verdict"])
        if args.json:
            print(json.dumps(rec, default=repr))
        elif rec["verdict"] == "error":
            print(f"{path}: error -- {rec['error']}")
        else:
            print(f"{path}: {rec['verdict']} -- {rec['explanation']}")
    return exit_code(seen)


def exit_code(verdicts: Collection[str]) -> int:
    """3 if any file was unreadable, else 1 if any violated, else 2 if any unknown, else 0."""
    for verdict in ("error", "violated", "unknown"):
        if verdict in verdicts:
            return EXIT[verdict]
    return 0


def _classify(args: argparse.Namespace) -> int:
    try:
        c = classify(read_file(args.file), args.model, timeout=args.timeout)
    except (OSError, ValueError) as err:
        rec = {"file": args.file, "verdict": "error", "error": str(err)}
        print(json.dumps(rec) if args.json else f"{args.file}: error -- {err}")
        return 3
    if args.json:
        print(json.dumps({"file": args.file, **c.as_dict()}, default=repr))
        return 0
    print(f"{args.file}: strongest rung(s) that hold: {', '.join(c.strongest) or 'none'}")
    for r in RUNGS:
        print(f"  {r:20} {c.rungs[r]:9} {c.explanations[r]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``check`` or ``classify`` on ``argv`` (default: the command line); return the exit code."""
    args = _parser().parse_args(argv)
    return _check(args) if args.command == "check" else _classify(args)


if __name__ == "__main__":
    sys.exit(main())
