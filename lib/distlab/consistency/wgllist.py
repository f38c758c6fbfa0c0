"""Wing & Gong's doubly linked list of call and return entries (Porcupine's ``node`` list), which
the depth-first search (:mod:`~distlab.consistency.wgl`) walks: the calls before the first return
are the operations that may take effect next; *lifting* a call takes it and its return out of the
list, and *unlifting* puts them back (Knuth's dancing links), so backtracking costs nothing.
"""
from __future__ import annotations

from collections.abc import Hashable

from distlab.consistency.events import CALL, event_keys
from distlab.sim.history import Op

__all__ = ["Entry", "Signature", "entry_list", "lift", "unlift", "rank"]

Signature = tuple[str, Hashable]
"""``(f, value)`` of an indeterminate operation: two with the same signature are interchangeable."""

_SENTINEL_OP = Op(None, "(sentinel)")   # the op of the list's head and tail; never stepped


class Entry:
    """One call or return in Wing & Gong's doubly linked list (Porcupine's ``node``).

    A call knows its operation, its slot (bit ``1 << slot`` in the linearized set), its signature if
    the operation is indeterminate (``None`` if it is ``ok``), its ``rank`` (the order of its return:
    candidates are tried in that order), and its ``match``: the return to lift with it.
    """

    __slots__ = ("is_call", "op", "slot", "sig", "rank", "is_read", "match", "prev", "next")
    match: Entry        # set on a call once its return is made (a return has none)
    prev: Entry         # set when linked (the sentinels point at themselves)
    next: Entry

    def __init__(self, is_call: bool, op: Op, slot: int = 0, sig: Signature | None = None) -> None:
        self.is_call, self.op, self.slot, self.sig = is_call, op, slot, sig
        self.rank, self.is_read = 0, is_call and op.is_read


def entry_list(live: list[Op]) -> Entry:
    """The call/return entries of ``live`` in real-time order, linked after a head sentinel; each
    call's ``rank`` is its return's position."""
    head = prev = Entry(False, _SENTINEL_OP)
    head.prev = head
    calls: list[Entry] = [head] * len(live)     # each slot's call (head: not seen yet)
    for pos, (_, kind, _, slot) in enumerate(event_keys(live, info_returns=True)):
        o = live[slot]
        if kind is CALL:
            entry = calls[slot] = Entry(True, o, slot, None if o.status == "ok" else (o.f, o.value))
        else:
            entry = Entry(False, o)
            calls[slot].match = entry
            calls[slot].rank = pos
        prev.next = entry
        entry.prev = prev
        prev = entry
    tail = Entry(False, _SENTINEL_OP)
    prev.next = tail
    tail.prev = tail.next = prev
    return head


def lift(call: Entry) -> None:
    """Take a call and its return out of the list (they stay linked to their neighbours)."""
    ret = call.match
    call.prev.next = call.next
    call.next.prev = call.prev
    ret.prev.next = ret.next
    ret.next.prev = ret.prev


def unlift(call: Entry) -> None:
    """Put back a call and its return lifted by :func:`lift` (in the reverse order)."""
    ret = call.match
    ret.prev.next = ret
    ret.next.prev = ret
    call.prev.next = call
    call.next.prev = call


def rank(e: Entry) -> int:
    """The position of a call's return: candidates are tried in this order."""
    return e.rank
