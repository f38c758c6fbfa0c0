"""The third option: every region writes locally and replicates in the background (multi-writer with
reconciliation). Writes are as fast as the client's own region; the price is conflicts.

>>> r = run_multiwriter(writes=10, seed=1)
>>> r.medians()["tokyo"] < 1.0           # a local write: same-zone round trip, under a millisecond
True
>>> r.conflicts > 0                      # but writes to one key from two regions cross in flight
True

Each replica acknowledges a client's write at once, then sends it to every other replica. Two
writes to the same key are **concurrent** (a conflict, to be reconciled) when each was made at its
replica before the other had arrived there -- neither replica knew of the other write, so no order
between them exists. Writes made at the same replica are ordered by it and never conflict. The
count is a plain one: this chapter's CRDT milestone (``distlab.geo.crdts``) does the merging.

A client writes to a replica in its own region, or -- with none there -- to the replica region with
the smallest median round trip from it. The same workload as :func:`run_placement`: ``writes``
puts per client to keys k0..k3, with pauses of ``think_ms`` on average (drawn at random here, so
that writers do not move in lockstep).
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.sim import HistoryRecorder, Process, Simulation, ms

from .latency import LatencyModel, default_model
from .placement import DEFAULT_CLIENTS, DEFAULT_REPLICAS, Setup, check_setup
from .placement_raft import KEYS
from .placement_result import Latencies, median_by_region

__all__ = ["LocalReplica", "LocalWriter", "MultiWriterResult", "WriteLog", "home_region", "run_multiwriter"]


class Write(NamedTuple):
    """Client -> its replica: put ``key`` (operation ``seq`` of the client)."""

    seq: int
    key: str


class Ack(NamedTuple):
    """Replica -> client: write ``seq`` is stored here."""

    seq: int


class Replicate(NamedTuple):
    """Replica -> replica: write ``wid`` (origin replica, number there) to ``key``."""

    wid: tuple[Hashable, int]
    key: str


class WriteLog:
    """What the experiment observes: each write's key, origin and time, and when it reached each replica."""

    def __init__(self) -> None:
        self.made: dict[tuple[Hashable, int], tuple[str, Hashable, float]] = {}
        self.arrived: dict[tuple[Hashable, int], dict[Hashable, float]] = {}

    def conflicts(self) -> tuple[int, int]:
        """(pairs of concurrent writes to one key, writes in at least one such pair)."""
        by_key: dict[str, list[tuple[Hashable, int]]] = {}
        for wid, (key, _, _) in self.made.items():
            by_key.setdefault(key, []).append(wid)
        pairs, involved = 0, set[tuple[Hashable, int]]()
        for wids in by_key.values():
            for i, a in enumerate(wids):
                for b in wids[i + 1:]:
                    if self.concurrent(a, b):
                        pairs += 1
                        involved.update((a, b))
        return pairs, len(involved)

    def concurrent(self, a: tuple[Hashable, int], b: tuple[Hashable, int]) -> bool:
        """Was each of the two writes made before the other reached its replica?"""
        _, origin_a, ta = self.made[a]
        _, origin_b, tb = self.made[b]
        if origin_a == origin_b:
            return False
        inf = float("inf")
        return self.arrived[a].get(origin_b, inf) > tb and self.arrived[b].get(origin_a, inf) > ta


class LocalReplica(Process):
    """Acknowledges a write at once and replicates it to ``peers`` in the background."""

    def __init__(self, pid: Hashable, peers: Sequence[Hashable], log: WriteLog) -> None:
        super().__init__(pid)
        self.peer_list, self.log, self.count = list(peers), log, 0

    def on_message(self, src: Hashable, msg: Any) -> None:
        """A client's :class:`Write`, or another replica's :class:`Replicate`."""
        if type(msg) is Write:
            self.count += 1
            wid = (self.pid, self.count)
            self.log.made[wid] = (msg.key, self.pid, self.now)
            self.log.arrived[wid] = {self.pid: self.now}
            self.send(src, Ack(msg.seq))
            for peer in self.peer_list:
                self.send(peer, Replicate(wid, msg.key))
        elif type(msg) is Replicate:
            self.log.arrived[msg.wid][self.pid] = self.now


class LocalWriter(Process):
    """Puts ``keys`` one at a time to its ``home`` replica, pausing a random time with mean ``think``
    seconds before each (exponential, from the writer's own stream), so clients do not write in step."""

    def __init__(self, pid: Hashable, home: Hashable, keys: Sequence[str], think: float,
                 recorder: HistoryRecorder) -> None:
        super().__init__(pid)
        self.home, self.keys, self.think, self.recorder = home, list(keys), think, recorder
        self.seq, self.op = 0, -1
        self.done = False

    def on_start(self) -> None:
        """Begin with the first write, after a pause."""
        self._pause()

    def _pause(self) -> None:
        self.set_timer("next", self.rng.expovariate(1.0 / self.think) if self.think > 0 else 0.0)

    def on_timer(self, name: str, data: Any) -> None:
        """Send the next write, or finish."""
        if self.seq >= len(self.keys):
            self.done = True
            return
        key = self.keys[self.seq]
        self.seq += 1
        self.op = self.recorder.invoke(self.pid, "put", f"{self.pid}:{self.seq}", key)
        self.send(self.home, Write(self.seq, key))

    def on_message(self, src: Hashable, msg: Any) -> None:
        """The replica's :class:`Ack`: the write is done."""
        if type(msg) is Ack and msg.seq == self.seq:
            self.recorder.ok(self.op)
            self._pause()


def home_region(client: str, replicas: Sequence[str], model: LatencyModel | None = None) -> str:
    """The replica region a client writes to: its own, else the one with the smallest median RTT."""
    if client in replicas:
        return client
    m = model if model is not None else default_model()
    return min(dict.fromkeys(replicas), key=lambda r: m.pair_rtt_ms(client, r))


@dataclass(frozen=True)
class MultiWriterResult:
    """One multi-writer run: the replica region each client region wrote to (``home``), write
    latencies per client region (ms), and how many writes conflicted (``conflicts``: concurrent
    pairs on one key; ``conflicted``: writes in at least one such pair) out of ``writes``."""

    setup: Setup
    home: dict[str, str]
    commit_ms: Latencies
    writes: int
    conflicts: int
    conflicted: int

    def medians(self) -> dict[str, float]:
        """Median write latency per client region, ms."""
        return median_by_region(self.commit_ms)


def _build(setup: Setup, model: LatencyModel, log: WriteLog, rec: HistoryRecorder,
           sim: Simulation) -> tuple[list[LocalWriter], dict[Hashable, str]]:
    reps = list(range(len(setup.replicas)))
    region: dict[Hashable, str] = dict(enumerate(setup.replicas))
    for p in reps:
        sim.add(LocalReplica(p, [q for q in reps if q != p], log))
    rng, writers = sim.rng("workload/"), []
    for i, r in enumerate(setup.clients):
        home = setup.replicas.index(home_region(r, setup.replicas, model))
        for k in range(setup.clients_per_region):
            pid = f"{r}/{i}.{k}"
            region[pid] = r
            keys = [f"k{rng.randrange(KEYS)}" for _ in range(setup.writes)]
            writers.append(sim.add(LocalWriter(pid, home, keys, ms(setup.think_ms), rec)))
    for a in region:
        for b in region:
            if a != b and not (isinstance(a, str) and isinstance(b, str)):  # clients talk to replicas only
                client = isinstance(a, str) or isinstance(b, str)
                same = client and region[a] == region[b]
                sim.network.set_link(a, b, latency=model.one_way(region[a], region[b], same_zone=same))
    return writers, region


def run_multiwriter(*, replicas: Sequence[str] = DEFAULT_REPLICAS, clients: Sequence[str] = DEFAULT_CLIENTS,
                    clients_per_region: int = 1, writes: int = 20, seed: int = 0, think_ms: float = 100.0,
                    model: LatencyModel | None = None) -> MultiWriterResult:
    """Every client writes to its home replica, which replicates in the background; then count the
    conflicts. The same arguments (and workload) as :func:`~distlab.geo.placement_raft.run_placement`."""
    reps = tuple(replicas)
    setup = check_setup(replicas=reps, leader=reps[0] if reps else "", clients=clients,
                        clients_per_region=clients_per_region, writes=writes, seed=seed, think_ms=think_ms)
    m = model if model is not None else default_model()
    sim, log = Simulation(seed, trace=False), WriteLog()
    rec = HistoryRecorder(lambda: sim.now)
    writers, region = _build(setup, m, log, rec, sim)
    budget = setup.writes * (setup.think_ms / 1000.0 + 2.0)  # a write takes far less than 2 s
    while not all(w.done for w in writers) and sim.now < budget:
        sim.run_for(1.0)
    sim.run_for(2.0)  # let the last replications land (the slowest one-way tail is ~0.5 s)
    latencies: dict[str, list[float]] = {r: [] for r in setup.clients}
    for op in rec.history():
        if op.status == "ok" and op.complete is not None:
            latencies[region[op.process]].append((op.complete - op.invoke) * 1000.0)
    pairs, involved = log.conflicts()
    home = {r: home_region(r, setup.replicas, m) for r in setup.clients}
    return MultiWriterResult(setup, home, {r: tuple(v) for r, v in latencies.items()}, len(log.made),
                             pairs, involved)
