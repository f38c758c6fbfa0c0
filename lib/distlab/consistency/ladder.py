"""The consistency ladder: which rungs imply which, where each sits under a partition, and
``classify`` -- every rung's verdict for one history.

The implication order follows Jepsen's consistency map (jepsen.io/consistency, after Bailis et
al., "Highly Available Transactions", 2014, and Viotti & Vukolić, 2016)::

    linearizable → sequential → causal → {PRAM, writes-follow-reads}
    PRAM → {read-your-writes, monotonic-reads, monotonic-writes}
    sequential → consistent-prefix

Availability classes (what survives a network partition):

* **unavailable** -- linearizable, sequential: some clients must wait for the other side;
* **sticky available** -- causal, PRAM, read-your-writes: every client can go on, provided it keeps
  talking to the same replica (a *sticky* session);
* **totally available** -- monotonic reads, monotonic writes, writes-follow-reads: any replica will do;
* **consistent prefix** (one real-time order of all writes) needs writes to be ordered by one
  sequencer such as a leader, so *writes* are unavailable on the minority side of a partition;
  reads stay available there, because an old prefix is still a prefix.

``classify`` checks rungs from the strongest down. A rung that holds makes every rung it implies
hold without a separate check; a violated rung makes every rung implying it violated; ``unknown``
stays. So the answer never says a rung holds while a rung it implies fails.

Caveat, kept visible: the lecture's consistent prefix orders writes by real time, which sequential
consistency does not require; a sequentially consistent history that reorders two non-overlapping
writes would fail a direct consistent-prefix check. ``classify`` follows the ladder's implication
(the direct check is still available as ``check(history, "consistent-prefix")``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from distlab.consistency.rungs import RUNGS, check
from distlab.consistency.specs import Model
from distlab.consistency.verdict import HOLDS, UNKNOWN, VIOLATED, Budget, Verdict, checked_inputs
from distlab.sim.history import History

__all__ = ["IMPLIES", "AVAILABILITY", "Classification", "classify", "implied_by", "implies_all",
           "ladder_respected"]

IMPLIES: dict[str, tuple[str, ...]] = {
    "linearizable": ("sequential",),
    "sequential": ("causal", "consistent-prefix"),
    "causal": ("pram", "writes-follow-reads"),
    "pram": ("read-your-writes", "monotonic-reads", "monotonic-writes"),
}

AVAILABILITY = {
    "linearizable": "unavailable", "sequential": "unavailable",
    "causal": "sticky-available", "pram": "sticky-available", "read-your-writes": "sticky-available",
    "monotonic-reads": "totally-available", "monotonic-writes": "totally-available",
    "writes-follow-reads": "totally-available",
    "consistent-prefix": "unavailable (writes; reads stay available)",
}


def implies_all(rung: str) -> set[str]:
    """Every rung that ``rung`` implies, transitively (not including itself)."""
    out: set[str] = set()
    todo = list(IMPLIES.get(rung, ()))
    while todo:
        r = todo.pop()
        if r not in out:
            out.add(r)
            todo.extend(IMPLIES.get(r, ()))
    return out


def implied_by(rung: str) -> set[str]:
    """Every rung that implies ``rung``, transitively."""
    return {r for r in RUNGS if rung in implies_all(r)}


@dataclass
class Classification:
    """Every rung's status and explanation as :func:`classify` placed the history on the ladder,
    and the verdicts of the rungs checked directly (the others are implied)."""

    rungs: dict[str, str]
    explanations: dict[str, str]
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def strongest(self) -> list[str]:
        """The rungs that hold and are implied by no other rung that holds."""
        held = [r for r in RUNGS if self.rungs[r] == HOLDS]
        return [r for r in held if not (implied_by(r) & set(held))]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: strongest, rungs, explanations and each rung's availability."""
        return {"strongest": self.strongest, "rungs": dict(self.rungs),
                "explanations": dict(self.explanations),
                "availability": {r: AVAILABILITY[r] for r in RUNGS}}


def classify(history: History, model: str | Model | None = None, timeout: float | None = 60.0,
             budget_factory: Callable[[], Budget] | None = None, budget: Budget | None = None) -> Classification:
    """Every rung's verdict (``holds``/``violated``/``unknown``), consistent with :data:`IMPLIES`.

    One budget covers the whole classification: ``budget`` if given (the command line starts it
    before reading the file), else ``Budget(timeout)``. Rungs are checked in ladder order, strongest
    first; each rung checked directly may use what is left of the budget divided by the number of
    rungs not yet decided, so a hard rung cannot starve the ones below it, and a rung implied by
    another's verdict costs nothing (its share flows to the rungs after it). A rung reached with
    nothing left is ``unknown`` without a search. ``budget_factory`` (a no-argument callable
    returning a :class:`Budget`) instead gives each directly checked rung a budget of its own, e.g.
    deterministic step budgets in tests and panels.
    """
    total = checked_inputs(history, budget) if budget is not None else Budget(timeout)
    if budget_factory is not None and not callable(budget_factory):
        raise TypeError(f"budget_factory must be a callable returning a Budget, got {budget_factory!r}")
    rungs: dict[str, str] = {}
    expl: dict[str, str] = {}
    verdicts: dict[str, Verdict] = {}
    for rung in RUNGS:                      # RUNGS lists every rung after all rungs implying it
        if rung in rungs:
            continue
        undecided = sum(1 for r in RUNGS if r not in rungs)
        v = check(history, rung, model, budget_factory()) if budget_factory else _check_share(
            history, rung, model, total, undecided)
        verdicts[rung] = v
        rungs[rung], expl[rung] = v.status, v.explanation
        if v.status == HOLDS:
            for lower in implies_all(rung):
                if lower not in rungs:
                    rungs[lower] = HOLDS
                    expl[lower] = f"holds because {rung} holds, and {rung} implies {lower}"
        elif v.status == VIOLATED:
            for upper in implied_by(rung):
                if rungs.get(upper, UNKNOWN) == UNKNOWN:
                    rungs[upper] = VIOLATED
                    expl[upper] = f"violated because it implies {rung}, which is violated"
    return Classification(rungs, expl, verdicts)


def _check_share(history: History, rung: str, model: str | Model | None, total: Budget, parts: int) -> Verdict:
    """Check ``rung`` with its share of ``total`` (what is left over ``parts``); charge ``total``."""
    left_s = None if total.deadline is None else total.deadline - total.clock()
    left_steps = None if total.max_steps is None else total.max_steps - total.steps
    if (left_s is not None and left_s <= 0) or (left_steps is not None and left_steps <= 0):
        return Verdict(UNKNOWN, "not checked: the budget ran out before this rung was reached", rung=rung)
    share = Budget(None if left_s is None else left_s / parts,
                   None if left_steps is None else max(1, left_steps // parts), clock=total.clock)
    v = check(history, rung, model, share)
    total.steps += share.steps
    if v.status == UNKNOWN and total.timeout is not None and share.timeout is not None:
        v.explanation += f" (this rung's share of the {total.timeout:g} s budget: {share.timeout:.3g} s)"
    return v


def ladder_respected(c: Classification) -> bool:
    """Invariant: no rung holds while a rung it implies is violated (or unknown), and no rung is
    violated while a rung implying it holds."""
    for rung, verdict in c.rungs.items():
        if verdict == HOLDS and any(c.rungs[lower] != HOLDS for lower in implies_all(rung)):
            return False
        if verdict == VIOLATED and any(c.rungs[upper] != VIOLATED for upper in implied_by(rung)):
            return False
    return True
