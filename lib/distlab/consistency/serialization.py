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
checkers). A cycle proves the violation at once; otherwise the remaining choices are decided on
that far tighter order (:mod:`~distlab.consistency.coherence`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeAlias

from distlab.consistency.coherence import resolve, saturate
from distlab.consistency.specs import Model
from distlab.consistency.verdict import Budget
from distlab.sim.history import Op

__all__ = ["find_serialization", "saturate", "Frame"]

Step = Callable[[Any, Op], tuple[bool, Any]]


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
    optional = optional or set()
    masks = [p if isinstance(p, int) else _mask(p, budget) for p in preds]
    if reads_from is not None:
        if optional:
            raise ValueError("reads_from saturation needs every node mandatory (optional must be empty)")
        return resolve(nodes, masks, reads_from, budget)
    return _search_orders(_Layout.of(nodes, masks, optional), model, budget)


def _mask(positions: set[int], budget: Budget) -> int:
    """``positions`` as a bitmask (charging the budget: a few thousand of these add up)."""
    budget.tick(1 + len(positions) // 32)
    return sum(1 << j for j in positions)


Chain: TypeAlias = "tuple[int, Chain] | None"
"""The positions placed so far, newest first, as a cons list ``(position, rest)``."""


Frame: TypeAlias = "tuple[int, tuple[Any, ...], Chain]"
"""A point of the depth-first search over orders: ``(placed, state, chain)`` -- the bitmask of the
placed positions, one value per key, and how we got here. A plain tuple: one is made per move."""


class _Layout(NamedTuple):
    """What the search over orders needs to know about the nodes, by position (fixed per search)."""

    nodes: Sequence[Op]
    masks: list[int]            # predecessors, as bitmasks
    key_of: list[int]           # position -> number of its key in the state tuple
    is_read: list[bool]
    order: list[int]            # positions in invocation order (the order candidates are tried)
    reads: list[int]            # the reads among them, in the same order
    mandatory: int              # bitmask of the nodes that must be placed
    optional: set[int]
    free: dict[int, tuple[Any, ...]]   # optional nodes nothing depends on -> what they do
    free_mask: int
    n_keys: int

    @classmethod
    def of(cls, nodes: Sequence[Op], masks: list[int], optional: set[int]) -> _Layout:
        keys = sorted({o.key for o in nodes}, key=repr)
        kpos = {k: i for i, k in enumerate(keys)}
        n = len(nodes)
        all_preds = 0
        for m in masks:
            all_preds |= m
        # an optional node nothing depends on can simply stay unplaced ("never took effect"), and two
        # such nodes doing the same thing are interchangeable: try only the first of each kind
        free = {i: (nodes[i].f, nodes[i].key, nodes[i].value) for i in optional if not (all_preds >> i) & 1}
        order = sorted(range(n), key=lambda i: (nodes[i].invoke, nodes[i].index))
        return cls(nodes, masks, [kpos[o.key] for o in nodes], [o.is_read for o in nodes],
                   order, [i for i in order if nodes[i].is_read],
                   ((1 << n) - 1) & ~sum(1 << i for i in optional), optional, free,
                   sum(1 << i for i in free), len(keys))


def _search_orders(lay: _Layout, model: Model, budget: Budget) -> list[int] | None:
    """Depth-first search over orders, memoised on ``(placed set, state)`` (see the module doc)."""
    step, mandatory, free_mask = model.step, lay.mandatory, lay.free_mask
    seen: dict[tuple[int, tuple[Any, ...]], list[int]] = {}
    stack: list[Frame] = [(0, (model.init,) * lay.n_keys, None)]
    while stack:
        placed, state, chain = stack.pop()
        placed, chain = _place_eager_reads(lay, step, placed, state, chain)
        if placed & mandatory == mandatory:
            return _positions(chain)
        # memo with dominance: having used fewer of the free optional nodes is never worse
        used = placed & free_mask
        earlier = seen.setdefault((placed & ~free_mask, state), [])
        if any(u & ~used == 0 for u in earlier):
            continue
        earlier[:] = [u for u in earlier if used & ~u != 0]
        earlier.append(used)
        budget.tick()
        stack.extend(reversed(_moves(lay, step, placed, state, chain)))
    return None


def _place_eager_reads(lay: _Layout, step: Step, placed: int, state: tuple[Any, ...],
                       chain: Chain) -> tuple[int, Chain]:
    """Place every enabled read that is legal now, until none is (reads change no state)."""
    masks, key_of, reads, nodes = lay.masks, lay.key_of, lay.reads, lay.nodes
    progressed = True
    while progressed:
        progressed = False
        for i in reads:
            if not (placed >> i) & 1 and (masks[i] & ~placed) == 0:
                legal, _ = step(state[key_of[i]], nodes[i])
                if legal:
                    placed |= 1 << i
                    chain = (i, chain)
                    progressed = True
    return placed, chain


def _moves(lay: _Layout, step: Step, placed: int, state: tuple[Any, ...], chain: Chain) -> list[Frame]:
    """The frames one placement (or one skip of an optional node) away, in the order to try them."""
    masks, free, optional, key_of, nodes = lay.masks, lay.free, lay.optional, lay.key_of, lay.nodes
    is_read = lay.is_read
    moves: list[Frame] = []
    kinds = set()
    for i in lay.order:
        if (placed >> i) & 1 or (masks[i] & ~placed):
            continue
        if i in free:
            if free[i] in kinds:
                continue
            kinds.add(free[i])
        k = key_of[i]
        legal, s2 = step(state[k], nodes[i])
        if legal and not is_read[i]:
            moves.append((placed | 1 << i, state[:k] + (s2,) + state[k + 1:], (i, chain)))
        if i in optional and i not in free:
            moves.append((placed | 1 << i, state, chain))        # it never took effect
    return moves


def _positions(chain: Chain) -> list[int]:
    """The placed positions of ``chain``, oldest first."""
    out = []
    while chain is not None:
        out.append(chain[0])
        chain = chain[1]
    return out[::-1]
