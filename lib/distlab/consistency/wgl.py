"""The Wing & Gong / Lowe depth-first search for a linearization, as Porcupine runs it.

Wing & Gong (1993) walk a doubly linked list of call and return *entries* in time order. At each
step they try to linearize the first call whose operation is legal in the current state; they then
*lift* the call and its return out of the list and start again from the head. Meeting a return
means the operation that owns it can no longer be placed: backtrack to the last choice. Lowe
(2017) added the cache that makes this practical: ``(set of linearized operations, state)`` pairs
already explored are never explored again. Porcupine (Athalye) is a Go implementation of this.

Our additions (our own code):

* indeterminate (``info``) operations have their returns after every other entry, and the search
  succeeds as soon as every *completed* operation is linearized -- the rest "never took effect";
* equivalent ``info`` operations (same function and value) are interchangeable once invoked, so
  only the earliest still unlinearized one of each kind is ever tried (symmetry reduction).

Depth-first search finds a linearization of an honest history almost without backtracking, where
the breadth-first :mod:`~distlab.consistency.linearizability` search would enumerate every
configuration; the latter is faster at proving violations. :func:`wgl_ops` is one half of the
race run by :func:`~distlab.consistency.linearizability.check_linearizable`.
"""
from __future__ import annotations

from collections.abc import Sequence

from distlab.consistency.specs import Model
from distlab.consistency.verdict import Budget
from distlab.sim.history import Op

__all__ = ["wgl_ops"]


def wgl_ops(ops: Sequence[Op], model: Model, budget: Budget | None = None) -> list[int] | None:
    """A linearization (op indices) of one key's operations, or ``None`` if none exists."""
    budget = budget or Budget(None)
    live = [o for o in ops if o.status == "ok" or (o.status == "info" and not o.is_read)]
    events = []
    for i, o in enumerate(live):
        events.append((o.invoke, 0, o.index, i, True))
        end = o.complete if o.status == "ok" else float("inf")
        events.append((end, 1 if o.status == "ok" else 2, o.index, i, False))
    events.sort(key=lambda e: e[:3])
    m = len(events)
    # entry k (1..m); 0 is the head sentinel
    is_call = [False] + [e[4] for e in events]
    op_of = [-1] + [e[3] for e in events]
    match = [0] * (m + 1)
    call_pos = {}
    for k in range(1, m + 1):
        if is_call[k]:
            call_pos[op_of[k]] = k
        else:
            match[call_pos[op_of[k]]] = k
    nxt = list(range(1, m + 2))
    nxt[m] = 0
    prv = [0] + list(range(0, m))
    is_info = [o.status == "info" for o in live]
    sig = [(o.f, o.value) if o.status == "info" else None for o in live]
    remaining_ok = sum(1 for o in live if o.status == "ok")
    step = model.step

    def lift(k: int) -> None:
        r = match[k]
        nxt[prv[k]] = nxt[k]
        prv[nxt[k]] = prv[k]
        nxt[prv[r]] = nxt[r]
        if nxt[r]:
            prv[nxt[r]] = prv[r]

    def unlift(k: int) -> None:
        r = match[k]
        nxt[prv[r]] = r
        if nxt[r]:
            prv[nxt[r]] = r
        nxt[prv[k]] = k
        prv[nxt[k]] = k

    state = model.init
    lin = 0
    cache = {(0, state)}
    calls: list[tuple[int, object]] = []
    entry = nxt[0]
    seen_sigs: set = set()
    while remaining_ok:
        budget.tick()
        if entry and is_call[entry]:
            i = op_of[entry]
            if is_info[i]:
                if sig[i] in seen_sigs:
                    entry = nxt[entry]
                    continue
                seen_sigs.add(sig[i])
            legal, new_state = step(state, live[i])
            if legal:
                new_lin = lin | (1 << i)
                key = (new_lin, new_state)
                if key not in cache:
                    cache.add(key)
                    calls.append((entry, state))
                    state, lin = new_state, new_lin
                    lift(entry)
                    if not is_info[i]:
                        remaining_ok -= 1
                    entry = nxt[0]
                    seen_sigs = set()
                    continue
            entry = nxt[entry]
            continue
        # a return (or the end): the op it belongs to cannot be placed here -- backtrack
        if not calls:
            return None
        entry, state = calls.pop()
        i = op_of[entry]
        lin &= ~(1 << i)
        unlift(entry)
        if not is_info[i]:
            remaining_ok += 1
        seen_sigs = _sigs_before(entry, nxt, is_call, op_of, is_info, sig)
        if is_info[i]:
            seen_sigs.add(sig[i])
        entry = nxt[entry]
    order = []
    for k, _ in calls:
        order.append(live[op_of[k]].index)
    return order


def _sigs_before(entry: int, nxt, is_call, op_of, is_info, sig) -> set:
    """Signatures of info calls scanned before ``entry`` in the current list (symmetry rule)."""
    out = set()
    k = nxt[0]
    while k and k != entry:
        if is_call[k] and is_info[op_of[k]]:
            out.add(sig[op_of[k]])
        k = nxt[k]
    return out
