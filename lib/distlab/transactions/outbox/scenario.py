"""One run: place orders, ship their events, consume them -- with crashes -- and count the damage.

:func:`run_scenario` interleaves three actors under a seeded random schedule: the producer places
the next order (:mod:`.producer`), the relay ships one batch (outbox only, :mod:`.relay`), a
consumer polls once (:mod:`.consumer`). Whoever reaches the armed crash point dies there:

* the producer: that order's request failed (the client is not retrying it);
* the relay: it is restarted -- at once (``relay_restart="immediate"``) or only after every order
  was placed (``"late"``) -- as a fresh relay that remembers nothing;
* a consumer: the other member of the group takes its pending entries over with XAUTOCLAIM.

Then everyone runs until nothing is unsent and nothing pending, and the result counts, by order:

=======================  =====================================================================
``lost``                  committed orders whose event never took effect (never shipped)
``phantom``               events on the stream for orders that were never committed
``duplicate_deliveries``  deliveries beyond the first of each event (re-sends, redeliveries)
``duplicate_effects``     shipments beyond one per order (0 when the inbox absorbs duplicates)
=======================  =====================================================================

The same function runs on the real engines (:class:`.store.SQLDatabase`,
:class:`.broker.RedisStreamsBroker`) and on the in-memory twins.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..checks import check_int
from .broker import Broker
from .consumer import Consumer
from .crash_points import OUTBOX, Crashed, CrashInjector, applies, check_point, check_variant
from .events import make_orders
from .producer import place_order
from .relay import MAX_BATCH, Relay
from .store import Database

RELAY_RESTARTS = ("immediate", "late")
MAX_ORDERS = 200


@dataclass(frozen=True)
class OutboxConfig:
    """The knobs of one run (a notebook control edits only this).

    ``variant``        ``commit_then_publish``, ``publish_then_commit`` or ``outbox``
    ``crash_point``    one of :data:`.crash_points.CRASH_POINTS` or None; ignored where it does not apply
    ``crashes``        how many times the process dies there (each followed by a restart/takeover)
    ``duplicates``     extra copies of every XADD (a retried publish whose first reply was lost)
    ``relay_restart``  ``"immediate"`` or ``"late"`` (the crashed relay returns after all orders)
    ``orders``, ``batch_size`` (relay batch and consumer read size, <= 100), ``inbox`` (dedup on/off),
    ``seed`` (the interleaving), ``extra_crashes`` (more ``(point, times)`` pairs: random schedules)
    """

    variant: str = OUTBOX
    crash_point: str | None = None
    crashes: int = 1
    duplicates: int = 0
    relay_restart: str = "immediate"
    orders: int = 4
    batch_size: int = MAX_BATCH
    inbox: bool = True
    seed: int = 0
    extra_crashes: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        check_variant(self.variant)
        check_point(self.crash_point)
        check_int("crashes", self.crashes, 0, 5)
        check_int("duplicates", self.duplicates, 0, 3)
        check_int("orders", self.orders, 1, MAX_ORDERS)
        check_int("batch_size", self.batch_size, 1, MAX_BATCH)
        check_int("seed", self.seed, 0, 2**63 - 1)
        if self.relay_restart not in RELAY_RESTARTS:
            raise ValueError(f"relay_restart must be one of {RELAY_RESTARTS}, got {self.relay_restart!r}")
        if not isinstance(self.inbox, bool):
            raise ValueError(f"inbox must be True or False, got {self.inbox!r}")
        for point, times in self.extra_crashes:
            check_point(point)
            check_int("extra_crashes times", times, 0, 5)

    def schedule(self) -> dict[str, int]:
        """``{point: times}`` of every crash this run arms (points the variant never reaches dropped)."""
        plan: dict[str, int] = {}
        pairs = list(self.extra_crashes)
        if self.crash_point is not None:
            pairs.insert(0, (self.crash_point, self.crashes))
        for point, times in pairs:
            if applies(point, self.variant):
                plan[point] = plan.get(point, 0) + times
        return plan


@dataclass(frozen=True)
class ScenarioResult:
    """What one run did (counts by order id; see the module docstring)."""

    lost: int
    phantom: int
    duplicate_deliveries: int
    duplicate_effects: int
    committed: int
    published: int
    crashes_fired: int
    unsent_left: int
    pending_left: int
    reached: dict[str, int] = field(default_factory=dict)

    @property
    def safe(self) -> bool:
        """No lost event, no phantom event, no duplicated effect."""
        return self.lost == 0 and self.phantom == 0 and self.duplicate_effects == 0


class _Run:
    """The actors of one run and their restarts."""

    def __init__(self, config: OutboxConfig, db: Database, broker: Broker) -> None:
        self.config, self.db, self.broker = config, db, broker
        self.hooks = CrashInjector(schedule=config.schedule())
        self.relay = self._new_relay()
        self.relay_down = False
        self.consumers = [Consumer(f"c{i}", db, broker, self.hooks, inbox=config.inbox) for i in (1, 2)]
        self.active, self.takeover_due = 0, False
        self.delivered: dict[str, int] = {}

    def _new_relay(self) -> Relay:
        return Relay(self.db, self.broker, batch_size=self.config.batch_size, hooks=self.hooks,
                     duplicates=self.config.duplicates)

    def relay_step(self, draining: bool) -> int:
        if self.config.variant != OUTBOX or (self.relay_down and not draining):
            return 0
        if self.relay_down:
            self.relay, self.relay_down = self._new_relay(), False
        try:
            return self.relay.run_once()
        except Crashed:
            self.relay_down = True
            if self.config.relay_restart == "immediate":
                self.relay, self.relay_down = self._new_relay(), False
            return 1

    def consumer_step(self) -> int:
        consumer = self.consumers[self.active]
        try:
            done = 0
            if self.takeover_due:
                self.takeover_due = False
                done += consumer.take_over()
            return done + consumer.poll(self.config.batch_size)
        except Crashed:
            self.active, self.takeover_due = 1 - self.active, True
            return 1


def run_scenario(config: OutboxConfig, db: Database, broker: Broker) -> ScenarioResult:
    """Run ``config`` on ``db`` and ``broker`` (both empty) and count lost / phantom / duplicates."""
    run, rng = _Run(config, db, broker), random.Random(config.seed)
    for order in make_orders(config.orders):
        try:
            place_order(config.variant, order, db, broker, run.hooks, config.duplicates)
        except Crashed:
            pass  # the request failed; the order service restarts with nothing in memory
        if rng.random() < 0.5:
            run.relay_step(draining=False)
        if rng.random() < 0.5:
            run.consumer_step()
    for _ in range(10 * (config.orders + 10)):
        work = run.relay_step(draining=True) + run.consumer_step()
        if not work and not run.takeover_due and broker.pending() == 0:
            break
    return _count(run)


def _count(run: _Run) -> ScenarioResult:
    committed = set(run.db.orders())
    entries = run.broker.entries()
    published = {d.event.aggregateid for d in entries}
    shipments = run.db.shipments()
    deliveries = sum(c.deliveries for c in run.consumers)
    distinct = {e for c in run.consumers for e in c.events_seen}
    return ScenarioResult(
        lost=len(committed - set(shipments)), phantom=len(published - committed),
        duplicate_deliveries=deliveries - len(distinct),
        duplicate_effects=sum(n - 1 for n in shipments.values() if n > 1),
        committed=len(committed), published=len(entries), crashes_fired=run.hooks.fired,
        unsent_left=run.db.outbox_counts()[1], pending_left=run.broker.pending(), reached=dict(run.hooks.reached))
