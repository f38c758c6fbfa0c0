"""Command line: ``python -m distlab.consistency check|classify ...``.

``check FILE... [--model register|cas-register|kv] [--timeout S] [--json]`` prints one
linearizability verdict per file (with ``--json``, one JSON object per line with ``file`` and
``verdict``: ``holds``/``violated``/``unknown``, or ``error`` plus an ``error`` message for a file
that cannot be read). ``classify FILE [--model ...] [--timeout S] [--json]`` prints every rung's
verdict; its JSON has ``strongest``, ``rungs``, ``explanations`` and ``availability``.

The model is ``--model`` if given, else the ``"model"`` of a JSON Lines header, else inferred (``kv``
for get/put/append histories, otherwise ``cas-register``).

``--timeout`` is **one budget per file**, reading included. ``classify`` shares it among the rungs
in ladder order: each rung checked directly may use what is left divided by the number of rungs not
yet decided, and a rung implied by another's verdict costs nothing (see
:func:`~distlab.consistency.ladder.classify`). Histories over :data:`MAX_OPERATIONS` operations (or
files over :data:`MAX_BYTES`) are refused.

Exit codes of ``check`` (:data:`EXIT_CODES`): 0 every file holds; 1 some file is violated; 2 some file is
unknown (the budget ran out); 3 some file could not be read (missing, not UTF-8, malformed -- the
message names the line); 64 usage error (as ``sysexits.h``'s ``EX_USAGE``: an unknown option, a
timeout that is not a finite number of seconds > 0). With several files the most severe wins, in
the order error, violated, unknown, holds. ``classify`` exits 0 once it has placed the history on
the ladder (whatever the rungs say), 3 if the file cannot be read, 64 on a usage error. An empty
history holds, with the note "empty history".
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from functools import partial
from types import FrameType
from typing import Any, NoReturn

from distlab.consistency.history_io import HistoryFormatError, read_file
from distlab.consistency.ladder import classify
from distlab.consistency.linearizability import check_linearizable
from distlab.consistency.rungs import RUNGS
from distlab.consistency.specs import MODELS
from distlab.consistency.verdict import HOLDS, UNKNOWN, Budget, BudgetExceeded
from distlab.sim.history import History

__all__ = ["main", "exit_code", "hard_deadline", "EXIT", "EXIT_CODES", "USAGE", "MAX_OPERATIONS", "MAX_BYTES"]

EXIT = {"holds": 0, "violated": 1, "unknown": 2, "error": 3}
USAGE = 64
EXIT_CODES = {**EXIT, "usage": USAGE}
"""Every exit code the command returns, by meaning."""

MAX_OPERATIONS = 100_000
"""The largest history checked; the timeout is enforced for every history up to this size."""

MAX_BYTES = 256 * 2**20
"""Larger files are refused before reading (a 100,000-operation Jepsen EDN file is ~20 MB)."""

EMPTY_NOTE = "empty history: no operations, so nothing can violate any rung"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 64, not 2 (which means ``unknown`` here)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def _seconds(text: str) -> float:
    """A ``--timeout``: a finite number of seconds > 0."""
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"timeout must be a finite number of seconds > 0, got {text!r}")
    return v


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m distlab.consistency",
                description="Check histories against the consistency ladder.",
                epilog="exit codes: 0 holds, 1 violated, 2 unknown (budget ran out), 3 a file could not "
                       "be read, 64 usage error; with several files the most severe wins")
    sub = p.add_subparsers(dest="command", required=True)
    for name, nargs, help_ in (("check", "+", "linearizability verdict per file"),
                               ("classify", None, "every rung's verdict for one file")):
        c = sub.add_parser(name, help=help_)
        c.add_argument("files" if nargs else "file", nargs=nargs, metavar="FILE")
        c.add_argument("--model", choices=sorted(MODELS), default=None,
                       help="default: the file header's model, else kv for get/put/append histories, "
                            "else cas-register")
        c.add_argument("--timeout", type=_seconds, default=60.0,
                       help="seconds per file, reading included (default 60); classify shares it among rungs")
        c.add_argument("--json", action="store_true", help="one JSON object per line")
    return p


def _load(path: str) -> History:
    """Read ``path``, refusing files and histories too big to check within a timeout."""
    try:
        size = os.path.getsize(path)
    except OSError as err:
        raise HistoryFormatError(0, f"cannot read the file: {err.strerror or err}") from None
    if size > MAX_BYTES:
        raise HistoryFormatError(0, f"the file is {size / 2**20:.0f} MiB; files over {MAX_BYTES // 2**20} MiB "
                                    f"are refused (at most {MAX_OPERATIONS:,} operations are checked)")
    try:
        history = read_file(path)
    except OSError as err:
        raise HistoryFormatError(0, f"cannot read the file: {err.strerror or err}") from None
    if len(history) > MAX_OPERATIONS:
        raise HistoryFormatError(0, f"the history has {len(history):,} operations; at most "
                                    f"{MAX_OPERATIONS:,} are checked (split it, e.g. by key or by time)")
    return history


def _model(args: argparse.Namespace, history: History) -> str | None:
    """``--model``, else the header's model (the reader has checked it names a model), else None."""
    header = history.meta.get("model")
    return args.model or (header if isinstance(header, str) else None)


@contextmanager
def hard_deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` wherever the work is after ``seconds`` of real time.

    The searches charge their :class:`Budget` as they go and stop themselves (saying how far they
    got); this alarm is the backstop that makes ``--timeout`` hold whatever the input does -- a
    reader, a preprocessing step or a search loop that does more work between two looks at the
    clock than expected. It is set a little after the budget's own deadline (see :func:`_alarm`).
    Unix only, main thread only; elsewhere it does nothing.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(signum: int, frame: FrameType | None) -> None:
        raise BudgetExceeded(f"time budget exhausted (stopped {seconds:.3g} s after the start)")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _alarm(timeout: float) -> float:
    """When the backstop fires: 3 % + 0.15 s after the budget, inside the promised 10 % + 0.5 s
    (the process takes ~0.15 s to start)."""
    return timeout * 1.03 + 0.15


def _guarded(path: str, work: Callable[[], dict[str, Any]], timeout: float) -> dict[str, Any]:
    """``work()``'s record, or an ``unknown`` record when the time ran out outside a search, or an
    ``error`` record: a bad file never stops the batch."""
    try:
        with hard_deadline(_alarm(timeout)):
            return work()
    except BudgetExceeded as exc:
        return {"file": path, "verdict": UNKNOWN, "explanation": f"gave up: {exc}"}
    except (OSError, ValueError) as err:     # HistoryFormatError and a model's validation errors
        return {"file": path, "verdict": "error", "error": str(err)}
    except RecursionError:
        return {"file": path, "verdict": "error", "error": "values are nested too deeply to check"}
    except Exception as err:  # noqa: BLE001 -- last line of defence: report, go on with the batch
        return {"file": path, "verdict": "error",
                "error": f"internal error ({type(err).__name__}: {err}); please report it with the file"}


def _check_one(path: str, args: argparse.Namespace) -> dict[str, Any]:
    budget = Budget(args.timeout)                   # started before reading: reading counts
    history = _load(path)
    if not len(history):
        return {"file": path, "verdict": HOLDS, "explanation": EMPTY_NOTE, "note": "empty history"}
    return {"file": path, **check_linearizable(history, _model(args, history), budget).as_dict()}


def _check(args: argparse.Namespace) -> int:
    seen = set()
    for path in args.files:
        rec = _guarded(path, partial(_check_one, path, args), args.timeout)
        seen.add(rec["verdict"])
        if args.json:
            print(json.dumps(rec, default=repr), flush=True)
        elif rec["verdict"] == "error":
            print(f"{path}: error -- {rec['error']}", flush=True)
        else:
            print(f"{path}: {rec['verdict']} -- {rec['explanation']}", flush=True)
    return exit_code(seen)


def exit_code(verdicts: Collection[str]) -> int:
    """3 if any file was unreadable, else 1 if any violated, else 2 if any unknown, else 0."""
    for verdict in ("error", "violated", "unknown"):
        if verdict in verdicts:
            return EXIT[verdict]
    return 0


def _classify_one(path: str, args: argparse.Namespace) -> dict[str, Any]:
    budget = Budget(args.timeout)
    history = _load(path)
    rec: dict[str, Any] = {"file": path, "verdict": "classified",
                           **classify(history, _model(args, history), budget=budget).as_dict()}
    if not len(history):
        rec["note"] = "empty history"
    return rec


def _classify(args: argparse.Namespace) -> int:
    rec = _guarded(args.file, partial(_classify_one, args.file, args), args.timeout)
    if rec["verdict"] in ("error", UNKNOWN):
        message = rec.get("error") or rec["explanation"]
        print(json.dumps(rec) if args.json else f"{args.file}: {rec['verdict']} -- {message}")
        return EXIT[rec["verdict"]]
    if args.json:
        del rec["verdict"]
        print(json.dumps(rec, default=repr))
        return 0
    note = f" ({rec['note']})" if "note" in rec else ""
    print(f"{args.file}: strongest rung(s) that hold: {', '.join(rec['strongest']) or 'none'}{note}")
    for r in RUNGS:
        print(f"  {r:20} {rec['rungs'][r]:9} {rec['explanations'][r]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``check`` or ``classify`` on ``argv`` (default: the command line); return the exit code."""
    args = _parser().parse_args(argv)
    return _check(args) if args.command == "check" else _classify(args)


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)      # as mypy does: skip tearing down a big history's objects (~0.3 s per 100k ops)
