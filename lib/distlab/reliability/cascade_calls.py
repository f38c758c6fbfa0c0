"""The calls of the cascade simulator (:mod:`.cascade`): an end user's request, a caller->callee link
with its patterns, and one attempt of a call with its timeout -- where retries, breakers, bulkheads
and retry budgets act on each answer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .breaker import CircuitBreaker
from .bulkhead import Bulkhead
from .cascade_config import KINDS
from .retry import BUDGET_SPENT, RetryPolicy

if TYPE_CHECKING:
    from distlab.sim.kernel import Event

    from .cascade import CascadeModel, Service


class Call:
    """One request to a service: its kind (and so its priority) and when nobody waits for it any
    more. The callee calls ``on_done(ok)`` once it has an answer (or gives up)."""

    __slots__ = ("kind", "priority", "deadline")
    failure_matters = True  # False: on_done(False) changes nothing, so a failure needs no event

    kind: str
    priority: int
    deadline: float

    def on_done(self, ok: bool) -> None:
        """The callee's answer: ``ok`` or a failure (rejected, expired, errored or timed out)."""
        raise NotImplementedError


class ClientCall(Call):
    """An end user's request at the gateway: a success counts in its arrival bin if it was answered
    within the client timeout (a failure counts nothing)."""

    __slots__ = ("model", "start", "bin")
    failure_matters = False

    def __init__(self, model: CascadeModel, kind: str, start: float, b: int) -> None:
        self.kind, self.priority, self.deadline = kind, KINDS[kind], start + model.client_timeout
        self.model, self.start, self.bin = model, start, b

    def on_done(self, ok: bool) -> None:
        m = self.model
        latency = m.sim.now - self.start
        if ok and latency <= m.client_timeout:
            m.successes[self.bin] += 1
            m.kind_counts[self.kind][1] += 1
            m.kind_bins[self.kind].successes[self.bin] += 1
            m.latencies[self.bin].append(latency)


class Link:
    """A caller->callee edge: the callee Service, the request kinds that make this call, and its
    patterns (None = off)."""

    __slots__ = ("callee", "kinds", "breaker", "bulkhead", "policy", "budget")

    def __init__(self, callee: Service, kinds: Any, breaker: CircuitBreaker | None, bulkhead: Bulkhead | None,
                 policy: RetryPolicy) -> None:
        self.callee, self.kinds, self.breaker, self.bulkhead, self.policy = callee, kinds, breaker, bulkhead, policy
        self.budget = policy.budget


class Attempt(Call):
    """One try of a service's ``i``-th call over a ``link`` while serving ``parent``, with its
    timeout timer. Only the first of answer and timeout counts: a late answer is wasted work.
    (``timer`` is None when the callee's queue was full: that failure comes before any timeout.)"""

    __slots__ = ("caller", "parent", "i", "failures", "previous", "link", "sent", "timer", "over")

    def __init__(self, caller: Service, parent: Call, i: int, failures: int, previous: float | None, link: Link,
                 sent: float, deadline: float) -> None:
        self.kind, self.priority, self.deadline = parent.kind, parent.priority, deadline
        self.caller, self.parent, self.i, self.failures, self.previous = caller, parent, i, failures, previous
        self.link, self.sent, self.over = link, sent, False
        self.timer: Event | None = None

    def on_done(self, ok: bool, timed_out: bool = False) -> None:
        if self.over:
            return  # a late answer after the caller's timeout: wasted work
        self.over = True
        if not timed_out and self.timer is not None:
            self.timer.cancel()
        caller, link = self.caller, self.link
        m = caller.m
        now = caller.sim.now
        if link.bulkhead is not None:
            link.bulkhead.release()
        if link.breaker is not None:
            link.breaker.record(not ok, now - self.sent)
        budget = link.budget
        if ok:
            if budget is not None:
                if not budget.can_retry():
                    m.drained_refunds[m.bin()] += 1
                budget.on_success()
            return caller.call_dependency(self.parent, self.i + 1)
        if budget is not None:
            budget.on_failure()
        left = self.parent.deadline - now if m.deadlines else None
        failures = self.failures + 1
        wait, reason = link.policy.decide(failures, caller.rng, idempotent=True, previous=self.previous,
                                          time_left=left)
        if wait is None:
            if reason == BUDGET_SPENT:
                m.budget_refusals[m.bin()] += 1
            return caller.finish(self.parent, False)
        m.retries[m.bin()] += 1
        caller.sim.schedule(wait, caller.call_dependency, self.parent, self.i, failures, wait)
