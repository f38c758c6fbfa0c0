"""The safety of two-phase commit as named invariants of the global state (checked after every
step, like Raft's five properties).

===================================  ==============================================================
``atomicity``                         no participant committed while another aborted the same
                                      transaction, and no coordinator decided against a participant
``no_unilateral_abort_after_yes``     a participant that voted yes never aborted on its own
``commit_needs_all_yes``              nothing committed unless every participant voted yes
===================================  ==============================================================

Each reads durable logs only (what survives a crash is what counts), and returns None when it
holds or a sentence saying what broke.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from distlab.sim import Simulation

from .messages import ABORT, COMMIT
from .participant import Participant

NAMES = ("atomicity", "no_unilateral_abort_after_yes", "commit_needs_all_yes")


def participants_of(sim: Simulation) -> list[Participant]:
    """The participants of a simulation, in the order they were added."""
    return [p for p in sim.processes.values() if isinstance(p, Participant)]


def logged_outcomes(p: Participant) -> list[str]:
    """Every outcome in ``p``'s durable log (more than one distinct value would be a bug)."""
    return [kind for kind, _, _ in p.log if kind in (COMMIT, ABORT)]


def coordinator_decisions(sim: Simulation) -> dict[Any, str]:
    """pid -> decision for every non-participant process that holds one (``decision``)."""
    out: dict[Any, str] = {}
    for pid, proc in sim.processes.items():
        decision = getattr(proc, "decision", None)
        if not isinstance(proc, Participant) and decision in (COMMIT, ABORT):
            out[pid] = decision
    return out


def atomicity(sim: Simulation) -> str | None:
    """All-or-nothing: no commit next to an abort, anywhere."""
    seen: dict[str, list[Any]] = {COMMIT: [], ABORT: []}
    for p in participants_of(sim):
        kinds = {kind for kind, _, _ in p.log}
        for outcome in (ABORT, COMMIT):  # each outcome in its log, once (a bug could log both)
            if outcome in kinds:
                seen[outcome].append(p.pid)
    for pid, decision in coordinator_decisions(sim).items():
        seen[decision].append(pid)
    if seen[COMMIT] and seen[ABORT]:
        return f"committed at {seen[COMMIT]} but aborted at {seen[ABORT]}"
    return None


def no_unilateral_abort_after_yes(sim: Simulation) -> str | None:
    """A yes vote is a promise: after it, only someone who knows the outcome may abort it."""
    for p in participants_of(sim):
        voted = False
        for kind, time, source in p.log:
            voted = voted or kind == "yes"
            if voted and kind == ABORT and source.startswith("unilateral"):
                return f"{p.pid} voted yes and then aborted on its own at t={time:.3f}s ({source})"
    return None


def commit_needs_all_yes(sim: Simulation) -> str | None:
    """A commit anywhere means every participant has "prepared" in its log."""
    ps = participants_of(sim)
    missing = [p.pid for p in ps if not any(kind == "yes" for kind, _, _ in p.log)]
    if not missing:  # the usual case once everyone voted: nothing more to look at
        return None
    committed = [p.pid for p in ps if COMMIT in logged_outcomes(p)]
    committed += [pid for pid, d in coordinator_decisions(sim).items() if d == COMMIT]
    if committed:
        return f"committed at {committed} though {missing} never voted yes"
    return None


CHECKS: dict[str, Callable[[Simulation], str | None]] = {
    "atomicity": atomicity,
    "no_unilateral_abort_after_yes": no_unilateral_abort_after_yes,
    "commit_needs_all_yes": commit_needs_all_yes,
}


def install(sim: Simulation) -> None:
    """Register the three invariants on ``sim`` under their names."""
    for name in NAMES:
        sim.invariants.add(name, CHECKS[name])
