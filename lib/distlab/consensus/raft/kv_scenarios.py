"""Experiments on the replicated key-value store: random faults with a linearizability check and an
exactly-once check, and the stale read of a deposed leader (``reads="local"``) -- the failure
before the fix.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from distlab.consensus import checks
from distlab.sim import FaultSchedule, History, HistoryRecorder, InvariantViolation, ms

from .cluster import Cluster
from .kvclient import KVClient
from .kvstore import KVServer

if TYPE_CHECKING:  # imported where used: the checker is chapter 1's, and heavier than Raft
    from distlab.consistency.verdict import Verdict

KV_FAULTS = ("crash", "restart", "isolate", "heal", "pause", "resume", "block")


@dataclass
class KVResult:
    """One key-value trial: the linearizability verdict of the clients' history, the store's final
    data, and what the exactly-once and safety checks found."""

    verdict: Verdict           # distlab.consistency Verdict for the whole history
    history: History
    data: dict[str, str]       # final key -> value on the leader after heal
    duplicated: list[str] = field(default_factory=list)   # append tokens applied more than once
    lost: list[str] = field(default_factory=list)         # acknowledged appends missing
    completed: int = 0
    violations: list[str] = field(default_factory=list)


def _tokens(value: str) -> list[str]:
    return [t for t in value.split(";") if t]


def run_kv_trial(seed: int, *, n: int = 5, clients: int = 3, ops: int = 20, faults: int = 8,
                 duration: float = 3.0, loss: float = 0.1, duplicate: float = 0.0,
                 reads: str = "read_index", sessions: bool = True,
                 max_log: int | None = None) -> KVResult:
    """Clients run random get/put/append on two keys while faults strike; then heal and finish."""
    from distlab.consistency.linearizability import check_linearizable

    checks.whole("clients", clients, 1, 20)
    checks.whole("ops", ops, 0, 10_000)
    checks.whole("faults", faults, 0, 1000)
    checks.number("duration", duration, 0, 3600.0, "seconds", open_low=True)
    checks.number("loss", loss, 0, 1)
    checks.number("duplicate", duplicate, 0, 1)
    checks.flag("sessions", sessions)
    rng = random.Random(seed)
    c = Cluster(n, seed=seed, node_class=partial(KVServer, reads=reads, sessions=sessions,
                                                 max_log=max_log))
    c.sim.network.configure(loss=loss, duplicate=duplicate)
    rec = HistoryRecorder(lambda: c.sim.now)
    procs = []
    for k in range(clients):
        plan = []
        for i in range(ops):
            f = rng.choice(("get", "append", "append", "put"))
            plan.append((f, rng.choice("xy"), None if f == "get" else f"{k}.{i};"))
        procs.append(c.sim.add(KVClient(f"client{k}", c.pids, plan, recorder=rec)))
    FaultSchedule.random(rng, c.pids, duration, count=faults, actions=KV_FAULTS).install(c.sim)
    violations = []
    try:
        c.run(duration)
        c.run_until(lambda cl: all(p.done for p in procs), timeout=20.0, poll=ms(50))
        c.run(0.5)
    except InvariantViolation as e:
        violations = [str(v) for v in e.violations]
    history = rec.history()
    verdict = check_linearizable(history, "kv")
    leader = c.leader()
    data = dict(c.nodes[leader].kv.data) if leader is not None else {}
    result = KVResult(verdict, history, data, completed=sum(p.seq for p in procs if p.done),
                      violations=violations)
    # exactly-once: every append token at most once; every acknowledged append present unless a
    # later put overwrote the key (so only keys never put to are checked for loss)
    put_keys = {o.key for o in history if o.f == "put"}
    for value in data.values():
        toks = _tokens(value)
        result.duplicated += sorted({t for t in toks if toks.count(t) > 1})
    for o in history:
        if (o.f == "append" and o.status == "ok" and o.key not in put_keys
                and o.value.rstrip(";") not in _tokens(data.get(o.key, ""))):
            result.lost.append(o.value)
    return result


def stale_read(reads: str, seed: int = 0) -> tuple[Verdict, History]:
    """A leader cut off with one client keeps believing it leads. Another client writes ``x=2``
    through the new leader; then the first client reads through the old one. With
    ``reads="local"`` it gets the stale ``1`` -- not linearizable; with ``read_index`` the old
    leader cannot confirm a majority and never answers. Returns (verdict, history)."""
    from distlab.consistency.linearizability import check_linearizable

    c = Cluster(5, seed=seed, node_class=partial(KVServer, reads=reads))
    rec = HistoryRecorder(lambda: c.sim.now)
    writer = c.sim.add(KVClient("writer", c.pids, [("put", "x", "1")], recorder=rec))
    c.run_until(lambda cl: writer.done, timeout=5.0)
    c.run(0.2)
    old = c.leader()
    others = [p for p in c.pids if p != old]
    c.sim.network.partition([[old, "reader"], others + ["writer", "writer2"]])
    writer2 = c.sim.add(KVClient("writer2", c.pids, [("put", "x", "2")], recorder=rec))
    c.run_until(lambda cl: writer2.done, timeout=10.0)
    # the read is invoked only after x=2 was acknowledged, and can reach only the old leader
    c.sim.add(KVClient("reader", [old], [("get", "x", None)], recorder=rec, retry=ms(50)))
    c.run(1.0)
    return check_linearizable(rec.history(), "kv"), rec.history()
