"""The service's neighbours on the kernel: the fraud service, the outbox relay and the notifier.

* :class:`Fraud` answers each check after ``fraud_latency_s`` (plus up to 50 % jitter); a chaos
  slowdown raises the latency for a while. It declines half the transfers above
  ``fraud_limit_cents`` and clears the rest.
* :class:`RelayProcess` runs chapter 3's :class:`~distlab.transactions.outbox.relay.Relay` every
  ``relay_interval_s``: unsent outbox rows to the Redis stream, then marked sent -- at least once.
* :class:`NotifierProcess` runs chapter 3's :class:`~distlab.transactions.outbox.consumer.Consumer`
  (consumer group + inbox in its own database): one notification per ``NotificationRequested``
  event, however often it is delivered. After a restart it takes over its own pending entries.

Relay and notifier crash at chapter 3's named crash points (a :class:`CrashInjector` the chaos
schedule arms), in the middle of their work, and come back after ``restart_s``.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from distlab.sim import Process, apply_fault
from distlab.transactions.outbox.consumer import Consumer
from distlab.transactions.outbox.crash_points import Crashed, CrashInjector
from distlab.transactions.outbox.relay import MAX_BATCH, Relay

from .config import BankConfig
from .messages import FraudCheck, FraudVerdict
from .metrics import Metrics

__all__ = ["WAKE", "Fraud", "NotifierProcess", "RelayProcess", "crash_and_restart"]

WAKE = "entries published"  # the relay to the notifier: a blocking read would return now
NOTIFIER_POLL_S = 1.0  # the notifier's own polling, beside the wake-ups (a BLOCK timeout)
BATCH = MAX_BATCH  # rows a relay batch ships, entries a notifier poll reads: the most one poll handles


def crash_and_restart(process: Process, why: str, metrics: Metrics, after: float) -> None:
    """Crash ``process`` now (memory and timers lost) and restart it ``after`` seconds later."""
    sim = process.sim
    metrics.note(sim.now, "crash", f"{process.pid}: {why}")
    sim.crash(process.pid)
    sim.schedule(after, apply_fault, sim, "restart", process.pid)


class Fraud(Process):
    """The fraud service (see the module docstring)."""

    def __init__(self, config: BankConfig) -> None:
        super().__init__("fraud")
        self.config = config
        self.latency = config.fraud_latency_s

    def slow_down(self, latency: float) -> None:
        """From now on, answer after ``latency`` seconds (a chaos slowdown; its end sets it back)."""
        self.latency = latency

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Answer a check after the current latency."""
        if isinstance(msg, FraudCheck):
            declined = msg.amount_cents > self.config.fraud_limit_cents and self.rng.random() < 0.5
            verdict = FraudVerdict(msg.saga_id, "declined" if declined else "cleared")
            self.set_timer(f"answer:{msg.saga_id}", self.latency * (1 + 0.5 * self.rng.random()), (src, verdict))

    def on_timer(self, name: str, data: Any) -> None:
        """Send a verdict."""
        src, verdict = data
        self.send(src, verdict)


class _Poller(Process):
    """A process that does one batch of work every ``interval`` and crashes where its hooks say."""

    def __init__(self, pid: str, interval: float, hooks: CrashInjector, metrics: Metrics, restart_s: float) -> None:
        super().__init__(pid)
        self.interval, self.hooks, self.metrics, self.restart_s = interval, hooks, metrics, restart_s
        self.last = -1  # items handled at the last poll (-1: none yet)

    def on_start(self) -> None:
        self.set_timer("poll", self.interval)

    def work(self) -> int:  # pragma: no cover - overridden
        """One batch; returns how many items it handled."""
        raise NotImplementedError

    def on_timer(self, name: str, data: Any) -> None:
        try:
            handled = self.work()
        except Crashed as crash:
            crash_and_restart(self, f"crash point {crash.point}", self.metrics, self.restart_s)
            return
        self.last = handled
        # a full batch means more may be waiting: go again at once; otherwise wait for the next poll
        self.set_timer("poll", 0.0 if handled >= BATCH else self.interval)


class RelayProcess(_Poller):
    """The outbox relay on the kernel; after each batch it wakes the notifier (whose blocking
    ``XREADGROUP ... BLOCK`` would return as soon as the entries arrive)."""

    def __init__(self, relay: Relay, config: BankConfig, metrics: Metrics) -> None:
        super().__init__("relay", config.relay_interval_s, relay.hooks, metrics, config.restart_s)
        self.relay = relay

    def work(self) -> int:
        """Ship one batch of unsent rows."""
        shipped = self.relay.run_once()
        if shipped:
            self.send("notifier", WAKE)
        return shipped


class NotifierProcess(_Poller):
    """The notifier on the kernel: a consumer of the stream with an inbox."""

    def __init__(self, consumer: Consumer, config: BankConfig, metrics: Metrics) -> None:
        super().__init__("notifier", NOTIFIER_POLL_S, consumer.hooks, metrics, config.restart_s)
        self.consumer = consumer
        self.started_once = False

    def on_start(self) -> None:
        """Take over this consumer's own pending entries (delivered before a crash, never acknowledged)."""
        if self.started_once:
            try:
                self.consumer.take_over()
            except Crashed as crash:
                crash_and_restart(self, f"crash point {crash.point}", self.metrics, self.restart_s)
                return
        self.started_once = True
        super().on_start()

    def on_message(self, src: Hashable, msg: Any) -> None:
        """New entries: read them now rather than at the next poll."""
        if msg == WAKE and not self.timer_pending("wake"):
            self.set_timer("wake", 0.0)

    def work(self) -> int:
        """Handle the entries delivered since the last poll."""
        return self.consumer.poll(BATCH)
