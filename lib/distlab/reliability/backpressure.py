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

MODES = ("unbounded", "shed", "block")


@dataclass(frozen=True)
class BackpressureConfig:
    arrival_rate: float = 120.0
    service_rate: float = 100.0
    capacity: int = 50
    mode: str = "shed"
    duration: float = 60.0
    sample_every: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("arrival_rate", "service_rate", "duration", "sample_every"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if not isinstance(self.capacity, int) or self.capacity < 1:
            raise ValueError(f"capacity must be an integer >= 1, got {self.capacity!r}")


@dataclass(frozen=True)
class BackpressureResult:
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
        return max(self.queue_lengths, default=0)


def simulate_backpressure(config: BackpressureConfig) -> BackpressureResult:
    cfg = config
    rng = random.Random(cfg.seed)
    bounded = cfg.mode != "unbounded"
    now = 0.0
    queue: deque[tuple[float, float]] = deque()  # (created, entered) of waiting items; the one in service apart
    in_service: tuple[float, float] | None = None
    service_end = float("inf")
    next_arrival = rng.expovariate(cfg.arrival_rate)
    blocked_item: float | None = None  # created time of an item the producer is holding (block mode)
    blocked_since = 0.0
    offered = served = dropped = 0
    blocked_time = area = total_w = 0.0
    latencies: list[float] = []
    times: list[float] = []
    lengths: list[int] = []
    next_sample = 0.0
    in_system = 0

    def enter(created: float, t: float) -> None:
        nonlocal in_service, service_end, in_system
        in_system += 1
        if in_service is None:
            in_service = (created, t)
            service_end = t + rng.expovariate(cfg.service_rate)
        else:
            queue.append((created, t))

    while True:
        t = min(next_arrival, service_end, cfg.duration)
        while next_sample <= t and next_sample <= cfg.duration:
            times.append(next_sample)
            lengths.append(len(queue))
            next_sample += cfg.sample_every
        area += in_system * (t - now)
        now = t
        if now >= cfg.duration:
            break
        if service_end <= next_arrival:
            assert in_service is not None  # a service ends only while an item is in service
            created, entered = in_service
            served += 1
            in_system -= 1
            latencies.append(now - created)
            total_w += now - entered
            in_service, service_end = None, float("inf")
            if queue:
                in_service = queue.popleft()
                service_end = now + rng.expovariate(cfg.service_rate)
            if blocked_item is not None:  # room again: the waiting producer hands its item over
                enter(blocked_item, now)
                blocked_time += now - blocked_since
                blocked_item = None
                next_arrival = now + rng.expovariate(cfg.arrival_rate)
            continue
        offered += 1
        if bounded and len(queue) >= cfg.capacity:
            if cfg.mode == "shed":
                dropped += 1
                next_arrival = now + rng.expovariate(cfg.arrival_rate)
            else:  # block: the producer holds this item and stops producing
                blocked_item, blocked_since = now, now
                next_arrival = float("inf")
            continue
        enter(now, now)
        next_arrival = now + rng.expovariate(cfg.arrival_rate)
    if blocked_item is not None:
        blocked_time += now - blocked_since
    return BackpressureResult(
        cfg, times, lengths, latencies, offered, served, dropped, blocked_time,
        mean_in_system=area / cfg.duration,
        mean_time_in_system=total_w / served if served else 0.0,
        throughput=served / cfg.duration,
    )
