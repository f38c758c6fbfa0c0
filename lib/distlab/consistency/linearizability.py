"""Linearizability: is there one order of the operations, consistent with real time, that a single
copy of the object could have produced?

Every operation must appear to take effect at one instant between its invocation and its
completion (Herlihy & Wing 1990). A read that begins after ``write 1`` completed must therefore see
1 (or something written later) -- the top rung of the ladder.

The search (our own implementation of published ideas):

* **P-compositionality** (Herlihy & Wing; Horn & Kroening 2015): linearizability is local, so a
  key-value history is checked key by key, each key a small register history.
* **Just-in-time linearization** (Lowe, "Testing for linearizability", 2017 -- his JIT graph
  search; Knossos' ``linear`` algorithm): walk the call/return events in real-time order keeping
  the set of *configurations* the object could be in. A configuration is the state, the pending
  operations already linearized, and the indeterminate operations still unused. An operation is
  linearized only when something forces it -- its own return, or another operation that must see
  its effect -- so the search never guesses ahead.
* **Memoisation** (Wing & Gong's search as improved by Lowe and used by Porcupine: cache
  (linearized set, state)): configurations are deduplicated on ``(state, linearized set)``.
* **Merging equivalent pending operations**: indeterminate (``info``) operations never return, so
  once invoked, two with the same function and value are interchangeable. We count them by
  signature instead of naming them, and a configuration with at least as many unused ones in every
  signature *dominates* another with the same state and linearized set (Lowe's partial-order
  reduction). Dominated configurations are dropped. ``fail`` operations add no constraint and are
  dropped; ``info`` reads are dropped (they change nothing).

If some return finds no configuration able to linearize the returning operation, the history is
not linearizable; :mod:`distlab.consistency.explain` then looks for the smallest failing window.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from distlab.consistency.specs import Model, get_model, infer_model, one_at_a_time
from distlab.consistency.verdict import HOLDS, UNKNOWN, VIOLATED, Budget, BudgetExceeded, StepLimit, Verdict
from distlab.consistency.wgl import wgl_ops
from distlab.sim.history import History, Op

__all__ = ["check_linearizable", "linearize_ops", "Outcome", "decide_key"]


@dataclass
class Outcome:
    """Result of one JIT search over one key's operations."""

    ok: bool
    order: list[int] | None = None           # linearization (op indices) when ok
    failed_op: Op | None = None              # the operation whose return could not be justified
    states_before_fail: frozenset = frozenset()
    pending_at_fail: tuple[Op, ...] = ()
    states_at_invoke: dict[int, frozenset] | None = None   # op index -> states just before invoke


def _insert(table: dict, key: tuple, avail: tuple, chain: Any) -> bool:
    """Add (avail, chain) under key unless dominated; drop entries it dominates. True if added."""
    entries = table.get(key)
    if entries is None:
        table[key] = [(avail, chain)]
        return True
    for a, _ in entries:
        if a == avail or all(x >= y for x, y in zip(a, avail)):
            return False
    entries[:] = [(a, c) for a, c in entries if not all(x >= y for x, y in zip(avail, a))]
    entries.append((avail, chain))
    return True


def linearize_ops(ops: Iterable[Op], model: Model, init_states: Iterable[Any] | None = None,
                  budget: Budget | None = None, record_states: bool = False) -> Outcome:
    """JIT search over one key's operations (already restricted to one key).

    ``init_states``: the states the object may start in (default: the model's initial state).
    Raises :class:`BudgetExceeded` when the budget runs out.
    """
    budget = budget or Budget(None)
    step = model.step
    ok_ops = [o for o in ops if o.status == "ok"]
    info_ops = [o for o in ops if o.status == "info" and not o.is_read]
    sigs: dict[tuple, int] = {}
    sig_op: list[Op] = []
    for o in info_ops:
        s = (o.f, o.value)
        if s not in sigs:
            sigs[s] = len(sigs)
            sig_op.append(o)
    nsig = len(sigs)
    unit = [tuple(1 if i == k else 0 for i in range(nsig)) for k in range(nsig)]
    events = [(o.invoke, 0, o.index, o) for o in ok_ops + info_ops]
    events += [(o.complete, 1, o.index, o) for o in ok_ops]
    events.sort(key=lambda e: e[:3])

    configs: dict[tuple, list] = {}
    for s in (init_states if init_states is not None else [model.init]):
        _insert(configs, (s, frozenset()), (0,) * nsig, None)
    pending: dict[int, Op] = {}
    states_at: dict[int, frozenset] | None = {} if record_states else None

    for pos, (_, kind, idx, op) in enumerate(events):
        budget.tick()
        if kind == 0:
            if states_at is not None:
                states_at[idx] = frozenset(k[0] for k in configs)
            if op.status == "ok":
                pending[idx] = op
            else:
                k = sigs[(op.f, op.value)]
                configs = {key: [(tuple(a + (1 if i == k else 0) for i, a in enumerate(av)), c)
                                 for av, c in entries] for key, entries in configs.items()}
            continue
        new: dict[tuple, list] = {}
        seen: dict[tuple, list] = {}
        stack = []
        for (s, lin), entries in configs.items():
            for av, chain in entries:
                if idx in lin:
                    _insert(new, (s, lin - {idx}), av, chain)
                elif _insert(seen, (s, lin), av, chain):
                    stack.append((s, lin, av, chain))
        while stack:
            budget.tick()
            s, lin, av, chain = stack.pop()
            legal, s2 = step(s, op)
            if legal:
                _insert(new, (s2, lin), av, (idx, chain))
            for j, other in pending.items():
                if j == idx or j in lin:
                    continue
                legal, s2 = step(s, other)
                if legal:
                    lin2 = lin | {j}
                    if _insert(seen, (s2, lin2), av, (j, chain)):
                        stack.append((s2, lin2, av, (j, chain)))
            for k in range(nsig):
                if av[k]:
                    legal, s2 = step(s, sig_op[k])
                    if legal and s2 != s:
                        av2 = tuple(a - u for a, u in zip(av, unit[k]))
                        link = ((-1 - k, pos), chain)
                        if _insert(seen, (s2, lin), av2, link):
                            stack.append((s2, lin, av2, link))
        del pending[idx]
        if not new:
            return Outcome(False, failed_op=op, states_before_fail=frozenset(k[0] for k in configs),
                           pending_at_fail=tuple(pending.values()), states_at_invoke=states_at)
        configs = new

    chain = next(iter(configs.values()))[0][1]
    return Outcome(True, order=_unwind(chain, info_ops, sigs, events), states_at_invoke=states_at)


def _unwind(chain: Any, info_ops: list[Op], sigs: dict, events: list) -> list[int]:
    """Turn a chain of links into op indices, giving each info use a concrete (earliest) op."""
    items = []
    while chain is not None:
        items.append(chain[0])
        chain = chain[1]
    items.reverse()
    by_sig: dict[int, list[Op]] = {}
    for o in sorted(info_ops, key=lambda o: (o.invoke, o.index)):
        by_sig.setdefault(sigs[(o.f, o.value)], []).append(o)
    used: set[int] = set()
    order = []
    for it in items:
        if isinstance(it, int):
            order.append(it)
            continue
        k, pos = -1 - it[0], it[1]
        t = events[pos][0]
        op = next(o for o in by_sig[k] if o.index not in used and o.invoke <= t)
        used.add(op.index)
        order.append(op.index)
    return order


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
    import heapq

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
            if not ok:
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
