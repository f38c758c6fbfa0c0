"""The engine under every rung below linearizability: find a legal serialization.

Most consistency models say "there is an order of (some of) the operations that (a) respects certain
*must-come-before* edges and (b) is legal for the sequential object". They differ only in *which*
operations are ordered together and *which* edges are required:

* sequential consistency: all operations, each process's program order (Lamport 1979);
* PRAM, causal and the session guarantees: one *view* per process -- all writes plus that
  process's own operations -- with edges from program order, reads-from and the like;
* consistent prefix: all writes in one real-time order, each process's reads in program order.

:func:`find_serialization` is a depth-first search over orders with three reductions:

1. memoisation of ``(placed set, state)`` (as in Wing & Gong / Lowe), so an equivalent position is
   explored once;
2. *eager reads*: a read that is enabled and legal right now can be placed immediately -- reads
   change no state, so moving one earlier never breaks an order that worked (a standard
   partial-order reduction);
3. candidates are tried in invocation order, so a history that really happened in real-time order
   is confirmed without backtracking.

Optional operations (indeterminate writes nobody observed) may be placed or skipped.

When each read's writer is known (unique values), :func:`saturate` first adds every edge legality
forces -- a read comes after its write, and any other write to that key goes either before the
write or after the read (the *coherence* rule used by Gibbons & Korach's and Bouajjani et al.'s
checkers). A cycle proves the violation at once; otherwise the search runs on a far tighter order.
"""
from __future__ import annotations

from collections.abc import Sequence

from distlab.consistency.bitsets import ancestors, closure_of
from distlab.consistency.specs import Model
from distlab.consistency.verdict import Budget
from distlab.sim.history import Op

__all__ = ["find_serialization", "saturate"]


class _Cycle(Exception):
    pass


class _Order:
    """A strict partial order kept transitively closed: ancestor and descendant bitmasks."""

    def __init__(self, anc: list[int], desc: list[int]):
        self.anc, self.desc = anc, desc

    @classmethod
    def of(cls, masks: list[int]) -> _Order | None:
        anc = ancestors(masks)
        if anc is None:
            return None
        desc = [0] * len(anc)
        for i, rest in enumerate(anc):          # i is a descendant of each of its ancestors
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

    def saturate(self, nodes: Sequence[Op], reads_from: dict, key_mask: dict, budget: Budget) -> None:
        """Add every edge the coherence rule forces, to a fixpoint. Raises :class:`_Cycle`."""
        anc, desc = self.anc, self.desc
        changed = True
        while changed:
            changed = False
            for r, w in reads_from.items():
                budget.tick()
                rb = 1 << r
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


def _key_masks(nodes: Sequence[Op]) -> dict:
    key_mask: dict = {}
    for i, o in enumerate(nodes):
        if not o.is_read:
            key_mask[o.key] = key_mask.get(o.key, 0) | (1 << i)
    return key_mask


def saturate(nodes: Sequence[Op], masks: list[int], reads_from: dict[int, int | None],
             budget: Budget | None = None) -> list[int] | None:
    """Ancestor bitmasks closed under the edges and the coherence rule; ``None`` on a cycle."""
    start = _Order.of(masks)
    if start is None:
        return None
    try:
        start.saturate(nodes, reads_from, _key_masks(nodes), budget or Budget(None))
    except _Cycle:
        return None
    return start.anc


def _conflict(nodes, order: _Order, reads_from, key_mask):
    """A read r (writer w) and a same-key write x not yet ordered before w or after r."""
    anc, desc = order.anc, order.desc
    for r, w in reads_from.items():
        if w is None:
            continue
        open_ = key_mask.get(nodes[r].key, 0) & ~(1 << r) & ~(1 << w) & ~anc[w] & ~desc[r]
        if open_:
            return r, w, (open_ & -open_).bit_length() - 1
    return None


def _resolve(nodes, masks, reads_from, budget) -> list[int] | None:
    """Decide every coherence choice (x before w, or x after r) with saturation after each one.

    A depth-first search over *choices*, not over orders: once no choice is open, every linear
    extension of the saturated order is legal, so we return a topological order.
    """
    start = _Order.of(masks)
    if start is None:
        return None
    key_mask = _key_masks(nodes)
    stack: list[tuple[_Order, tuple | None]] = [(start, None)]
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


def _topological(anc: list[int], nodes) -> list[int]:
    """Nodes ordered so that each comes after all its ancestors (ties by invocation)."""
    return sorted(range(len(anc)), key=lambda i: (bin(anc[i]).count("1"), nodes[i].invoke, i))


def find_serialization(nodes: Sequence[Op], preds: Sequence[set[int] | int], model: Model,
                       optional: set[int] | None = None, budget: Budget | None = None,
                       reads_from: dict[int, int | None] | None = None) -> list[int] | None:
    """An order of ``nodes`` (as positions into ``nodes``) or ``None`` if there is none.

    ``preds[i]``: positions that must come before node ``i`` (a set, or a bitmask int). Optional
    nodes may be left out. ``reads_from`` (reader position -> writer position, ``None`` for the
    initial value) enables :func:`saturate` first; it needs every node mandatory. State is one
    value per key (keys taken from the nodes). Raises
    :class:`~distlab.consistency.verdict.BudgetExceeded` when the budget runs out.
    """
    budget = budget or Budget(None)
    n = len(nodes)
    optional = optional or set()
    masks = [p if isinstance(p, int) else sum(1 << j for j in p) for p in preds]
    if reads_from is not None:
        if optional:
            raise ValueError("reads_from saturation needs every node mandatory (optional must be empty)")
        return _resolve(nodes, masks, reads_from, budget)
    keys = sorted({o.key for o in nodes}, key=repr)
    kpos = {k: i for i, k in enumerate(keys)}
    nk = [kpos[o.key] for o in nodes]
    is_read = [o.is_read for o in nodes]
    order = sorted(range(n), key=lambda i: (nodes[i].invoke, nodes[i].index))
    full = (1 << n) - 1
    mandatory = full & ~sum(1 << i for i in optional)
    step = model.step
    all_preds = 0
    for m in masks:
        all_preds |= m
    # an optional node nothing depends on can simply stay unplaced ("never took effect"), and two
    # such nodes doing the same thing are interchangeable: try only the first of each kind
    free = {i: (nodes[i].f, nodes[i].key, nodes[i].value) for i in optional if not (all_preds >> i) & 1}

    free_mask = sum(1 << i for i in free)
    start = (0, (model.init,) * len(keys), None)
    seen: dict[tuple[int, tuple], list[int]] = {}
    stack = [start]
    while stack:
        placed, state, chain = stack.pop()
        # eager reads (and skips of optional nodes that can never be legal are left to branching)
        progressed = True
        while progressed:
            progressed = False
            for i in order:
                if is_read[i] and not (placed >> i) & 1 and (masks[i] & ~placed) == 0:
                    legal, _ = step(state[nk[i]], nodes[i])
                    if legal:
                        placed |= 1 << i
                        chain = (i, chain)
                        progressed = True
        if placed & mandatory == mandatory:
            out = []
            while chain is not None:
                out.append(chain[0])
                chain = chain[1]
            return out[::-1]
        # memo with dominance: having used fewer of the free optional nodes is never worse
        used = placed & free_mask
        earlier = seen.setdefault((placed & ~free_mask, state), [])
        if any(u & ~used == 0 for u in earlier):
            continue
        earlier[:] = [u for u in earlier if used & ~u != 0]
        earlier.append(used)
        budget.tick()
        moves = []
        kinds = set()
        for i in order:
            if (placed >> i) & 1 or (masks[i] & ~placed):
                continue
            if i in free:
                if free[i] in kinds:
                    continue
                kinds.add(free[i])
            k = nk[i]
            legal, s2 = step(state[k], nodes[i])
            if legal and not is_read[i]:
                moves.append((placed | 1 << i, state[:k] + (s2,) + state[k + 1:], (i, chain)))
            if i in optional and i not in free:
                moves.append((placed | 1 << i, state, chain))        # it never took effect
        stack.extend(reversed(moves))
    return None
