"""Conformance: our windowed limiters admit exactly what ``limits`` 5.8 admits on random traces.

``limits`` reads ``time.time()`` itself, so the test patches that clock. Its memory storage also
runs a background timer that prunes expired entries; the timer only deletes what ``acquire_entry``
would ignore anyway, except for an entry exactly one window old, where it would race with the
decision -- so we stop the timer and let the decisions speak alone.

One quirk of ``limits`` 5.8 found here: for the moving window, ``hit`` counts an entry exactly one
window old (``atime >= now - expiry``) but ``test`` does not (its bisect keeps ``atime > now -
expiry``), so at that exact instant its ``test`` may say yes while its ``hit`` says no. Ours uses the
closed window for both verbs; the ``test`` comparison skips that instant, and
:func:`test_limits_moving_window_test_and_hit_disagree_at_the_boundary` pins the quirk down.
"""
from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st

limits = pytest.importorskip("limits")
from limits.storage import MemoryStorage  # noqa: E402
from limits.strategies import (  # noqa: E402
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)

from distlab.reliability import FixedWindow, ManualClock, RateLimiter, SlidingLog, SlidingWindowCounter  # noqa: E402

PAIRS = {
    "fixed-window": (FixedWindowRateLimiter, lambda: FixedWindow(align="first-hit", charge_rejected=True)),
    "sliding-log": (MovingWindowRateLimiter, SlidingLog),
    "sliding-window-counter": (SlidingWindowCounterRateLimiter, lambda: SlidingWindowCounter(rounding="floor")),
}
LIMIT_STRINGS = ["1/second", "3/second", "5/2 seconds", "10/minute", "4 per 3 seconds"]

steps = st.lists(
    st.tuples(
        st.floats(min_value=0.0, max_value=1.5, allow_nan=False),  # gap before the request (s)
        st.sampled_from([1, 1, 1, 2, 3, 7]),  # cost
        st.sampled_from(["a", "b"]),  # key
        st.booleans(),  # hit (True) or test (False)
    ),
    min_size=1,
    max_size=120,
)


def _quiet_storage():
    storage = MemoryStorage()
    storage.timer.cancel()
    storage._MemoryStorage__schedule_expiry = lambda: None
    return storage


def run_both(name, limit_string, trace, start=1_700_000_000.25):
    theirs_cls, ours_factory = PAIRS[name]
    clock = ManualClock(start)
    theirs = theirs_cls(_quiet_storage())
    item = limits.parse(limit_string)
    ours = RateLimiter(ours_factory(), limits=limit_string, clock=clock)
    got_ours, got_theirs = [], []
    stamps: dict = {}
    with mock.patch("time.time", clock):
        for gap, cost, key, is_hit in trace:
            clock.advance(gap)
            if is_hit:
                got_theirs.append(theirs.hit(item, key, cost=cost))
                got_ours.append(ours.hit(key, cost))
                if got_ours[-1]:
                    stamps.setdefault(key, set()).add(clock.now)
            elif name == "sliding-log" and clock.now - item.get_expiry() in stamps.get(key, ()):
                got_theirs.append(None)  # the boundary instant where limits' test and hit disagree
                got_ours.append(None)
            else:
                got_theirs.append(theirs.test(item, key, cost=cost))
                got_ours.append(ours.test(key, cost))
    return got_ours, got_theirs


def test_limits_moving_window_test_and_hit_disagree_at_the_boundary():
    clock = ManualClock(1_000_000.0)
    theirs = MovingWindowRateLimiter(_quiet_storage())
    item = limits.parse("1/second")
    ours = RateLimiter(SlidingLog(), limits="1/second", clock=clock)
    with mock.patch("time.time", clock):
        assert theirs.hit(item, "k") and ours.hit("k")
        clock.advance(1.0)
        assert theirs.test(item, "k") is True and theirs.hit(item, "k") is False
        assert ours.test("k") is False and ours.hit("k") is False


@pytest.mark.parametrize("name", sorted(PAIRS))
@settings(max_examples=60, deadline=None)
@given(trace=steps, limit_string=st.sampled_from(LIMIT_STRINGS))
def test_same_admissions_as_limits(name, trace, limit_string):
    ours, theirs = run_both(name, limit_string, trace)
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_busy_trace_exercises_both_outcomes(name):
    """A fixed dense trace: both libraries reject some and admit some, identically."""
    trace = [(0.05 * (i % 7), 1 + (i % 3), "k", i % 5 != 0) for i in range(400)]
    ours, theirs = run_both(name, "5/second", trace)
    assert ours == theirs
    decided = [d for d in ours if d is not None]
    assert 0 < sum(decided) < len(decided)


def test_default_conventions_differ_where_documented():
    """Our default fixed window is epoch-aligned and does not charge rejections; limits' does both."""
    clock = ManualClock(100.8)
    ours = RateLimiter("fixed-window", limits="3/second", clock=clock)
    trace = [(0.0, 1, "k", True), (0.3, 1, "k", True), (0.3, 1, "k", True), (0.3, 1, "k", True)]
    got = []
    for gap, cost, key, _ in trace:
        clock.advance(gap)
        got.append(ours.hit(key, cost))
    compat, _ = run_both("fixed-window", "3/second", trace, start=100.8)
    assert got == [True, True, True, True]  # epoch windows [100, 101) and [101, 102)
    assert compat == [True, True, True, False]  # one window [100.8, 101.8)


def test_rejected_cost_is_charged_only_in_limits_mode():
    trace = [(0.0, 9, "k", True), (0.1, 1, "k", True)]
    clock = ManualClock(100.1)
    ours = RateLimiter("fixed-window", limits="3/second", clock=clock)
    got = []
    for gap, cost, key, _ in trace:
        clock.advance(gap)
        got.append(ours.hit(key, cost))
    compat, theirs = run_both("fixed-window", "3/second", trace, start=100.1)
    assert got == [False, True]
    assert compat == theirs == [False, False]
