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
"""
from __future__ import annotations

from typing import Any, Sequence

from distlab.consistency.models import Model
from distlab.consistency.verdict import Budget
from distlab.sim.history import Op

__all__ = ["find_serialization"]


def find_serialization(nodes: Sequence[Op], preds: Sequence[set[int] | int], model: Model,
                       optional: set[int] | None = None, budget: Budget | None = None,
                       ) -> list[int] | None:
    """An order of ``nodes`` (as positions into ``nodes``) or ``None`` if there is none.

    ``preds[i]``: positions that must come before node ``i`` (a set, or a bitmask int). Optional
    nodes may be left out. State is one value per key (keys taken from the nodes). Raises
    :class:`~distlab.consistency.verdict.BudgetExceeded` when the budget runs out.
    """
    budget = budget or Budget(None)
    n = len(nodes)
    optional = optional or set()
    masks = [p if isinstance(p, int) else sum(1 << j for j in p) for p in preds]
    keys = sorted({o.key for o in nodes}, key=repr)
    kpos = {k: i for i, k in enumerate(keys)}
    nk = [kpos[o.key] for o in nodes]
    is_read = [o.is_read for o in nodes]
    order = sorted(range(n), key=lambda i: (nodes[i].invoke, nodes[i].index))
    full = (1 << n) - 1
    mandatory = full & ~sum(1 << i for i in optional)
    step = model.step

    start = (0, (model.init,) * len(keys), None)
    seen: set[tuple[int, tuple]] = set()
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
        if (placed, state) in seen:
            continue
        seen.add((placed, state))
        budget.tick()
        moves = []
        for i in order:
            if (placed >> i) & 1 or (masks[i] & ~placed):
                continue
            k = nk[i]
            legal, s2 = step(state[k], nodes[i])
            if legal and not is_read[i]:
                moves.append((placed | 1 << i, state[:k] + (s2,) + state[k + 1:], (i, chain)))
            if i in optional:
                moves.append((placed | 1 << i, state, chain))        # it never took effect
        stack.extend(reversed(moves))
    return None
