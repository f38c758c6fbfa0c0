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

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeAlias

from distlab.consistency.events import CALL, event_keys
from distlab.consistency.specs import Model
from distlab.consistency.verdict import Budget
from distlab.sim.history import Op

__all__ = ["wgl_ops", "Entry", "Choice"]

Signature = tuple[str, Hashable]
"""``(f, value)`` of an indeterminate operation: two with the same signature are interchangeable."""

_SENTINEL_OP = Op(None, "(sentinel)")   # the op of the list's head and tail; never stepped


class Entry:
    """One call or return in Wing & Gong's doubly linked list (Porcupine's ``node``).

    A call knows its operation, the operation's bit in the linearized set, its signature if the
    operation is indeterminate (``None`` if it is ``ok``), and its ``match``: the return to lift
    with it. The list has a head and a tail sentinel, so ``prev`` and ``next`` are never missing.
    """

    __slots__ = ("is_call", "op", "bit", "sig", "match", "prev", "next")
    match: Entry        # set on a call once its return is made (a return has none)
    prev: Entry         # set when linked (the sentinels point at themselves)
    next: Entry

    def __init__(self, is_call: bool, op: Op, bit: int = 0, sig: Signature | None = None) -> None:
        self.is_call, self.op, self.bit, self.sig = is_call, op, bit, sig


Choice: TypeAlias = "tuple[Entry, Any]"
"""A call linearized on the current path, and the state just before it (to backtrack to). A plain
tuple: one is made per step, and a ``NamedTuple`` there cost ~5% of a whole check."""


def wgl_ops(ops: Sequence[Op], model: Model, budget: Budget | None = None) -> list[int] | None:
    """A linearization (op indices) of one key's operations, or ``None`` if none exists."""
    live = [o for o in ops if o.status == "ok" or (o.status == "info" and not o.is_read)]
    head = _entry_list(live)
    remaining_ok = sum(1 for o in live if o.status == "ok")
    return _search(head, model.step, model.init, remaining_ok, budget or Budget(None))


def _entry_list(live: list[Op]) -> Entry:
    """The call/return entries of ``live`` in real-time order, linked after a head sentinel."""
    head = prev = Entry(False, _SENTINEL_OP)
    head.prev = head
    calls: list[Entry] = [head] * len(live)     # each slot's call (head: not seen yet)
    for _, kind, _, slot in event_keys(live, info_returns=True):
        o = live[slot]
        if kind is CALL:
            entry = calls[slot] = Entry(True, o, 1 << slot, None if o.status == "ok" else (o.f, o.value))
        else:
            entry = Entry(False, o)
            calls[slot].match = entry
        prev.next = entry
        entry.prev = prev
        prev = entry
    tail = Entry(False, _SENTINEL_OP)
    prev.next = tail
    tail.prev = tail.next = prev
    return head


def _lift(call: Entry) -> None:
    """Take a call and its return out of the list (they stay linked to their neighbours)."""
    ret = call.match
    call.prev.next = call.next
    call.next.prev = call.prev
    ret.prev.next = ret.next
    ret.next.prev = ret.prev


def _unlift(call: Entry) -> None:
    """Put back a call and its return lifted by :func:`_lift` (in the reverse order)."""
    ret = call.match
    ret.prev.next = ret
    ret.next.prev = ret
    call.prev.next = call
    call.next.prev = call


def _search(head: Entry, step: Callable[[Any, Op], tuple[bool, Any]], init: Any, remaining_ok: int,
            budget: Budget) -> list[int] | None:
    """The depth-first search from ``head`` (see the module doc); the linearization or ``None``."""
    tick = budget.tick
    state, lin = init, 0                       # the current state and linearized set (a bitmask)
    cache = {(0, state)}
    calls: list[Choice] = []                   # the path: one choice per linearized call
    entry = head.next
    seen_sigs: set[Signature] = set()          # info signatures already tried at this position
    while remaining_ok:
        tick()
        if entry.is_call:
            sig = entry.sig
            if sig is not None:
                if sig in seen_sigs:
                    entry = entry.next
                    continue
                seen_sigs.add(sig)
            legal, new_state = step(state, entry.op)
            if legal:
                new_lin = lin | entry.bit
                key = (new_lin, new_state)
                if key not in cache:
                    cache.add(key)
                    calls.append((entry, state))
                    state, lin = new_state, new_lin
                    _lift(entry)
                    if sig is None:
                        remaining_ok -= 1
                    entry = head.next
                    seen_sigs = set()
                    continue
            entry = entry.next
            continue
        # a return (or the tail): the op it belongs to cannot be placed here -- backtrack
        if not calls:
            return None
        entry, state = calls.pop()
        lin &= ~entry.bit
        _unlift(entry)
        if entry.sig is None:
            remaining_ok += 1
        seen_sigs = _sigs_before(head, entry)
        if entry.sig is not None:
            seen_sigs.add(entry.sig)
        entry = entry.next
    return [call.op.index for call, _ in calls]


def _sigs_before(head: Entry, entry: Entry) -> set[Signature]:
    """Signatures of info calls listed before ``entry`` (which is in the list): the symmetry rule."""
    out = set()
    k = head.next
    while k is not entry:
        if k.is_call and k.sig is not None:
            out.add(k.sig)
        k = k.next
    return out
