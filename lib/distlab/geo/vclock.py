"""Version vectors, dots and Dynamo-style siblings: the causal bookkeeping of chapter 4.

A **version vector** maps each replica to how many of its updates are known (Parker et al. 1983;
Dynamo calls it a vector clock, DeCandia et al. 2007). Two vectors are ordered when one is at least
the other entry by entry; otherwise the updates they describe are **concurrent** -- neither saw the
other -- and that is exactly what last-writer-wins cannot tell from timestamps.

A **dot** ``(node, counter)`` names one update: the ``counter``-th event of ``node``. A vector
*contains* a dot when its entry for that node has reached the counter; the optimized OR-Set, the
multi-value register and the OR-Map (``crdt_dots``) keep dots and a vector as their causal context.

:class:`Siblings` is the version-vector policy of ``conflicts``: every value keeps the vector of
the write that made it, a merge keeps every value no other dominates, and a write supersedes all the
siblings its client read. Concurrent writes are surfaced, never dropped.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["Dot", "Order", "Siblings", "VersionVector", "Versioned"]


class Order(enum.Enum):
    """How two version vectors (and so the updates they describe) are ordered."""

    BEFORE = "before"          # every entry <=, one <: the first happened before the second
    AFTER = "after"
    EQUAL = "equal"
    CONCURRENT = "concurrent"  # each has an entry above the other's: neither saw the other


class Dot(NamedTuple):
    """One update: the ``counter``-th event (from 1) of replica ``node``."""

    node: str
    counter: int

    def __str__(self) -> str:
        return f"{self.node}{self.counter}"


@dataclass(frozen=True)
class VersionVector:
    """An immutable version vector: replica -> number of its updates seen (absent means 0).

    >>> a = VersionVector.of(A=2); b = VersionVector.of(A=1, B=1)
    >>> a.compare(b), str(a.merge(b))
    (<Order.CONCURRENT: 'concurrent'>, '[A:2 B:1]')
    """

    counts: Mapping[str, int]

    def __post_init__(self) -> None:
        for node, count in self.counts.items():
            if not isinstance(node, str) or not isinstance(count, int) or count < 1:
                raise ValueError(f"counts must map replica names to integers >= 1, got {node!r}: {count!r}")

    @classmethod
    def of(cls, **counts: int) -> VersionVector:
        """A vector from keywords, e.g. ``VersionVector.of(A=2, B=1)`` (zero entries are left out)."""
        return cls({node: c for node, c in counts.items() if c})

    def get(self, node: str) -> int:
        """How many of ``node``'s updates this vector has seen."""
        return self.counts.get(node, 0)

    def contains(self, dot: Dot) -> bool:
        """Whether the update ``dot`` is in this vector's past (or is its last event)."""
        return dot.counter <= self.counts.get(dot.node, 0)

    def next_dot(self, node: str) -> Dot:
        """The dot ``node``'s next update gets."""
        return Dot(node, self.counts.get(node, 0) + 1)

    def increment(self, node: str) -> VersionVector:
        """This vector with one more update of ``node``."""
        counts = dict(self.counts)
        counts[node] = counts.get(node, 0) + 1
        return VersionVector(counts)

    def merge(self, other: VersionVector) -> VersionVector:
        """The entry-wise maximum: everything either vector has seen."""
        if other.counts.items() <= self.counts.items():
            return self
        counts = dict(self.counts)
        for node, c in other.counts.items():
            if c > counts.get(node, 0):
                counts[node] = c
        return VersionVector(counts)

    def __le__(self, other: VersionVector) -> bool:
        get = other.counts.get
        return all(c <= get(node, 0) for node, c in self.counts.items())

    def __lt__(self, other: VersionVector) -> bool:
        return self != other and self <= other

    def compare(self, other: VersionVector) -> Order:
        """:class:`Order` of this vector relative to ``other``."""
        below, above = self <= other, other <= self
        if below and above:
            return Order.EQUAL
        if below:
            return Order.BEFORE
        return Order.AFTER if above else Order.CONCURRENT

    def concurrent(self, other: VersionVector) -> bool:
        """Neither vector has seen everything the other has."""
        return not (self <= other or other <= self)

    def __hash__(self) -> int:
        return hash(frozenset(self.counts.items()))

    def __str__(self) -> str:
        return "[" + " ".join(f"{node}:{c}" for node, c in sorted(self.counts.items())) + "]"


EMPTY = VersionVector({})


def merge_all(vectors: Iterable[VersionVector]) -> VersionVector:
    """The entry-wise maximum of any number of vectors (the empty vector for none)."""
    out = EMPTY
    for vector in vectors:
        out = out.merge(vector)
    return out


class Versioned(NamedTuple):
    """One sibling: a value, the vector of the write that made it, and that write's id."""

    clock: VersionVector
    value: Any
    write: int


def _canonical(versions: Iterable[Versioned]) -> tuple[Versioned, ...]:
    """Drop every version another dominates (and repeats), in the order they were written."""
    pool = {v.clock: v for v in versions}
    kept = [v for v in pool.values() if not any(v.clock < w for w in pool)]
    return tuple(sorted(kept, key=lambda v: (v.write, sorted(v.clock.counts.items()))))


@dataclass(frozen=True)
class Siblings:
    """A key's versions under the version-vector policy (Dynamo, DeCandia et al. 2007, section 4.4).

    ``versions`` holds every value no other version dominates; more than one means the writes were
    concurrent and the reader must reconcile them (Dynamo's shopping cart merges by union).
    """

    versions: tuple[Versioned, ...] = ()

    def context(self) -> VersionVector:
        """What a client that read every sibling has seen: the merge of their vectors."""
        return merge_all(v.clock for v in self.versions)

    def put(self, node: str, value: Any, write: int) -> Siblings:
        """A write coordinated by ``node`` by a client that read (and so supersedes) every sibling."""
        return Siblings((Versioned(self.context().increment(node), value, write),))

    def merge(self, other: Siblings) -> Siblings:
        """Every version of either side that no version of either side dominates."""
        if other.versions == self.versions:
            return self
        return Siblings(_canonical(self.versions + other.versions))

    def values(self) -> tuple[Any, ...]:
        """The sibling values, in the order they were written (by write id)."""
        return tuple(v.value for v in self.versions)
