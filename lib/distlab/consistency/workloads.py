"""Seeded big histories for the linearizability search: its benchmarks and its tests share them.

* :func:`kv_clients_history` -- a key-value history of the kind Porcupine's ``kv`` tests check (50
  clients, 10 keys, ~2,000 operations, ~4,000 events; mostly ``append`` with ``get`` and ``put``):
  every operation takes effect at one random instant inside its interval, so the history is
  linearizable by construction -- unless ``stale_reads`` planted stale ``get`` results in it;
* :func:`crowd_history` -- ``n`` read/write operations on one register that all overlap, most of
  them indeterminate if asked: the worst case for a search, used to test that budgets hold;
* :func:`thin_air_history` -- many indeterminate writes and one read of a value none of them wrote:
  a violation that must be found without any search.

Our own generators. Values are unique (``x <client> <n> y``, as the MIT 6.824 lab tests that
Porcupine's ``kv`` histories come from write them), so a planted stale read is a violation for sure.
"""
from __future__ import annotations

import random
from dataclasses import replace
from typing import NamedTuple

from distlab.sim.history import History, Op
from distlab.validate import integer, number

INF = float("inf")

__all__ = ["kv_clients_history", "crowd_history", "thin_air_history"]


class _Plan(NamedTuple):
    """One operation before it is recorded: when it takes effect, and what it does."""

    lin: float
    invoke: float
    complete: float
    process: int
    f: str
    key: str
    value: str | None
    info: bool


def _plans(rng: random.Random, clients: int, keys: int, ops_per_client: int, p_append: float, p_put: float,
           p_info: float) -> list[_Plan]:
    """Every client's operations back to back: short think times, heavy-tailed latencies."""
    plans = []
    for c in range(clients):
        t, process = rng.uniform(0.0, 1.0), c
        for n in range(ops_per_client):
            invoke = t + rng.uniform(0.0, 0.2)
            latency = rng.expovariate(1.0) * (20.0 if rng.random() < 0.03 else 1.0) + 0.05
            complete = invoke + latency
            roll = rng.random()
            f = "append" if roll < p_append else ("put" if roll < p_append + p_put else "get")
            value = None if f == "get" else f"x {c} {n} y"
            info = rng.random() < p_info
            plans.append(_Plan(rng.uniform(invoke, complete), invoke, complete, process, f,
                               str(rng.randrange(keys)), value, info))
            if info:                     # a client that gave up continues as a new process (Jepsen)
                process += clients
            t = complete
    return plans


def kv_clients_history(seed: int = 0, clients: int = 50, keys: int = 10, ops_per_client: int = 40,
                       p_append: float = 0.5, p_put: float = 0.1, p_info: float = 0.0,
                       stale_reads: int = 0) -> History:
    """A Porcupine-style key-value history (see the module doc); ``stale_reads`` gets in its middle
    half return the value their key held just before a write that completed before they began."""
    integer("seed", seed, low=None)
    for name, count, low in (("clients", clients, 1), ("keys", keys, 1), ("ops_per_client", ops_per_client, 0),
                             ("stale_reads", stale_reads, 0)):
        integer(name, count, low=low)
    for name, prob in (("p_append", p_append), ("p_put", p_put), ("p_info", p_info)):
        number(name, prob, low=0.0, high=1.0)
    if p_append + p_put > 1.0:
        raise ValueError(f"p_append + p_put must be <= 1, got {p_append + p_put}")
    rng = random.Random(seed)
    plans = sorted(_plans(rng, clients, keys, ops_per_client, p_append, p_put, p_info))
    ops, stale_candidates = _record(plans, rng, stale_reads > 0)
    middle = stale_candidates[len(stale_candidates) // 4: 3 * len(stale_candidates) // 4]
    for i, stale in rng.sample(middle, min(stale_reads, len(middle))):
        ops[i] = replace(ops[i], result=stale)
    return History.of(ops)


def _record(plans: list[_Plan], rng: random.Random, stale: bool) -> tuple[list[Op], list[tuple[int, str]]]:
    """The operations, taking effect in ``plans``' order, and (if ``stale``) for each ``get`` that
    began after a write on its key completed: its position and the value its key held just before
    the last such write to take effect -- counting only writes invoked after every write that value
    is made of had completed, so that reading it is surely stale (values are unique)."""
    state: dict[str, str] = {}
    settled: dict[str, float] = {}      # key -> when the last write its value is made of completed
    writes: dict[str, list[tuple[float, str]]] = {}     # key -> (completion, state before) per write
    ops: list[Op] = []
    stale_candidates = []
    for plan in plans:
        cur = state.get(plan.key, "")
        if plan.value is not None and (not plan.info or rng.random() < 0.5):
            made, end = settled.get(plan.key, -INF), INF if plan.info else plan.complete
            if not plan.info and made < plan.invoke:
                writes.setdefault(plan.key, []).append((plan.complete, cur))
            state[plan.key] = plan.value if plan.f == "put" else cur + plan.value
            settled[plan.key] = end if plan.f == "put" else max(made, end)
        if plan.info:
            ops.append(Op(plan.process, plan.f, plan.value, plan.key, plan.invoke, None, "info"))
            continue
        if stale and plan.f == "get":
            earlier = [before for done, before in writes.get(plan.key, ()) if done < plan.invoke]
            if earlier:
                stale_candidates.append((len(ops), earlier[-1]))
        ops.append(Op(plan.process, plan.f, plan.value, plan.key, plan.invoke, plan.complete, "ok",
                      result=cur if plan.f == "get" else None))
    return ops, stale_candidates


def crowd_history(seed: int = 0, n_ops: int = 5000, p_info: float = 0.0, p_read: float = 0.5) -> History:
    """``n_ops`` reads and writes of one register, all overlapping: each is invoked before any
    completes. Reads return a value written by a random earlier-invoked write (or nothing)."""
    integer("seed", seed, low=None)
    integer("n_ops", n_ops, low=0)
    number("p_info", p_info, low=0.0, high=1.0)
    number("p_read", p_read, low=0.0, high=1.0)
    rng = random.Random(seed)
    ops: list[Op] = []
    written: list[int | None] = [None]
    for i in range(n_ops):
        complete = n_ops + rng.uniform(0.0, n_ops)
        if rng.random() < p_read:
            ops.append(Op(i, "read", None, None, float(i), complete, "ok", result=rng.choice(written)))
        elif rng.random() < p_info:
            ops.append(Op(i, "write", i, None, float(i), None, "info"))
            written.append(i)
        else:
            ops.append(Op(i, "write", i, None, float(i), complete, "ok"))
            written.append(i)
    return History.of(ops)


def thin_air_history(n_writes: int = 4999) -> History:
    """``n_writes`` indeterminate writes of distinct values, then a read of a value none wrote."""
    integer("n_writes", n_writes, low=0)
    ops = [Op(i, "write", i, None, float(i), None, "info") for i in range(n_writes)]
    ops.append(Op(n_writes, "read", None, None, float(n_writes), float(n_writes + 1), "ok", result=-1))
    return History.of(ops)
