"""The core of :class:`~distlab.consensus.raft.cluster.Cluster`: a seeded simulation of Raft
servers, what each applied (MIT's applier), running, finding leaders, and the network's settings.

``ClusterActions`` (faults, membership) and ``Cluster`` (the MIT-style checks and clients) are
layers on top of :class:`ClusterCore`, which declares the state they use.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, cast

from distlab.consensus import checks
from distlab.sim import Latency, Simulation, Uniform, ms

from .invariants import RaftSafety
from .messages import RPC_REQUESTS
from .node import RaftNode
from .snapshots import Snapshot
from .state import LEADER, RaftConfig

if TYPE_CHECKING:  # a default for the node type (PEP 696): a bare `Cluster` is a Cluster of RaftNodes
    from typing_extensions import TypeVar

    N = TypeVar("N", bound=RaftNode, default=RaftNode)
else:
    from typing import TypeVar

    N = TypeVar("N", bound=RaftNode)
C = TypeVar("C", bound="ClusterCore[Any]")

MAX_NODES = 15
NodeClass = Callable[..., RaftNode]  # what builds a server: RaftNode, a subclass, a partial of one


class ScenarioError(AssertionError):
    """An expectation of a scenario failed (no leader elected, a command never committed...)."""


class _Wire:
    """Counts RPC requests (not replies) and bytes, as MIT's labrpc counts calls, and -- like
    labrpc's "long reordering" -- can hold back a fraction of *replies* by 0.2-2.2 s. (The kernel's
    own ``reorder`` setting applies to every message; labrpc delays replies only.)"""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.network = sim.network
        self.rpcs = 0
        self.bytes = 0
        self.reply_reorder = 0.0
        self._send = sim.network.send
        # an instance attribute wrapping the kernel's method
        sim.network.send = self.send  # type: ignore[method-assign]

    def send(self, src: Any, dst: Any, payload: Any, size: int = 0) -> None:
        if type(payload) in RPC_REQUESTS:
            self.rpcs += 1
        elif self.reply_reorder:
            rng = self.sim.rng("long-reordering")
            if rng.random() < self.reply_reorder:
                self.sim.schedule(0.2 + 2.0 * rng.random(), self._send, src, dst, payload, size)
                self.bytes += size
                return
        self.bytes += size
        self._send(src, dst, payload, size)


class ClusterCore(Generic[N]):
    """``n`` Raft servers named ``0 .. n-1`` in one seeded simulation, with safety checked after
    every step (``check_invariants=True``) and a record of what each server applied. The servers
    are what ``node_class`` builds: ``RaftNode``, a subclass, or a ``functools.partial`` of one."""

    n: int                                # servers, spares included
    pids: list[int]
    nodes: dict[int, N]
    config: RaftConfig
    sim: Simulation
    counter: _Wire                        # RPC and byte counts, long reordering of replies
    safety: RaftSafety
    applied: dict[int, dict[int, Any]]    # pid -> {index: command}, kept over crashes
    apply_errors: list[str]
    disconnected: list[int]               # servers cut off from the rest, both ways
    snapshot_every: int | None
    _node_class: Callable[..., N]
    _reliable_latency: Latency

    def __init__(self, n: int = 3, *, seed: int = 0, config: RaftConfig | None = None,
                 latency: Latency | None = None, unreliable: bool = False, check_invariants: bool = True,
                 trace: bool = False, node_class: Callable[..., N] | None = None,
                 snapshot_every: int | None = None, voters: int | None = None) -> None:
        _check_sizes(n, snapshot_every, voters)
        checks.flag("unreliable", unreliable)
        checks.flag("trace", trace)
        self.snapshot_every = snapshot_every
        self.n = n
        self.config = config if config is not None else RaftConfig()
        self.sim = Simulation(seed, trace=trace, check_invariants=check_invariants)
        self.sim.network.configure(latency=latency if latency is not None else Uniform(ms(1), ms(5)))
        self.counter = _Wire(self.sim)
        self.pids = list(range(n))
        self.applied = {p: {} for p in self.pids}
        self.apply_errors = []
        self._node_class = cast("Callable[..., N]", node_class or RaftNode)
        # the first `voters` servers form the initial configuration; the rest wait as spares
        initial = self.pids[:voters] if voters is not None else self.pids
        self.nodes = {p: self._node_class(p, initial if p in initial else [], self.config,
                                          self._on_apply) for p in self.pids}
        for p in self.pids:
            self.sim.add(self.nodes[p])
        self.safety = RaftSafety(self.nodes.values()).install(self.sim)
        self.disconnected = []
        self._reliable_latency = self.sim.network.default.latency
        if unreliable:
            self.set_unreliable(True)

    # ------------------------------------------------------------------ applying (MIT's applier)
    def _on_apply(self, pid: int, index: int, command: Any) -> None:
        if type(command) is Snapshot:  # the server's state machine was replaced by a snapshot
            self.applied[pid] = {}
            for i, cmd in enumerate(command.data, start=1):
                self._on_apply(pid, i, cmd)
            return
        log = self.applied[pid]
        if index > 1 and index - 1 not in log and index - 1 > self.nodes[pid].base_index:
            self.apply_errors.append(f"server {pid} applied index {index} out of order")
        for other in self.pids:
            have = self.applied[other].get(index, command)
            if other != pid and have != command:
                self.apply_errors.append(f"commit index={index} server={pid} {command!r} != "
                                         f"server={other} {have!r}")
        log[index] = command
        every = self.snapshot_every
        if every and index % every == 0 and self.nodes[pid].last_applied == index:
            # like the lab's applierSnap: the service snapshots every `every` entries
            self.nodes[pid].take_snapshot(index, tuple(log[i] for i in range(1, index + 1)))

    # ------------------------------------------------------------------ running
    @property
    def now(self) -> float:
        """The simulated time, in seconds."""
        return self.sim.now

    def run(self, duration: float) -> None:
        """Run for ``duration`` simulated seconds (finite: a cluster never runs out of events)."""
        checks.number("duration", duration, 0, math.inf, "seconds")
        self.sim.run_for(duration)
        self._raise_apply_errors()

    def run_until(self: C, predicate: Callable[[C], bool], timeout: float, poll: float = ms(10)) -> bool:
        """Run until ``predicate(cluster)`` holds (checked every ``poll`` seconds) or ``timeout``
        passes; returns whether it held."""
        end = self.sim.now + timeout
        while True:
            if predicate(self):
                return True
            if self.sim.now >= end:
                return False
            self.sim.run(min(end, self.sim.now + poll))
            self._raise_apply_errors()

    def _raise_apply_errors(self) -> None:
        if self.apply_errors:
            raise ScenarioError(self.apply_errors[0])

    # ------------------------------------------------------------------ observing
    def node(self, pid: int) -> N:
        """Server ``pid`` (a ``ValueError`` for a pid that is not a server)."""
        if pid not in self.nodes:
            raise ValueError(f"pid must be one of {self.pids}, got {pid!r}")
        return self.nodes[pid]

    def connected(self, pid: int) -> bool:
        """Is server ``pid`` running and not cut off by ``disconnect``?"""
        return self.nodes[pid].up and pid not in self.disconnected

    def leaders(self) -> list[tuple[int, int]]:
        """Connected, running servers that believe they lead, as (term, pid)."""
        return [(nd.current_term, p) for p, nd in self.nodes.items()
                if self.connected(p) and nd.role == LEADER]

    def leader(self) -> int | None:
        """The connected leader with the highest term, or None."""
        found = self.leaders()
        return max(found)[1] if found else None

    # ------------------------------------------------------------------ the network
    def set_unreliable(self, unreliable: bool) -> None:
        """MIT's unreliable network: 10 % of messages dropped and 0-27 ms of delay."""
        if unreliable:
            self.sim.network.configure(loss=0.1, latency=Uniform(0, ms(27)))
        else:
            self.sim.network.configure(loss=0.0, latency=self._reliable_latency)

    def set_long_reordering(self, on: bool, probability: float = 2 / 3) -> None:
        """Hold back a fraction of replies by 0.2-2.2 s, so later ones overtake them (labrpc's
        long reordering: two replies in three when on)."""
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
        self.counter.reply_reorder = probability if on else 0.0


def _check_sizes(n: int, snapshot_every: int | None, voters: int | None) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_NODES:
        raise ValueError(f"n (cluster size) must be an integer from 1 to {MAX_NODES}, got {n!r}")
    if snapshot_every is not None and (not isinstance(snapshot_every, int) or isinstance(snapshot_every, bool)
                                       or snapshot_every < 1):
        raise ValueError(f"snapshot_every must be None or an integer >= 1, got {snapshot_every!r}")
    if voters is not None and (not isinstance(voters, int) or isinstance(voters, bool) or not 1 <= voters <= n):
        raise ValueError(f"voters must be None or an integer from 1 to n ({n}), got {voters!r}")
