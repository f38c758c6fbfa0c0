"""Sets that merge: the G-Set, the 2P-Set and the optimized OR-Set (Shapiro et al. 2011, §3.3).

* **G-Set** -- add only; merge is union. Nothing is ever lost, nothing can be taken out.
* **2P-Set** -- a G-Set of adds and a G-Set of removes (tombstones); an element is in when added
  and not removed. A remove wins forever: once removed, an element can never come back.
* **OR-Set** (observed-remove, add-wins) -- a remove takes out only the adds its replica has seen;
  an add concurrent with a remove survives it. This is the *optimized* OR-Set of Bieniusa et al.
  (2012): each add is a dot, the set keeps the live dots and a version vector of every dot seen, so
  removes leave no tombstones (see ``crdt_dots``).
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from distlab.geo.crdt_base import Crdt, show
from distlab.geo.crdt_dots import DotStore, add_dot, drop, live_dots, merge_stores
from distlab.geo.vclock import EMPTY, Dot, VersionVector

__all__ = ["GSet", "ORSet", "TwoPSet"]

E = TypeVar("E", bound=Hashable)


@dataclass(frozen=True)
class GSet(Crdt, Generic[E]):
    """A grow-only set: merge is union."""

    elements: frozenset[E] = frozenset()

    def add(self, element: E) -> GSet[E]:
        """The set with ``element`` in it."""
        return GSet(self.elements | {element})

    def merge(self, other: GSet[E]) -> GSet[E]:
        return GSet(self.elements | other.elements)

    def value(self) -> frozenset[E]:
        return self.elements

    def __str__(self) -> str:
        return f"GSet{show(self.elements)}"


@dataclass(frozen=True)
class TwoPSet(Crdt, Generic[E]):
    """Two-phase set: ``added`` and ``removed`` only grow; the value is ``added - removed``."""

    added: frozenset[E] = frozenset()
    removed: frozenset[E] = frozenset()

    def add(self, element: E) -> TwoPSet[E]:
        """Add ``element`` (invisible if it was ever removed: a 2P-Set never re-adds)."""
        return TwoPSet(self.added | {element}, self.removed)

    def remove(self, element: E) -> TwoPSet[E]:
        """Remove ``element`` if this replica sees it in the set (Shapiro et al.'s precondition);
        removing an element not in the set changes nothing."""
        if element not in self.added or element in self.removed:
            return self
        return TwoPSet(self.added, self.removed | {element})

    def merge(self, other: TwoPSet[E]) -> TwoPSet[E]:
        return TwoPSet(self.added | other.added, self.removed | other.removed)

    def value(self) -> frozenset[E]:
        return self.added - self.removed

    def __str__(self) -> str:
        return f"TwoPSet{show(self.value())} (tombstones {show(self.removed)})"


@dataclass(frozen=True)
class ORSet(Crdt, Generic[E]):
    """Observed-remove set, add-wins: ``dots`` holds the live adds (replica -> counter -> element),
    ``context`` every add this replica has seen.

    >>> base = ORSet().add("milk", "A")
    >>> gone = base.remove("milk"); again = base.add("milk", "B")   # concurrently
    >>> sorted(gone.merge(again).value())                            # the add B made survives
    ['milk']
    """

    dots: DotStore[E] = field(default_factory=dict)
    context: VersionVector = EMPTY

    def add(self, element: E, node: str) -> ORSet[E]:
        """``node`` adds ``element``: a new dot for it, replacing the dots of it this replica saw."""
        dot = self.context.next_dot(node)
        store = add_dot(drop(self.dots, lambda e: e == element), dot, element)
        return ORSet(store, self.context.increment(node))

    def remove(self, element: E) -> ORSet[E]:
        """Remove the adds of ``element`` this replica has seen (the context keeps their dots, so a
        merge knows they were removed rather than never seen)."""
        return ORSet(drop(self.dots, lambda e: e == element), self.context)

    def merge(self, other: ORSet[E]) -> ORSet[E]:
        return ORSet(merge_stores(self.dots, self.context, other.dots, other.context),
                     self.context.merge(other.context))

    def value(self) -> frozenset[E]:
        return frozenset(e for node_dots in self.dots.values() for e in node_dots.values())

    def entries(self) -> dict[E, tuple[Dot, ...]]:
        """Each element and the dots (adds) that keep it in the set."""
        out: dict[E, tuple[Dot, ...]] = {}
        for dot, element in live_dots(self.dots):
            out[element] = out.get(element, ()) + (dot,)
        return out

    def __str__(self) -> str:
        entries = self.entries()
        shown = ", ".join(f"{show(e)}@{'+'.join(map(str, entries[e]))}" for e in sorted(entries, key=repr))
        return f"ORSet{{{shown}}} seen {self.context}"
