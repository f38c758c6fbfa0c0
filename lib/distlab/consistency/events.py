"""The call and return events of one key's operations, in real-time order -- what both
linearizability searches walk (:mod:`~distlab.consistency.wgl` and
:mod:`~distlab.consistency.linearizability`).

Each operation contributes a call at its invocation and, if it completed ``ok``, a return at its
completion. An indeterminate (``info``) operation never returns; the depth-first search gives it a
return after every real event (:attr:`Kind.NO_RETURN`), the just-in-time search gives it none.
Events sort by ``(time, kind, op_index, slot)``: at equal times calls come before returns, which is
the reading of real time that lets two operations touching at an instant overlap.
"""
from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import NamedTuple

from distlab.sim.history import Op

__all__ = ["Kind", "Event", "EventKey", "event_keys", "sorted_events"]

INF = float("inf")


class Kind(IntEnum):
    """What an event is; the value orders events that happen at the same time."""

    CALL = 0        #: an operation's invocation
    RETURN = 1      #: an ``ok`` operation's completion
    NO_RETURN = 2   #: an ``info`` operation's return that never comes (at +inf, after everything)


# Plain names for the members: ``Kind.CALL`` is an attribute lookup on the enum class (~70 ns),
# too slow for loops over every event.
CALL, RETURN, NO_RETURN = Kind.CALL, Kind.RETURN, Kind.NO_RETURN


class Event(NamedTuple):
    """One call or return; ``slot`` is the operation's position in the list the events came from."""

    time: float
    kind: Kind
    op_index: int
    slot: int


EventKey = tuple[float, Kind, int, int]
"""An :class:`Event`'s fields as a plain tuple: building a named tuple costs ~10x more, which
matters to a search that wants only the order (:func:`event_keys`)."""


def event_keys(ops: Sequence[Op], info_returns: bool) -> list[EventKey]:
    """Calls of all ``ops`` and returns of the ``ok`` ones (and, with ``info_returns``, the
    never-coming returns of the others), in real-time order, as plain ``Event``-shaped tuples."""
    keys: list[EventKey] = []
    add = keys.append
    for slot, o in enumerate(ops):
        index = o.index
        add((o.invoke, CALL, index, slot))
        if o.status == "ok":
            complete = o.complete               # not ``o.end``: a property call per event
            add((INF if complete is None else complete, RETURN, index, slot))
        elif info_returns:
            add((INF, NO_RETURN, index, slot))
    keys.sort()
    return keys


def sorted_events(ops: Sequence[Op], info_returns: bool) -> list[Event]:
    """:func:`event_keys` as :class:`Event` values."""
    return list(map(Event._make, event_keys(ops, info_returns)))
