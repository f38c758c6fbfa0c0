"""The gateway (chapter 5): a token bucket in front, a bounded priority queue, ``workers`` requests at a time.

Every transfer request first spends a token of the bucket (``gateway_rate`` per second, up to
``gateway_burst`` at once); without one it is refused at once (HTTP 429) -- cheap for everyone.
Admitted requests go to the service while fewer than ``workers`` are in flight there (the
service's thread pool); the rest wait in a :class:`~distlab.reliability.shedding.PriorityShedder`
of ``gateway_queue`` places, where a full queue sheds the least important newest request and a
request older than ``queue_timeout_s`` expires (HTTP 503): a client that has given up is not served.

A request the service never answers (it crashed) holds its worker until twice the client timeout
has passed; then the gateway forgets it.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple

from distlab.reliability.limiter import RateLimiter
from distlab.reliability.limits_spec import RateLimit
from distlab.reliability.shedding import PriorityShedder, Request
from distlab.sim import Process

from .config import BankConfig
from .messages import FAIL, Reply, TransferRequest
from .metrics import Metrics

__all__ = ["TICK_S", "Gateway"]

TICK_S = 0.1  # how often the gateway forgets requests the service never answered


class InFlight(NamedTuple):
    """A request at the service: the client that sent it and when it went."""

    client: Hashable
    sent: float


class Queued(NamedTuple):
    """A request waiting in the gateway's queue, and the client to answer."""

    client: Hashable
    msg: TransferRequest


class Gateway(Process):
    """The gateway process (see the module docstring)."""

    def __init__(self, config: BankConfig, metrics: Metrics) -> None:
        super().__init__("gateway")
        self.config, self.metrics = config, metrics

    def _sim_time(self) -> float:
        return self.sim.now

    def on_start(self) -> None:
        """An empty queue, a full bucket, no request in flight."""
        cfg = self.config
        self.bucket = RateLimiter("token-bucket", limits=RateLimit(cfg.gateway_rate, 1.0, cfg.gateway_burst),
                                  clock=self._sim_time)
        self.queue = PriorityShedder(cfg.gateway_queue, on_expire=self._expired, keep_log=False) \
            if cfg.gateway_queue else None
        self.in_flight: dict[int, InFlight] = {}
        self.set_timer("tick", TICK_S)

    def on_message(self, src: Hashable, msg: Any) -> None:
        """A client's request, or the service's reply to one."""
        if isinstance(msg, TransferRequest):
            self._admit(src, msg)
        elif isinstance(msg, Reply):
            entry = self.in_flight.pop(msg.request, None)
            if entry is not None:
                self.send(entry.client, msg)
            self._drain()

    def on_timer(self, name: str, data: Any) -> None:
        """Forget requests the service will never answer, and serve the queue."""
        stale = self.sim.now - 2 * self.config.client_timeout_s
        for request in [r for r, entry in self.in_flight.items() if entry.sent < stale]:
            del self.in_flight[request]
        self._drain()
        self.set_timer("tick", TICK_S)

    def _refuse(self, client: Hashable, msg: TransferRequest, kind: str, reason: str) -> None:
        self.metrics.note(self.sim.now, kind, msg.key)
        self.send(client, Reply(msg.request, FAIL, kind, reason))

    def _admit(self, src: Hashable, msg: TransferRequest) -> None:
        if not self.bucket.hit():
            self._refuse(src, msg, "rate limited", "429: the gateway's token bucket is empty")
            return
        if len(self.in_flight) < self.config.workers:
            self._forward(src, msg)
            return
        if self.queue is None:
            self._refuse(src, msg, "shed", "503: every worker is busy and there is no queue")
            return
        victim = self.queue.offer(msg.priority, self.sim.now, self.sim.now + self.config.queue_timeout_s,
                                  Queued(src, msg))
        if victim is not None:
            queued: Queued = victim.item  # type: ignore[assignment]
            self._refuse(queued.client, queued.msg, "shed", "503: the gateway's queue is full")

    def _forward(self, src: Hashable, msg: TransferRequest) -> None:
        self.in_flight[msg.request] = InFlight(src, self.sim.now)
        self.send("service", msg)

    def _drain(self) -> None:
        while self.queue is not None and len(self.in_flight) < self.config.workers:
            req = self.queue.take(self.sim.now)
            if req is None:
                return
            queued: Queued = req.item  # type: ignore[assignment]
            self._forward(queued.client, queued.msg)

    def _expired(self, req: Request) -> None:
        queued: Queued = req.item  # type: ignore[assignment]
        self._refuse(queued.client, queued.msg, "expired", "503: waited longer than the queue timeout")
