"""Brooker's jitter study: the published orderings hold and runs are reproducible."""
from __future__ import annotations

import pytest

from distlab.reliability.backoff_study import STRATEGIES, simulate, sweep, sweep_point

# the reference simulator's means at 100 clients over 100 runs (aws-arch-backoff-simulator)
REFERENCE_CALLS_100 = {"none": 2421, "exponential": 1853, "equal": 812, "full": 797, "decorrelated": 1002}


def test_same_seed_same_numbers():
    assert simulate("full", 30, seed=7) == simulate("full", 30, seed=7)
    assert simulate("full", 30, seed=7) != simulate("full", 30, seed=8)


def test_every_client_writes_exactly_once():
    for s in STRATEGIES:
        r = simulate(s, 25, seed=3)
        assert r.calls - r.failures == 25


@pytest.fixture(scope="module")
def at_100():
    return {s: sweep_point(s, 100, runs=30, seed=1) for s in STRATEGIES}


def test_within_15_percent_of_reference(at_100):
    for s, ref in REFERENCE_CALLS_100.items():
        assert abs(at_100[s].mean_calls - ref) <= 0.15 * ref, (s, at_100[s].mean_calls)


def test_published_claims(at_100):
    calls = {s: p.mean_calls for s, p in at_100.items()}
    time = {s: p.mean_time_ms for s, p in at_100.items()}
    assert calls["full"] < calls["exponential"] / 2  # full jitter more than halves the calls
    assert abs(calls["full"] - calls["equal"]) < 0.1 * calls["full"]  # full ~ equal
    assert calls["decorrelated"] > calls["full"]
    assert time["exponential"] > 3 * max(time["equal"], time["full"], time["decorrelated"])


def test_sweep_shape_and_bad_input():
    pts = sweep(strategies=("none", "full"), clients=(5, 10), runs=2)
    assert [(p.strategy, p.clients) for p in pts] == [("none", 5), ("full", 5), ("none", 10), ("full", 10)]
    with pytest.raises(ValueError, match="strategy"):
        simulate("linear", 5, 0)
    with pytest.raises(ValueError, match="clients"):
        simulate("full", 0, 0)
    with pytest.raises(ValueError, match="base"):
        simulate("full", 5, 0, base=0)


def test_parallel_sweep_gives_the_serial_numbers():
    serial = sweep(strategies=("full", "decorrelated"), clients=(20,), runs=3, seed=2)
    assert sweep(strategies=("full", "decorrelated"), clients=(20,), runs=3, seed=2, workers=2) == serial
