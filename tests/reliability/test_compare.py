"""The same trace through every strategy shows each one's documented behaviour."""
from __future__ import annotations

import pytest

from distlab.reliability import RateLimit
from distlab.reliability.compare import bursty_trace, counter_error, run_trace


@pytest.fixture(scope="module")
def runs():
    trace = bursty_trace(seed=1, burst_size=40)
    return trace, run_trace(trace, RateLimit(10, 1.0))


def test_fixed_window_boundary_burst_nearly_doubles(runs):
    _, r = runs
    assert r["fixed-window"].max_in_any_window > 15
    assert r["sliding-log"].max_in_any_window <= 10


def test_sliding_log_memory_grows_with_admitted_traffic(runs):
    _, r = runs
    assert max(r["sliding-log"].sizes) == 10 > max(r["sliding-window-counter"].sizes) == 2


def test_counter_error_is_small_but_not_zero(runs):
    trace, r = runs
    err = counter_error(trace, RateLimit(10, 1.0))
    assert 0 < err < 0.2
    assert r["sliding-window-counter"].mismatches_vs_log == round(err * len(trace))


def test_token_bucket_burst_then_refill(runs):
    _trace, r = runs
    tb = r["token-bucket"]
    assert tb.max_in_any_window <= 10 + 10  # capacity plus one window of refill
    assert tb.decisions == r["gcra"].decisions  # GCRA is the same algorithm stored as one timestamp


def test_trace_is_seeded_and_validated():
    assert bursty_trace(seed=3) == bursty_trace(seed=3) != bursty_trace(seed=4)
    with pytest.raises(ValueError, match="duration"):
        bursty_trace(duration=0)
