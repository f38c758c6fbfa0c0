"""Saturation with the coherence rule: deciding a serialization when each read's writer is known.

When values are unique, each read names the write it saw (*reads-from*). Legality then forces
edges: a read comes after its write, and any other write to that key goes either before the write or
after the read -- the *coherence* rule used by Gibbons & Korach's and Bouajjani et al.'s checkers.
:func:`saturate` adds every edge that is forced, to a fixpoint, on a strict partial order kept
transitively closed as ancestor and descendant bitmasks; a cycle proves the violation at once.
:func:`resolve` then decides each remaining choice (a write before the write a read saw, or after
the read) depth-first, saturating after each; once no choice is open, every linear extension is
legal. Used by :func:`~distlab.consistency.serialization.find_serialization`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from distlab.consistency.bitsets import ancestors, closure_of
from distlab.consistency.verdict import Budget
from distlab.sim.history import Op

__all__ = ["saturate", "resolve"]

ReadsFrom = dict[int, "int | None"]
"""Reader position -> writer position (``None``: it read the initial value)."""


class _Cycle(Exception):
    """The edges asked for contradict the order (they would close a cycle)."""


class _Order:
    """A strict partial order kept transitively closed: ancestor and descendant bitmasks."""

    def __init__(self, anc: list[int], desc: list[int]) -> None:
        self.anc, self.desc = anc, desc

    @classmethod
    def of(cls, masks: list[int], budget: Budget) -> _Order | None:
        """The order closing ``masks`` (each node's direct predecessors), or ``None`` on a cycle."""
        anc = ancestors(masks, budget.tick)
        if anc is None:
            return None
        desc = [0] * len(anc)
        for i, rest in enumerate(anc):          # i is a descendant of each of its ancestors
            budget.tick(1 + rest.bit_count() // 32)
            bit = 1 << i
            while rest:                         # the set bits, walked inline (hot loop)
                low = rest & -rest
                desc[low.bit_length() - 1] |= bit
                rest ^= low
        return cls(anc, desc)

    def copy(self) -> _Order:
        return _Order(list(self.anc), list(self.desc))

    def order(self, sources: int, targets: int) -> bool:
        """Every node in ``sources`` before every node in ``targets``; True if anything changed.
        Raises :class:`_Cycle` if that contradicts the order."""
        anc, desc = self.anc, self.desc
        up = closure_of(anc, sources)
        down = closure_of(desc, targets)
        if up & down:
            raise _Cycle
        changed = False
        rest = down                            # the set bits of `down`, walked inline (hot loop)
        while rest:
            low = rest & -rest
            d = low.bit_length() - 1
            rest ^= low
            if up & ~anc[d]:
                anc[d] |= up
                changed = True
        if changed:
            rest = up
            while rest:
                low = rest & -rest
                desc[low.bit_length() - 1] |= down
                rest ^= low
        return changed

    def saturate(self, nodes: Sequence[Op], reads_from: ReadsFrom, key_mask: dict[Any, int],
                 budget: Budget) -> None:
        """Add every edge the coherence rule forces, to a fixpoint. Raises :class:`_Cycle`."""
        anc, desc = self.anc, self.desc
        changed = True
        while changed:
            changed = False
            for r, w in reads_from.items():
                budget.tick(16)                     # an `order` call can touch every node: look at
                rb = 1 << r                         # the clock every 16 reads, not every 256
                same = key_mask.get(nodes[r].key, 0) & ~rb
                if w is None:                       # read the initial value: every write after it
                    if same & ~desc[r]:
                        changed |= self.order(rb, same)
                    continue
                wb = 1 << w
                same &= ~wb
                if not (anc[r] & wb):
                    changed |= self.order(wb, rb)
                before = anc[r] & same              # written before the read: before its write too
                if before & ~anc[w]:
                    changed |= self.order(before, wb)
                after = desc[w] & same              # written after its write: after the read too
                if after & ~desc[r]:
                    changed |= self.order(rb, after)


def _key_masks(nodes: Sequence[Op]) -> dict[Any, int]:
    """Per key, the bitmask of the writes to it."""
    key_mask: dict[Any, int] = {}
    for i, o in enumerate(nodes):
        if not o.is_read:
            key_mask[o.key] = key_mask.get(o.key, 0) | (1 << i)
    return key_mask


def saturate(nodes: Sequence[Op], masks: list[int], reads_from: ReadsFrom,
             budget: Budget | None = None) -> list[int] | None:
    """Ancestor bitmasks closed under the edges and the coherence rule; ``None`` on a cycle."""
    budget = budget or Budget(None)
    start = _Order.of(masks, budget)
    if start is None:
        return None
    try:
        start.saturate(nodes, reads_from, _key_masks(nodes), budget)
    except _Cycle:
        return None
    return start.anc


def _conflict(nodes: Sequence[Op], order: _Order, reads_from: ReadsFrom,
              key_mask: dict[Any, int]) -> tuple[int, int, int] | None:
    """A read r (writer w) and a same-key write x not yet ordered before w or after r."""
    anc, desc = order.anc, order.desc
    for r, w in reads_from.items():
        if w is None:
            continue
        open_ = key_mask.get(nodes[r].key, 0) & ~(1 << r) & ~(1 << w) & ~anc[w] & ~desc[r]
        if open_:
            return r, w, (open_ & -open_).bit_length() - 1
    return None


def resolve(nodes: Sequence[Op], masks: list[int], reads_from: ReadsFrom, budget: Budget) -> list[int] | None:
    """Decide every coherence choice (x before w, or x after r) with saturation after each one.

    A depth-first search over *choices*, not over orders: once no choice is open, every linear
    extension of the saturated order is legal, so we return a topological order.
    """
    start = _Order.of(masks, budget)
    if start is None:
        return None
    key_mask = _key_masks(nodes)
    stack: list[tuple[_Order, tuple[int, int] | None]] = [(start, None)]   # (order, edge to add)
    while stack:
        budget.tick()
        order, edge = stack.pop()
        try:
            if edge is not None:
                order.order(1 << edge[0], 1 << edge[1])
            order.saturate(nodes, reads_from, key_mask, budget)
        except _Cycle:
            continue
        open_ = _conflict(nodes, order, reads_from, key_mask)
        if open_ is None:
            return _topological(order.anc, nodes)
        r, w, x = open_
        stack.append((order.copy(), (r, x)))       # x after the read
        stack.append((order, (x, w)))              # x before the write the read saw
    return None


def _topological(anc: list[int], nodes: Sequence[Op]) -> list[int]:
    """Nodes ordered so that each comes after all its ancestors (ties by invocation)."""
    return sorted(range(len(anc)), key=lambda i: (bin(anc[i]).count("1"), nodes[i].invoke, i))
