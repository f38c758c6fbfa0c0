"""Many seeded chaos schedules, across cores: the evidence behind "0 violations with every safeguard on".

:func:`chaos_for` is the standard schedule of a seed: four faults drawn from every kind (at least
three, as the issue asks), over the first 8 simulated seconds of a run of 8 customers x 25
transfers. :func:`run_schedules` runs many seeds and returns one :class:`Outcome` each, in seed
order; with ``jobs`` > 1 it forks worker processes, each with its own connections to the same
engines (on PostgreSQL, its own schemas), so the outcomes do not depend on ``jobs``.
"""
from __future__ import annotations

import multiprocessing
import os
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from .chaos import ChaosFault, random_chaos
from .config import BankConfig
from .engines import Engines
from .run import BankRun, run_bank

T = TypeVar("T")

__all__ = ["FAULTS", "Outcome", "StandardPlan", "chaos_for", "outcome", "run_schedules"]

FAULTS = 4  # faults in a standard schedule


def chaos_for(seed: int, config: BankConfig) -> list[ChaosFault]:
    """The standard chaos schedule of ``seed``: :data:`FAULTS` random faults of every kind."""
    return random_chaos(random.Random(f"chaos/{seed}"), config.regions, count=FAULTS)


class Outcome(NamedTuple):
    """What one schedule came to: its faults, the clients' attempts and transfers, the violations."""

    seed: int
    faults: tuple[str, ...]
    attempts: int
    transfers: int
    applied: int
    violations: tuple[tuple[str, str], ...]  # (kind, message), earliest first
    settled: bool  # the system settled (no saga running, nothing unsent or pending) after the run

    @property
    def ok(self) -> bool:
        """No violation."""
        return not self.violations


def outcome(seed: int, run: BankRun) -> Outcome:
    """The :class:`Outcome` of a finished run."""
    transfers = [op for op in run.history if op.f == "transfer"]
    return Outcome(seed, tuple(str(f) for f in run.chaos), len(transfers), len({op.value[0] for op in transfers}),
                   len(run.record.applied), tuple((v.kind, v.message) for v in run.verdict.violations),
                   run.settled)


#: seed -> (config, chaos); must pickle (a module-level class instance) when jobs > 1
Plan = Callable[[int], tuple[BankConfig, Sequence[ChaosFault]]]
_WORKER: dict[str, Engines] = {}


@dataclass(frozen=True)
class StandardPlan:
    """Seed -> (``config`` at that seed, its standard chaos schedule); picklable, for the workers."""

    config: BankConfig

    def __call__(self, seed: int) -> tuple[BankConfig, Sequence[ChaosFault]]:
        seeded = self.config.replace(seed=seed)
        return seeded, chaos_for(seed, seeded)


#: (seed, finished run) -> what to keep of it; must pickle when jobs > 1
Judge = Callable[[int, BankRun], T]


def _one(job: tuple[Plan, Judge[T], int, str | None]) -> T:
    plan, judge, seed, url = job
    engines = _WORKER.get("engines")
    if engines is None:
        engines = _WORKER["engines"] = Engines(url, schema_prefix=f"w{os.getpid()}")
    config, chaos = plan(seed)
    return judge(seed, run_bank(config, chaos, engines))


def run_schedules(seeds: Iterable[int], config: BankConfig | None = None, *, url: str | None = None,
                  jobs: int = 1, plan: Plan | None = None, judge: Judge[T] = outcome) -> list[T]:  # type: ignore[assignment]
    """Run the standard schedule (or ``plan``'s) of every seed on the engines at ``url``; return
    ``judge(seed, run)`` of each (default: its :class:`Outcome`), in seed order."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= 64:
        raise ValueError(f"jobs must be an integer from 1 to 64, got {jobs!r}")
    chosen = plan if plan is not None else StandardPlan(config or BankConfig())
    work = [(chosen, judge, seed, url) for seed in seeds]
    if jobs == 1 or len(work) < 2:
        try:
            return [_one(job) for job in work]
        finally:
            _close_worker()
    Engines(url).close()  # start the embedded servers here, once, before the workers fork
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_forget_parent) as pool:
        return pool.map(_one, work, chunksize=max(1, len(work) // (4 * jobs)))


def _forget_parent() -> None:
    """A forked worker opens its own connections (never the parent's sockets)."""
    _WORKER.clear()


def _close_worker() -> None:
    engines = _WORKER.pop("engines", None)
    if engines is not None:
        engines.close()
