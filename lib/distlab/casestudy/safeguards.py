"""Switch one safeguard off and watch a check catch exactly what it was there to prevent.

Each safeguard has a scenario -- the chaos it guards against, at a time drawn from the seed, plus
two other random faults (a schedule has at least three) -- and a check that says whether the harm
it prevents happened:

================  =====================================  ==========================================
safeguard off      the scenario's fault                   what the check finds
================  =====================================  ==========================================
``idempotency``    the service dies right after a ledger  ``applied twice``: the client's retry of
                   commit                                 the same key moved the money again
``outbox``         the service dies right after the       ``notification``: the event it published
                   notification step committed            after the commit was lost with it
``retry_budget``   a spike of new customers               a retry storm: >= 2 attempts per transfer
                                                          begun in the spike (budgeted: ~1)
``bulkhead``       the fraud service slows to seconds     an outage: < 50 % of the attempts made
                                                          during the slowdown succeed
================  =====================================  ==========================================

The first two are the bank checker's findings (:mod:`.checker`); the last two are measurements of
the clients' history in the fault's window (:func:`window_stats`). The retry storm is load, not
loss: here the gateway refuses a request for free (a token bucket), so without the budget *more* of
the spike's transfers are answered in the end (:func:`answered_share`: about 70-90 % against 20-50 %
with the budget, seeds 0-2) -- at three times the requests. The budget is for a dependency that
pays for every request it refuses, as the overloaded service of chapter 5's cascade does. With
every safeguard on, none of the four fires (tested over many seeds). The isolation level is the
fifth safeguard of the lesson; it is judged where transactions interleave, in :mod:`.contention`.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from distlab.sim import History

from .chaos import KINDS, ChaosFault, random_chaos
from .config import SAFEGUARDS, BankConfig, Safeguards
from .engines import Engines
from .run import BankRun, run_bank

__all__ = ["OUTAGE_SUCCESS", "PREDICTED", "STORM_ATTEMPTS", "HarmJudge", "ScenarioPlan", "Toggle", "WindowStats",
           "answered_share", "harm", "scenario", "toggle", "window_stats"]

STORM_ATTEMPTS = 2.0  # attempts per transfer begun in the spike, at or above which it is a retry storm
OUTAGE_SUCCESS = 0.5  # success rate of the attempts made in the slowdown, below which it is an outage
#: what each safeguard's check reports when the harm happened
PREDICTED = {"idempotency": "applied twice", "outbox": "notification", "retry_budget": "retry storm",
             "bulkhead": "outage"}
#: the fault each scenario is built around
FOCUS = {"idempotency": "saga crash", "outbox": "saga crash", "retry_budget": "spike", "bulkhead": "fraud slowdown"}
#: faults that would blur a measured scenario (a second spike or slowdown, a partition in its window)
_QUIET = {"retry_budget": ("spike", "fraud slowdown", "partition"), "bulkhead": ("spike", "fraud slowdown",
                                                                               "partition"),
          "idempotency": ("spike",)}  # a spike spends the shared retry budget: the crashed transfer is never retried


class WindowStats(NamedTuple):
    """The attempts begun in a window: how many, for how many transfers, how many succeeded."""

    attempts: int
    transfers: int
    ok: int

    @property
    def success_rate(self) -> float:
        """Attempts answered ``ok`` over attempts (1.0 when there were none)."""
        return self.ok / self.attempts if self.attempts else 1.0

    @property
    def attempts_per_transfer(self) -> float:
        """Attempts over distinct transfers (keys): 1.0 means no retries."""
        return self.attempts / self.transfers if self.transfers else 0.0


def window_stats(history: History, start: float, end: float) -> WindowStats:
    """Stats of the transfer attempts invoked in ``[start, end)``."""
    ops = [op for op in history if op.f == "transfer" and start <= op.invoke < end]
    return WindowStats(len(ops), len({op.value[0] for op in ops}), sum(op.status == "ok" for op in ops))


def answered_share(history: History, start: float, end: float) -> float:
    """Of the transfers whose first attempt was in ``[start, end)``, the share that got an ``ok``
    answer at some attempt, during the window or after it (1.0 when there were none)."""
    first: dict[str, float] = {}
    answered: set[str] = set()
    for op in history:
        if op.f == "transfer":
            first.setdefault(op.value[0], op.invoke)
            if op.status == "ok":
                answered.add(op.value[0])
    keys = [k for k, t in first.items() if start <= t < end]
    return sum(k in answered for k in keys) / len(keys) if keys else 1.0


def _focus(safeguard: str, rng: random.Random, config: BankConfig) -> ChaosFault:
    time = round(rng.uniform(1.5, 5.0), 3)
    if safeguard == "idempotency":
        return ChaosFault(time, "saga crash", "after_action:ledger")
    if safeguard == "outbox":
        return ChaosFault(time, "saga crash", "after_action:notify")
    if safeguard == "retry_budget":
        return ChaosFault(time, "spike", duration=3.0, amount=120.0)
    return ChaosFault(time, "fraud slowdown", duration=3.0, amount=1.5)


def scenario(safeguard: str, seed: int, config: BankConfig) -> list[ChaosFault]:
    """The chaos for ``safeguard``'s lesson at ``seed``: its fault, and two random others."""
    if safeguard not in SAFEGUARDS:
        raise ValueError(f"safeguard must be one of {', '.join(SAFEGUARDS)}, got {safeguard!r}")
    rng = random.Random(f"safeguard/{safeguard}/{seed}")
    kinds = [k for k in KINDS if k not in _QUIET.get(safeguard, ())]
    return sorted([_focus(safeguard, rng, config), *random_chaos(rng, config.regions, count=3, kinds=kinds)[:2]],
                  key=lambda f: f.time)


def harm(safeguard: str, run: BankRun) -> str | None:
    """What ``safeguard``'s check finds in ``run`` (a sentence), or None when the harm did not happen."""
    if safeguard in ("idempotency", "outbox"):
        found = [v for v in run.verdict.violations if v.kind == PREDICTED[safeguard]]
        return f"{len(found)} x {PREDICTED[safeguard]}: {found[0].message}" if found else None
    focus = next(f for f in run.chaos if f.kind == FOCUS[safeguard])
    stats = window_stats(run.history, focus.time, focus.time + focus.duration)
    if safeguard == "retry_budget" and stats.attempts_per_transfer >= STORM_ATTEMPTS:
        return (f"retry storm: {stats.attempts_per_transfer:.1f} attempts per transfer begun in the spike, "
                f"{stats.success_rate:.0%} of them answered")
    if safeguard == "bulkhead" and stats.success_rate < OUTAGE_SUCCESS:
        return f"outage: {stats.success_rate:.0%} of the {stats.attempts} attempts in the slowdown succeeded"
    return None


class Toggle(NamedTuple):
    """One safeguard's lesson at one seed: the run with everything on, the run without it, and what
    the check found in each (None: nothing)."""

    safeguard: str
    seed: int
    on: BankRun
    off: BankRun
    found_on: str | None
    found_off: str | None


def toggle(safeguard: str, seed: int = 0, config: BankConfig | None = None, engines: Engines | None = None,
           runner: Callable[..., BankRun] = run_bank) -> Toggle:
    """Run ``safeguard``'s scenario twice -- all safeguards on, then ``safeguard`` off -- and check both."""
    base = (config or BankConfig()).replace(seed=seed)
    chaos = scenario(safeguard, seed, base)
    on = runner(base.replace(safeguards=Safeguards()), chaos, engines)
    off = runner(base.replace(safeguards=Safeguards().without(safeguard)), chaos, engines)
    return Toggle(safeguard, seed, on, off, harm(safeguard, on), harm(safeguard, off))


@dataclass(frozen=True)
class ScenarioPlan:
    """Seed -> (the config with ``safeguard`` off, or every safeguard on, and its scenario); picklable."""

    safeguard: str
    off: bool = True
    config: BankConfig = field(default_factory=BankConfig)

    def __call__(self, seed: int) -> tuple[BankConfig, list[ChaosFault]]:
        guards = Safeguards().without(self.safeguard) if self.off else Safeguards()
        seeded = self.config.replace(seed=seed, safeguards=guards)
        return seeded, scenario(self.safeguard, seed, seeded)


@dataclass(frozen=True)
class HarmJudge:
    """(seed, run) -> what ``safeguard``'s check found in the run (None: nothing); picklable."""

    safeguard: str

    def __call__(self, seed: int, run: BankRun) -> str | None:
        return harm(self.safeguard, run)
