"""MIT 6.5840's Raft tests 3C (persistence, Figure 8, unreliable networks, churn) on :class:`Cluster`.

``restart`` is the lab's ``start1``: the server loses its volatile state and comes back from stable
storage (currentTerm, votedFor, log). Iteration counts can be lowered for CI (``iters``); the
benchmark runs the lab's full counts.
"""
from __future__ import annotations

import random
from typing import Any

from distlab.sim import ms

from .cluster import Cluster
from .mit_lab_common import ET, expect


def persist1(seed: int) -> None:
    """3C: servers restarted from stable storage (all at once, the leader, a follower) keep their
    logs and keep agreeing."""
    c = Cluster(3, seed=seed)
    c.one(11, 3)
    for p in range(3):
        c.restart(p)
    for p in range(3):
        c.disconnect(p)
        c.connect(p)
    c.one(12, 3)
    leader1 = c.check_one_leader()
    c.disconnect(leader1)
    c.restart(leader1)
    c.connect(leader1)
    c.one(13, 3)
    leader2 = c.check_one_leader()
    c.disconnect(leader2)
    c.one(14, 2)
    c.restart(leader2)
    c.connect(leader2)
    c.wait(4, 3)  # leader2 has caught up before another server goes down
    i3 = (c.check_one_leader() + 1) % 3
    c.disconnect(i3)
    c.one(15, 2)
    c.restart(i3)
    c.connect(i3)
    c.one(16, 3)


def persist2(seed: int, iters: int = 5) -> None:
    """3C: servers restart with logs of different ages; only the one holding the latest committed
    entry may lead them, and agreement resumes (five rounds)."""
    c = Cluster(5, seed=seed)
    index = 1
    for _ in range(iters):
        c.one(10 + index, 5)
        index += 1
        leader1 = c.check_one_leader()
        c.disconnect((leader1 + 1) % 5)
        c.disconnect((leader1 + 2) % 5)
        c.one(10 + index, 3)
        index += 1
        for k in (0, 3, 4):
            c.disconnect((leader1 + k) % 5)
        for k in (1, 2):
            c.restart((leader1 + k) % 5)
            c.connect((leader1 + k) % 5)
        c.run(ET)
        c.restart((leader1 + 3) % 5)
        c.connect((leader1 + 3) % 5)
        c.one(10 + index, 3)
        index += 1
        c.connect((leader1 + 4) % 5)
        c.connect(leader1)
    c.one(1000, 5)


def persist3(seed: int) -> None:
    """A server that crashes right after a leader commits must not lose the committed entry."""
    c = Cluster(3, seed=seed)
    c.one(101, 3)
    leader = c.check_one_leader()
    c.disconnect((leader + 2) % 3)
    c.one(102, 2)
    c.crash(leader)
    c.crash((leader + 1) % 3)
    c.connect((leader + 2) % 3)
    c.restart(leader)
    c.connect(leader)
    c.one(103, 2)
    c.restart((leader + 1) % 3)
    c.connect((leader + 1) % 3)
    c.one(104, 3)


def figure8(seed: int, iters: int = 1000, **cluster_kw: Any) -> None:
    """Leaders crash right after appending: only current-term entries may be committed by counting
    replicas (the paper's Figure 8), else a committed entry could be overwritten."""
    rng = random.Random(seed)
    c = Cluster(5, seed=seed, **cluster_kw)
    c.one(rng.randrange(1 << 30), 1)
    nup = 5
    for _ in range(iters):
        leader = -1
        for p in range(5):
            if c.nodes[p].up:
                _, _, ok = c.start(p, rng.randrange(1 << 30))
                if ok:
                    leader = p
        if rng.randrange(1000) < 100:
            c.run(rng.random() * ET / 2)
        else:
            c.run(ms(rng.randrange(13)))
        if leader != -1:
            c.crash(leader)
            nup -= 1
        if nup < 3:
            s = rng.randrange(5)
            if not c.nodes[s].up:
                c.restart(s)
                nup += 1
    for p in range(5):
        if not c.nodes[p].up:
            c.restart(p)
    c.one(rng.randrange(1 << 30), 5)


def unreliable_agree(seed: int, iters: int = 50) -> None:
    """3C: commands started concurrently on a lossy, delaying network all reach agreement."""
    c = Cluster(5, seed=seed, unreliable=True)
    for it in range(1, iters + 1):
        for j in range(4):  # the lab's concurrent clients: started, not awaited
            leader = c.leader()
            if leader is not None:
                c.start(leader, 100 * it + j)
        c.one(it, 1)
    c.set_unreliable(False)
    c.one(100, 5)


def figure8_unreliable(seed: int, iters: int = 1000) -> None:
    """3C: like ``figure8`` on an unreliable network with long reordering, cutting leaders off
    instead of crashing them."""
    rng = random.Random(seed)
    c = Cluster(5, seed=seed, unreliable=True)
    c.one(rng.randrange(10000), 1)
    nup = 5
    for it in range(iters):
        if it == 200:
            c.set_long_reordering(True)
        leader = -1
        for p in range(5):
            _, _, ok = c.start(p, rng.randrange(10000))
            if ok and c.connected(p):
                leader = p
        if rng.randrange(1000) < 100:
            c.run(rng.random() * ET / 2)
        else:
            c.run(ms(rng.randrange(13)))
        if leader != -1 and rng.randrange(1000) < int(ET * 1000) // 2:
            c.disconnect(leader)
            nup -= 1
        if nup < 3:
            s = rng.randrange(5)
            if s in c.disconnected:
                c.connect(s)
                nup += 1
    for p in range(5):
        c.connect(p)
    c.one(rng.randrange(10000), 5)


class _ChurnClients:
    """The lab's client goroutines as a scheduled loop: each tick every client offers a fresh
    value to a random server and remembers (index, value) when a leader accepts it."""

    def __init__(self, cluster: Cluster, rng: random.Random, clients: int = 3):
        self.c, self.rng, self.clients = cluster, rng, clients
        self.pending: list[tuple[int, int]] = []  # (index, value) a leader accepted
        self.stopped = False

    def tick(self) -> None:
        if self.stopped:
            return
        for _ in range(self.clients):
            x = self.rng.randrange(1 << 30)
            for k in range(5):
                p = (self.rng.randrange(self.c.n) + k) % self.c.n
                index, _, ok = self.c.start(p, x)
                if ok:
                    self.pending.append((index, x))
                    break
        self.c.sim.schedule(ms(self.rng.randrange(10, 60)), self.tick)

    def committed_values(self) -> list[int]:
        """The accepted values that were committed at the index their leader gave them."""
        out = []
        for index, x in self.pending:
            n, cmd = self.c.n_committed(index)
            if n > 0 and cmd == x:
                out.append(x)
        return out


def churn(seed: int, unreliable: bool = False, iters: int = 20) -> None:
    """3C: servers cut off, restarted and crashed at random while clients keep starting commands;
    every value a leader accepted and committed is in the final log."""
    rng = random.Random(seed)
    c = Cluster(5, seed=seed, unreliable=unreliable)
    clients = _ChurnClients(c, rng)
    clients.tick()
    for _ in range(iters):
        if rng.randrange(1000) < 200:
            c.disconnect(rng.randrange(5))
        if rng.randrange(1000) < 500:
            p = rng.randrange(5)
            if not c.nodes[p].up:
                c.restart(p)
            c.connect(p)
        if rng.randrange(1000) < 200:
            c.crash(rng.randrange(5))
        c.run(ET * 7 / 10)
    c.run(ET)
    c.set_unreliable(False)
    for p in range(5):
        if not c.nodes[p].up:
            c.restart(p)
        c.connect(p)
    clients.stopped = True
    c.run(ET)
    last = c.one(rng.randrange(1 << 30), 5)
    applied = [c.n_committed(i)[1] for i in range(1, last + 1)]
    values = clients.committed_values()
    expect(len(values) > 0, "no client value was committed during churn")
    present = set(v for v in applied if isinstance(v, int))
    for v in values:
        expect(v in present, f"committed value {v} missing from the final log")


def reliable_churn(seed: int, iters: int = 20) -> None:
    """3C: ``churn`` on a reliable network."""
    churn(seed, False, iters)


def unreliable_churn(seed: int, iters: int = 20) -> None:
    """3C: ``churn`` on an unreliable network."""
    churn(seed, True, iters)


SCENARIOS_3C = {"persist1": persist1, "persist2": persist2, "persist3": persist3,
                "figure8": figure8, "unreliable_agree": unreliable_agree,
                "figure8_unreliable": figure8_unreliable, "reliable_churn": reliable_churn,
                "unreliable_churn": unreliable_churn}
