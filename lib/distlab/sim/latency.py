"""Latency distributions for network links.

Each distribution is a small frozen object with ``sample(rng) -> seconds``; the random generator is
always passed in (never the global ``random``), so a link's delays depend only on the seed.
Times are in **seconds** throughout the kernel; ``ms(x)`` converts from milliseconds.
"""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass


def ms(x: float) -> float:
    """Milliseconds to seconds: ``ms(15) == 0.015``."""
    return x / 1000.0


def _check_nonneg(name: str, value: float) -> None:
    if not isinstance(value, (int, float)) or math.isnan(value) or value < 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number >= 0 seconds, got {value!r}")


class Latency:
    """Base class: a distribution of one-way message delays, in seconds."""

    def sample(self, rng: random.Random) -> float:  # pragma: no cover - abstract
        """One delay in seconds (>= 0), drawn from ``rng`` alone (the network's named stream), so
        the delays depend only on the seed."""
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - abstract
        """The expected delay in seconds (what a timeout or a round trip is sized against)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(Latency):
    """Every message takes exactly ``delay`` seconds: no jitter, so a schedule's timing is exact."""

    delay: float

    def __post_init__(self) -> None:
        _check_nonneg("delay", self.delay)

    def sample(self, rng: random.Random) -> float:
        return self.delay

    @property
    def mean(self) -> float:
        return self.delay


@dataclass(frozen=True)
class Uniform(Latency):
    """A delay drawn uniformly from ``[low, high]`` seconds."""

    low: float
    high: float

    def __post_init__(self) -> None:
        _check_nonneg("low", self.low)
        _check_nonneg("high", self.high)
        if self.high < self.low:
            raise ValueError(f"high must be >= low ({self.low}), got {self.high}")

    def sample(self, rng: random.Random) -> float:
        return self.low + (self.high - self.low) * rng.random()

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Exponential(Latency):
    """``offset`` plus an exponential tail with the given mean (a common model of queueing delay)."""

    tail_mean: float
    offset: float = 0.0

    def __post_init__(self) -> None:
        _check_nonneg("offset", self.offset)
        _check_nonneg("tail_mean", self.tail_mean)
        if self.tail_mean == 0:
            raise ValueError("tail_mean must be > 0 seconds (use Constant for a fixed delay)")

    def sample(self, rng: random.Random) -> float:
        return self.offset + rng.expovariate(1.0 / self.tail_mean)

    @property
    def mean(self) -> float:
        return self.offset + self.tail_mean


@dataclass(frozen=True)
class Normal(Latency):
    """Normal(mean, sd) folded at zero (``|x|``), as Brooker's backoff simulator draws delays."""

    mu: float
    sd: float

    def __post_init__(self) -> None:
        _check_nonneg("mu", self.mu)
        _check_nonneg("sd", self.sd)

    def sample(self, rng: random.Random) -> float:
        return abs(rng.gauss(self.mu, self.sd))

    @property
    def mean(self) -> float:
        return self.mu  # close enough when sd << mu, which is the regime used here


@dataclass(frozen=True)
class Empirical(Latency):
    """Resamples measured delays uniformly (e.g. a recorded RTT/2 trace)."""

    samples: tuple[float, ...]

    def __init__(self, samples: Sequence[float]):
        values = tuple(float(s) for s in samples)
        if not values:
            raise ValueError("samples must contain at least one delay")
        for i, v in enumerate(values):
            _check_nonneg(f"samples[{i}]", v)
        object.__setattr__(self, "samples", values)

    def sample(self, rng: random.Random) -> float:
        return self.samples[int(rng.random() * len(self.samples))]

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples)
