"""Load shedding at the door: when full, drop the least important work first, and work past its deadline.

"A served checkout and a dropped analytics ping beats both failing." An admission queue of bounded
size holds requests with a priority (higher = more important) and a deadline. When a request
arrives at a full queue, the lowest-priority request (the newcomer included; the newest among
equals) is shed. Workers always take the highest priority first, FIFO within a priority, and discard
requests whose deadline has passed instead of serving them late.

:func:`no_priority_inversion` checks the guarantee on the event log: a request
is never shed while a lower-priority one stays queued, and never served while a higher one waits.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from distlab.validate import ParameterTypeError, flag, integer, number

#: One shedder event: ``(event, priority, lowest queued, highest queued)``.
Event = tuple[str, int, "int | None", "int | None"]


@dataclass
class Request:
    """A queued request: its ``priority`` (higher = more important), ``deadline`` and payload."""

    priority: int
    deadline: float = float("inf")
    id: int = 0
    item: object = None  # the caller's payload, handed back by take()


class PriorityShedder:
    """Bounded admission queue: ``offer`` may shed, ``take`` serves the most important live request.

    One FIFO per priority level, so both operations cost O(number of levels). ``log`` records every
    event as ``(event, priority, lowest queued, highest queued)`` for the invariant check; pass
    ``keep_log=False`` in long simulations.
    """

    def __init__(self, capacity: int, on_expire: Callable[[Request], object] | None = None,
                 keep_log: bool = True) -> None:
        integer("capacity", capacity)
        flag("keep_log", keep_log)
        if on_expire is not None and not callable(on_expire):
            raise ParameterTypeError(f"on_expire must be a callable (or None), got {on_expire!r}")
        self.capacity = capacity
        self.on_expire = on_expire  # called with each Request dropped for its deadline
        self.keep_log = keep_log
        self.log: list[Event] = []
        self._levels: dict[int, deque[Request]] = {}
        self._size = 0
        self._next_id = 0

    def __len__(self) -> int:
        return self._size

    def _bounds(self) -> tuple[int, int] | tuple[None, None]:
        live = [p for p, q in self._levels.items() if q]
        return (min(live), max(live)) if live else (None, None)

    def _record(self, event: str, priority: int) -> None:
        if self.keep_log:
            self.log.append((event, priority, *self._bounds()))

    def offer(self, priority: int, now: float, deadline: float = float("inf"), item: object = None) -> Request | None:
        """Queue a request; return the request shed to make room (maybe this one), or None."""
        _check_request(priority, deadline)
        req = Request(priority, deadline, self._next_id, item)
        self._next_id += 1
        if self._size >= self.capacity:
            lowest = min(p for p, q in self._levels.items() if q)
            if lowest >= priority:  # the newcomer is the least important (ties: the newest goes)
                self._record("shed", priority)
                return req
            victim = self._levels[lowest].pop()  # newest of the least important level
            self._size -= 1
            self._record("shed", victim.priority)
        else:
            victim = None
        self._levels.setdefault(priority, deque()).append(req)
        self._size += 1
        if victim is None:
            self._record("queued", priority)
        return victim

    def take(self, now: float) -> Request | None:
        """The most important request whose deadline has not passed; expired ones are dropped."""
        for p in sorted((p for p, q in self._levels.items() if q), reverse=True):
            q = self._levels[p]
            while q:
                req = q.popleft()
                self._size -= 1
                if req.deadline <= now:
                    self._record("expired", p)
                    if self.on_expire is not None:
                        self.on_expire(req)
                    continue
                self._record("served", p)
                return req
        return None


def _check_request(priority: object, deadline: object) -> None:
    """``priority`` must be an integer (a NaN one compares False with every other and breaks the order),
    ``deadline`` a time in seconds that is not NaN (``inf``: none)."""
    if type(priority) is not int and (isinstance(priority, bool) or not isinstance(priority, int)):
        raise ParameterTypeError(f"priority must be an integer (higher = more important), got {priority!r}")
    if type(deadline) is not float or deadline != deadline:
        number("deadline", deadline, allow_inf=True)


def no_priority_inversion(log: Iterable[Event]) -> bool:
    """Named invariant: never shed p while something below p stays queued; never serve p while more waits."""
    for event, p, lowest, highest in log:
        if event == "shed" and lowest is not None and lowest < p:
            return False
        if event == "served" and highest is not None and highest > p:
            return False
    return True
