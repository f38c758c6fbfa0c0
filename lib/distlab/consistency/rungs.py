"""One function per rung of the ladder: ``check(history, rung) -> Verdict``.

* ``linearizable`` -- :mod:`distlab.consistency.linearizability` (any values);
* ``sequential`` -- one order of all operations respecting every process's program order, legal
  for the object (Lamport 1979); any values;
* ``consistent-prefix`` -- as the lecture puts it, "you see writes in a prefix of the true order":
  one total order of all writes, respecting real time between writes that do not overlap, such
  that each process's reads, in program order, observe non-decreasing prefixes of it;
* ``causal``, ``pram`` and the session guarantees -- one view per process
  (:mod:`distlab.consistency.session`).

All but the first two assume unique written values and answer ``unknown`` (saying why) otherwise.
A violated view is explained by the shortest prefix of that process's operations that already
fails: its last operation is the first one the process cannot explain.
"""
from __future__ import annotations

import itertools
from typing import Any

from distlab.consistency.bitsets import bits
from distlab.consistency.linearizability import check_linearizable
from distlab.consistency.observations import NotUnique, Observations, ThinAir, observe
from distlab.consistency.serialization import find_serialization
from distlab.consistency.session import EDGES, Edges, causal_order, view_members
from distlab.consistency.specs import Model, get_model, infer_model, one_at_a_time
from distlab.consistency.verdict import HOLDS, UNKNOWN, VIOLATED, Budget, BudgetExceeded, Verdict, checked_inputs
from distlab.sim.history import History, Op

__all__ = ["RUNGS", "check", "RULES"]

RUNGS = ("linearizable", "sequential", "causal", "pram", "read-your-writes", "monotonic-reads",
         "monotonic-writes", "writes-follow-reads", "consistent-prefix")

RULES = {
    "sequential": "one order of all operations that keeps each process's own order",
    "consistent-prefix": "one real-time order of all writes, each process's reads seeing growing prefixes of it",
    "causal": "an order of all writes and its own operations that respects cause and effect "
              "(program order and reads-from, transitively)",
    "pram": "an order of all writes and its own operations that keeps every process's program order",
    "read-your-writes": ("an order of all writes and its own operations in which its writes precede its later "
                         "operations"),
    "monotonic-reads": "an order in which each of its reads comes after the writes its earlier reads saw",
    "monotonic-writes": "an order that keeps each process's writes in issue order and never shows it an "
                        "older write of a process after a newer one",
    "writes-follow-reads": "an order in which each write follows the writes its author had read, and its "
                           "later reads never lose a write that an observed write followed",
}


def _sequential(history: History, m: Model, budget: Budget) -> Verdict:
    rf = None
    try:                             # unique values: drop unobserved info writes, saturate with rf
        obs = observe(history, m)
        ops, optional, rf = obs.ops, set(), obs.rf
    except ThinAir as exc:
        return Verdict(VIOLATED, f"{exc} -- out of thin air", rung="sequential", model=m.name)
    except NotUnique:
        ops = [o for o in history if o.status == "ok" or (o.status == "info" and not o.is_read)]
        optional = {i for i, o in enumerate(ops) if o.status == "info"}
    by_p: dict[Any, list[int]] = {}
    for i in sorted(range(len(ops)), key=lambda i: (ops[i].invoke, ops[i].index)):
        by_p.setdefault(ops[i].process, []).append(i)
    preds: list[set[int]] = [set() for _ in ops]
    for seq in by_p.values():
        for a, b in itertools.pairwise(seq):
            preds[b].add(a)
    order = find_serialization(ops, preds, m, optional, budget, reads_from=rf)
    if order is not None:
        return Verdict(HOLDS, f"found {RULES['sequential']} ({len(order)} operations)",
                       rung="sequential", model=m.name, witness=[ops[i].index for i in order])
    text = f"the processes cannot agree on any single history of the object: there is no {RULES['sequential']}"
    return _with_culprit(Verdict(VIOLATED, text, rung="sequential", model=m.name),
                         obs if rf is not None else None, preds, m, budget)


def _with_culprit(v: Verdict, obs: Observations | None, preds: list[set[int]], m: Model,
                  budget: Budget) -> Verdict:
    """Add the first operation (in invocation order) whose arrival makes the rung fail.

    The candidate sub-histories are prefixes by invocation, closed under program order and
    reads-from; any order of the whole history restricted to one stays legal, so failing is
    monotone and a binary search finds the shortest failing one.
    """
    if obs is None:
        return v
    ops = obs.ops
    order = sorted(range(len(ops)), key=lambda i: (ops[i].invoke, ops[i].index))
    po_pred = {b: a for seq in obs.by_process.values() for a, b in itertools.pairwise(seq)}

    def closure(k: int) -> list[int]:
        members, todo = set(), list(order[:k])
        while todo:
            i = todo.pop()
            if i in members:
                continue
            members.add(i)
            todo.extend(j for j in (po_pred.get(i), obs.rf.get(i)) if j is not None)
        return sorted(members)

    def fails(k: int) -> bool:
        members = closure(k)
        pos = {g: j for j, g in enumerate(members)}
        sub_preds = [{pos[a] for a in preds[g] if a in pos} for g in members]
        rf = {pos[r]: (None if w is None else pos[w]) for r, w in obs.rf.items() if r in pos}
        return find_serialization([ops[g] for g in members], sub_preds, m, budget=budget,
                                  reads_from=rf) is None

    lo, hi = 1, len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        if fails(mid):
            hi = mid
        else:
            lo = mid + 1
    culprit = ops[order[lo - 1]]
    v.window = sorted((ops[g] for g in closure(lo)), key=lambda o: (o.invoke, o.index))
    v.details["failed_op"] = culprit.index
    v.explanation += (f". The first operation (in invocation order) that makes it impossible is "
                      f"{m.describe_operation(culprit)}: the {len(v.window)} operations up to it, with the writes "
                      "they read, already fail")
    return v


def _prefix(obs: Observations, m: Model, budget: Budget) -> tuple[list[Op], list[set[int]]]:
    ops = obs.ops
    preds: list[set[int]] = [set() for _ in ops]
    writes = obs.writes
    for a in writes:
        budget.tick(len(writes))
        for b in writes:
            if a != b and ops[a].precedes(ops[b]):
                preds[b].add(a)
    for seq in obs.by_process.values():
        reads = [i for i in seq if i in obs.rf]
        for a, b in itertools.pairwise(reads):
            preds[b].add(a)
    return ops, preds


def _view_check(obs: Observations, m: Model, rung: str, budget: Budget) -> Verdict:
    anc = None
    if rung == "causal":
        anc = causal_order(obs, budget)
        if anc is None:
            return Verdict(VIOLATED, "cause and effect form a cycle: following program order and "
                                     "reads-from leads from an operation back to itself (a read saw a "
                                     "write that happened only after it)", rung=rung, model=m.name)
    witness = []
    for p in sorted(obs.by_process, key=repr):
        edges = EDGES[rung](obs, p, anc) if anc is not None else EDGES[rung](obs, p)
        members = sorted(view_members(obs, p))
        failing = _first_failure(obs, m, members, edges, p, budget)
        if failing is not None:
            op = obs.ops[failing]
            return Verdict(VIOLATED, f"process {p!r} has no view that explains what it saw (it needs "
                                     f"{RULES[rung]}). The first of its operations it cannot explain is "
                                     f"{m.describe_operation(op)}.", rung=rung, model=m.name,
                           window=[o for o in _window(obs, p, failing)],
                           details={"process": p, "failed_op": op.index})
        witness.append(p)
    return Verdict(HOLDS, f"every process has {RULES[rung]} ({len(witness)} views found)",
                   rung=rung, model=m.name)


def _window(obs: Observations, p: Any, failing: int) -> list[Op]:
    """``p``'s operations up to ``failing``, with the writes they read."""
    mine = obs.by_process[p]
    upto = mine[: mine.index(failing) + 1]
    involved = set(upto) | {w for i in upto if (w := obs.rf.get(i)) is not None}
    return sorted((obs.ops[i] for i in involved), key=lambda o: (o.invoke, o.index))


def _solve(obs: Observations, m: Model, members: list[int], edges: Edges, budget: Budget) -> bool:
    """Whether the view of ``members`` ordered by ``edges`` (and reads-from) has a legal order."""
    pos = {g: j for j, g in enumerate(members)}
    nodes = [obs.ops[g] for g in members]
    member_mask = sum(1 << g for g in members)
    preds = []                       # bitmasks over positions in `members`
    for g in members:
        e = edges.get(g, 0)
        budget.tick(1 + (e.bit_count() if isinstance(e, int) else len(e)) // 32)
        mask = 0
        for b in (bits(e & member_mask) if isinstance(e, int) else e):
            if b in pos:
                mask |= 1 << pos[b]
        preds.append(mask)
    rf = {pos[r]: (None if w is None else pos.get(w, -1)) for r, w in obs.rf.items() if r in pos}
    if -1 in rf.values():            # a read of a write left out of this prefix (its own future write)
        return False
    return find_serialization(nodes, preds, m, budget=budget, reads_from=rf) is not None


def _first_failure(obs: Observations, m: Model, members: list[int], edges: Edges, p: Any,
                   budget: Budget) -> int | None:
    """None if p's view exists, else p's first operation in the shortest failing prefix."""
    if _solve(obs, m, members, edges, budget):
        return None
    mine = [i for i in obs.by_process[p] if i in set(members)]
    others = [g for g in members if g not in set(mine)]
    lo, hi = 1, len(mine)            # smallest k such that the prefix of length k fails
    while lo < hi:
        mid = (lo + hi) // 2
        if _solve(obs, m, sorted(others + mine[:mid]), edges, budget):
            lo = mid + 1
        else:
            hi = mid
    return mine[lo - 1] if mine else members[0]


def check(history: History, rung: str, model: str | Model | None = None,
          budget: Budget | None = None) -> Verdict:
    """Check one rung of the ladder; see :data:`RUNGS`."""
    if rung not in RUNGS:
        raise ValueError(f"rung must be one of {RUNGS}, got {rung!r}")
    budget = checked_inputs(history, budget)
    m = infer_model(history) if model is None else get_model(model)
    m.validate(history)
    history = one_at_a_time(history)
    if rung == "linearizable":
        v = check_linearizable(history, m, budget)
        v.rung = rung
        return v
    try:
        if rung == "sequential":
            return _sequential(history, m, budget)
        try:
            obs = observe(history, m)
        except NotUnique as exc:
            return Verdict(UNKNOWN, f"cannot decide: {exc}", rung=rung, model=m.name)
        except ThinAir as exc:
            return Verdict(VIOLATED, f"{exc} -- out of thin air", rung=rung, model=m.name)
        if rung == "consistent-prefix":
            ops, preds = _prefix(obs, m, budget)
            if find_serialization(ops, preds, m, budget=budget, reads_from=obs.rf) is not None:
                return Verdict(HOLDS, f"found {RULES[rung]}", rung=rung, model=m.name)
            return _with_culprit(Verdict(VIOLATED, "some process saw a write without a write that "
                                                   "really came before it, or saw the order change: "
                                                   f"there is no {RULES[rung]}", rung=rung, model=m.name),
                                 obs, preds, m, budget)
        return _view_check(obs, m, rung, budget)
    except BudgetExceeded as exc:
        return Verdict(UNKNOWN, f"gave up: {exc} after {budget.steps} search steps", rung=rung, model=m.name)
