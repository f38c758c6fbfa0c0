"""The cascade simulator shows the cascade, each pattern's fix, and a metastable retry storm."""
from __future__ import annotations

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


def kind_availability(r, kind):
    arrivals, successes = r.by_kind[kind]
    return successes / arrivals


@pytest.fixture(scope="module")
def slow():
    cfg = dict(duration=25.0, fault=Fault("payments", 5.0, 20.0, factor=30.0))
    return {name: simulate_cascade(slow_dependency(**cfg, **sw)) for name, sw in
            {"none": {}, "bulkheads": {"bulkheads": True}, "breakers": {"breakers": True}}.items()}


def test_slow_dependency_cascades_to_unrelated_requests(slow):
    r = slow["none"]
    assert r.overall(0, 5) > 0.99
    assert r.overall(8, 20) < 0.5  # browse and analytics never touch payments, yet fail too
    assert kind_availability(r, "browse") < 0.9


@pytest.mark.parametrize("pattern", ["bulkheads", "breakers"])
def test_isolation_patterns_contain_the_cascade(slow, pattern):
    r = slow[pattern]
    assert r.overall(8, 20) > slow["none"].overall(8, 20) + 0.3
    assert kind_availability(r, "browse") > 0.99


def test_breaker_states_are_recorded(slow):
    states = slow["breakers"].breaker_state["checkout->payments"]
    assert states[2] == "closed" and "open" in states[6:20] and states[-1] == "closed"


@pytest.fixture(scope="module")
def storm():
    return {name: simulate_cascade(retry_storm(retries=True, **sw)) for name, sw in
            {"plain": {}, "budget": {"retry_budget": True}, "deadlines": {"deadlines": True}}.items()}


def test_retry_storm_is_metastable_without_budget_or_deadlines(storm):
    r = storm["plain"]
    assert r.overall(0, 5) > 0.99
    assert r.overall(20, 30) < 0.5  # the trigger ended at 10 s; the failure did not
    assert sum(r.retries[20:]) > 10 * r.arrivals[25]


@pytest.mark.parametrize("fix", ["budget", "deadlines"])
def test_budget_or_deadlines_recover(storm, fix):
    assert storm[fix].overall(20, 30) > 0.98


def test_no_retries_recovers_and_seed_reproduces():
    r = simulate_cascade(retry_storm(duration=20.0))
    assert r.overall(15, 20) > 0.98
    a = simulate_cascade(CascadeConfig(duration=3.0, seed=5))
    b = simulate_cascade(CascadeConfig(duration=3.0, seed=5))
    assert a.successes == b.successes and a.latency_p99 == b.latency_p99


@pytest.mark.parametrize("kw, word", [({"arrival_rate": 0}, "arrival_rate"), ({"mix": (("refund", 1.0),)}, "mix"),
                                      ({"bulkhead_size": 0}, "bulkhead_size")])
def test_bad_config(kw, word):
    with pytest.raises(ValueError, match=word):
        CascadeConfig(**kw)
    with pytest.raises(ValueError, match="workers"):
        default_graph(workers={"gateway": 0})
    with pytest.raises(ValueError, match="factor"):
        Fault(factor=0.5)


def test_priority_shedding_keeps_checkout_whole_under_overload():
    fifo, shed = simulate_cascade(overload(duration=8.0)), simulate_cascade(overload(duration=8.0, shedding=True))
    assert kind_availability(fifo, "checkout") < 0.6  # FIFO: every kind fails alike
    assert kind_availability(shed, "checkout") > 0.98
    assert kind_availability(shed, "analytics") <= kind_availability(shed, "browse") < 0.2


def test_per_kind_bins_add_up_to_the_per_kind_totals():
    from distlab.grading.reliability import run_scenario

    r = run_scenario("slow dependency")
    for kind, (arrivals, successes) in r.by_kind.items():
        bins = r.kind_bins[kind]
        assert (sum(bins.arrivals), sum(bins.successes)) == (arrivals, successes)
        assert r.overall_of(kind) == successes / arrivals
    assert [sum(r.kind_bins[k].arrivals[i] for k in r.by_kind) for i in range(len(r.bins))] == r.arrivals
