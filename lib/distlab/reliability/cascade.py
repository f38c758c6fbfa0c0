"""A cascading-failure simulator on the shared kernel (:class:`distlab.sim.Simulation`).

Services are thread pools with bounded queues (:mod:`.cascade_config` builds the graph). A worker
is held for the whole request, *including* its calls to dependencies, as in thread-per-request
servers. So when one dependency slows down, its callers' workers pile up waiting, their queues fill,
and the callers' callers follow: a cascade. Requests keep being processed after their caller gave up
unless deadlines are propagated -- the wasted work that turns a retry storm into a metastable failure
(Bronson et al., "Metastable Failures in Distributed Systems", HotOS 2021).

Switches (``CascadeConfig``): circuit ``breakers`` and ``bulkheads`` per caller->callee edge (the
:mod:`.breaker` and :mod:`.bulkhead` classes, on the simulation clock), ``retries`` with full-jitter
backoff and optionally a ``retry_budget`` per edge (:mod:`.retry`), ``deadlines`` propagated down
the chain (:mod:`.deadline` semantics: a callee drops work whose caller has given up), and
``shedding`` at the gateway by priority (:class:`.shedding.PriorityShedder`).
"""
from __future__ import annotations

import math
from bisect import bisect
from collections import deque
from itertools import accumulate
from typing import Any, cast

from distlab.sim import Simulation
from distlab.validate import ParameterTypeError

from .breaker import CircuitBreaker
from .bulkhead import Bulkhead
from .cascade_calls import Attempt, Call, ClientCall, Link
from .cascade_config import KINDS, CascadeConfig, CascadeResult, KindBins, default_graph
from .retry import Backoff, RetryBudget, RetryPolicy
from .shedding import PriorityShedder, Request

INF = float("inf")


class Service:
    """A thread pool (``workers``) with a bounded FIFO queue, or at the gateway with ``shedding`` a
    priority queue (:class:`.shedding.PriorityShedder`). A worker is held until ``finish``."""

    def __init__(self, model: CascadeModel, name: str, workers: int, queue: int, work: float, shedder: bool) -> None:
        self.m, self.name, self.workers, self.cap, self.work = model, name, workers, queue, work
        self.sim, self.rng = model.sim, model.rng
        self.busy = 0
        self.queue: PriorityShedder | deque[Call] = (
            PriorityShedder(queue, on_expire=self._expired, keep_log=False) if shedder else deque())
        self.calls = model.calls[name]  # per-bin calls arriving
        self.queue_max = model.queue_max[name]  # per-bin longest queue
        self.routes: dict[str, tuple[Link, ...]] = {}  # kind -> the Links it calls over, in order (set by the model)
        fault = model.cfg.fault
        self.fault = fault if fault is not None and fault.service == name else None
        self.rate = 1.0 / (work * 1.0)  # own work is exponential with this rate
        if self.fault is not None:
            self.fault_rate = 1.0 / (work * self.fault.factor)

    def _expired(self, req: Request) -> None:
        self.fail(req.item)

    def fail(self, call: Any) -> None:
        """Answer a call that was rejected or expired in the queue: a failure, delivered as its own event."""
        if call.failure_matters:
            self.sim.schedule(0.0, call.on_done, False)

    def full(self) -> bool:
        """Would a call arriving now be rejected at once (every worker busy, the FIFO queue full)?"""
        queue = self.queue  # a shedding queue never rejects a newcomer at once: it sheds the least important
        return not isinstance(queue, PriorityShedder) and self.busy >= self.workers and len(queue) >= self.cap

    def submit(self, call: Call) -> None:
        """A call arrives: a free worker begins it; otherwise it queues, or is shed or rejected."""
        m = self.m  # arrivals, calls and queue lengths count in the bin of the current time (inlined bin())
        b = min(m.last_bin, int(self.sim.now / m.bin_width))
        self.calls[b] += 1
        if self.busy < self.workers:
            return self.begin(call)
        queue = self.queue
        if isinstance(queue, PriorityShedder):  # the gateway with shedding on
            req = queue.offer(call.priority, self.sim.now, call.deadline, item=call)
            if req is not None:
                self.fail(req.item)
        elif len(queue) < self.cap:
            queue.append(call)
        else:
            self.fail(call)
        n = len(queue)
        if n > self.queue_max[b]:
            self.queue_max[b] = n

    def begin(self, call: Call) -> None:
        """A worker takes ``call``: its own work first (slower during the fault), then its calls."""
        sim = self.sim
        self.busy += 1
        if self.m.deadlines and sim.now >= call.deadline:
            return self.finish(call, False)  # nobody is waiting for this answer any more
        f = self.fault
        if f is not None and f.start <= sim.now < f.end:
            sim._push_fast(sim.now + self.rng.expovariate(self.fault_rate), self.worked, (call, f.error_rate))
        else:  # the kernel's hot path (no Event handle: nothing cancels own work); the same order as schedule()
            sim._push_fast(sim.now + self.rng.expovariate(self.rate), self.worked, (call, 0.0))

    def worked(self, call: Call, err: float) -> None:
        """Own work done (failing with probability ``err``): make the first call to a dependency."""
        if err and self.rng.random() < err:
            return self.finish(call, False)
        self.call_dependency(call, 0)

    def call_dependency(self, call: Call, i: int, failures: int = 0, previous: float | None = None) -> None:
        """Make the ``i``-th call ``call`` needs (after ``failures`` failed tries of it), or finish."""
        route = self.routes[call.kind]
        if i >= len(route):
            return self.finish(call, True)
        link = route[i]
        br, bh = link.breaker, link.bulkhead
        if (br is not None and not br.allow()) or (bh is not None and not bh.try_acquire()):
            return self.finish(call, False)  # fail fast: the caller's worker is freed at once
        m, sim = self.m, self.sim
        sent = sim.now
        deadline = min(call.deadline, sent + m.call_timeout) if m.deadlines else INF
        attempt = Attempt(self, call, i, failures, previous, link, sent, deadline)
        if not link.callee.full():  # a rejected attempt fails at once: its timer would only be cancelled
            attempt.timer = sim.schedule(m.call_timeout, attempt.on_done, False, True)
        link.callee.submit(attempt)

    def finish(self, call: Call, ok: bool) -> None:
        """Free the worker (it takes the next queued call, if any), then answer the caller."""
        self.busy -= 1
        q = self.queue
        if isinstance(q, PriorityShedder):
            req = q.take(self.sim.now if self.m.deadlines else -INF)
            if req is not None:
                self.begin(cast(Call, req.item))
        elif q:
            self.begin(q.popleft())
        call.on_done(ok)


class CascadeModel:
    """One experiment's world: the services, their links and the per-bin counters they fill."""

    def __init__(self, cfg: CascadeConfig) -> None:
        self.cfg = cfg
        self.sim = Simulation(cfg.seed, trace=False)
        self.rng = self.sim.rng("cascade")  # the services' own work, errors and retry jitter
        # the end users' requests (when, and of which kind) draw from a stream of their own, so two runs
        # with one seed offer the same first attempts whatever the patterns do (a fair same-seed A/B)
        self.arrival_rng = self.sim.rng("arrivals")
        self.g: Any = cfg.graph if cfg.graph is not None else default_graph()
        self.nbins = math.ceil(cfg.duration / cfg.bin_width)
        self.last_bin, self.bin_width = self.nbins - 1, cfg.bin_width
        self.deadlines, self.client_timeout, self.call_timeout = cfg.deadlines, cfg.client_timeout, cfg.call_timeout
        def z() -> list[int]:
            return [0] * self.nbins

        self.arrivals, self.successes, self.retries = z(), z(), z()
        self.latencies: list[list[float]] = [[] for _ in range(self.nbins)]
        self.calls = {n: z() for n in self.g.nodes}
        self.queue_max = {n: z() for n in self.g.nodes}
        self.kind_counts = {k: [0, 0] for k in KINDS}
        self.kind_bins = {k: KindBins(z(), z()) for k in KINDS}
        self.budget_refusals, self.drained_refunds = z(), z()
        self.services = {n: Service(self, n, a["workers"], a["queue"], a["work"], cfg.shedding and n == "gateway")
                         for n, a in self.g.nodes(data=True)}
        self.gateway = self.services["gateway"]
        self.edges: dict[tuple[str, str], Link] = {}
        for u, v, a in self.g.edges(data=True):
            self.edges[u, v] = Link(
                callee=self.services[v],
                kinds=a["kinds"],
                breaker=CircuitBreaker(cfg.breaker, clock=self.now, name=f"{u}->{v}") if cfg.breakers else None,
                bulkhead=Bulkhead(f"{u}->{v}", cfg.bulkhead_size) if cfg.bulkheads else None,
                policy=RetryPolicy(cfg.max_attempts if cfg.retries else 1,
                                   Backoff(cfg.backoff_base, cfg.backoff_cap, "full"),
                                   RetryBudget(cfg.budget_tokens, cfg.budget_ratio) if cfg.retry_budget else None))
        for name, svc in self.services.items():  # the calls each kind of request makes, in order
            svc.routes = {kind: tuple(self.edges[name, v] for v in self.g.successors(name)
                                      if kind in self.edges[name, v].kinds) for kind in KINDS}
        self.breaker_state = {f"{u}->{v}": [""] * self.nbins for u, v in self.g.edges}
        self.breaker_rows = [(self.breaker_state[f"{u}->{v}"], e.breaker) for (u, v), e in self.edges.items()
                             if e.breaker is not None]
        kinds, weights = zip(*cfg.mix)
        self.kinds, self.cum_weights = list(kinds), list(accumulate(weights))
        self.total_weight = self.cum_weights[-1] + 0.0  # as random.choices computes it

    # -------------------------------------------------------------- bookkeeping
    def now(self) -> float:
        """The simulation clock (the breakers' injected clock)."""
        return self.sim.now

    def bin(self) -> int:
        """The index of the bin holding the current time."""
        return min(self.last_bin, int(self.sim.now / self.bin_width))

    def track_queue(self, name: str, n: int) -> None:
        """Remember ``n`` if it is the longest queue ``name`` had in the current bin."""
        row, b = self.queue_max[name], self.bin()
        row[b] = max(row[b], n)

    # -------------------------------------------------------------- requests
    def arrive(self) -> None:
        """An end user's request arrives at the gateway; the next arrival is scheduled."""
        sim, rng, kinds = self.sim, self.arrival_rng, self.kinds
        # rng.choices(kinds, cum_weights=...)[0] without its per-call checks: the same draw, the same kind
        kind = kinds[bisect(self.cum_weights, rng.random() * self.total_weight, 0, len(kinds) - 1)]
        b = min(self.last_bin, int(sim.now / self.bin_width))
        self.arrivals[b] += 1
        self.kind_counts[kind][0] += 1
        self.kind_bins[kind].arrivals[b] += 1
        self.gateway.submit(ClientCall(self, kind, sim.now, b))
        sim._push_fast(sim.now + rng.expovariate(self.cfg.arrival_rate), self.arrive, ())

    def sample(self) -> None:
        """Record breaker states and queue lengths four times a bin."""
        b = self.bin()
        for row, breaker in self.breaker_rows:
            row[b] = breaker.state_name
        for name, s in self.services.items():
            self.track_queue(name, len(s.queue))
        self.sim.schedule(self.bin_width / 4, self.sample)

    def run(self) -> CascadeResult:
        """Run to ``duration`` and collect the result."""
        self.sim.schedule(0.0, self.arrive)
        self.sim.schedule(0.0, self.sample)
        self.sim.run(until=self.cfg.duration)
        pct: Any = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")  # noqa: E731
        return CascadeResult(
            self.cfg, [i * self.cfg.bin_width for i in range(self.nbins)], self.arrivals, self.successes,
            [pct(x, 0.5) for x in self.latencies], [pct(x, 0.99) for x in self.latencies], self.retries,
            self.calls, self.queue_max, self.breaker_state, {k: tuple(v) for k, v in self.kind_counts.items()},
            self.kind_bins, self.budget_refusals, self.drained_refunds)


def simulate_cascade(config: CascadeConfig | None = None) -> CascadeResult:
    """Run one experiment: a frozen config plus its seed gives the same result every time."""
    if config is not None and not isinstance(config, CascadeConfig):
        raise ParameterTypeError(f"config must be a CascadeConfig (or None for the defaults), got {config!r}")
    return CascadeModel(config or CascadeConfig()).run()
