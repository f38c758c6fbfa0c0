"""What the reads' goals (:mod:`~distlab.consistency.readgoals`) let the just-in-time search
(:mod:`~distlab.consistency.jit`) skip -- the same two prunings the depth-first search makes:

* an operation may take effect only in the order the reads imply (kv with values written once:
  :class:`~distlab.consistency.kvtokens.Order`) -- :func:`blocked`;
* a configuration is dead when a read still pending can no longer get its value: no producer of it
  is left and the state cannot reach it -- :func:`dead`.

The search names the ``ok`` operations it has linearized but only counts the indeterminate ones by
kind, so whether an ``info`` operation took effect is unknown here: both rules treat it as possibly
having taken effect and possibly not, whichever keeps more configurations (sound, just weaker).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from distlab.consistency.keyprep import Prepared
from distlab.consistency.kvtokens import Order
from distlab.consistency.readgoals import Goal, Reach, all_in
from distlab.sim.history import Op

__all__ = ["Rules", "rules_for", "taken", "blocked", "dead"]


class Rules(NamedTuple):
    """The goals and order of one key, over the slots of its :class:`Prepared` operations."""

    order: Order | None                 # what must (and must not) have taken effect before a write
    slot_of: dict[int, int]             # op index -> slot (bit) in the masks
    info: int                           # the slots of indeterminate operations
    goal_of: dict[int, Goal]            # op index -> the goal of an ok read (or cas)
    reach: Reach


def rules_for(prepared: Prepared | None) -> Rules | None:
    """The :class:`Rules` of a prepared key, or None when it has no goals, or goals of a register
    (there the just-in-time search keeps few configurations anyway, and checking the rules would
    cost more than it saves)."""
    if prepared is None or prepared.goals is None or not prepared.goals.growing:
        return None
    live, goals = prepared.live, prepared.goals
    info = 0
    goal_of = {}
    for i, o in enumerate(live):
        if o.status != "ok":
            info |= 1 << i
        goal = goals.by_slot[i]
        if goal is not None:
            goal_of[o.index] = goal
    return Rules(goals.order, {o.index: i for i, o in enumerate(live)}, info, goal_of, goals.reach)


def taken(rules: Rules, done: int, lin: Iterable[int]) -> int:
    """The slots of the ``ok`` operations known to have taken effect: ``done`` and those in ``lin``."""
    slot_of = rules.slot_of
    for i in lin:
        done |= 1 << slot_of[i]
    return done


def blocked(rules: Rules, taken_mask: int, op: Op) -> bool:
    """Does the reads' order forbid ``op`` to take effect once ``taken_mask`` has?"""
    order = rules.order
    if order is None:
        return False
    slot = rules.slot_of[op.index]
    before = order.require.get(slot)
    if before is not None and not all_in(before, taken_mask | rules.info):
        return True
    return slot in order.first_epoch and bool(order.puts & taken_mask)


def dead(rules: Rules, state: Any, taken_mask: int, reads: list[Goal], just: int = -1) -> bool:
    """Can one of the goals ``reads`` (pending operations not yet linearized, but for slot ``just``,
    which just was) no longer be met from ``state``, with ``taken_mask`` taken? (Producers that are
    ``info`` count as still available.)"""
    reach, gone = rules.reach, taken_mask & ~rules.info
    return any(all_in(goal.producers, gone) and goal.slot != just and not reach(state, goal.value) for goal in reads)
