"""TrueTime intervals: true time inside while the clock is within epsilon (rounding outward keeps it
so), commit wait of 2 epsilon, and bad input named."""
import doctest

import pytest
from hypothesis import given, strategies as st

from distlab.geo import truetime
from distlab.geo.truetime import check_epsilon, commit_wait, holds, tt_now, wait_for_after, wait_for_latest

MICROS = 1_000_000


def test_doctests():
    assert doctest.testmod(truetime).failed == 0


@given(st.floats(0, 1000), st.floats(0, 0.01), st.floats(-1, 1))
def test_true_time_lies_in_the_interval_while_the_clock_is_within_epsilon(t, epsilon, fraction):
    local = t + fraction * epsilon
    tt = tt_now(local, epsilon)
    assert tt.earliest <= t * MICROS <= tt.latest
    assert tt.width <= 2 * epsilon * MICROS + 2


@given(st.floats(0, 1000), st.floats(0, 0.01))
def test_after_waiting_the_timestamp_has_surely_passed(local, epsilon):
    s = tt_now(local, epsilon).latest
    waited = wait_for_after(local, s, epsilon)
    assert tt_now(local + waited + 1e-9, epsilon).after(s)
    assert 2 * epsilon - 1e-6 <= waited <= 2 * epsilon + 3e-6       # commit wait is 2 epsilon
    assert tt_now(local + wait_for_latest(local, s + 5, epsilon) + 1e-9, epsilon).latest > s + 5


def test_commit_wait_and_the_promise():
    assert commit_wait(0.007) == pytest.approx(0.014)
    assert holds({"a": 0.004, "b": -0.004}, 0.005) and not holds({"a": 0.006}, 0.005)
    assert tt_now(1.0, 0.0).before(1_000_001) and not tt_now(1.0, 0.0).after(1_000_000)


@pytest.mark.parametrize("bad", [-0.001, float("nan"), 11.0, "7ms", True])
def test_bad_epsilon_names_the_parameter(bad):
    with pytest.raises(ValueError, match=r"epsilon must be a number of seconds in \[0.0, 10.0\]"):
        check_epsilon(bad)
