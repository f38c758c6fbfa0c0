"""Backpressure modes and Little's law; local budgets' precision-vs-round-trips trade-off."""
from __future__ import annotations

import pytest

from distlab.reliability import RateLimit
from distlab.reliability.backpressure import BackpressureConfig, simulate_backpressure
from distlab.reliability.clock import ManualClock
from distlab.reliability.local_budget import LocalBudget, MemoryCounter, simulate_local_budgets


def run(**kw):
    return simulate_backpressure(BackpressureConfig(**kw))


def test_unbounded_queue_grows_without_bound_when_overloaded():
    short, long = run(mode="unbounded", duration=20), run(mode="unbounded", duration=80)
    assert long.peak_queue > 3 * short.peak_queue > 0
    assert max(long.latencies) > 3 * max(short.latencies)
    assert long.dropped == 0


@pytest.mark.parametrize("mode", ["shed", "block"])
def test_bounded_modes_keep_queue_and_latency_bounded(mode):
    r = run(mode=mode, capacity=30, duration=80)
    assert r.peak_queue <= 30
    assert max(r.latencies) < 5.0
    if mode == "shed":
        assert r.dropped > 0 and r.blocked_time == 0
    else:
        assert r.dropped == 0 and r.blocked_time > 0
        assert r.offered / r.config.duration < r.config.arrival_rate * 0.95  # the producer was slowed


@pytest.mark.parametrize("mode", ["shed", "block", "unbounded"])
def test_littles_law_holds_for_stable_queues(mode):
    r = run(mode=mode, arrival_rate=80.0, service_rate=100.0, duration=200)
    assert r.littles_law_gap < 0.02


def test_backpressure_is_seeded_and_validates():
    assert run(seed=4, duration=5).latencies == run(seed=4, duration=5).latencies
    with pytest.raises(ValueError, match="mode"):
        BackpressureConfig(mode="drop")
    with pytest.raises(ValueError, match="service_rate"):
        BackpressureConfig(service_rate=0)
    with pytest.raises(ValueError, match="capacity"):
        BackpressureConfig(capacity=0)


def test_local_budget_trades_precision_for_round_trips():
    runs = [simulate_local_budgets(sync_interval=s, duration=10, seed=1) for s in (0, 0.01, 0.1, 0.5)]
    trips = [r.round_trips_per_request for r in runs]
    over = [r.mean_overshoot for r in runs]
    assert trips == sorted(trips, reverse=True) and trips[0] == 1.0
    assert over[0] == 0 and over == sorted(over)
    assert runs[-1].round_trips_per_request < 0.01


def test_local_budget_single_node_is_exact():
    clock = ManualClock(0.0)
    b = LocalBudget(MemoryCounter(), "k", RateLimit(10, 1.0), nodes=1, sync_interval=0.0, clock=clock)
    got = [b.hit() for _ in range(12)]
    assert got == [True] * 10 + [False] * 2
    clock.advance(1.0)
    assert b.hit()
    with pytest.raises(ValueError, match="nodes"):
        LocalBudget(MemoryCounter(), "k", RateLimit(10, 1.0), nodes=0, sync_interval=0.1, clock=clock)
