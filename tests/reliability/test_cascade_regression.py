"""The cascade simulator's exact figures on small fixed scenarios, pinned.

Speed work on :mod:`distlab.reliability.cascade` must not change a single result: the same seed must
draw the same random numbers from the same streams and run the same events in the same order. These
figures were re-recorded when the end users' arrivals moved to a random stream of their own (so a
same-seed A/B offers both arms the same requests); ``digest`` covers every per-bin series
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
        3085, 2703, 0, {"checkout": (866, 576), "browse": (1553, 1492), "analytics": (666, 635)},
        {"gateway": 425, "checkout": 81, "catalog": 1, "payments": 13}, 0.04908004772260455, "dd35f4e60f48804e"),
    "slow, bulkheads + breakers": (
        lambda: slow_dependency(**SLOW, bulkheads=True, breakers=True, bulkhead_size=5),
        3085, 2620, 0, {"checkout": (866, 435), "browse": (1553, 1519), "analytics": (666, 666)},
        {}, 0.04729815463444442, "856922184e88d2ea"),
    "storm, retries": (
        lambda: retry_storm(**STORM),
        1675, 764, 6165, {"checkout": (528, 154), "browse": (814, 277), "analytics": (333, 333)},
        {"inventory": 1000}, 0.011364538583478634, "7b202d4b13ce2b3a"),
    "storm, retries + budget + deadlines": (
        lambda: retry_storm(**STORM, retry_budget=True, deadlines=True),
        1675, 1492, 10, {"checkout": (528, 455), "browse": (814, 704), "analytics": (333, 333)},
        {"inventory": 109}, 0.051381166147929314, "0df71ce62d081a4d"),
    "overload, shedding + deadlines": (
        lambda: overload(duration=2.0, arrival_rate=600.0, shedding=True, deadlines=True,
                         graph=default_graph(queue=50, work={"gateway": 0.1}), seed=2),
        1187, 726, 0, {"checkout": (357, 330), "browse": (601, 377), "analytics": (229, 19)},
        {"gateway": 50}, 0.6629525627978305, "93904994c073151c"),
    "errors, every pattern": (
        lambda: CascadeConfig(duration=4.0, arrival_rate=300.0, bin_width=0.5, client_timeout=0.3, call_timeout=0.1,
                              fault=Fault("inventory", 1.0, 3.0, factor=5.0, error_rate=0.3), breakers=True,
                              bulkheads=True, retries=True, retry_budget=True, deadlines=True, shedding=True, seed=7),
        1191, 1031, 19, {"checkout": (357, 299), "browse": (578, 477), "analytics": (256, 255)},
        {}, 0.04540677017923622, "0c2b12b7b5efb555"),
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


@pytest.mark.parametrize("scenario, arms", [
    ("overload", ({}, {"shedding": True}, {"shedding": True, "deadlines": True})),
    ("slow dependency", ({}, {"bulkheads": True}, {"breakers": True}, {"retries": True})),
    ("retry storm", ({"retries": True}, {"retries": True, "retry_budget": True}, {"deadlines": True})),
])
def test_a_same_seed_ab_offers_every_arm_the_same_first_attempts(scenario, arms):
    """FIFO offered 696/1269/500 and shedding 693/1231/489 at one seed: the arms drew arrivals from the
    stream the services' work also drew from. Now each arm gets the same end-user requests, per bin
    and per kind; what differs by design (retries) is counted apart, in ``retries``."""
    from distlab.grading.reliability import run_scenario

    runs = [run_scenario(scenario, seed=5, **arm) for arm in arms]
    offered = [(r.arrivals, {k: r.kind_bins[k].arrivals for k in r.kind_bins}) for r in runs]
    assert all(o == offered[0] for o in offered), [sum(r.arrivals) for r in runs]
