"""Chapter 6's graded exercises (``notebooks/06_case_study.ipynb``).

* ``casestudy.double_charge`` -- without idempotency keys, at which saga crash points does a retried
  transfer move the money twice? Judged against the real service, one run per crash point.
* ``casestudy.isolation`` -- the weakest isolation level that prevents each anomaly on PostgreSQL
  (Hermitage's table, which ``tests/casestudy/test_isolation.py`` reproduces on the real engine).
* ``casestudy.bulkhead`` -- size the fraud bulkhead: a fraud slowdown must not take transfers down,
  and a busy but healthy day must not skip the fraud check for many of them.

Each check returns True, or a string saying what went wrong (`distlab.grading.registry`).
"""
from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from distlab.grading.registry import exercise
from distlab.services.sql import PostgresBackend

if TYPE_CHECKING:
    from distlab.casestudy.trials import BulkheadTrial

NOTEBOOK = "06_case_study"

#: the bulkhead exercise's bar: success in the slowdown, and fraud checks skipped on a busy day
SLOWDOWN_SUCCESS = 0.7
BUSY_SKIPPED = 0.10
BULKHEAD_SEEDS = (0, 1)


@functools.cache
def double_charge_truth() -> dict[str, int]:
    """Crash point -> the most times one key was applied without idempotency keys (one run each)."""
    from distlab.casestudy.chaos import SAGA_POINTS
    from distlab.casestudy.trials import crash_trial

    return {point: crash_trial(point).most_applied for point in SAGA_POINTS}


@exercise("casestudy.double_charge", notebook=NOTEBOOK, points=1, title="Where does a retry charge twice?",
          hints=["Try a few points with crash_trial(point) and read most_applied.",
                 "The service resumes every unfinished saga from its log after a restart -- the customer's "
                 "transfer included -- and the customer, who never got an answer, retries.",
                 "Without a key, the retry is a new transfer: ask, for each point, whether the first saga will "
                 "still move the money after the restart.",
                 "A compensation runs only for a transfer that moved no money."])
def check_double_charge(double_charge_points: Callable[[list[str]], Any]) -> bool | str:
    """``double_charge_points(points)`` must return exactly the points at which the run applied the
    crashed transfer twice."""
    from distlab.casestudy.chaos import SAGA_POINTS

    if not callable(double_charge_points):
        return "pass the function double_charge_points itself (it takes the list of crash points)"
    answer = double_charge_points(list(SAGA_POINTS))
    if not isinstance(answer, (set, frozenset, list, tuple)) or not all(isinstance(p, str) for p in answer):
        return f"double_charge_points must return a set of crash point names, got {answer!r}"
    unknown = sorted(set(answer) - set(SAGA_POINTS))
    if unknown:
        return f"{unknown} are not crash points of the transfer saga; choose among the list you were given"
    truth = {p for p, n in double_charge_truth().items() if n >= 2}
    missed = [p for p in SAGA_POINTS if p in truth and p not in answer]  # in saga order
    extra = [p for p in SAGA_POINTS if p in answer and p not in truth]
    if missed:
        return (f"the run charged twice at {', '.join(missed)} too: the saga was already in the log, so the "
                "restarted service finished it -- and the customer's retry, with no key, started a second one")
    if extra:
        return (f"{', '.join(extra)}: no transfer moved twice there -- a compensation runs only for a transfer "
                "the ledger refused, which moved no money; a crash while compensating it cannot charge twice")
    return True


class Level(NamedTuple):
    """Whether PostgreSQL's ``isolation`` admits ``anomaly`` (Hermitage's table)."""

    anomaly: str
    isolation: str
    admitted: bool


#: PostgreSQL, after Hermitage (Kleppmann 2014); tests/casestudy/test_isolation.py checks each row on the engine
HERMITAGE = (Level("lost update", "read committed", True), Level("lost update", "repeatable read", False),
             Level("lost update", "serializable", False), Level("write skew", "read committed", True),
             Level("write skew", "repeatable read", True), Level("write skew", "serializable", False))
LEVELS = tuple(reversed(PostgresBackend.ISOLATION_LEVELS))  # the engine's levels, weakest first


def weakest_preventing(anomaly: str) -> str:
    """The weakest PostgreSQL level whose transactions never show ``anomaly``."""
    return next(row.isolation for row in HERMITAGE if row.anomaly == anomaly and not row.admitted)


@exercise("casestudy.isolation", notebook=NOTEBOOK, points=1, title="The weakest level that keeps the books",
          hints=["Run the interleavings above at each level and read which ones created money or overdrew "
                 "the couple's limit.",
                 "A lost update is two writes to the same row; write skew is two writes to different rows "
                 "that each checked the other's.",
                 "PostgreSQL's REPEATABLE READ aborts the second writer of a row, but not two writers of "
                 "different rows."])
def check_isolation(weakest_level: Callable[[str], Any]) -> bool | str:
    """``weakest_level(anomaly)`` for ``"lost update"`` and ``"write skew"`` must name the weakest level
    that prevents it on PostgreSQL."""
    if not callable(weakest_level):
        return "pass the function weakest_level itself (it takes the anomaly's name)"
    for anomaly in ("lost update", "write skew"):
        level = weakest_level(anomaly)
        level = level.strip().lower() if isinstance(level, str) else level  # "REPEATABLE READ", as the prose writes it
        if level not in LEVELS:
            return f"weakest_level({anomaly!r}) must return one of {LEVELS}, got {level!r}"
        right = weakest_preventing(anomaly)
        if LEVELS.index(level) < LEVELS.index(right):
            return (f"{level} still lets a {anomaly} through on PostgreSQL (the interleaving above shows it): "
                    f"the books do not balance at that level")
        if level != right:
            return (f"{level} prevents a {anomaly}, but a weaker level already does: every step up costs "
                    "aborted and retried transactions")
    return True


@functools.cache
def bulkhead_outcome(size: int, seed: int) -> BulkheadTrial:
    """:func:`distlab.casestudy.trials.bulkhead_trial`, remembered (the check asks twice per size)."""
    from distlab.casestudy.trials import bulkhead_trial

    return bulkhead_trial(size, seed)


@exercise("casestudy.bulkhead", notebook=NOTEBOOK, points=1, title="Size the fraud bulkhead",
          hints=["Too big a bulkhead is no bulkhead: when fraud slows down, every transfer waits on it.",
                 "Too small a bulkhead skips the fraud check on a busy but healthy day: transfers above "
                 "the fallback limit are refused.",
                 "Try sizes with bulkhead_trial(size) and read both numbers."])
def check_bulkhead(bulkhead_size: Callable[[], Any]) -> bool | str:
    """``bulkhead_size()`` must keep >= 70 % of the attempts in the slowdown successful and skip the
    fraud check for <= 10 % of the transfers on the busy day, at seeds 0 and 1."""
    if not callable(bulkhead_size):
        return "pass the function bulkhead_size itself (it returns a whole number of fraud calls)"
    answer = bulkhead_size()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral) or not 1 <= int(answer) <= 16:
        return f"bulkhead_size() must return a whole number from 1 to 16 (the service has 16 workers), got {answer!r}"
    size = int(answer)
    calls = f"{size} fraud call{'s' if size > 1 else ''}"
    for seed in BULKHEAD_SEEDS:
        out = bulkhead_outcome(size, seed)
        if out.slowdown_success < SLOWDOWN_SUCCESS:
            return (f"with {calls} at once, only {out.slowdown_success:.0%} of the attempts in the "
                    f"slowdown succeeded (seed {seed}); at least {SLOWDOWN_SUCCESS:.0%} should")
        if out.busy_skipped > BUSY_SKIPPED:
            return (f"with {calls} at once, the busy day skipped the fraud check for "
                    f"{out.busy_skipped:.0%} of the transfers (seed {seed}); at most {BUSY_SKIPPED:.0%} may be")
    return True
