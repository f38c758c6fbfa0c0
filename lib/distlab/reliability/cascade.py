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
from collections import deque

from distlab.sim import Simulation

from .breaker import CircuitBreaker
from .bulkhead import Bulkhead
from .cascade_config import KINDS, CascadeConfig, CascadeResult, default_graph
from .retry import Backoff, RetryBudget, RetryPolicy
from .shedding import PriorityShedder

INF = float("inf")


class Call:
    __slots__ = ("kind", "deadline", "on_done", "done", "start", "priority")

    def __init__(self, kind, deadline, on_done, now):
        self.kind, self.deadline, self.on_done = kind, deadline, on_done
        self.done, self.start, self.priority = False, now, KINDS[kind]


class Service:
    def __init__(self, model, name, workers, queue, work, shedder):
        self.m, self.name, self.workers, self.cap, self.work = model, name, workers, queue, work
        self.busy = 0
        self.queue = PriorityShedder(queue, on_expire=self._expired, keep_log=False) if shedder else deque()

    def _expired(self, req):
        self.m.sim.schedule(0.0, req.item.on_done, False)

    def submit(self, call):
        m = self.m
        m.count(m.calls[self.name])
        if self.busy < self.workers:
            return self.begin(call)
        if isinstance(self.queue, PriorityShedder):
            req = self.queue.offer(call.priority, m.sim.now, call.deadline, item=call)
            if req is not None:
                m.sim.schedule(0.0, req.item.on_done, False)
        elif len(self.queue) < self.cap:
            self.queue.append(call)
        else:
            m.sim.schedule(0.0, call.on_done, False)
        m.track_queue(self.name, len(self.queue))

    def begin(self, call):
        m = self.m
        self.busy += 1
        if m.cfg.deadlines and m.sim.now >= call.deadline:
            return self.finish(call, False)  # nobody is waiting for this answer any more
        factor, err = m.fault_now(self.name)
        m.sim.schedule(m.rng.expovariate(1.0 / (self.work * factor)), self.worked, call, err)

    def worked(self, call, err):
        if err and self.m.rng.random() < err:
            return self.finish(call, False)
        self.m.call_deps(self, call, 0)

    def finish(self, call, ok):
        self.busy -= 1
        nxt = self.next_call()
        if nxt is not None:
            self.begin(nxt)
        call.on_done(ok)

    def next_call(self):
        q = self.queue
        if isinstance(q, PriorityShedder):
            req = q.take(self.m.sim.now if self.m.cfg.deadlines else -INF)
            return None if req is None else req.item
        return q.popleft() if q else None


class CascadeModel:
    def __init__(self, cfg: CascadeConfig):
        self.cfg = cfg
        self.sim = Simulation(cfg.seed, trace=False)
        self.rng = self.sim.rng("cascade")
        self.g = cfg.graph if cfg.graph is not None else default_graph()
        self.nbins = int(math.ceil(cfg.duration / cfg.bin_width))
        z = lambda: [0] * self.nbins  # noqa: E731
        self.arrivals, self.successes, self.retries = z(), z(), z()
        self.latencies = [[] for _ in range(self.nbins)]
        self.calls = {n: z() for n in self.g.nodes}
        self.queue_max = {n: z() for n in self.g.nodes}
        self.kind_counts = {k: [0, 0] for k in KINDS}
        self.services = {n: Service(self, n, a["workers"], a["queue"], a["work"], cfg.shedding and n == "gateway")
                         for n, a in self.g.nodes(data=True)}
        clock = lambda: self.sim.now  # noqa: E731
        self.edges = {}
        for u, v, a in self.g.edges(data=True):
            self.edges[u, v] = dict(
                kinds=a["kinds"],
                breaker=CircuitBreaker(cfg.breaker, clock=clock, name=f"{u}->{v}") if cfg.breakers else None,
                bulkhead=Bulkhead(f"{u}->{v}", cfg.bulkhead_size) if cfg.bulkheads else None,
                policy=RetryPolicy(cfg.max_attempts if cfg.retries else 1,
                                   Backoff(cfg.backoff_base, cfg.backoff_cap, "full"),
                                   RetryBudget(cfg.budget_tokens, cfg.budget_ratio) if cfg.retry_budget else None))
        self.breaker_state = {f"{u}->{v}": [""] * self.nbins for u, v in self.g.edges}
        kinds, weights = zip(*cfg.mix)
        self.kinds, self.weights = list(kinds), list(weights)

    # -------------------------------------------------------------- bookkeeping
    def bin(self):
        return min(self.nbins - 1, int(self.sim.now / self.cfg.bin_width))

    def count(self, series):
        series[self.bin()] += 1

    def track_queue(self, name, n):
        row, b = self.queue_max[name], self.bin()
        row[b] = max(row[b], n)

    def fault_now(self, name):
        f = self.cfg.fault
        if f is not None and f.service == name and f.start <= self.sim.now < f.end:
            return f.factor, f.error_rate
        return 1.0, 0.0

    # -------------------------------------------------------------- requests
    def arrive(self):
        sim, cfg = self.sim, self.cfg
        kind = self.rng.choices(self.kinds, self.weights)[0]
        b = self.bin()
        self.arrivals[b] += 1
        self.kind_counts[kind][0] += 1
        start = sim.now
        deadline = start + cfg.client_timeout

        def answered(ok, kind=kind, start=start, b=b):
            latency = self.sim.now - start
            if ok and latency <= cfg.client_timeout:
                self.successes[b] += 1
                self.kind_counts[kind][1] += 1
                self.latencies[b].append(latency)

        self.services["gateway"].submit(Call(kind, deadline, answered, start))
        sim.schedule(self.rng.expovariate(cfg.arrival_rate), self.arrive)

    def call_deps(self, svc, call, i, failures=0, previous=None):
        deps = [v for v in self.g.successors(svc.name) if call.kind in self.edges[svc.name, v]["kinds"]]
        if i >= len(deps):
            return svc.finish(call, True)
        dep = deps[i]
        edge = self.edges[svc.name, dep]
        sim, cfg = self.sim, self.cfg
        br, bh = edge["breaker"], edge["bulkhead"]
        if (br is not None and not br.allow()) or (bh is not None and not bh.try_acquire()):
            return svc.finish(call, False)  # fail fast: the caller's worker is freed at once
        sent = sim.now
        child_deadline = min(call.deadline, sent + cfg.call_timeout) if cfg.deadlines else INF
        state = {"over": False}

        def outcome(ok, timed_out=False):
            if state["over"]:
                return  # a late answer after the caller's timeout: wasted work
            state["over"] = True
            if not timed_out:
                timer.cancel()
            if bh is not None:
                bh.release()
            if br is not None:
                br.record(not ok, sim.now - sent)
            if edge["policy"].budget is not None and ok:
                edge["policy"].budget.on_success()
            if ok:
                return self.call_deps(svc, call, i + 1)
            if edge["policy"].budget is not None:
                edge["policy"].budget.on_failure()
            left = call.deadline - sim.now if cfg.deadlines else None
            wait = edge["policy"].next_delay(failures + 1, self.rng, idempotent=True, previous=previous,
                                             time_left=left)
            if wait is None:
                return svc.finish(call, False)
            self.count(self.retries)
            sim.schedule(wait, self.call_deps, svc, call, i, failures + 1, wait)

        timer = sim.schedule(cfg.call_timeout, outcome, False, True)
        self.services[dep].submit(Call(call.kind, child_deadline, outcome, sent))

    def sample(self):
        b = self.bin()
        for (u, v), e in self.edges.items():
            if e["breaker"] is not None:
                self.breaker_state[f"{u}->{v}"][b] = e["breaker"].state_name
        for name, s in self.services.items():
            self.track_queue(name, len(s.queue))
        self.sim.schedule(self.cfg.bin_width / 4, self.sample)

    def run(self) -> CascadeResult:
        self.sim.schedule(0.0, self.arrive)
        self.sim.schedule(0.0, self.sample)
        self.sim.run(until=self.cfg.duration)
        pct = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")  # noqa: E731
        return CascadeResult(
            self.cfg, [i * self.cfg.bin_width for i in range(self.nbins)], self.arrivals, self.successes,
            [pct(x, 0.5) for x in self.latencies], [pct(x, 0.99) for x in self.latencies], self.retries,
            self.calls, self.queue_max, self.breaker_state, {k: tuple(v) for k, v in self.kind_counts.items()})


def simulate_cascade(config: CascadeConfig | None = None) -> CascadeResult:
    """Run one experiment: a frozen config plus its seed gives the same result every time."""
    return CascadeModel(config or CascadeConfig()).run()
