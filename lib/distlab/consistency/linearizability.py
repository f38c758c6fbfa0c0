"""Linearizability: is there one order of the operations, consistent with real time, that a single
copy of the object could have produced?

Every operation must appear to take effect at one instant between its invocation and its
completion (Herlihy & Wing 1990). A read that begins after ``write 1`` completed must therefore see
1 (or something written later) -- the top rung of the ladder.

The check (our own implementation of published ideas):

* **P-compositionality** (Herlihy & Wing; Horn & Kroening 2015): linearizability is local, so a
  key-value history is checked key by key, each key a small register history, and the per-key
  orders are merged into one real-time order (:func:`merge_key_orders`).
* **Two searches raced per key** (:func:`decide_key`): Wing & Gong's depth-first search with
  Lowe's cache, as Porcupine runs it (:mod:`~distlab.consistency.wgl`, fast at finding a
  linearization), and Lowe's just-in-time search (:mod:`~distlab.consistency.jit`, fast at proving
  there is none), with step limits that grow 4x.

If a key has no linearization, :mod:`distlab.consistency.explain` looks for the smallest failing
window.
"""
from __future__ import annotations

import heapq
from typing import Any

from distlab.consistency.jit import Outcome, linearize_ops
from distlab.consistency.specs import Model, get_model, infer_model, one_at_a_time
from distlab.consistency.verdict import HOLDS, UNKNOWN, VIOLATED, Budget, BudgetExceeded, StepLimit, Verdict
from distlab.consistency.wgl import wgl_ops
from distlab.sim.history import History, Op

__all__ = ["check_linearizable", "linearize_ops", "Outcome", "decide_key", "merge_key_orders"]


def _split(history: History) -> dict[Any, list[Op]]:
    parts: dict[Any, list[Op]] = {}
    for o in history:
        if o.status == "fail":
            continue
        parts.setdefault(o.key, []).append(o)
    return parts


def merge_key_orders(history: History, chains: list[list[int]]) -> list[int]:
    """Interleave per-key linearizations into one order that also respects real time across keys.

    Locality (Herlihy & Wing) guarantees such an interleaving exists; we build it greedily: a
    chain's head may go next once no unplaced operation completed before the head was invoked.
    """
    heads = [0] * len(chains)
    pending = [(history[i].end, i) for chain in chains for i in chain]
    heapq.heapify(pending)
    placed: set[int] = set()
    order: list[int] = []
    total = sum(map(len, chains))
    while len(order) < total:
        while pending and pending[0][1] in placed:
            heapq.heappop(pending)
        earliest_end = pending[0][0] if pending else float("inf")
        best = None
        for c, chain in enumerate(chains):
            if heads[c] < len(chain):
                op = history[chain[heads[c]]]
                if op.invoke <= earliest_end and (best is None
                                                  or op.invoke < history[chains[best][heads[best]]].invoke):
                    best = c
        if best is None:                  # cannot happen for a linearizable history; keep going
            best = next(c for c, chain in enumerate(chains) if heads[c] < len(chain))
        i = chains[best][heads[best]]
        heads[best] += 1
        placed.add(i)
        order.append(i)
    return order


def decide_key(ops: list[Op], model: Model, budget: Budget, first_steps: int = 500) -> tuple[bool, list[int] | None]:
    """Race the two searches on one key with growing step limits; return (linearizable, order).

    Depth-first WGL confirms honest histories quickly; the just-in-time search refutes bad ones
    quickly. Alternating them with limits that grow 4x costs at most a constant factor over the
    faster of the two. Raises :class:`BudgetExceeded` when ``budget`` runs out.
    """
    limit = first_steps
    while True:
        try:
            order = wgl_ops(ops, model, budget.child(limit))
            if order is not None:
                return True, order
            return False, None
        except StepLimit:
            pass
        try:
            out = linearize_ops(ops, model, budget=budget.child(limit))
            return out.ok, out.order
        except StepLimit:
            pass
        limit *= 4


def check_linearizable(history: History, model: str | Model | None = None,
                       budget: Budget | None = None, explain: bool = True) -> Verdict:
    """Is ``history`` linearizable for ``model`` (default: inferred)? Checked key by key."""
    from distlab.consistency.explain import explain_violation

    m = infer_model(history) if model is None else get_model(model)
    m.validate(history)
    history = one_at_a_time(history)
    budget = budget or Budget()
    chains: list[list[int]] = []
    try:
        for key, ops in sorted(_split(history).items(), key=lambda kv: repr(kv[0])):
            ok, order = decide_key(ops, m, budget)
            if not ok or order is None:
                if not explain:
                    return Verdict(VIOLATED, f"no linearization exists for key {key!r}", model=m.name)
                return explain_violation(history, ops, key, m, budget)
            chains.append(order)
    except BudgetExceeded as exc:
        return Verdict(UNKNOWN, f"gave up: {exc} after {budget.steps} search steps", model=m.name)
    order = merge_key_orders(history, chains)
    n_ok = sum(1 for o in history if o.status == "ok")
    return Verdict(HOLDS, f"all {n_ok} completed operations fit one real-time order "
                          f"({len(order)} operations take effect, including indeterminate ones that did)",
                   model=m.name, witness=order)
