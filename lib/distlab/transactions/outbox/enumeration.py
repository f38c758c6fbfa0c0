"""Every crash point x crash count x relay restart x duplicate delivery, run and tallied.

>>> runs = run_enumeration(crash_schedules(), memory_engine)
>>> tally(runs, "outbox").lost, tally(runs, "outbox").phantom, tally(runs, "outbox").duplicate_effects
(0, 0, 0)
>>> tally(runs, "commit_then_publish").lost > 0, tally(runs, "publish_then_commit").phantom > 0
(True, True)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .broker import Broker, MemoryBroker
from .crash_points import OUTBOX, VARIANTS, check_variant, points_for
from .scenario import RELAY_RESTARTS, OutboxConfig, ScenarioResult, run_scenario
from .store import Database, MemoryDatabase

Engine = Callable[[OutboxConfig], tuple[Database, Broker]]
Run = tuple[OutboxConfig, ScenarioResult]


def memory_engine(config: OutboxConfig) -> tuple[Database, Broker]:
    """A fresh in-memory database and broker (the simulation)."""
    return MemoryDatabase(), MemoryBroker()


def crash_schedules(variants: Iterable[str] = VARIANTS, *, crashes: Iterable[int] = (1, 2),
                    duplicates: Iterable[int] = (0, 1), restarts: Iterable[str] = RELAY_RESTARTS,
                    orders: int = 4, inbox: bool = True, seed: int = 0) -> list[OutboxConfig]:
    """One config per applicable (variant, crash point, crashes, duplicates, relay restart).

    ``relay_restart`` only varies for the outbox's relay crash points (elsewhere it changes nothing).
    """
    out: list[OutboxConfig] = []
    for variant in variants:
        check_variant(variant)
        for point in points_for(variant):
            ways = tuple(restarts) if variant == OUTBOX and point.startswith("relay/") else ("immediate",)
            out.extend(OutboxConfig(variant=variant, crash_point=point, crashes=c, duplicates=d, relay_restart=r,
                                    orders=orders, inbox=inbox, seed=seed)
                       for c in crashes for d in duplicates for r in ways)
    return out


def run_enumeration(configs: Iterable[OutboxConfig], engine: Engine) -> list[Run]:
    """Run every config on a fresh ``engine(config)``."""
    return [(config, run_scenario(config, *engine(config))) for config in configs]


@dataclass(frozen=True)
class Tally:
    """Totals over the runs of one variant."""

    variant: str
    schedules: int
    crash_points: int
    lost: int
    phantom: int
    duplicate_deliveries: int
    duplicate_effects: int
    never_fired: tuple[str, ...]


def tally(runs: Iterable[Run], variant: str) -> Tally:
    """Sum the counts of ``variant``'s runs; ``never_fired`` names armed points that never crashed."""
    check_variant(variant)
    mine = [(c, r) for c, r in runs if c.variant == variant]
    points = {c.crash_point for c, _ in mine if c.crash_point is not None}
    fired = {c.crash_point for c, r in mine if r.crashes_fired}
    return Tally(variant, len(mine), len(points), sum(r.lost for _, r in mine), sum(r.phantom for _, r in mine),
                 sum(r.duplicate_deliveries for _, r in mine), sum(r.duplicate_effects for _, r in mine),
                 tuple(sorted(p for p in points if p not in fired)))
