"""Configuration and results of the cascade simulator (:mod:`.cascade`).

The default service graph (networkx): a gateway in front of three request kinds,

    gateway -> checkout -> payments, inventory      (kind "checkout",  priority 2)
    gateway -> catalog  -> inventory                (kind "browse",    priority 1)
    gateway -> analytics                            (kind "analytics", priority 0)

Each node has a thread pool (``workers``), a bounded queue (``queue``) and a mean own work time
(``work``, exponential); an edge's ``kinds`` says which request kinds make that call. One
:class:`Fault` slows a dependency down (``factor``) or makes it fail (``error_rate``) for a while.
Every pattern has a switch, so the notebook can show each failure before its fix.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import networkx as nx

from distlab.validate import ParameterTypeError, flag, integer, number, text

from .breaker import BreakerConfig

KINDS = {"checkout": 2, "browse": 1, "analytics": 0}  # kind -> priority


def default_graph(queue: int = 1000, workers: dict[str, int] | None = None,
                  work: dict[str, float] | None = None) -> nx.DiGraph:
    """The course's service graph; ``queue`` bounds every queue (large by default: the usual mistake),
    ``workers`` overrides pool sizes and ``work`` mean own work times (seconds) by service name."""
    g = nx.DiGraph()
    nodes: dict[str, dict[str, float]] = {
        "gateway": dict(workers=40, queue=queue, work=0.001),
        "checkout": dict(workers=20, queue=queue, work=0.005),
        "catalog": dict(workers=20, queue=queue, work=0.004),
        "analytics": dict(workers=10, queue=queue, work=0.003),
        "payments": dict(workers=20, queue=queue, work=0.010),
        "inventory": dict(workers=30, queue=queue, work=0.005),
    }
    for name, n in (workers or {}).items():
        if name in nodes:
            integer(f"workers[{name!r}]", n)
        if name not in nodes:
            raise ValueError(f"workers must map services {sorted(nodes)} to integers >= 1, got {name!r}: {n!r}")
        nodes[name]["workers"] = n
    for name, t in (work or {}).items():
        if name in nodes:
            number(f"work[{name!r}] (seconds)", t, low=0, low_open=True)
        if name not in nodes:
            raise ValueError(f"work must map services {sorted(nodes)} to seconds > 0, got {name!r}: {t!r}")
        nodes[name]["work"] = t
    for name, attrs in nodes.items():
        g.add_node(name, **attrs)
    for u, v, kinds in [("gateway", "checkout", {"checkout"}), ("gateway", "catalog", {"browse"}),
                        ("gateway", "analytics", {"analytics"}), ("checkout", "payments", {"checkout"}),
                        ("checkout", "inventory", {"checkout"}), ("catalog", "inventory", {"browse"})]:
        g.add_edge(u, v, kinds=kinds)
    return g


@dataclass(frozen=True)
class Fault:
    """``service`` works ``factor`` times slower (and fails with ``error_rate``) from ``start`` to ``end``."""

    service: str = "payments"
    start: float = 10.0
    end: float = 25.0
    factor: float = 30.0  # work time multiplier while the fault lasts
    error_rate: float = 0.0  # probability a call fails outright while the fault lasts

    def __post_init__(self) -> None:
        text("service", self.service)
        number("start (seconds)", self.start, low=0)
        number("end (seconds, >= start)", self.end, low=self.start, allow_inf=True)
        number("factor", self.factor, low=1)
        number("error_rate", self.error_rate, low=0, high=1)


@dataclass(frozen=True)
class CascadeConfig:
    """One run of the cascade: a gateway in front of services, the traffic mix, one fault, and which
    safeguards are on (timeouts, retries and their budget, breakers, bulkheads, load shedding)."""

    seed: int = 0
    duration: float = 60.0
    arrival_rate: float = 400.0  # requests per second at the gateway
    mix: tuple[tuple[str, float], ...] = (("checkout", 0.3), ("browse", 0.5), ("analytics", 0.2))
    fault: Fault | None = field(default_factory=Fault)
    client_timeout: float = 1.0  # the end user gives up after this
    call_timeout: float = 0.5  # every service-to-service call
    # pattern switches
    breakers: bool = False
    bulkheads: bool = False
    retries: bool = False
    retry_budget: bool = False
    deadlines: bool = False
    shedding: bool = False
    # pattern parameters
    breaker: BreakerConfig = field(default_factory=lambda: BreakerConfig(
        consecutive_failures=None, failure_rate=0.5, slow_call_rate=0.5, slow_call_duration=0.2, window_type="time",
        window=2.0, minimum_calls=10, cooldown=2.0,
        probes=3))
    bulkhead_size: int = 10
    max_attempts: int = 3
    backoff_base: float = 0.02
    backoff_cap: float = 0.5
    budget_tokens: float = 10.0
    budget_ratio: float = 0.1
    bin_width: float = 1.0
    graph: nx.DiGraph | None = None  # None = default_graph()

    def __post_init__(self) -> None:
        integer("seed", self.seed, low=None)
        for name in ("duration", "arrival_rate", "client_timeout", "call_timeout", "bin_width", "budget_tokens",
                     "budget_ratio"):
            number(name, getattr(self, name), low=0, low_open=True)
        number("backoff_base", self.backoff_base, low=0, low_open=True)
        number("backoff_cap (>= backoff_base)", self.backoff_cap, low=self.backoff_base)
        for name in ("breakers", "bulkheads", "retries", "retry_budget", "deadlines", "shedding"):
            flag(name, getattr(self, name))
        if self.graph is not None and not isinstance(self.graph, nx.DiGraph):
            raise ParameterTypeError(f"graph must be a networkx DiGraph (default_graph) or None, got {self.graph!r}")
        if self.fault is not None and not isinstance(self.fault, Fault):
            raise ParameterTypeError(f"fault must be a Fault or None, got {self.fault!r}")
        if not isinstance(self.breaker, BreakerConfig):
            raise ParameterTypeError(f"breaker must be a BreakerConfig, got {self.breaker!r}")
        self._check_mix()
        integer("bulkhead_size", self.bulkhead_size)
        integer("max_attempts", self.max_attempts)

    def _check_mix(self) -> None:
        for pair in self.mix:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise ParameterTypeError(f"mix must be (kind, weight) pairs, got {pair!r}")
            number(f"mix weight of {pair[0]!r}", pair[1], low=0)
        unknown = [k for k, _ in self.mix if k not in KINDS]
        if unknown or not self.mix or any(w < 0 for _, w in self.mix) or sum(w for _, w in self.mix) <= 0:
            raise ValueError(f"mix must be (kind, weight) pairs over {sorted(KINDS)} with a positive total")


@dataclass
class CascadeResult:
    """Per-bin figures of one cascade run (what the notebook plots and the golden tests pin)."""

    config: CascadeConfig
    bins: list[float]  # bin start times
    arrivals: list[int]  # per bin
    successes: list[int]  # per bin (answered within the client timeout)
    latency_p50: list[float]  # per bin, seconds, of successful requests (nan when none)
    latency_p99: list[float]
    retries: list[int]  # per bin, retry attempts made anywhere
    calls: dict[str, list[int]]  # service -> per-bin calls arriving (the load each one sees)
    queue: dict[str, list[int]]  # service -> per-bin max queue length
    breaker_state: dict[str, list[str]]  # "caller->callee" -> per-bin state name at the end of the bin
    by_kind: dict[str, tuple[int, ...]]  # kind -> (arrivals, successes)
    kind_bins: dict[str, KindBins] = field(default_factory=dict)  # kind -> per-bin arrivals and successes
    budget_refusals: list[int] = field(default_factory=list)  # per bin, retries a retry budget refused
    #: per bin, successes refunding a budget too low to allow a retry (only here does ``budget_ratio`` act)
    drained_refunds: list[int] = field(default_factory=list)

    @property
    def availability(self) -> list[float]:
        """Per bin: the fraction of arrivals answered in time (nan for an empty bin)."""
        return [s / a if a else float("nan") for s, a in zip(self.successes, self.arrivals)]

    def overall(self, start: float = 0.0, end: float = float("inf")) -> float:
        """Availability over the bins in [start, end)."""
        return _share(self.bins, self.arrivals, self.successes, start, end)

    def availability_of(self, kind: str) -> list[float]:
        """Per bin: the fraction of ``kind``'s arrivals answered in time (nan for an empty bin)."""
        k = self.kind_bins[kind]
        return [s / a if a else float("nan") for s, a in zip(k.successes, k.arrivals)]

    def overall_of(self, kind: str, start: float = 0.0, end: float = float("inf")) -> float:
        """``kind``'s availability over the bins in [start, end) (nan when none arrived)."""
        k = self.kind_bins[kind]
        return _share(self.bins, k.arrivals, k.successes, start, end)


class KindBins(NamedTuple):
    """One request kind's per-bin counts: arrivals, and those answered within the client timeout."""

    arrivals: list[int]
    successes: list[int]


def _share(bins: list[float], arrivals: list[int], successes: list[int], start: float, end: float) -> float:
    pairs = [(a, s) for b, a, s in zip(bins, arrivals, successes) if start <= b < end]
    total = sum(a for a, _ in pairs)
    return sum(s for _, s in pairs) / total if total else float("nan")


def slow_dependency(**overrides: Any) -> CascadeConfig:
    """Payments slows 30x for 15 s: its callers' threads pile up and the gateway starves every kind."""
    return CascadeConfig(**overrides)


def retry_storm(**overrides: Any) -> CascadeConfig:
    """Inventory slows 10x for 5 s. Big upstream pools push retries (3 per layer, two layers) into it;
    without a budget or deadlines the queue stays full of abandoned work after the trigger ends."""
    base = dict(fault=Fault("inventory", 5.0, 10.0, factor=10.0), duration=30.0,
                graph=default_graph(workers={"gateway": 1000, "checkout": 500, "catalog": 500, "inventory": 4}))
    base.update(overrides)
    return CascadeConfig(**base)


def overload(**overrides: Any) -> CascadeConfig:
    """No fault, but 3,000 req/s at a gateway that can serve about 1,300: FIFO fails every kind alike;
    priority shedding at the door keeps checkout whole and drops analytics first."""
    base = dict(fault=None, arrival_rate=3000.0, duration=15.0, graph=default_graph(queue=200, work={"gateway": 0.02}))
    base.update(overrides)
    return CascadeConfig(**base)
