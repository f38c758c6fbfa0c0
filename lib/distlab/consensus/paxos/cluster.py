"""A Multi-Paxos cluster driven like the Raft ``Cluster``: a seed, a network, faults, submit and
wait, each node's learned log, and the two safety invariants checked after every step."""
from __future__ import annotations

from typing import Any

from distlab.sim import Latency, Simulation, Uniform, ms

from .invariants import PaxosSafety
from .multi import LEADER, MultiPaxosNode


class PaxosCluster:
    """``n`` :class:`MultiPaxosNode` s named ``0 .. n-1`` in one seeded simulation (``latency``:
    the network's one-way delay, 1-5 ms by default), with :class:`PaxosSafety` checked after every
    step unless ``check_invariants`` is False. Faults act on ``sim`` directly."""

    def __init__(self, n: int = 5, *, seed: int = 0, latency: Latency | None = None,
                 check_invariants: bool = True):
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 15:
            raise ValueError(f"n (cluster size) must be an integer from 1 to 15, got {n!r}")
        self.n = n
        self.sim = Simulation(seed, trace=False, check_invariants=check_invariants)
        self.sim.network.configure(latency=latency if latency is not None else Uniform(ms(1), ms(5)))
        self.pids = list(range(n))
        self.nodes: dict[int, MultiPaxosNode] = {p: self.sim.add(MultiPaxosNode(p, self.pids))
                                                 for p in self.pids}
        self.safety = PaxosSafety(self.pids, n // 2 + 1).install(self.sim)

    def leader(self) -> int | None:
        """The running, unpaused node that believes it leads with the highest ballot (None if no
        node believes it leads)."""
        found = [(nd.ballot, p) for p, nd in self.nodes.items()
                 if nd.up and not nd.paused and nd.role == LEADER]
        return max(found)[1] if found else None

    def submit(self, value: Any) -> bool:
        """Hand ``value`` to the leader if there is one (True), else to any running node."""
        leader = self.leader()
        targets = [leader] if leader is not None else [p for p in self.pids if self.nodes[p].up]
        for p in targets:
            if self.nodes[p].up and not self.nodes[p].paused:
                self.nodes[p].submit(value)
                return leader is not None
        return False

    def learned_by(self, value: Any) -> int:
        """How many running nodes learned ``value`` in some slot."""
        return sum(1 for nd in self.nodes.values() if nd.up and value in nd.chosen.values())

    def learned_log(self, pid: int) -> list[Any]:
        """Node ``pid``'s log of chosen values, slot 1 up to the first slot it has not learned."""
        nd = self.nodes[pid]
        return [nd.chosen[s] for s in range(1, nd.known_upto + 1)]

    def one(self, value: Any, expected: int | None = None, timeout: float = 10.0) -> bool:
        """The MIT lab's ``one()``: submit ``value`` (again every 100 ms) until ``expected`` running
        nodes (default a majority) learned it or ``timeout`` simulated seconds pass; True if they did."""
        expected = self.n // 2 + 1 if expected is None else expected
        end = self.sim.now + timeout
        while self.sim.now < end:
            if self.learned_by(value) >= expected:
                return True
            self.submit(value)
            self.sim.run(min(end, self.sim.now + ms(100)))
        return self.learned_by(value) >= expected
