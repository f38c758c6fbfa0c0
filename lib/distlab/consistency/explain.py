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
from distlab.consistency.keyprep import Prepared, prepare
from distlab.consistency.specs import Model
from distlab.consistency.stale import Stale
from distlab.consistency.verdict import VIOLATED, Budget, BudgetExceeded, StepLimit, Verdict, plural, race_limits
from distlab.consistency.wgl import wgl_ops
from distlab.sim.history import History, Op

__all__ = ["explain_violation", "thin_air_verdict", "stale_verdict", "window_fails", "EXPLAIN_STEPS",
           "MAX_WINDOW_STARTS", "WINDOW_STEPS", "WINDOW_FIRST_STEPS", "DFS_STATES", "FALLBACK_STEPS"]

# The explanation may take as many search steps as the verdict took (so it never costs more than
# the verdict, up to a constant), but at least this many: a violation refuted without search, or
# almost, still gets its window. All of it is a child of the caller's budget, so the caller's
# timeout holds as well; past either limit the violation is reported without a window, saying so.
EXPLAIN_STEPS = 20_000

# The work (steps and what each looks at) the explanation may do per step it may take.
WORK_PER_STEP = 8

# The explanation of a violation the violation-first pass found may take at least this many steps
# (or as many as the verdict took); past it, the pass's own verdict and window are reported.
FALLBACK_STEPS = 5_000

# How many window starts to try, from the failing operation backwards. Each start is a search of its
# own, so this caps the explanation at that many searches on a long history; the shortest failing
# window almost always starts a few operations back. Past it the window is every operation on the
# key up to the failing one.
MAX_WINDOW_STARTS = 400

# A window is searched depth-first from each of its start states only when it has at most this many.
DFS_STATES = 8

# The first round's work limit of the race on one window (see window_fails), and the most work one
# round may get. A window that cannot be decided within it ends the hunt, and the window reported is
# every operation on the key up to the failing one -- so one hard window cannot hold the
# explanation up.
WINDOW_FIRST_STEPS = 1_000
WINDOW_STEPS = 200_000


def _fmt_states(states: frozenset[Any], model: Model) -> str:
    vals = sorted(model.describe_state(s) for s in states)
    if not vals:
        return "no state at all"
    return "{" + ", ".join(vals) + "}"


def _by_invocation(o: Op) -> tuple[float, int]:
    return o.invoke, o.index


def window_fails(ops: list[Op], start: float, end: float, init_states: frozenset[Any], model: Model,
                 budget: Budget) -> list[Op] | None:
    """The window [start, end] of ``ops`` (see module doc) as a list if it fails alone, else None.

    The two searches are raced on it as on a key (:func:`~distlab.consistency.verdict.race_limits`),
    the just-in-time search first (it proves a window fails quickly, and most windows tried do),
    then the depth-first search from each start state (up to :data:`DFS_STATES` of them: it finds
    a linearization of a window that does not fail quickly). Raises :class:`StepLimit` past
    :data:`WINDOW_STEPS`."""
    window = _window(ops, start, end)
    prepared = prepare(window, model, from_init=init_states == frozenset([model.init]))
    states = list(init_states)
    for dfs, jit in race_limits(WINDOW_FIRST_STEPS):
        if dfs > WINDOW_STEPS:
            raise StepLimit(f"window step limit {WINDOW_STEPS} reached")
        try:
            out = linearize_ops(window, model, init_states=states, budget=budget.child(jit, jit), prepared=prepared)
            return None if out.ok else window
        except StepLimit:
            pass
        if len(states) <= DFS_STATES:
            left = []
            for s in states:
                try:
                    if wgl_ops(window, model, budget.child(dfs, dfs), prepared=prepared, init=s) is not None:
                        return None
                except StepLimit:
                    left.append(s)
            if not left:
                return window
            states = left
    raise AssertionError("unreachable: the limits never end")


def _window(ops: list[Op], start: float, end: float) -> list[Op]:
    """The operations of the window [start, end] (see the module doc), as they stand in it."""
    window = []
    for o in ops:
        if o.status == "info" and o.complete is not None:
            # indeterminate: it may take effect any time after invocation, whenever the client gave up
            o = replace(o, complete=None)
        if o.invoke > end or (o.status == "ok" and o.end < start):
            continue
        if o.status == "info" and o.is_read:
            continue
        if o.status == "ok" and o.end > end:
            if o.is_read:
                continue
            o = replace(o, status="info", complete=None)
        window.append(replace(o, invoke=max(o.invoke, start)) if o.invoke < start else o)
    return window


def explain_violation(history: History, ops: list[Op], key: Any, model: Model, budget: Budget,
                      verdict_steps: int = 0, prepared: Prepared | None = None,
                      fallback: Verdict | None = None) -> Verdict:
    """Re-run the failing key with state recording, then find and describe the smallest window --
    within ``max(verdict_steps, EXPLAIN_STEPS)`` steps of ``budget``. ``prepared``: the key's
    :func:`~distlab.consistency.keyprep.prepare`, if the caller has it (its reads' order helps).
    ``fallback``: the violation-first pass's verdict, when it found the violation: it is returned
    if the search cannot explain within :data:`FALLBACK_STEPS` (its window is small already)."""
    where = "the register" if key is None else f"key {key!r}"
    first = fallback is not None
    steps = max(verdict_steps, FALLBACK_STEPS if first else EXPLAIN_STEPS)
    allowance = budget.child(steps, steps * WORK_PER_STEP)
    prepared = prepared or prepare(ops, model)
    try:
        full = linearize_ops(ops, model, budget=allowance, record_states=True, prepared=prepared)
    except BudgetExceeded as exc:
        if fallback is not None:
            return fallback
        why = "as many steps as the verdict took" if isinstance(exc, StepLimit) else f"budget ({exc})"
        return Verdict(VIOLATED, f"no order of the operations on {where} respects real time and is legal "
                                 f"(exhaustive search); finding the smallest failing window ran out of {why}, "
                                 "so no window is shown", model=model.name, details={"key": key})
    x = full.failed_op
    if x is None:
        raise RuntimeError(f"the two linearizability searches disagree on {where}; please report this history")
    found = _smallest_window(prepared.live, x, full.states_at_invoke or {}, model, allowance)
    if found is None and fallback is not None:
        return fallback
    window, start_states = found or _up_to(history, key, x, model)
    window = sorted((history[o.index] for o in window), key=_by_invocation)
    reason = _reason(x, where, full.states_before_fail, window, start_states, model)
    return Verdict(VIOLATED, reason, model=model.name, window=window,
                   details={"failed_op": x.index, "key": key, "without_search": first,
                            "states_before_fail": sorted(map(repr, full.states_before_fail))})


def thin_air_verdict(x: Op, why: str, key: Any, model: Model) -> Verdict:
    """A violation found without search (:func:`~distlab.consistency.readgoals.thin_air`): ``x``
    needs a state that nothing in the history can produce; the window is ``x`` alone."""
    where = "the register" if key is None else f"key {key!r}"
    needed = model.describe_state(model.read_value(x.result) if x.is_read else x.value[0])
    did = f"it returned {needed}" if x.is_read else f"it needed {where} to hold {needed}"
    return Verdict(VIOLATED, f"{model.describe_operation(x)} cannot take effect at any instant: {did}, but "
                             f"{why} -- no write on {where}, completed, in flight or indeterminate, explains it "
                             "(found without search). Smallest failing window: this one operation.",
                   model=model.name, window=[x], details={"failed_op": x.index, "key": key, "without_search": True})


def stale_verdict(stale: Stale, key: Any, model: Model) -> Verdict:
    """A stale read found without search (:func:`~distlab.consistency.stale.stale_read`); the
    window is the read, the write(s) its value is made of, and the write that came between."""
    where = "the register" if key is None else f"key {key!r}"
    x, w = stale.read, stale.overwrite
    needed = model.describe_state(model.read_value(x.result) if x.is_read else x.value[0])
    made = ("the initial value" if stale.base is None else f"written by {model.describe_operation(stale.base)}")
    if stale.appends:
        made += f" and {plural(len(stale.appends), 'append')}"
    window = sorted([*([stale.base] if stale.base else []), *stale.appends, w, x], key=_by_invocation)
    what = "it returned" if x.is_read else "it needed"
    return Verdict(VIOLATED, f"{model.describe_operation(x)} cannot take effect at any instant between its "
                             f"invocation (t={x.invoke:g}) and its completion (t={x.end:g}): {what} {needed} "
                             f"({made}), but {model.describe_operation(w)} completed before it began and began "
                             f"after that value was written, so it changed {where} in between (found without "
                             f"search). Smallest failing window: {len(window)} operations "
                             f"({', '.join('#' + str(o.index) for o in window[:12])}"
                             f"{' …' if len(window) > 12 else ''}) -- no order of them that respects real time "
                             "is legal.", model=model.name, window=window,
                   details={"failed_op": x.index, "key": key, "without_search": True, "overwrite": w.index})


def _smallest_window(ops: list[Op], x: Op, states_at: dict[int, frozenset[Any]], model: Model,
                     budget: Budget) -> tuple[list[Op], frozenset[Any]] | None:
    """The shortest window ending at ``x``'s completion that fails alone, and the states it starts
    from; None if none was found within the limits above (and ``budget``)."""
    candidates = sorted((o for o in ops if o.invoke <= x.invoke and o.status in ("ok", "info")
                         and o.index in states_at), key=_by_invocation, reverse=True)
    try:
        for j in candidates[:MAX_WINDOW_STARTS]:
            found = window_fails(ops, j.invoke, x.end, states_at[j.index], model, budget)
            if found is not None:
                return found, states_at[j.index]
    except BudgetExceeded:
        pass
    return None


def _up_to(history: History, key: Any, x: Op, model: Model) -> tuple[list[Op], frozenset[Any]]:
    """Every operation on ``key`` up to ``x``'s completion: the window when no smaller one was found."""
    return [o for o in history if o.key == key and o.invoke <= x.end], frozenset([model.init])


def _reason(x: Op, where: str, states_before_fail: frozenset[Any], window: list[Op], start_states: frozenset[Any],
            model: Model) -> str:
    """Why ``x`` cannot take effect, and the window, in words (operations and states as the model
    describes them)."""
    states = _fmt_states(states_before_fail, model)
    if x.is_read:
        what = (f"it returned {x.result!r}, but every consistent account of the operations before it "
                f"leaves {where} holding {states} (before the operations still in flight act), and "
                f"no order of those in-flight operations yields {model.describe_state(x.result)}")
    elif x.f == "cas":
        expected = model.describe_state(x.value[0])
        what = (f"it needed {where} to hold {expected}, but every consistent account of the "
                f"operations before it leaves {where} holding {states} (before the operations still "
                f"in flight act), and no order of those in-flight operations yields {expected}")
    else:
        what = (f"taking effect anywhere in its interval leaves no legal order for the operations "
                f"that must follow it ({where} could hold {states} just before it completed)")
    noun = "operation" if len(window) == 1 else "operations"
    span = f"{noun} {', '.join('#' + str(o.index) for o in window[:12])}" + (" …" if len(window) > 12 else "")
    return (f"{model.describe_operation(x)} cannot take effect at any instant between its invocation "
            f"(t={x.invoke:g}) and its completion (t={x.end:g}): {what}. Smallest failing window: "
            f"{len(window)} {noun} ({span}), starting from any of the states "
            f"{_fmt_states(start_states, model)} -- no order of them that respects real time is legal.")
