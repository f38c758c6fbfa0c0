"""Backpressure: a bounded queue between a producer and a slower consumer, and what it buys.

A producer offers work at ``arrival_rate`` (Poisson); one consumer serves at ``service_rate``
(exponential service times). When arrivals outpace service the queue has three choices:

* ``"unbounded"`` -- accept everything: the queue, the memory and every item's latency grow without
  bound (linearly in time when ``arrival_rate > service_rate``); nothing is refused, everything is late;
* ``"shed"``     -- a bounded queue of ``capacity`` drops arrivals when full: latency stays bounded,
  the excess is refused at once;
* ``"block"``    -- a bounded queue that makes the producer wait when full: the slowdown propagates
  upstream (the producer's own rate falls to the consumer's), which is what backpressure means.

Little's law, ``L = lambda * W`` (time-average number in the system = throughput x mean time in the
system), holds for any stable queue; :attr:`BackpressureResult.littles_law_gap` reports how closely
the simulation obeys it. The event loop is two candidate events (next arrival, next departure), so it
needs no heap; it is seeded and deterministic.
"""
from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from distlab.validate import ParameterTypeError, choice, integer, number

MODES = ("unbounded", "shed", "block")


@dataclass(frozen=True)
class BackpressureConfig:
    """One bounded-queue run: arrivals and service per second, the queue's capacity, and what a full
    queue does (``mode``: grow without bound, shed the newcomer, or block the producer)."""

    arrival_rate: float = 120.0
    service_rate: float = 100.0
    capacity: int = 50
    mode: str = "shed"
    duration: float = 60.0
    sample_every: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("arrival_rate", "service_rate", "duration", "sample_every"):
            number(name, getattr(self, name), low=0, low_open=True)
        choice("mode", self.mode, MODES)
        integer("capacity", self.capacity)
        integer("seed", self.seed, low=None)


@dataclass(frozen=True)
class BackpressureResult:
    """What a bounded-queue run measured: the queue over time, end-to-end latencies, what was served,
    dropped or held back, and Little's law's three quantities."""

    config: BackpressureConfig
    sample_times: list[float]
    queue_lengths: list[int]
    latencies: list[float]  # end to end, from when the producer created the item (blocking included)
    offered: int
    served: int
    dropped: int
    blocked_time: float
    mean_in_system: float  # L, time average
    mean_time_in_system: float  # W, from entering the queue to leaving service
    throughput: float  # lambda_eff = served / duration

    @property
    def littles_law_gap(self) -> float:
        """Relative gap between L and lambda*W (small for any run long enough to be stable)."""
        lw = self.throughput * self.mean_time_in_system
        return abs(self.mean_in_system - lw) / max(lw, 1e-12)

    @property
    def peak_queue(self) -> int:
        """The longest the queue got."""
        return max(self.queue_lengths, default=0)


def simulate_backpressure(config: BackpressureConfig) -> BackpressureResult:
    """Run one bounded queue (Poisson arrivals, exponential service, one server) for
    ``config.duration`` seconds and measure what a full queue did to latency and throughput."""
    if not isinstance(config, BackpressureConfig):
        raise ParameterTypeError(f"config must be a BackpressureConfig, got {config!r}")
    run = _QueueRun(config)
    while True:
        t = min(run.next_arrival, run.service_end, config.duration)
        run.advance_to(t)
        if t >= config.duration:
            break
        if run.service_end <= run.next_arrival:
            run.finish_service()
        else:
            run.arrive()
    return run.result()


class _QueueRun:
    """The state of one :func:`simulate_backpressure` run, advanced event by event."""

    def __init__(self, cfg: BackpressureConfig) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.now = 0.0
        self.queue: deque[tuple[float, float]] = deque()  # (created, entered) of waiting items
        self.in_service: tuple[float, float] | None = None  # the item being served, apart from the queue
        self.service_end = float("inf")
        self.next_arrival = self.rng.expovariate(cfg.arrival_rate)
        self.blocked_item: float | None = None  # created time of an item the producer holds (block mode)
        self.blocked_since = 0.0
        self.offered = self.served = self.dropped = self.in_system = 0
        self.blocked_time = self.area = self.total_w = 0.0
        self.latencies: list[float] = []
        self.times: list[float] = []
        self.lengths: list[int] = []
        self.next_sample = 0.0

    def advance_to(self, t: float) -> None:
        """Sample the queue length up to ``t`` and integrate the number in the system."""
        cfg = self.cfg
        while self.next_sample <= t and self.next_sample <= cfg.duration:
            self.times.append(self.next_sample)
            self.lengths.append(len(self.queue))
            self.next_sample += cfg.sample_every
        self.area += self.in_system * (t - self.now)
        self.now = t

    def enter(self, created: float) -> None:
        """An item enters the system now: straight into service if the server is idle."""
        self.in_system += 1
        if self.in_service is None:
            self.in_service = (created, self.now)
            self.service_end = self.now + self.rng.expovariate(self.cfg.service_rate)
        else:
            self.queue.append((created, self.now))

    def finish_service(self) -> None:
        """The item in service leaves; the next one starts, and a blocked producer hands its item over."""
        assert self.in_service is not None  # a service ends only while an item is in service
        created, entered = self.in_service
        self.served += 1
        self.in_system -= 1
        self.latencies.append(self.now - created)
        self.total_w += self.now - entered
        self.in_service, self.service_end = None, float("inf")
        if self.queue:
            self.in_service = self.queue.popleft()
            self.service_end = self.now + self.rng.expovariate(self.cfg.service_rate)
        if self.blocked_item is not None:  # room again: the waiting producer hands its item over
            self.enter(self.blocked_item)
            self.blocked_time += self.now - self.blocked_since
            self.blocked_item = None
            self.next_arrival = self.now + self.rng.expovariate(self.cfg.arrival_rate)

    def arrive(self) -> None:
        """A new item arrives: admitted, shed, or held by a blocked producer when the queue is full."""
        cfg = self.cfg
        self.offered += 1
        if cfg.mode != "unbounded" and len(self.queue) >= cfg.capacity:
            if cfg.mode == "shed":
                self.dropped += 1
                self.next_arrival = self.now + self.rng.expovariate(cfg.arrival_rate)
            else:  # block: the producer holds this item and stops producing
                self.blocked_item, self.blocked_since = self.now, self.now
                self.next_arrival = float("inf")
            return
        self.enter(self.now)
        self.next_arrival = self.now + self.rng.expovariate(cfg.arrival_rate)

    def result(self) -> BackpressureResult:
        """The measurements, once the run reached its duration."""
        cfg = self.cfg
        if self.blocked_item is not None:
            self.blocked_time += self.now - self.blocked_since
        return BackpressureResult(
            cfg, self.times, self.lengths, self.latencies, self.offered, self.served, self.dropped,
            self.blocked_time,
            mean_in_system=self.area / cfg.duration,
            mean_time_in_system=self.total_w / self.served if self.served else 0.0,
            throughput=self.served / cfg.duration,
        )
