"""The replicated store experiment: one frozen config plus a seed in, a result record out.

``run_store(StoreConfig(read_policy="any", seed=1))`` builds a leader, followers and clients on the
shared kernel (:mod:`distlab.consistency.replication`), runs every client's operations, then lets
replication settle and reports what the lecture claims in words -- as numbers:

* ``stale_read_rate`` -- reads that returned an older version than a write already acknowledged
  before the read began (ground truth from the store's versions);
* ``ryw_violations`` / ``mr_violations`` -- reads that missed the client's own acknowledged write,
  or went back to an older version than the client had already read (ground truth);
* read and write latency percentiles (ms), and availability (fraction answered ok), overall and
  during the partition;
* ``converged`` -- whether all replicas hold the same data once writes stop: *eventual
  consistency* is a property of a run, not a rung of ``classify``;
* ``history`` -- the client history, for :func:`~distlab.consistency.ladder.classify`.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from distlab.consistency.replication import Client, Outcome, Replica
from distlab.sim import Exponential, HistoryRecorder, Latency, Simulation, Uniform
from distlab.sim.history import History

if TYPE_CHECKING:                       # ladder imports the checkers; loaded only when classify() is called
    from distlab.consistency.ladder import Classification

__all__ = ["StoreConfig", "StoreResult", "run_store", "READ_POLICIES"]

READ_POLICIES = ("any", "sticky", "token", "leader", "quorum")


@dataclass(frozen=True)
class StoreConfig:
    """One experiment on the replicated store: its shape, read policy, timings, partition and seed
    (docs/consistency.md explains each knob)."""

    replicas: int = 3
    clients: int = 5
    keys: int = 3
    ops_per_client: int = 20
    read_fraction: float = 0.5
    append_fraction: float = 0.0
    read_policy: str = "any"
    token_mode: str = "wait"                  # token policy: a lagging replica "wait"s or "redirect"s
    write_ack: str = "leader"                 # or "majority"
    replication_lag: Latency = Exponential(tail_mean=0.05, offset=0.002)
    link_latency: Latency = Uniform(0.001, 0.005)
    think_time: Latency = Uniform(0.0, 0.02)
    client_timeout: float = 1.0
    partition: tuple[float, float] | None = None    # (start, duration): minority followers cut off
    leader_rtt: float = 0.0                   # round trip (s) between the leader and every client and follower
    sync_interval: float = 0.25
    seed: int = 0

    def __post_init__(self) -> None:
        for name, low in (("replicas", 1), ("clients", 1), ("keys", 1), ("ops_per_client", 0), ("seed", None)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or (low is not None and v < low):
                raise ValueError(f"{name} must be an integer{'' if low is None else f' >= {low}'}, got {v!r}")
        for name in ("read_fraction", "append_fraction"):
            if not (_real(getattr(self, name)) and 0.0 <= getattr(self, name) <= 1.0):
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")
        choices = {"read_policy": READ_POLICIES, "token_mode": ("wait", "redirect"),
                   "write_ack": ("leader", "majority")}
        for name, valid in choices.items():
            if getattr(self, name) not in valid:
                raise ValueError(f"{name} must be one of {valid}, got {getattr(self, name)!r}")
        for name in ("client_timeout", "sync_interval"):
            if not (_real(getattr(self, name)) and 0 < getattr(self, name) < math.inf):
                raise ValueError(f"{name} must be a finite number of seconds > 0, got {getattr(self, name)!r}")
        if not (_real(self.leader_rtt) and 0.0 <= self.leader_rtt < math.inf):
            raise ValueError(f"leader_rtt must be a finite number of seconds >= 0, got {self.leader_rtt!r}")
        for name in ("replication_lag", "link_latency", "think_time"):
            if not isinstance(getattr(self, name), Latency):
                raise ValueError(f"{name} must be a Latency (e.g. Uniform(0.001, 0.005)), got {getattr(self, name)!r}")
        p = self.partition
        if p is not None and not (isinstance(p, tuple) and len(p) == 2 and all(map(_real, p))
                                  and 0 <= p[0] < math.inf and 0 < p[1] < math.inf):
            raise ValueError(f"partition must be (start >= 0, duration > 0) seconds, finite, got {p!r}")


def _real(v: object) -> bool:
    """A real number (not a bool, not NaN); range checks are the caller's."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


@dataclass
class StoreResult:
    """What an experiment produced: the recorded history, each operation's outcome, and the metrics."""

    config: StoreConfig
    history: History
    outcomes: list[Outcome]
    metrics: dict[str, Any] = field(default_factory=dict)

    def classify(self, timeout: float = 10.0) -> Classification:
        """The recorded history placed on the ladder (``kv`` model, ``timeout`` seconds in all)."""
        from distlab.consistency.ladder import classify
        return classify(self.history, "kv", timeout=timeout)


def _sides(cfg: StoreConfig) -> tuple[list[str], list[str]]:
    replicas = [f"r{i}" for i in range(cfg.replicas)]
    majority = replicas[: cfg.replicas // 2 + 1]          # r0 is the leader
    return majority, [r for r in replicas if r not in majority]


def run_store(cfg: StoreConfig, max_time: float = 3600.0) -> StoreResult:
    """Run one experiment (for at most ``max_time`` simulated seconds); the same config (and seed)
    gives the same numbers."""
    if not isinstance(cfg, StoreConfig):
        raise TypeError(f"cfg must be a StoreConfig, got {type(cfg).__name__}")
    if not (_real(max_time) and 0 < max_time < math.inf):
        raise ValueError(f"max_time must be a finite number of seconds > 0, got {max_time!r}")
    sim = Simulation(seed=cfg.seed, trace=False)
    sim.network.configure(latency=cfg.link_latency)
    recorder = HistoryRecorder(lambda: sim.now)
    replicas = tuple(f"r{i}" for i in range(cfg.replicas))
    for i, r in enumerate(replicas):
        sim.add(Replica(r, i == 0, cfg, leader=replicas[0], peers=replicas))
    outcomes: list[Outcome] = []
    near = replicas[1:] if cfg.leader_rtt > 0 and len(replicas) > 1 else replicas  # a far leader is no one's home
    clients = [sim.add(Client(f"c{i}", near[i % len(near)], cfg, replicas[0], replicas,
                              recorder, outcomes)) for i in range(cfg.clients)]
    if cfg.leader_rtt > 0:                   # the leader is far away; the followers are the clients' homes,
        far = Uniform(cfg.leader_rtt / 2 + 0.001, cfg.leader_rtt / 2 + 0.005)   # next to them: as far from it
        for node in (*(c.pid for c in clients), *replicas[1:]):
            sim.network.set_link(node, replicas[0], latency=far)
            sim.network.set_link(replicas[0], node, latency=far)
    window = None
    if cfg.partition is not None:
        start, duration = cfg.partition
        majority, minority = _sides(cfg)
        homes = {c.pid: c.home for c in clients}
        side_a = majority + [c for c, h in homes.items() if h in majority]
        side_b = minority + [c for c, h in homes.items() if h in minority]
        sim.schedule_at(start, sim.network.partition, [side_a, side_b])
        sim.schedule_at(start + duration, sim.network.heal)
        window = (start, start + duration)
    sim.run(until=lambda s: all(getattr(c, "done", 0) >= cfg.ops_per_client for c in clients) or s.now > max_time)
    writes_end = sim.now
    if window is not None and sim.now < window[1]:
        sim.run(until=window[1])
    leader = sim.process(replicas[0])
    converged_at = None
    for _ in range(400):                                 # let replication settle
        if all(sim.process(r).applied == len(leader.log) for r in replicas):
            converged_at = sim.now
            break
        sim.run_for(cfg.sync_interval)
    history = recorder.history()
    result = StoreResult(cfg, history, outcomes)
    result.metrics = _metrics(cfg, outcomes, window)
    result.metrics["converged"] = converged_at is not None and all(
        sim.process(r).data == leader.data for r in replicas)
    result.metrics["convergence_time_s"] = None if converged_at is None else max(0.0, converged_at - writes_end)
    return result


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None}
    s = sorted(values)

    def pick(q: float) -> float:
        return s[min(len(s) - 1, int(q * len(s)))]

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99)}


def _metrics(cfg: StoreConfig, outcomes: list[Outcome], window: tuple[float, float] | None) -> dict[str, Any]:
    ok = [o for o in outcomes if o["outcome"] == "ok"]
    reads = [o for o in ok if o["f"] == "get"]
    writes = [o for o in ok if o["f"] != "get"]
    acked: dict[Any, tuple[list[float], list[int]]] = {}
    for w in sorted(writes, key=lambda o: o["end"]):
        ends, best = acked.setdefault(w["key"], ([], []))
        ends.append(w["end"])
        best.append(max(w["version"], best[-1] if best else 0))
    stale = 0
    for r in reads:
        ends, best = acked.get(r["key"], ([], []))
        i = bisect_left(ends, r["start"])
        if i and best[i - 1] > r["version"]:
            stale += 1
    ryw = mr = 0
    own: dict[tuple[str, str], int] = {}      # (client, key) -> highest version it wrote
    seen: dict[tuple[str, str], int] = {}     # (client, key) -> highest version it read
    for o in sorted(ok, key=lambda o: o["end"]):
        k = (o["client"], o["key"])
        if o["f"] != "get":
            own[k] = max(own.get(k, 0), o["version"])
            continue
        ryw += o["version"] < own.get(k, 0)
        mr += o["version"] < seen.get(k, 0)
        seen[k] = max(seen.get(k, 0), o["version"])

    def availability(ops: list[Outcome]) -> float | None:
        return None if not ops else sum(o["outcome"] == "ok" for o in ops) / len(ops)

    during = [] if window is None else [o for o in outcomes if window[0] <= o["start"] < window[1]]
    return {
        "operations": len(outcomes),
        "stale_read_rate": stale / len(reads) if reads else 0.0,
        "stale_reads": stale,
        "ryw_violations": ryw,
        "mr_violations": mr,
        "read_latency_ms": {k: (None if v is None else v * 1000) for k, v in
                            _percentiles([o["end"] - o["start"] for o in reads]).items()},
        "write_latency_ms": {k: (None if v is None else v * 1000) for k, v in
                             _percentiles([o["end"] - o["start"] for o in writes]).items()},
        "read_availability": availability([o for o in outcomes if o["f"] == "get"]),
        "write_availability": availability([o for o in outcomes if o["f"] != "get"]),
        "read_availability_during_partition": availability([o for o in during if o["f"] == "get"]),
        "write_availability_during_partition": availability([o for o in during if o["f"] != "get"]),
        "config": {f.name: (repr(getattr(cfg, f.name)) if isinstance(getattr(cfg, f.name), Latency)
                            else getattr(cfg, f.name)) for f in fields(cfg)},
    }
