"""Linearizability: is there one order of the operations, consistent with real time, that a single
copy of the object could have produced?

Every operation must appear to take effect at one instant between its invocation and its
completion (Herlihy & Wing 1990). A read that begins after ``write 1`` completed must therefore see
1 (or something written later) -- the top rung of the ladder.

The check (our own implementation of published ideas; docs/consistency.md, "The linearizability
search", gives the design and its measured speed):

* **Violation first** (:func:`~distlab.consistency.readgoals.thin_air`,
  :func:`~distlab.consistency.stale.stale_read`): a read whose value no write -- completed, in
  flight or indeterminate -- can explain, or that a write completed in between must have changed,
  is a violation without search.
* **P-compositionality** (Herlihy & Wing; Horn & Kroening 2015): linearizability is local, so a
  key-value history is checked key by key, each key a small register history, and the per-key
  orders are merged into one real-time order (:func:`merge_key_orders`).
* **Two searches raced per key** (:func:`decide_keys`): Wing & Gong's depth-first search with
  Lowe's cache, as Porcupine runs it plus our prunings (:mod:`~distlab.consistency.wgl`, fast at
  finding a linearization), and Lowe's just-in-time search (:mod:`~distlab.consistency.jit`, fast
  at proving there is none), with step limits that grow 4x. The keys take turns at each limit, so
  the cheapest key to refute ends the whole check first.

If a key has no linearization, :mod:`distlab.consistency.explain` looks for the smallest failing
window, at no more cost than the verdict took.
"""
from __future__ import annotations

import gc
import heapq
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from distlab.consistency.jit import Outcome, linearize_ops
from distlab.consistency.keyprep import Prepared, prepare
from distlab.consistency.readgoals import thin_air
from distlab.consistency.specs import Model, get_model, infer_model, one_at_a_time
from distlab.consistency.stale import stale_read
from distlab.consistency.verdict import (
    HOLDS,
    UNKNOWN,
    VIOLATED,
    Budget,
    BudgetExceeded,
    Progress,
    StepLimit,
    Verdict,
    checked_inputs,
    race_limits,
)
from distlab.consistency.wgl import wgl_ops
from distlab.sim.history import History, Op

__all__ = ["check_linearizable", "linearize_ops", "Outcome", "decide_key", "decide_keys", "merge_key_orders",
           "Decision", "FIRST_STEPS"]

FIRST_STEPS = 4_000
"""The just-in-time search's work limit on every key in the first round of the race (the depth-first
search gets a quarter of it: it decides most honest keys in less, and the just-in-time search most
refutations in about this); both get 4x it in the second round, and 4x more each round after."""


def _split(history: History) -> dict[Any, list[Op]]:
    parts: dict[Any, list[Op]] = {}
    for o in history:
        if o.status == "fail":
            continue
        parts.setdefault(o.key, []).append(o)
    return parts


def merge_key_orders(history: History, chains: list[list[int]], budget: Budget | None = None) -> list[int]:
    """Interleave per-key linearizations into one order that also respects real time across keys.

    Locality (Herlihy & Wing) guarantees such an interleaving exists; we build it greedily: of the
    chains' heads, the one invoked first goes next (ties: the first chain), which never places an
    operation before one that completed before it was invoked.
    """
    budget = budget or Budget(None)
    heads = [(history[chain[0]].invoke, c, 0) for c, chain in enumerate(chains) if chain]
    heapq.heapify(heads)
    order: list[int] = []
    while heads:
        budget.charge(1)
        # the earliest-invoked head always may go: an operation that completed before it was
        # invoked was invoked earlier still, and so was every operation before it on its key
        _, c, pos = heapq.heappop(heads)
        order.append(chains[c][pos])
        if pos + 1 < len(chains[c]):
            heapq.heappush(heads, (history[chains[c][pos + 1]].invoke, c, pos + 1))
    return order


class _Open:
    """A key still undecided: its operations and how far the searches got on it."""

    __slots__ = ("key", "ops", "prepared", "progress", "tried")

    def __init__(self, key: Any, ops: list[Op], prepared: Prepared) -> None:
        self.key, self.ops, self.prepared = key, ops, prepared
        self.progress = Progress(key=key, operations=len(prepared.live))
        self.tried = False


def _race_round(ops: list[Op], model: Model, budget: Budget, limits: tuple[int, int], progress: Progress,
                prepared: Prepared | None = None) -> tuple[bool, list[int] | None] | None:
    """One round of the race on one key: WGL then JIT, each up to its limit in units of work
    (steps and the entries or operations each step looks at: a JIT step costs more than a WGL
    step); ``(linearizable, order)`` if one of them decided, else None."""
    try:
        order = wgl_ops(ops, model, budget.child(limits[0], limits[0]), progress, prepared)
        return order is not None, order
    except StepLimit:
        pass
    try:
        out = linearize_ops(ops, model, budget=budget.child(limits[1], limits[1]), progress=progress,
                            prepared=prepared)
        return out.ok, out.order
    except StepLimit:
        return None


def decide_key(ops: list[Op], model: Model, budget: Budget,
               first_steps: int = FIRST_STEPS) -> tuple[bool, list[int] | None]:
    """Race the two searches on one key with growing step limits; return (linearizable, order).

    Depth-first WGL confirms honest histories quickly; the just-in-time search refutes bad ones
    quickly. Alternating them with limits that grow 4x costs at most a constant factor over the
    faster of the two. Raises :class:`BudgetExceeded` when ``budget`` runs out.
    """
    progress = Progress(operations=len(ops))
    for limits in race_limits(first_steps):
        decided = _race_round(ops, model, budget, limits, progress)
        if decided is not None:
            return decided
    raise AssertionError("unreachable: the limits never end")


class Decision(NamedTuple):
    """What :func:`decide_keys` found: each key's order, or the first key found not linearizable."""

    orders: dict[Any, list[int]]
    refuted: bool
    key: Any = None


def decide_keys(parts: dict[Any, list[Op]], model: Model, budget: Budget, progress: Progress,
                first_steps: int = FIRST_STEPS, prepared: dict[Any, Prepared] | None = None) -> Decision:
    """Decide every key: in rounds, each undecided key gets the race at the round's step limit (4x
    the last), until one key is refuted or all have an order. ``progress`` tracks the keys decided
    and the hardest open key; ``prepared``: :func:`~distlab.consistency.keyprep.prepare` of each key."""
    prepared = prepared or {key: prepare(ops, model) for key, ops in parts.items()}
    pending = [_Open(key, ops, prepared[key]) for key, ops in sorted(parts.items(), key=lambda kv: repr(kv[0]))]
    progress.keys_total = len(pending)
    orders: dict[Any, list[int]] = {}
    limits = race_limits(first_steps)
    try:
        while pending:
            limit = next(limits)
            undecided = []
            for item in pending:
                item.tried = True
                decided = _race_round(item.ops, model, budget, limit, item.progress, item.prepared)
                if decided is None:
                    undecided.append(item)
                    continue
                progress.keys_decided += 1
                ok, order = decided
                if not ok or order is None:
                    return Decision(orders, True, item.key)
                orders[item.key] = order
            pending = undecided
    finally:
        if pending:
            _hardest(pending, progress)
    return Decision(orders, False)


def _hardest(pending: list[_Open], progress: Progress) -> None:
    """Record in ``progress`` the open key whose search got least far (as a fraction), of those
    searched at all."""
    worst = min([item for item in pending if item.tried] or pending,
                key=lambda item: item.progress.linearized / max(1, item.progress.operations))
    progress.key, progress.linearized, progress.operations = (worst.key, worst.progress.linearized,
                                                              worst.progress.operations)


def _violation_first(ready: Prepared, key: Any, m: Model) -> Verdict | None:
    """The violation-first pass on one key: a thin-air or stale read, as a verdict, or None."""
    from distlab.consistency.explain import stale_verdict, thin_air_verdict

    found = thin_air(ready.live, m)
    if found is not None:
        return thin_air_verdict(found[0], found[1], key, m)
    stale = stale_read(ready.live, m)
    return None if stale is None else stale_verdict(stale, key, m)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector paused: the searches make millions of small acyclic objects, and a
    full collection among them stops the world for seconds -- between two looks at the clock."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check_linearizable(history: History, model: str | Model | None = None,
                       budget: Budget | None = None, explain: bool = True) -> Verdict:
    """Is ``history`` linearizable for ``model`` (default: inferred)? Checked key by key.

    ``budget`` bounds everything, the explanation of a violation included (a proven violation stays
    ``violated`` if the time runs out while it is explained); ``unknown`` says how far the search got.
    """
    if not isinstance(explain, bool):
        raise TypeError(f"explain must be True or False, got {explain!r}")
    with _gc_paused():
        return _check(history, model, budget, explain)


def _check(history: History, model: str | Model | None, budget: Budget | None, explain: bool) -> Verdict:
    """:func:`check_linearizable` proper."""
    from distlab.consistency.explain import explain_violation

    budget = checked_inputs(history, budget)
    m = infer_model(history) if model is None else get_model(model)
    m.validate(history)
    history = one_at_a_time(history)
    parts = _split(history)
    progress = Progress(keys_total=len(parts))
    try:
        budget.look()
        prepared = {}
        for key in sorted(parts, key=repr):
            budget.charge(len(parts[key]))
            prepared[key] = ready = prepare(parts[key], m)
            budget.look()
            first = _violation_first(ready, key, m)
            if first is not None:
                if not explain:
                    return first
                return explain_violation(history, parts[key], key, m, budget, 0, ready, fallback=first)
        start = budget.steps
        decision = decide_keys(parts, m, budget, progress, prepared=prepared)
        if decision.refuted:
            if not explain:
                return Verdict(VIOLATED, f"no linearization exists for key {decision.key!r}", model=m.name)
            return explain_violation(history, parts[decision.key], decision.key, m, budget, budget.steps - start,
                                     prepared[decision.key])
        order = merge_key_orders(history, [decision.orders[k] for k in sorted(decision.orders, key=repr)], budget)
    except BudgetExceeded as exc:
        return Verdict(UNKNOWN, f"gave up: {exc} after {budget.steps} search steps; {progress.describe()}",
                       model=m.name, details={"progress": progress})
    n_ok = sum(1 for o in history if o.status == "ok")
    fit = {0: "no operation completed, so any order fits", 1: "the one completed operation fits one real-time order"}
    took = "1 operation takes" if len(order) == 1 else f"{len(order)} operations take"
    return Verdict(HOLDS, f"{fit.get(n_ok, f'all {n_ok} completed operations fit one real-time order')} "
                          f"({took} effect, including indeterminate ones that did)",
                   model=m.name, witness=order)
