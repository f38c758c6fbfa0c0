"""Chapter 2's Raft on the world map: replicas in regions, a pinned leader, clients writing from
their regions over links drawn from the measured latencies (:mod:`distlab.geo.latency`).

>>> r = run_placement(writes=5, seed=1)
>>> r.elected, sorted(r.commit_ms) == sorted(DEFAULT_CLIENTS)
('virginia', True)
>>> 100 < r.medians()["virginia"] < 125         # ~ the majority round trip: Ireland's 109 ms
True

The servers are :class:`~distlab.consensus.raft.kvstore.KVServer` (Raft plus a key-value state
machine with client sessions) in a :class:`~distlab.consensus.raft.cluster.Cluster`, with safety
checked after every step; clients are its :class:`~distlab.consensus.raft.kvclient.KVClient`, one
put at a time, and a write's latency is from the client's request to the leader's answer once the
entry is committed and applied. Replica ``i`` is server ``i``; the first replica in the leader
region is pinned (``placement.wan_timeouts``). Clients start once the leader is elected and know
it. With ``failed`` set, after every client's writes the failed region's replicas crash, and a
fresh set of clients in the surviving regions -- still addressing the old leader first -- writes
again: they find the new leader by timeouts and redirects, as real clients would.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from distlab.consensus.raft import Cluster, RaftConfig, ScenarioError
from distlab.consensus.raft.kvclient import KVClient
from distlab.consensus.raft.kvstore import KVServer
from distlab.sim import HistoryRecorder, ms

from .latency import LatencyModel, default_model
from .placement import (
    DEFAULT_CLIENTS,
    DEFAULT_REPLICAS,
    Setup,
    WanTimeouts,
    check_setup,
    majority_rtt_ms,
    predicted_commit_ms,
    wan_timeouts,
)
from .placement_result import Outage, PlacementResult

__all__ = ["DEFAULT_CLIENTS", "DEFAULT_REPLICAS", "KEYS", "PinnedServers", "run_placement"]

KEYS = 4  # the workload's keys: every client puts to k0..k3


class PinnedServers:
    """Builds the servers for a :class:`Cluster`: server ``pinned`` with its own config (a fixed,
    short election timeout, so it stands first and wins), every other with the cluster's."""

    def __init__(self, pinned: int, pinned_config: RaftConfig) -> None:
        self.pinned, self.pinned_config = pinned, pinned_config

    def __call__(self, pid: int, members: Sequence[Hashable], config: RaftConfig,
                 apply_fn: Callable[[Hashable, int, Any], None]) -> KVServer:
        """One server, as the cluster asks for it."""
        return KVServer(pid, members, self.pinned_config if pid == self.pinned else config, apply_fn)


class _Run:
    """One experiment's simulation: the cluster, the regions of every process, the recorder."""

    def __init__(self, setup: Setup, model: LatencyModel, timeouts: WanTimeouts, check_invariants: bool) -> None:
        self.setup, self.model, self.timeouts = setup, model, timeouts
        self.pinned = setup.replicas.index(setup.leader)
        base = RaftConfig(election_timeout=timeouts.election, heartbeat_interval=timeouts.heartbeat)
        pinned = RaftConfig(election_timeout=(timeouts.pinned, timeouts.pinned),
                            heartbeat_interval=timeouts.heartbeat)
        self.cluster: Cluster[KVServer] = Cluster(len(setup.replicas), seed=setup.seed, config=base,
                                                  node_class=PinnedServers(self.pinned, pinned),
                                                  check_invariants=check_invariants)
        self.region: dict[Hashable, str] = dict(enumerate(setup.replicas))
        for a in self.cluster.pids:
            for b in self.cluster.pids:
                if a != b:
                    self.link(a, b)
        self.recorder = HistoryRecorder(lambda: self.cluster.sim.now)

    def link(self, a: Hashable, b: Hashable) -> None:
        """Give direction ``a -> b`` its measured latency (same zone for a client and a server of
        one region, across zones between two servers of one region)."""
        ra, rb = self.region[a], self.region[b]
        client = isinstance(a, str) or isinstance(b, str)
        self.cluster.sim.network.set_link(a, b, latency=self.model.one_way(ra, rb, same_zone=client and ra == rb))

    def add_clients(self, regions: Sequence[str], phase: str, leader: int) -> list[KVClient]:
        """Start ``clients_per_region`` clients per entry of ``regions``, each knowing ``leader``."""
        sim, setup = self.cluster.sim, self.setup
        servers = [leader] + [p for p in self.cluster.pids if p != leader]
        rng = sim.rng(f"workload/{phase}")
        procs = []
        for i, region in enumerate(regions):
            for k in range(setup.clients_per_region):
                pid = f"{region}/{phase}{i}.{k}"
                self.region[pid] = region
                for s in self.cluster.pids:
                    self.link(pid, s)
                    self.link(s, pid)
                ops = [("put", f"k{rng.randrange(KEYS)}", f"{pid}:{j}") for j in range(setup.writes)]
                procs.append(sim.add(KVClient(pid, servers, ops, recorder=self.recorder,
                                              retry=self.timeouts.client_retry, think=ms(setup.think_ms))))
        return procs

    def finish(self, procs: list[KVClient]) -> None:
        """Run until every client is done, or a budget generous for the slowest case is spent."""
        t = self.timeouts
        budget = 3 * t.election[1] + self.setup.writes * (t.client_retry + ms(self.setup.think_ms)) * 3
        self.cluster.run_until(lambda c: all(p.done for p in procs), timeout=budget, poll=ms(50))

    def latencies(self, procs: list[KVClient], since: float = 0.0) -> dict[str, tuple[float, ...]]:
        """Commit latencies (ms) of the writes ``procs`` invoked at or after ``since``, per region."""
        mine = {p.pid for p in procs}
        out: dict[str, list[float]] = {self.region[p.pid]: [] for p in procs}
        for op in self.recorder.history():
            if op.process in mine and op.status == "ok" and op.complete is not None and op.invoke >= since:
                out[self.region[op.process]].append((op.complete - op.invoke) * 1000.0)
        return {region: tuple(values) for region, values in out.items()}

    def first_commit(self, procs: list[KVClient], since: float) -> dict[str, float | None]:
        """Per region of ``procs``: seconds from ``since`` to its first completed write (None: none)."""
        mine = {p.pid for p in procs}
        out: dict[str, float | None] = {self.region[p.pid]: None for p in procs}
        for op in self.recorder.history():
            if op.process in mine and op.status == "ok" and op.complete is not None:
                region, took = self.region[op.process], op.complete - since
                best = out[region]
                out[region] = took if best is None else min(best, took)
        return out


def _elect_pinned(run: _Run) -> float:
    """Run to the first leader; it must be the pinned replica. Returns when it won (s)."""
    c = run.cluster
    if not c.run_until(lambda cl: cl.leader() is not None, timeout=3 * run.timeouts.election[1], poll=ms(5)):
        raise ScenarioError("no leader was elected")
    if c.leader() != run.pinned:
        raise ScenarioError(f"the pinned replica in {run.setup.leader} did not win the first election "
                            f"(server {c.leader()} in {run.region[c.leader()]} did)")
    return c.nodes[run.pinned].leader_since


def _leader_after(c: Cluster[KVServer], term: int) -> int | None:
    """The leader of a term after ``term``, if one is up."""
    pid = c.leader()
    return pid if pid is not None and c.nodes[pid].current_term > term else None


def _outage(run: _Run, leader: int) -> Outage:
    """Fail ``setup.failed``: crash its replicas, then let fresh clients of the other regions write."""
    c, setup = run.cluster, run.setup
    at, term = c.now, c.nodes[leader].current_term
    for pid in c.pids:
        if setup.replicas[pid] == setup.failed:
            c.crash(pid)
    procs = run.add_clients([r for r in setup.clients if r != setup.failed], "after", leader)
    new: int | None = leader
    if not c.nodes[leader].up:
        c.run_until(lambda cl: _leader_after(cl, term) is not None, timeout=3 * run.timeouts.election[1], poll=ms(5))
        new = _leader_after(c, term)
    run.finish(procs)
    since = at if new == leader else (c.nodes[new].leader_since if new is not None else c.now)
    return Outage(setup.failed or "", at, setup.replicas[new] if new is not None else None,
                  None if new == leader or new is None else since - at,
                  run.latencies(procs, since), run.first_commit(procs, at))


def run_placement(*, replicas: Sequence[str] = DEFAULT_REPLICAS, leader: str = "virginia",
                  clients: Sequence[str] = DEFAULT_CLIENTS, clients_per_region: int = 1, writes: int = 20,
                  failed: str | None = None, seed: int = 0, think_ms: float = 100.0,
                  model: LatencyModel | None = None, check_invariants: bool = True) -> PlacementResult:
    """Run Raft with replicas in ``replicas`` (a region per replica), the leader pinned in
    ``leader``, ``clients_per_region`` clients per region of ``clients`` each making ``writes``
    puts ``think_ms`` apart; then, with ``failed``, fail that region and measure again. Same
    arguments, same result. Raft's five safety properties are checked after every step unless
    ``check_invariants`` is False (the panels' redraws; the checks change nothing in the result, and
    the tests run the panels' settings with them on)."""
    setup = check_setup(replicas=replicas, leader=leader, clients=clients, clients_per_region=clients_per_region,
                        writes=writes, failed=failed, seed=seed, think_ms=think_ms)
    m = model if model is not None else default_model()
    run = _Run(setup, m, wan_timeouts(setup.replicas, setup.clients, m), check_invariants)
    won = _elect_pinned(run)
    procs = run.add_clients(setup.clients, "", run.pinned)
    run.finish(procs)
    commit = run.latencies(procs)
    outage = _outage(run, run.pinned) if setup.failed is not None else None
    predicted = {r: predicted_commit_ms(setup.leader, r, setup.replicas, m) for r in commit}
    return PlacementResult(setup, run.timeouts, setup.leader, won, commit, predicted,
                           majority_rtt_ms(setup.leader, setup.replicas, m), outage)
