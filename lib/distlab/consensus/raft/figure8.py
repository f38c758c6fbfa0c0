"""The paper's Figure 8, replayed step by step: why a leader may not commit an entry from an
earlier term just because a majority stores it.

Five servers S1..S5 (pids 0..4). Elections are triggered explicitly (``start_election`` is the rule
a timeout would fire) and spontaneous timeouts are pushed far out, so the schedule is exactly:

(a) S1 leads term 1 and commits ``a``; then, cut off from S3-S5, appends ``b`` (term 1) on S1, S2.
(b) S1 crashes. S5 wins term 2 with S3 and S4 and appends ``c`` (term 2) on itself only.
(c) S5 crashes. S1 restarts and wins term 3 (S2, S3) and copies ``b`` to S3: index 2 (term 1) is
    now on a majority. A correct leader does NOT commit it -- it is not from term 3.
(d) S1 crashes. S5 restarts and wins term 4 (S2, S3, S4, whose logs end in term 1 < 2), then
    overwrites index 2 with ``c`` everywhere. Legal, because ``b`` was never committed.

Run it with a server class that counts old-term replicas (``advance_commit_index`` without the
current-term check) and the checker reports ``leader_completeness``: ``b`` was "committed" at (c)
and is missing from the term-4 leader's log at (d).
"""
from __future__ import annotations

from distlab.sim import Constant, ms

from .cluster import Cluster, ScenarioError
from .cluster_core import NodeClass
from .node import RaftNode
from .state import LEADER, RaftConfig

QUIET = RaftConfig(election_timeout=(100.0, 200.0), heartbeat_interval=ms(20))


def _elect(c: Cluster, pid: int, attempts: int = 3) -> None:
    for _ in range(attempts):
        c.nodes[pid].start_election()
        c.run(ms(20))
        if c.nodes[pid].role == LEADER:
            return
    raise ScenarioError(f"S{pid + 1} could not win an election")


def figure8_replay(seed: int = 0, node_class: NodeClass = RaftNode) -> Cluster:
    """Play (a)-(d) and return the cluster (safety is checked after every step throughout)."""
    c = Cluster(5, seed=seed, config=QUIET, latency=Constant(ms(1)), node_class=node_class)
    c.run(ms(10))
    _elect(c, 0)                                       # (a)
    c.start(0, "a")
    c.run(ms(30))
    for p in (2, 3, 4):
        c.disconnect(p)
    c.start(0, "b")
    c.run(ms(30))
    c.crash(0)                                         # (b)
    c.disconnect(1)
    for p in (2, 3, 4):
        c.connect(p)
    _elect(c, 4)
    c.disconnect(4)
    c.start(4, "c")
    c.run(ms(30))
    c.crash(4)                                         # (c)
    c.restart(0)
    c.connect(0)
    c.connect(1)
    c.disconnect(3)
    _elect(c, 0)
    c.run(ms(30))
    c.crash(0)                                         # (d)
    c.restart(4)
    for p in (1, 2, 3, 4):
        c.connect(p)
    _elect(c, 4)
    c.run(ms(100))
    return c
