"""Small experiments a learner runs from the notebook (and the exercises' checks run the same way).

* :func:`crash_trial` -- one customer, three transfers, the service dying once at a saga crash
  point: how many times did the crashed transfer's money move?
* :func:`bulkhead_trial` -- the service with a fraud bulkhead of some size, through a fraud slowdown
  and through a busy but healthy day: what share of attempts succeeded, what share of transfers
  skipped the fraud check?

Each builds its runs on fresh embedded engines and returns plain numbers.
"""
from __future__ import annotations

from typing import NamedTuple

from .chaos import SAGA_POINTS, ChaosFault
from .config import BankConfig, Safeguards
from .engines import Engines
from .run import run_bank
from .safeguards import window_stats

__all__ = ["BUSY_DAY", "SLOWDOWN", "BulkheadTrial", "CrashTrial", "bulkhead_trial", "crash_trial"]

#: the bulkhead trial's two scenarios
SLOWDOWN = ChaosFault(3.0, "fraud slowdown", duration=3.0, amount=1.5)
BUSY_DAY = ChaosFault(2.0, "spike", duration=3.0, amount=80.0)


class CrashTrial(NamedTuple):
    """A crash at ``point``: how often each transfer's key was applied, and the checker's findings."""

    point: str
    idempotency: bool
    crashed: bool  # whether a saga reached the point (a compensation point needs a refused transfer)
    most_applied: int  # the most times any one key moved money
    violations: tuple[str, ...]


def crash_trial(point: str, *, idempotency: bool = False) -> CrashTrial:
    """Run one customer's three transfers with the service dying once at saga crash ``point``."""
    if point not in SAGA_POINTS:
        raise ValueError(f"point must be one of {', '.join(SAGA_POINTS)}, got {point!r}")
    if not isinstance(idempotency, bool):
        raise ValueError(f"idempotency must be True or False, got {idempotency!r}")
    config = BankConfig(clients=1, transfers_per_client=3, safeguards=Safeguards(idempotency=idempotency))
    engines = Engines()
    try:
        run = run_bank(config, [ChaosFault(0.0, "saga crash", point)], engines)
    finally:
        engines.close()
    keys = [a.key for a in run.record.applied]
    return CrashTrial(point, idempotency, bool(run.metrics.of("crash")), max((keys.count(k) for k in keys), default=0),
                      tuple(v.message for v in run.verdict.violations))


class BulkheadTrial(NamedTuple):
    """A bulkhead size at one seed: success in the slowdown, and fraud checks skipped on the busy day."""

    size: int
    seed: int
    slowdown_success: float  # attempts answered ok / attempts, begun in the slowdown
    busy_skipped: float  # transfers whose fraud check the full bulkhead skipped / transfers, on the busy day


def bulkhead_trial(size: int, seed: int = 0) -> BulkheadTrial:
    """Run the service with a fraud bulkhead of ``size`` (1-16) through :data:`SLOWDOWN` and :data:`BUSY_DAY`."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 16:
        raise ValueError(f"size must be a whole number of fraud calls from 1 to 16 (the service's workers), "
                         f"got {size!r}")
    config = BankConfig(seed=seed, bulkhead_size=size)
    engines = Engines()
    try:
        slow = run_bank(config, [SLOWDOWN], engines)
        busy = run_bank(config, [BUSY_DAY], engines)
    finally:
        engines.close()
    skipped = busy.metrics.count("bulkhead full") / max(1, len(busy.record.sagas))
    success = window_stats(slow.history, SLOWDOWN.time, SLOWDOWN.time + SLOWDOWN.duration).success_rate
    return BulkheadTrial(size, seed, success, skipped)
