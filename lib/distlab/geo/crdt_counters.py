"""Counters that lose no increment: the G-Counter and the PN-Counter (Shapiro et al. 2011, §3.1).

A counter kept as one number cannot be merged: two replicas at 5 that each add 1 both say 6, and
neither ``max`` (6) nor ``+`` (12) is right. The G-Counter keeps **one entry per replica**, each
replica only raises its own, and merge takes the maximum per replica -- so an increment is never
counted twice (max is idempotent) and never lost (nothing lowers an entry). The value is the sum.
A PN-Counter is two G-Counters, one for increments and one for decrements.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from distlab.geo.crdt_base import Crdt

__all__ = ["GCounter", "PNCounter"]


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise ValueError(f"amount must be an integer >= 1, got {amount!r}")


@dataclass(frozen=True)
class GCounter(Crdt):
    """A grow-only counter: ``counts[node]`` is the total ``node`` added.

    >>> a = GCounter().increment("A"); b = GCounter().increment("B", 2)
    >>> a.merge(b).value(), a.merge(b).merge(b).value()
    (3, 3)
    """

    counts: Mapping[str, int] = field(default_factory=dict)

    def increment(self, node: str, amount: int = 1) -> GCounter:
        """``node`` adds ``amount`` (an integer >= 1) to its own entry."""
        _check_amount(amount)
        counts = dict(self.counts)
        counts[node] = counts.get(node, 0) + amount
        return GCounter(counts)

    def merge(self, other: GCounter) -> GCounter:
        counts = dict(self.counts)
        for node, c in other.counts.items():
            if c > counts.get(node, 0):
                counts[node] = c
        return GCounter(counts)

    def value(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        entries = " ".join(f"{node}:{c}" for node, c in sorted(self.counts.items()))
        return f"GCounter({self.value()} = [{entries}])"


@dataclass(frozen=True)
class PNCounter(Crdt):
    """A counter that goes both ways: increments in ``p``, decrements in ``n``, value ``p - n``."""

    p: GCounter = field(default_factory=GCounter)
    n: GCounter = field(default_factory=GCounter)

    def increment(self, node: str, amount: int = 1) -> PNCounter:
        """``node`` adds ``amount`` (>= 1)."""
        return PNCounter(self.p.increment(node, amount), self.n)

    def decrement(self, node: str, amount: int = 1) -> PNCounter:
        """``node`` subtracts ``amount`` (>= 1)."""
        return PNCounter(self.p, self.n.increment(node, amount))

    def merge(self, other: PNCounter) -> PNCounter:
        return PNCounter(self.p.merge(other.p), self.n.merge(other.n))

    def value(self) -> int:
        return self.p.value() - self.n.value()

    def __str__(self) -> str:
        return f"PNCounter({self.value()} = {self.p} - {self.n})"
