"""Dynamo-style N/W/R quorums on the simulation kernel (DeCandia et al., "Dynamo", SOSP 2007).

Each key lives on ``n`` replicas, its preference list on a consistent-hash ring with virtual nodes
(:mod:`distlab.geo.ring`). A write succeeds once ``w`` replicas acknowledged it, a read once ``r``
answered, returning the newest version among them. With ``r + w > n`` every read quorum meets every
write quorum, so no read misses a write that completed before it began; with ``r + w <= n`` it can.
Sloppy quorums with hinted handoff keep writes available when owners are down -- and lose that
guarantee, because the substitutes that took the write are not where a later read looks.

>>> res = run_quorum(n=3, w=2, r=2, seed=1)
>>> res.stale_reads, res.availability()
(0, 1.0)
>>> run_quorum(n=3, w=1, r=1, failed=("n1",), failure_window=(0.0, 0.3), seed=3).stale_reads > 0
True

``run_quorum`` takes a :class:`~distlab.geo.quorum_config.QuorumConfig` or its settings as keywords
and returns a :class:`~distlab.geo.quorum_result.QuorumResult`; :func:`overlap` lists which read and
write quorums can meet. The parts: :mod:`~distlab.geo.quorum_config` (settings),
:mod:`~distlab.geo.quorum_node` (a replica), :mod:`~distlab.geo.quorum_client` (the coordinator),
:mod:`~distlab.geo.quorum_result` (the measures), :mod:`~distlab.geo.quorum_overlap` (the quorum
sets). docs/geo.md says what the model leaves out and which test checks each claim.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from distlab.geo.quorum_client import ClientSettings, OpRecord, QuorumClient
from distlab.geo.quorum_config import LinkLatency, Outage, QuorumConfig
from distlab.geo.quorum_node import NO_VERSION, NodeSettings, StorageNode, Version, Versioned
from distlab.geo.quorum_overlap import Overlap, overlap
from distlab.geo.quorum_result import QuorumResult, stale_reads
from distlab.geo.ring import HashRing
from distlab.sim import Fault, FaultSchedule, HistoryRecorder, Simulation, apply_fault

__all__ = ["run_quorum", "run_grid", "QuorumConfig", "QuorumResult", "Outage", "OpRecord", "LinkLatency", "Overlap",
           "overlap", "stale_reads", "down_intervals", "Version", "Versioned", "NO_VERSION", "HashRing"]


def run_quorum(config: QuorumConfig | None = None, /, **settings: Any) -> QuorumResult:
    """Run one experiment: ``run_quorum(cfg)``, ``run_quorum(n=3, w=1, r=1, seed=2)`` or
    ``run_quorum(cfg, sloppy=True)`` (the config with those settings changed). Same settings, same numbers."""
    cfg = QuorumConfig(**settings) if config is None else replace(config, **settings)
    sim = Simulation(seed=cfg.seed, trace=False)
    ring = HashRing(cfg.node_names, vnodes=cfg.vnodes, seed=cfg.seed)
    node_settings = NodeSettings(ring, cfg.n, cfg.handoff_interval,
                                 cfg.anti_entropy_interval if cfg.anti_entropy else None)
    nodes = [sim.add(StorageNode(name, node_settings)) for name in cfg.node_names]
    recorder = HistoryRecorder(lambda: sim.now)
    records: list[OpRecord] = []
    client_settings = ClientSettings(ring, cfg.n, cfg.w, cfg.r, cfg.keys, cfg.ops_per_client, cfg.read_fraction,
                                     cfg.think_time, cfg.timeout, cfg.retry_after, cfg.sloppy, cfg.read_repair)
    clients = [sim.add(QuorumClient(f"c{i}", i, client_settings, recorder, records)) for i in range(cfg.clients)]
    _wire(sim, cfg)
    intervals = down_intervals(cfg)
    FaultSchedule([Fault(start, "crash", (node,)) for node, spans in intervals.items() for start, _ in spans]
                  + [Fault(end, "restart", (node,)) for node, spans in intervals.items()
                     for _, end in spans if end is not None]).install(sim)
    sim.run(until=lambda _: all(c.finished for c in clients))
    workload_end = sim.now
    for node, spans in intervals.items():        # open-ended outages end with the workload
        for start, end in spans:
            if end is None:
                sim.schedule_at(max(sim.now, start), apply_fault, sim, "restart", node)
    last_end = max((end for spans in intervals.values() for _, end in spans if end is not None), default=0.0)
    sim.run(until=max(sim.now, last_end) + cfg.settle)
    return QuorumResult(
        config=cfg, ops=tuple(records), history=recorder.history(),
        replicas={node.pid: {key: item.version for key, item in node.stable["data"].items()} for node in nodes},
        hints={node.pid: _hinted_versions(node.stable["hints"]) for node in nodes},
        owners={f"k{i}": ring.preference_list(f"k{i}", cfg.n) for i in range(cfg.keys)},
        workload_end=workload_end, end_time=sim.now, messages=sim.network.stats.sent)


def run_grid(config: QuorumConfig | None = None, /, **settings: Any) -> dict[tuple[int, int], QuorumResult]:
    """:func:`run_quorum` for every ``(w, r)`` with the config's ``n`` (same seed, same outages): the
    latency/availability/staleness trade-off as one table, keyed ``(w, r)``."""
    base = QuorumConfig(**settings) if config is None else replace(config, **settings)
    return {(w, r): run_quorum(base, w=w, r=r) for w in range(1, base.n + 1) for r in range(1, base.n + 1)}


def _hinted_versions(hints: dict[str, dict[str, Versioned]]) -> dict[str, Version]:
    out: dict[str, Version] = {}
    for held in hints.values():
        for key, item in held.items():
            out[key] = max(item.version, out.get(key, NO_VERSION))
    return out


def _wire(sim: Simulation, cfg: QuorumConfig) -> None:
    """Give every link the latency of its two ends' regions."""
    where = dict(cfg.node_regions)
    where.update({f"c{i}": region for i, region in enumerate(cfg.client_region_list)})
    for src, src_region in where.items():
        for dst, dst_region in where.items():
            if src != dst:
                sim.network.set_link(src, dst, latency=cfg.latency(src_region, dst_region))


def down_intervals(cfg: QuorumConfig) -> dict[str, list[tuple[float, float | None]]]:
    """Each node's down time as disjoint ``(start, end)`` spans (``end=None``: until the workload ends),
    overlapping outages of one node (itself, its region) merged."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for outage in cfg.all_outages():
        end = float("inf") if outage.end is None else outage.end
        for node in cfg.targets(outage.target):
            spans.setdefault(node, []).append((outage.start, end))
    merged: dict[str, list[tuple[float, float | None]]] = {}
    for node in sorted(spans):
        out: list[tuple[float, float]] = []
        for start, end in sorted(spans[node]):
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[node] = [(s, None if e == float("inf") else e) for s, e in out]
    return merged
