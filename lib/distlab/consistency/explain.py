"""Explaining a linearizability violation: the smallest failing window and a readable reason.

The search reports the first operation whose completion no configuration can justify. That alone
is a poor explanation -- the cause may lie well before it. So we look for the shortest *window*
ending there that fails on its own:

* the window starting at operation ``j`` holds every operation invoked from ``j``'s invocation up to
  the failing completion, plus the operations still in flight when ``j`` was invoked;
* it starts from *every* state the object could have been in at that moment (as the full search
  found them), and any operation still in flight at either edge may or may not take effect.

Each of those choices only adds freedom, so if the window still fails, it fails whatever happened
outside it -- a self-contained counterexample a learner can study. We try ``j`` from the failing
operation backwards and keep the first (shortest) window that fails.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from distlab.consistency.jit import linearize_ops
from distlab.consistency.specs import Model
from distlab.consistency.verdict import VIOLATED, Budget, BudgetExceeded, StepLimit, Verdict, describe
from distlab.sim.history import History, Op

__all__ = ["explain_violation", "window_fails"]


def _fmt_states(states: frozenset, model: Model) -> str:
    vals = sorted(repr(s) for s in states)
    if not vals:
        return "no state at all"
    return "{" + ", ".join(vals) + "}"


def window_fails(ops: list[Op], start: float, end: float, init_states: frozenset, model: Model,
                 budget: Budget) -> list[Op] | None:
    """The window [start, end] of ``ops`` (see module doc) as a list if it fails alone, else None."""
    window = []
    for o in ops:
        if o.status == "info" and o.complete is not None:
            # indeterminate: it may take effect any time after invocation, whenever the client gave up
            o = replace(o, complete=None)
        if o.invoke > end or (o.complete is not None and o.status == "ok" and o.complete < start):
            continue
        if o.status == "info" and o.is_read:
            continue
        if o.status == "ok" and o.complete > end:
            if o.is_read:
                continue
            o = replace(o, status="info", complete=None)
        window.append(replace(o, invoke=max(o.invoke, start)) if o.invoke < start else o)
    out = linearize_ops(window, model, init_states=init_states, budget=budget)
    if out.ok:
        return None
    return window


def explain_violation(history: History, ops: list[Op], key: Any, model: Model, budget: Budget) -> Verdict:
    """Re-run the failing key with state recording, then find and describe the smallest window."""
    where = "the register" if key is None else f"key {key!r}"
    try:
        full = linearize_ops(ops, model, budget=budget.child(2_000_000), record_states=True)
    except StepLimit:
        return Verdict(VIOLATED, f"no order of the operations on {where} respects real time and is legal "
                                 "(exhaustive search); finding the smallest failing window ran out of budget",
                       model=model.name, details={"key": key})
    x = full.failed_op
    assert x is not None, "explain_violation called on a linearizable key"
    candidates = sorted((o for o in ops if o.invoke <= x.invoke and o.status in ("ok", "info")
                         and o.index in full.states_at_invoke),
                        key=lambda o: (o.invoke, o.index), reverse=True)
    window = None
    original = [o for o in history if o.key == key]
    try:
        for j in candidates[:400]:
            sub = Budget(timeout=None, max_steps=200_000)
            found = window_fails(ops, j.invoke, x.complete, full.states_at_invoke[j.index], model, sub)
            if found is not None:
                window = sorted((history[o.index] for o in found), key=lambda o: (o.invoke, o.index))
                start_states = full.states_at_invoke[j.index]
                break
    except BudgetExceeded:
        window = None
    if window is None:
        window = sorted((o for o in original if o.invoke <= x.complete), key=lambda o: (o.invoke, o.index))
        start_states = frozenset([model.init])

    states = _fmt_states(full.states_before_fail, model)
    if x.is_read:
        what = (f"it returned {x.result!r}, but every consistent account of the operations before it "
                f"leaves {where} holding {states} (before the operations still in flight act), and "
                f"no order of those in-flight operations yields {x.result!r}")
    elif x.f == "cas":
        what = (f"it needed {where} to hold {x.value[0]!r}, but every consistent account of the "
                f"operations before it leaves {where} holding {states} (before the operations still "
                f"in flight act), and no order of those in-flight operations yields {x.value[0]!r}")
    else:
        what = (f"taking effect anywhere in its interval leaves no legal order for the operations "
                f"that must follow it ({where} could hold {states} just before it completed)")
    span = f"operations {', '.join('#' + str(o.index) for o in window[:12])}" + (" …" if len(window) > 12 else "")
    reason = (f"{describe(x)} cannot take effect at any instant between its invocation "
              f"(t={x.invoke:g}) and its completion (t={x.complete:g}): {what}. Smallest failing window: "
              f"{len(window)} operations ({span}), starting from any of the states "
              f"{_fmt_states(start_states, model)} -- no order of them that respects real time is legal.")
    return Verdict(VIOLATED, reason, model=model.name, window=window,
                   details={"failed_op": x.index, "key": key,
                            "states_before_fail": sorted(map(repr, full.states_before_fail))})
