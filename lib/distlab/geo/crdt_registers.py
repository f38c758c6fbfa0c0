"""Registers that merge: last-writer-wins and multi-value (Shapiro et al. 2011, §3.2).

* **LWW-Register** -- each write carries a timestamp and its replica's name; merge keeps the write
  with the highest ``(timestamp, node)``. One value, always -- and every concurrent write but one
  is thrown away. With physical clocks that disagree, even a write that *saw* the winner and meant
  to replace it can lose (``conflicts`` counts those losses).
* **MV-Register** (multi-value) -- a write replaces the values its replica has seen; concurrent
  writes all survive, as siblings, until a later write that saw them replaces them. Here it is a dot
  store with a version-vector context (``crdt_dots``; Almeida et al. 2018), which behaves as the
  version-vector register of Shapiro et al. and as Dynamo's siblings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from distlab.geo.crdt_base import Crdt, show
from distlab.geo.crdt_dots import DotStore, live_dots, merge_stores
from distlab.geo.vclock import EMPTY, Dot, VersionVector

__all__ = ["LWWRegister", "MVRegister", "Stamped"]


class Stamped(NamedTuple):
    """One LWW write: ordered by ``(stamp, node)``, so equal timestamps are broken by replica name."""

    stamp: float
    node: str
    value: Any


@dataclass(frozen=True)
class LWWRegister(Crdt):
    """Last-writer-wins register: keeps the write with the highest ``(stamp, node)``.

    A replica's clock must never give two of its writes the same stamp (then ``(stamp, node)``
    names one write and merge is a join).

    >>> a = LWWRegister().assign("x", 2.0, "A"); b = LWWRegister().assign("y", 1.0, "B")
    >>> a.merge(b).value(), b.merge(a).value()
    ('x', 'x')
    """

    entry: Stamped | None = None

    def assign(self, value: Any, stamp: float, node: str) -> LWWRegister:
        """``node`` writes ``value`` at time ``stamp`` (its own clock's reading). A stamp below
        the current entry's is accepted and immediately loses -- that is what LWW does."""
        return self.merge(LWWRegister(Stamped(stamp, node, value)))

    def merge(self, other: LWWRegister) -> LWWRegister:
        mine, theirs = self.entry, other.entry
        if theirs is None or (mine is not None and (mine.stamp, mine.node) >= (theirs.stamp, theirs.node)):
            return self
        return other

    def value(self) -> Any:
        return None if self.entry is None else self.entry.value

    def __str__(self) -> str:
        e = self.entry
        return "LWWRegister(empty)" if e is None else f"LWWRegister({show(e.value)} @ {e.stamp:g} by {e.node})"


@dataclass(frozen=True)
class MVRegister(Crdt):
    """Multi-value register: every write no other write has seen is kept (a sibling).

    >>> base = MVRegister().assign(1, "A")
    >>> sorted(base.assign(2, "A").merge(base.assign(3, "B")).value())   # concurrent: both kept
    [2, 3]
    """

    dots: DotStore[Any] = field(default_factory=dict)
    context: VersionVector = EMPTY

    def assign(self, value: Any, node: str) -> MVRegister:
        """``node`` writes ``value``, replacing every value this replica has seen."""
        dot = self.context.next_dot(node)
        return MVRegister({node: {dot.counter: value}}, self.context.increment(node))

    def merge(self, other: MVRegister) -> MVRegister:
        return MVRegister(merge_stores(self.dots, self.context, other.dots, other.context),
                          self.context.merge(other.context))

    def value(self) -> frozenset[Any]:
        return frozenset(v for node_dots in self.dots.values() for v in node_dots.values())

    def siblings(self) -> tuple[tuple[Dot, Any], ...]:
        """Each live write's dot and value, replica by replica."""
        return tuple(live_dots(self.dots))

    def __str__(self) -> str:
        shown = ", ".join(f"{show(v)}@{dot}" for dot, v in self.siblings())
        return f"MVRegister{{{shown}}} seen {self.context}"
