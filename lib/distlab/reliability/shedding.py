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

import heapq
import itertools
from dataclasses import dataclass, field


@dataclass(order=True)
class Request:
    sort_key: tuple = field(init=False, repr=False)
    priority: int = field(compare=False)
    deadline: float = field(compare=False, default=float("inf"))
    id: int = field(compare=False, default=0)
    item: object = field(compare=False, default=None)  # the caller's payload, handed back by take()

    def __post_init__(self) -> None:
        self.sort_key = (-self.priority, self.id)


class PriorityShedder:
    """Bounded admission queue: ``offer`` may shed, ``take`` serves the most important live request."""

    def __init__(self, capacity: int, on_expire=None) -> None:
        if not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be an integer >= 1, got {capacity!r}")
        self.capacity = capacity
        self._heap: list[Request] = []
        self._ids = itertools.count()
        self.log: list[tuple] = []  # (event, priority, queued priorities at that moment)
        self.on_expire = on_expire  # called with each Request dropped for its deadline

    def __len__(self) -> int:
        return len(self._heap)

    def offer(self, priority: int, now: float, deadline: float = float("inf"), item=None) -> Request | None:
        """Queue a request; return the request shed to make room (maybe this one), or None."""
        req = Request(priority, deadline, next(self._ids), item)
        if len(self._heap) < self.capacity:
            heapq.heappush(self._heap, req)
            self.log.append(("queued", priority, None))
            return None
        victim = max(self._heap)  # lowest priority, newest among equals
        if victim.priority >= priority:  # the newcomer is the least important (ties: newest goes)
            self.log.append(("shed", priority, [r.priority for r in self._heap]))
            return req
        self._heap.remove(victim)
        heapq.heapify(self._heap)
        heapq.heappush(self._heap, req)
        self.log.append(("shed", victim.priority, [r.priority for r in self._heap]))
        return victim

    def take(self, now: float) -> Request | None:
        """The most important request whose deadline has not passed; expired ones are dropped."""
        while self._heap:
            req = heapq.heappop(self._heap)
            if req.deadline <= now:
                self.log.append(("expired", req.priority, None))
                if self.on_expire is not None:
                    self.on_expire(req)
                continue
            self.log.append(("served", req.priority, [r.priority for r in self._heap]))
            return req
        return None


def no_priority_inversion(log) -> bool:
    """Named invariant: never shed p while something below p stays queued; never serve p while more waits."""
    for event, p, queued in log:
        if event == "shed" and queued and min(queued) < p:
            return False
        if event == "served" and queued and max(queued) > p:
            return False
    return True
