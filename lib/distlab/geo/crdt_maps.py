"""Maps that merge: an observed-remove map of multi-value registers, and a last-writer-wins map.

* **ORMap** -- each key holds a multi-value register, and the keys form an observed-remove set:
  the dot-store map of Almeida, Shoker and Baquero ("Delta state replicated data types", 2018) with
  MV-registers embedded, all sharing one causal context. A ``put`` replaces the values of the key its
  replica has seen; concurrent puts to a key are all kept (siblings); a ``remove`` takes out only
  what its replica has seen, so a put concurrent with a remove survives it (add-wins).
* **LWWMap** -- each key holds a :class:`~distlab.geo.crdt_registers.LWWRegister`; a remove writes a
  tombstone (``None``). Concurrent writes to a key: the highest ``(timestamp, node)`` wins, whatever
  the writers saw. It is the map the Yjs comparison (``yjs``) sets beside Yjs's ``Map``, whose
  concurrent writes are also decided by one value per key -- by the higher client id, not a clock.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from distlab.geo.crdt_base import Crdt, show
from distlab.geo.crdt_dots import DotStore, merge_stores
from distlab.geo.crdt_registers import LWWRegister
from distlab.geo.vclock import EMPTY, VersionVector

__all__ = ["LWWMap", "ORMap"]

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class ORMap(Crdt, Generic[K]):
    """Observed-remove map of multi-value registers: ``entries[key]`` is the key's live dots.

    >>> base = ORMap().put("colour", "red", "A")
    >>> a = base.put("colour", "blue", "A"); b = base.put("colour", "green", "B")
    >>> sorted(a.merge(b).get("colour"))                  # concurrent puts: both kept
    ['blue', 'green']
    >>> base.remove("colour").merge(b).get("colour")      # a put concurrent with a remove survives
    frozenset({'green'})
    """

    entries: Mapping[K, DotStore[Any]] = field(default_factory=dict)
    context: VersionVector = EMPTY

    def put(self, key: K, value: Any, node: str) -> ORMap[K]:
        """``node`` writes ``value`` at ``key``, replacing the values there this replica has seen."""
        dot = self.context.next_dot(node)
        entries = dict(self.entries)
        entries[key] = {node: {dot.counter: value}}
        return ORMap(entries, self.context.increment(node))

    def remove(self, key: K) -> ORMap[K]:
        """Remove ``key`` as this replica sees it (puts it has not seen survive the merge)."""
        if key not in self.entries:
            return self
        return ORMap({k: v for k, v in self.entries.items() if k != key}, self.context)

    def merge(self, other: ORMap[K]) -> ORMap[K]:
        mine, theirs = self.entries, other.entries
        entries: dict[K, DotStore[Any]] = {}
        for key in [*mine, *(k for k in theirs if k not in mine)]:
            store = merge_stores(mine.get(key, {}), self.context, theirs.get(key, {}), other.context)
            if store:
                entries[key] = store
        return ORMap(entries, self.context.merge(other.context))

    def get(self, key: K) -> frozenset[Any]:
        """The values at ``key`` (empty when absent; more than one after concurrent puts)."""
        return frozenset(v for node_dots in self.entries.get(key, {}).values() for v in node_dots.values())

    def value(self) -> dict[K, frozenset[Any]]:
        return {key: self.get(key) for key in self.entries}

    def __str__(self) -> str:
        return f"ORMap{show(self.value())} seen {self.context}"


@dataclass(frozen=True)
class LWWMap(Crdt, Generic[K]):
    """Last-writer-wins map: one :class:`LWWRegister` per key, ``None`` the tombstone of a remove.

    >>> a = LWWMap().put("k", "A's", 2.0, "A"); b = LWWMap().put("k", "B's", 1.0, "B")
    >>> a.merge(b).value()
    {'k': "A's"}
    """

    registers: Mapping[K, LWWRegister] = field(default_factory=dict)

    def put(self, key: K, value: Any, stamp: float, node: str) -> LWWMap[K]:
        """``node`` writes ``value`` (not None: None marks a removed key) at its clock's ``stamp``."""
        if value is None:
            raise ValueError("value must not be None (None is the tombstone of a removed key)")
        return self._write(key, value, stamp, node)

    def remove(self, key: K, stamp: float, node: str) -> LWWMap[K]:
        """``node`` removes ``key`` at ``stamp``: a tombstone that wins or loses like any write."""
        return self._write(key, None, stamp, node)

    def _write(self, key: K, value: Any, stamp: float, node: str) -> LWWMap[K]:
        registers = dict(self.registers)
        registers[key] = registers.get(key, LWWRegister()).assign(value, stamp, node)
        return LWWMap(registers)

    def merge(self, other: LWWMap[K]) -> LWWMap[K]:
        registers = dict(self.registers)
        for key, theirs in other.registers.items():
            mine = registers.get(key)
            registers[key] = theirs if mine is None else mine.merge(theirs)
        return LWWMap(registers)

    def value(self) -> dict[K, Any]:
        return {k: r.value() for k, r in self.registers.items() if r.value() is not None}

    def __str__(self) -> str:
        return f"LWWMap{show(self.value())}"
