"""One run of the money-transfer service: build it on the kernel and the real engines, attack it, judge it.

:func:`run_bank` puts every part on one seeded :class:`~distlab.sim.Simulation` -- the customers in
their regions (chapter 4's measured round trips to Virginia), the gateway, the service, the fraud
service, the relay, the notifier and the auditor -- over real engines (:mod:`.engines`: the SQL
store, SQLite by default, and the Redis stream). It installs the chaos schedule, runs until every
customer is done, then lets the system settle (every fault healed, every process up) until no saga
is running, no outbox row is unsent and no stream entry is pending. The bank checker
(:func:`~distlab.casestudy.checker.check_bank`) then reads the clients' history and the stores.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from distlab.geo.latency import default_model
from distlab.reliability.retry import RetryBudget
from distlab.sim import History, HistoryRecorder, Simulation, apply_fault
from distlab.transactions.idempotency.sql_store import install_schema
from distlab.transactions.outbox.broker import RedisStreamsBroker
from distlab.transactions.outbox.consumer import Consumer
from distlab.transactions.outbox.crash_points import CrashInjector
from distlab.transactions.outbox.relay import PipelinedRelay
from distlab.transactions.outbox.store import SQLDatabase
from distlab.transactions.saga.orchestrator import CrashPlan

from .backoffice import Fraud, NotifierProcess, RelayProcess
from .chaos import ChaosFault, install
from .checker import Applied, BankRecord, BankVerdict, check_bank
from .clients import Auditor, Client, retry_policy
from .config import HOME, BankConfig
from .engines import Engines, Stores
from .gateway import Gateway
from .ledger import Ledger
from .metrics import Metrics
from .service import TransferService
from .transfer_saga import NOTIFICATION, event_id

__all__ = ["SETTLE_S", "BankRun", "Parts", "run_bank"]

SETTLE_S = 30.0  # at most this long (simulated) to settle after the customers are done
DEADLINE_S = 600.0  # a run whose customers are not done by then is cut short (and says so)


def _no_sleep(seconds: float) -> None:
    """The relay's broker retries wait in simulated time, which the relay's next poll provides."""


@dataclass
class Parts:
    """Everything one run is made of (the chaos schedule acts on these)."""

    config: BankConfig
    engines: Stores
    sim: Simulation = field(init=False)
    metrics: Metrics = field(default_factory=Metrics)
    crashes: CrashPlan = field(default_factory=CrashPlan)
    clients: list[Client] = field(default_factory=list)

    def __post_init__(self) -> None:
        cfg, engines = self.config, self.engines
        self.sim = Simulation(cfg.seed, trace=False)
        self._busy = 0  # customers before this index are done
        self.recorder = HistoryRecorder(self._now)
        self.ledger = Ledger(engines.db)
        for name in cfg.account_names:
            self.ledger.open_account(name, cfg.opening_cents, cfg.groups.get(name))
        install_schema(engines.db)
        self.broker = RedisStreamsBroker(engines.redis, engines.stream, reset=True)
        self.relay = PipelinedRelay(SQLDatabase(engines.db), self.broker, hooks=CrashInjector(), sleep=_no_sleep,
                                    seed=cfg.seed)
        self.consumer = Consumer("notifier", SQLDatabase(engines.notifier_db), self.broker, CrashInjector(),
                                 ack_each=False, batch_commit=True)
        self.budget = RetryBudget() if cfg.safeguards.retry_budget else None
        self.policy = retry_policy(cfg, self.budget)
        self.fraud = Fraud(cfg)
        self.service = TransferService(cfg, self.ledger, self.broker, self.crashes, self.metrics)
        self.relay_process = RelayProcess(self.relay, cfg, self.metrics)
        self.notifier = NotifierProcess(self.consumer, cfg, self.metrics)
        for process in (Gateway(cfg, self.metrics), self.service, self.fraud, self.relay_process, self.notifier,
                        Auditor(cfg, self.recorder)):
            self.sim.add(process)
        for i in range(cfg.clients):
            self._add_client(Client(i, f"c{i}", cfg, self.recorder, self.policy, transfers=cfg.transfers_per_client),
                             cfg.region_of(i))
        self._wire()

    def _now(self) -> float:
        return self.sim.now

    def customers_done(self, sim: Simulation) -> bool:
        """Whether every customer has made all its transfers (checked before each event: the first
        one still busy is remembered, so this is cheap)."""
        while self._busy < len(self.clients) and self.clients[self._busy].done:
            self._busy += 1
        return self._busy == len(self.clients)

    def _add_client(self, client: Client, region: str) -> None:
        model = default_model()
        self.clients.append(client)
        self.sim.add(client)
        self.sim.network.set_link(client.pid, "gateway", latency=model.one_way(region, HOME))
        self.sim.network.set_link("gateway", client.pid, latency=model.one_way(HOME, region))

    def _wire(self) -> None:
        """Links inside the home region: across zones (chapter 4's within-region curve)."""
        local = default_model().one_way(HOME, HOME)
        for a, b in (("gateway", "service"), ("service", "fraud"), ("auditor", "service")):
            self.sim.network.set_link(a, b, latency=local)
            self.sim.network.set_link(b, a, latency=local)

    def add_spike(self, start: float, duration: float, per_second: float) -> None:
        """``per_second`` extra customers a second for ``duration`` seconds, one transfer each."""
        rng = self.sim.rng("spike")
        base = self.config.clients + len(self.clients)
        for k in range(round(per_second * duration)):
            index = base + k
            region = self.config.region_of(index)
            self._add_client(Client(index, f"s{index}", self.config, self.recorder, self.policy, transfers=1,
                                    start_s=start - self.sim.now + rng.uniform(0, duration)), region)

    def settled(self) -> bool:
        """Every process up, the relay and the notifier idle at their last poll, no saga running, no
        outbox row unsent, no stream entry pending."""
        return (all(p.up for p in self.sim.processes.values()) and self.relay_process.last == 0
                and self.notifier.last == 0 and not self.service.orchestrator.log.unfinished()
                and self.relay.db.outbox_counts()[1] == 0 and self.broker.pending() == 0)


@dataclass
class BankRun:
    """A finished run: its parts, the record the checker read, and the verdict."""

    config: BankConfig
    chaos: tuple[ChaosFault, ...]
    record: BankRecord
    verdict: BankVerdict
    metrics: Metrics
    end: float  # simulated seconds until the customers were done
    settled_at: float  # ... and until the system settled (or gave up settling)
    settled: bool  # whether it settled within SETTLE_S
    events: int  # kernel events run

    @property
    def history(self) -> History:
        """The clients' operations."""
        return self.record.history

    def summary(self) -> str:
        """A few lines: the attempts and how they ended, latency, reads, and the checker's verdict."""
        ops = [op for op in self.history if op.f == "transfer"]
        ok = [op for op in ops if op.status == "ok"]
        took = sorted((op.end - op.invoke) * 1000 for op in ok)
        p50, p99 = (took[len(took) // 2], took[min(len(took) - 1, int(len(took) * 0.99))]) if took else (0.0, 0.0)
        reads = sum(op.f == "read" and op.status == "ok" for op in self.history)
        last: dict[str, str] = {}
        for op in ops:
            last[op.value[0]] = op.status
        abandoned = {key for key, status in last.items() if status != "ok"}
        moved = sum(a.key in abandoned for a in self.record.applied)
        late = [f for f in self.chaos if f.time > self.end]
        verdict = "no violation" if self.verdict.ok else \
            f"{len(self.verdict.violations)} violation(s), the first: {self.verdict.violations[0].message}"
        return "\n".join([
            f"{len(ops)} attempts for {len({op.value[0] for op in ops})} transfers by "
            f"{len({op.process for op in ops})} customers; {len(self.record.applied)} applied",
            f"answers: {len(ok)} ok ({sum(op.result == 'applied' for op in ok)} applied, "
            f"{sum(op.result == 'refused' for op in ok)} refused), {sum(op.status == 'fail' for op in ops)} failed, "
            f"{sum(op.status == 'info' for op in ops)} unknown (timed out or busy)",
            f"{len(abandoned)} transfers given up by their customer without an answer (attempts or retry budget "
            f"spent); {moved} of them were applied all the same",
            f"latency of the ok answers: p50 (the median) {p50:.0f} ms, p99 {p99:.0f} ms",
            *([f"{len(late)} fault(s) came after the customers were done and never happened"] if late else []),
            f"{reads} reads of every balance; the bank checker: {verdict}"])


def _applied(ledger: Ledger) -> list[Applied]:
    rows = ledger.db.query("SELECT t.id, t.source, t.target, t.amount_cents, s.params FROM transfer t "
                           "JOIN saga_instance s ON s.saga_id = t.id ORDER BY t.id")
    return [Applied(str(i), str(json.loads(p)["key"]), str(src), str(dst), int(c)) for i, src, dst, c, p in rows]


def _notifications(parts: Parts) -> list[str]:
    rows = parts.engines.notifier_db.query("SELECT event_id, order_id FROM shipments ORDER BY seq")
    return [str(order) for sent, order in rows if event_id(str(order), NOTIFICATION) == sent]


def _settle(parts: Parts) -> tuple[float, bool]:
    sim = parts.sim
    sim.network.heal()
    for pid, process in sim.processes.items():
        if not process.up:
            apply_fault(sim, "restart", pid)
    parts.fraud.slow_down(parts.config.fraud_latency_s)
    start = sim.now
    while sim.now < start + SETTLE_S:
        sim.run_for(0.25)
        if parts.settled():
            return sim.now, True
    return sim.now, False


def _checked_chaos(chaos: object, config: BankConfig) -> tuple[ChaosFault, ...]:
    """``chaos`` as a tuple of faults, or a ``TypeError``/``ValueError`` naming what is wrong."""
    if isinstance(chaos, (str, bytes)) or not isinstance(chaos, Sequence):
        raise TypeError(f"chaos must be a list of ChaosFault (or empty), got {type(chaos).__name__}")
    for i, fault in enumerate(chaos):
        if not isinstance(fault, ChaosFault):
            raise TypeError(f"chaos[{i}] must be a ChaosFault, got {fault!r}")
        if fault.kind == "partition" and fault.target not in config.regions:
            raise ValueError(f"chaos[{i}]: a partition's target must be one of the customers' regions "
                             f"{config.regions}, got {fault.target!r}")
    return tuple(chaos)


def run_bank(config: BankConfig, chaos: Sequence[ChaosFault] = (), engines: Engines | None = None) -> BankRun:
    """Run the service under ``chaos`` on ``engines`` (fresh embedded ones when None) and check it."""
    if not isinstance(config, BankConfig):
        raise TypeError(f"config must be a BankConfig, got {type(config).__name__}")
    chaos = _checked_chaos(chaos, config)
    if engines is not None and not isinstance(engines, Engines):
        raise TypeError(f"engines must be an Engines (or None for fresh embedded ones), got {type(engines).__name__}")
    own = engines is None
    used = Engines() if engines is None else engines
    stores = used.stores()
    try:
        parts = Parts(config, stores)
        install(parts, tuple(chaos))
        sim = parts.sim
        sim.run(until=parts.customers_done, deadline=DEADLINE_S)
        end = sim.now
        settled_at, settled = _settle(parts)
        final = parts.recorder.invoke("final audit", "read")
        parts.recorder.ok(final, parts.ledger.balances())
        record = BankRecord(parts.recorder.history(), config.total_cents, _applied(parts.ledger), config.groups,
                            parts.service.orchestrator.log.states(), _notifications(parts))
        return BankRun(config, tuple(chaos), record, check_bank(record), parts.metrics, end, settled_at, settled,
                       sim.events_run)
    finally:
        stores.close()
        if own:
            used.close()
