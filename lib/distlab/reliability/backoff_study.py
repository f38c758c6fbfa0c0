"""Brooker's "Exponential Backoff and Jitter" (AWS Architecture Blog, 2015), reproduced.

The post's simulator (aws-samples/aws-arch-backoff-simulator, ``src/backoff_simulator.py``) models
N clients that each update one optimistic-concurrency row exactly once: read the version, then write
iff it is unchanged. Every message takes ``|Normal(10 ms, sd 2 ms)|``. After a failed write the
client waits one network delay plus its backoff, then reads again. The attempt counter becomes 1 at
the first failure, so the first un-jittered wait is ``min(cap, base * 2**1) = 10 ms`` (base 5 ms,
cap 2000 ms). Strategies (the names of :data:`.retry.JITTERS`, which gives the same formulas as policies):

* ``none``: no wait;          * ``exponential``: ``v = min(cap, base * 2**n)``;
* ``equal``: ``v/2 + U(0, v/2)``;   * ``full``: ``U(0, v)``;
* ``decorrelated``: per client ``sleep = min(cap, U(base, 3 * sleep))``, starting at ``base``.

``calls`` counts write calls reaching the server; ``time`` is when the last client's success reply
arrives. Each figure is a mean over runs.

This is a *lean* event loop of our own, not the general kernel: since only the server's order of
reads and writes matters, each attempt is two heap events (the read arriving at the server, and the
write arriving at the server) instead of four messages; the delays of the hops in between are
summed when the event is scheduled. Normal delays are drawn in blocks from a NumPy generator seeded
per run. The statistics are the same as the reference's; the random streams are not.
"""
from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from distlab.validate import integer

from .retry import JITTERS, Backoff

STRATEGIES = JITTERS  # ("none", "exponential", "equal", "full", "decorrelated"): one set of names
BASE_MS, CAP_MS = 5.0, 2000.0
NET_MEAN_MS, NET_SD_MS = 10.0, 2.0


@dataclass(frozen=True)
class RunResult:
    """One run: write calls reaching the server, failed writes, and when the last client finished."""

    strategy: str
    clients: int
    calls: int
    failures: int
    time_ms: float


def _delays(rng: np.random.Generator, n: int) -> list[float]:
    out: list[float] = np.abs(rng.normal(NET_MEAN_MS, NET_SD_MS, n)).tolist()
    return out


def _check(strategy: str, clients: int) -> None:
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    integer("clients", clients)


def simulate(strategy: str, clients: int, seed: int, base: float = BASE_MS, cap: float = CAP_MS) -> RunResult:
    """One run: ``clients`` clients contend for one OCC row until all have written once."""
    _check(strategy, clients)
    integer("seed", seed, low=None)
    nprng = np.random.default_rng(seed)
    delay = Backoff(base, cap, strategy).delay  # the policies' formulas (and their checks on base and cap)
    jitter = random.Random(seed)
    block = max(4096, 64 * clients)
    delays = _delays(nprng, block)
    di = 0
    # event: (time at server, seq, client, kind) kind 0 = read arrives, 1 = write arrives (payload in ver)
    heap = []
    for c in range(clients):
        heap.append((delays[c], c, c, -1))
    di = clients
    heapq.heapify(heap)
    seq = clients
    attempt = [0] * clients
    sleep = [base] * clients
    version = 0
    calls = failures = 0
    last = 0.0
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        tm, _, c, read_version = pop(heap)
        if di + 3 > block:
            delays = _delays(nprng, block)
            di = 0
        if read_version < 0:  # a read arrives: reply, then the client's write arrives two hops later
            push(heap, (tm + delays[di] + delays[di + 1], seq, c, version))
            di += 2
            seq += 1
            continue
        calls += 1
        if read_version == version:  # the write succeeds; the reply reaches the client one hop later
            version += 1
            done = tm + delays[di]
            di += 1
            if done > last:
                last = done
            continue
        failures += 1
        attempt[c] += 1
        wait = sleep[c] = delay(attempt[c], jitter, sleep[c])
        # failure reply to the client, the backoff, then the new read request to the server
        push(heap, (tm + delays[di] + delays[di + 1] + wait, seq, c, -1))
        di += 2
        seq += 1
    return RunResult(strategy, clients, calls, failures, last)


@dataclass(frozen=True)
class SweepPoint:
    """Means over ``runs`` runs of one strategy at one client count."""

    strategy: str
    clients: int
    runs: int
    mean_calls: float
    mean_time_ms: float


def sweep_point(strategy: str, clients: int, runs: int = 100, seed: int = 0) -> SweepPoint:
    """Mean calls and completion time over ``runs`` runs (seeds ``seed, seed+1, ...``)."""
    integer("runs", runs)
    integer("seed", seed, low=None)
    results = [simulate(strategy, clients, seed * 1_000_003 + i) for i in range(runs)]
    return SweepPoint(strategy, clients, runs, sum(r.calls for r in results) / runs,
                      sum(r.time_ms for r in results) / runs)


def _point_args(args: tuple[str, int, int, int]) -> SweepPoint:
    return sweep_point(*args)


def sweep(strategies: Sequence[str] = STRATEGIES, clients: Sequence[int] = (10, 50, 100, 190), runs: int = 100,
          seed: int = 0, workers: int = 1) -> list[SweepPoint]:
    """The post's figure: every strategy at every client count. ``workers > 1`` uses processes."""
    jobs = [(s, n, runs, seed) for n in clients for s in strategies]
    if workers <= 1:
        return [_point_args(j) for j in jobs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_point_args, jobs))
