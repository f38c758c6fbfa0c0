"""Chaos for the transfer service: faults as data, drawn from a seed, installed on a run.

A :class:`ChaosFault` is one thing going wrong, at a simulated time (Maelstrom's nemesis, as data,
so a schedule can be printed, stored, drawn by Hypothesis and replayed exactly):

==================  ===========================================================================
``saga crash``       the service dies at chapter 3's saga crash point ``target`` (e.g.
                     ``after_action:ledger``), the next time a saga reaches it
``relay crash``      the outbox relay dies at crash point ``target`` (``relay/after_publish``...)
``notifier crash``   the notifier dies at crash point ``target`` (``consumer/after_commit``...)
``fraud slowdown``   the fraud service answers after ``amount`` seconds, for ``duration``
``partition``        the clients of region ``target`` cannot reach the gateway, for ``duration``
``spike``            ``amount`` extra customers per second arrive, for ``duration``
``duplicates``       the gateway's load balancer delivers each request to the service twice with
                     probability ``amount`` (a replayed request: only the idempotency key stops it)
==================  ===========================================================================

:func:`random_chaos` draws a schedule of at least three faults from a seed;
:func:`install` schedules one on a run's simulation (:mod:`distlab.casestudy.run`).
"""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from distlab.transactions.outbox.crash_points import CONSUMER_POINTS, RELAY_POINTS
from distlab.transactions.saga.crash_points import CrashPoint, crash_points

from .transfer_saga import TransferSaga

if TYPE_CHECKING:
    from .run import Parts

__all__ = ["KINDS", "SAGA_POINTS", "ChaosFault", "install", "random_chaos"]

KINDS = ("saga crash", "relay crash", "notifier crash", "fraud slowdown", "partition", "spike", "duplicates")
#: every crash point of the transfer saga, by name (``before_action:fraud_check`` ... )
SAGA_POINTS = tuple(p.name for p in crash_points(TransferSaga(str, outbox=True, fallback_limit_cents=0).definition))
TARGETS = {"saga crash": SAGA_POINTS, "relay crash": RELAY_POINTS, "notifier crash": CONSUMER_POINTS}
#: (low, high) of ``amount`` for the kinds that use it
AMOUNTS = {"fraud slowdown": (0.0, 60.0), "spike": (0.0, 1_000.0), "duplicates": (0.0, 1.0)}
WINDOWED = ("fraud slowdown", "partition", "spike", "duplicates")


@dataclass(frozen=True)
class ChaosFault:
    """One fault (see the module docstring): at ``time`` seconds, ``kind`` on ``target``."""

    time: float
    kind: str
    target: str = ""
    duration: float = 0.0
    amount: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        for name in ("time", "duration", "amount"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        options = TARGETS.get(self.kind)
        if options is not None and self.target not in options:
            raise ValueError(f"target of a {self.kind} must be one of {', '.join(options)}, got {self.target!r}")
        low, high = AMOUNTS.get(self.kind, (0.0, 0.0))
        if self.kind in AMOUNTS and not low < self.amount <= high:
            raise ValueError(f"amount of a {self.kind} must be in ({low:g}, {high:g}], got {self.amount!r}")
        if self.kind in WINDOWED and not self.duration > 0:
            raise ValueError(f"duration of a {self.kind} must be > 0 seconds, got {self.duration!r}")

    def __str__(self) -> str:
        what = {"saga crash": f"service crashes at {self.target}", "relay crash": f"relay crashes at {self.target}",
                "notifier crash": f"notifier crashes at {self.target}",
                "fraud slowdown": f"fraud answers in {self.amount:g} s for {self.duration:g} s",
                "partition": f"{self.target}'s customers cut off for {self.duration:g} s",
                "spike": f"+{self.amount:g} customers/s for {self.duration:g} s",
                "duplicates": f"{self.amount:.0%} of requests duplicated for {self.duration:g} s"}[self.kind]
        return f"t={self.time:.2f}s {what}"


def random_chaos(rng: random.Random, regions: Sequence[str], *, count: int = 4, within: float = 8.0,
                 kinds: Sequence[str] = KINDS) -> list[ChaosFault]:
    """``count`` (>= 3) faults drawn from ``rng`` over ``[0.5, within)`` seconds; crash kinds pick a
    random crash point, windows last 1-3 s."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 3:
        raise ValueError(f"count must be an integer >= 3 (a chaos schedule has at least three faults), got {count!r}")
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f"kinds must be a non-empty selection of {', '.join(KINDS)}, got {list(kinds)}")
    faults = []
    for _ in range(count):
        kind = rng.choice(list(kinds))
        time, duration = round(rng.uniform(0.5, within), 3), round(rng.uniform(1.0, 3.0), 3)
        target = rng.choice(TARGETS[kind]) if kind in TARGETS else rng.choice(list(regions)) if kind == "partition" \
            else ""
        amount = {"fraud slowdown": round(rng.uniform(1.0, 3.0), 3), "spike": float(rng.choice((40, 80, 120))),
                  "duplicates": round(rng.uniform(0.2, 0.6), 3)}.get(kind, 0.0)
        faults.append(ChaosFault(time, kind, target, duration if kind in WINDOWED else 0.0, amount))
    return sorted(faults, key=lambda f: f.time)


def _arm_saga(parts: Parts, point: str) -> None:
    parts.crashes.armed.append((CrashPoint.parse(point), None))


def _arm_hook(parts: Parts, which: str, point: str) -> None:
    hooks = parts.relay.hooks if which == "relay" else parts.consumer.hooks
    hooks.remaining[point] = hooks.remaining.get(point, 0) + 1


def _cut(parts: Parts, region: str, cut: bool) -> None:
    for client in parts.clients:
        if parts.config.region_of(client.index) == region:
            for a, b in ((client.pid, "gateway"), ("gateway", client.pid)):
                (parts.sim.network.block if cut else parts.sim.network.unblock)(a, b)


def _duplicate(parts: Parts, probability: float) -> None:
    parts.sim.network.set_link("gateway", "service", duplicate=probability)


def install(parts: Parts, faults: Sequence[ChaosFault]) -> None:
    """Schedule every fault on the run's simulation, and note each in its metrics when it starts."""
    sim = parts.sim
    for fault in faults:
        sim.schedule_at(fault.time, parts.metrics.note, fault.time, "fault", str(fault))
        end = fault.time + fault.duration
        if fault.kind == "saga crash":
            sim.schedule_at(fault.time, _arm_saga, parts, fault.target)
        elif fault.kind in ("relay crash", "notifier crash"):
            sim.schedule_at(fault.time, _arm_hook, parts, fault.kind.split()[0], fault.target)
        elif fault.kind == "fraud slowdown":
            sim.schedule_at(fault.time, parts.fraud.slow_down, fault.amount)
            sim.schedule_at(end, parts.fraud.slow_down, parts.config.fraud_latency_s)
        elif fault.kind == "partition":
            sim.schedule_at(fault.time, _cut, parts, fault.target, True)
            sim.schedule_at(end, _cut, parts, fault.target, False)
        elif fault.kind == "duplicates":
            sim.schedule_at(fault.time, _duplicate, parts, fault.amount)
            sim.schedule_at(end, _duplicate, parts, 0.0)
        else:
            parts.add_spike(fault.time, fault.duration, fault.amount)
