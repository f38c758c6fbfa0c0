"""The cascade simulator's exact figures on small fixed scenarios, pinned.

Speed work on :mod:`distlab.reliability.cascade` must not change a single result: the same seed must
draw the same random numbers from the same streams and run the same events in the same order. These
figures were recorded before the simulator was optimised; ``digest`` covers every per-bin series
(arrivals, successes, latency percentiles, retries, calls, queues, breaker states), so any change
to any of them fails here, and the readable figures say what moved.
"""
from __future__ import annotations

import hashlib

import pytest

from distlab.reliability.cascade import simulate_cascade
from distlab.reliability.cascade_config import (
    CascadeConfig,
    Fault,
    default_graph,
    overload,
    retry_storm,
    slow_dependency,
)

STORM = dict(duration=8.0, arrival_rate=200.0, fault=Fault("inventory", 2.0, 4.0, 10.0), retries=True, seed=1)
SLOW = dict(duration=8.0, fault=Fault("payments", 2.0, 6.0, 30.0), seed=3)
CASES = {
    "slow, no pattern": (
        lambda: slow_dependency(**SLOW),
        3234, 2625, 0, {"checkout": (947, 617), "browse": (1610, 1418), "analytics": (677, 590)},
        {"gateway": 527, "checkout": 57, "payments": 7}, 0.04476458278031714, "9d4e754f479c4169"),
    "slow, bulkheads + breakers": (
        lambda: slow_dependency(**SLOW, bulkheads=True, breakers=True, bulkhead_size=5),
        3234, 2465, 0, {"checkout": (984, 263), "browse": (1591, 1543), "analytics": (659, 659)},
        {}, 0.026936779940494482, "4fe0f7e47b741db8"),
    "storm, retries": (
        lambda: retry_storm(**STORM),
        1631, 702, 6268, {"checkout": (495, 148), "browse": (819, 238), "analytics": (317, 316)},
        {"inventory": 1000}, 0.01543848849228624, "90d00962635083f3"),
    "storm, retries + budget + deadlines": (
        lambda: retry_storm(**STORM, retry_budget=True, deadlines=True),
        1620, 1436, 10, {"checkout": (509, 426), "browse": (800, 699), "analytics": (311, 311)},
        {"inventory": 101}, 0.04476537413647197, "6fe0b3d66edf07c7"),
    "overload, shedding + deadlines": (
        lambda: overload(duration=2.0, arrival_rate=600.0, shedding=True, deadlines=True,
                         graph=default_graph(queue=50, work={"gateway": 0.1}), seed=2),
        1203, 696, 0, {"checkout": (369, 352), "browse": (587, 330), "analytics": (247, 14)},
        {"gateway": 50}, 0.7030257710559469, "645e3d4b87ab6fbf"),
    "errors, every pattern": (
        lambda: CascadeConfig(duration=4.0, arrival_rate=300.0, bin_width=0.5, client_timeout=0.3, call_timeout=0.1,
                              fault=Fault("inventory", 1.0, 3.0, factor=5.0, error_rate=0.3), breakers=True,
                              bulkheads=True, retries=True, retry_budget=True, deadlines=True, shedding=True, seed=7),
        1271, 1112, 22, {"checkout": (372, 301), "browse": (636, 550), "analytics": (263, 261)},
        {}, 0.04658183657884063, "bdb5e1c373c11c4f"),
}


@pytest.mark.parametrize("name", CASES)
def test_cascade_results_are_exactly_as_recorded(name):
    make, arrivals, successes, retries, by_kind, longest_queues, last_p99, digest = CASES[name]
    r = simulate_cascade(make())
    assert (sum(r.arrivals), sum(r.successes), sum(r.retries)) == (arrivals, successes, retries)
    assert r.by_kind == by_kind
    assert {k: max(v) for k, v in r.queue.items() if max(v)} == longest_queues
    assert r.latency_p99[-1] == last_p99
    everything = (r.bins, r.arrivals, r.successes, r.latency_p50, r.latency_p99, r.retries, r.calls, r.queue,
                  r.breaker_state, r.by_kind)
    assert hashlib.sha256(repr(everything).encode()).hexdigest()[:16] == digest
