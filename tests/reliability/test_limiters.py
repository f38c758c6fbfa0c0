"""Every limiter keeps its specification on random traces; bad input gives clear errors."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings, strategies as st

from distlab.reliability import (
    GCRA,
    STRATEGIES,
    ManualClock,
    RateLimit,
    RateLimiter,
    TokenBucket,
    make_strategy,
    parse_limit,
    parse_limits,
)
from distlab.reliability.invariants import (
    boundary_burst_bound_holds,
    bucket_bound_holds,
    epoch_windows_hold,
    max_in_window,
    sliding_bound_holds,
)

traces = st.lists(
    st.tuples(st.floats(min_value=0.0, max_value=0.7, allow_nan=False), st.integers(min_value=1, max_value=3)),
    min_size=1,
    max_size=80,
)
limits_ = st.builds(
    RateLimit,
    amount=st.integers(min_value=1, max_value=6),
    window=st.sampled_from([0.5, 1.0, 2.0, 3.0]),
    burst=st.none() | st.integers(min_value=1, max_value=8),
)


def admitted_on(strategy, limit, trace, start=10.0, **options):
    clock = ManualClock(start)
    rl = RateLimiter(strategy, limits=[limit], clock=clock, **options)
    out = []
    for gap, cost in trace:
        clock.advance(gap)
        if rl.hit("k", cost):
            out.append((clock.now, cost))
    return out


@settings(max_examples=80, deadline=None)
@given(trace=traces, limit=limits_, name=st.sampled_from(["token-bucket", "gcra"]))
def test_bucket_strategies_never_exceed_burst_plus_rate(trace, limit, name):
    admitted = admitted_on(name, limit, trace)
    assert bucket_bound_holds(admitted, limit.capacity, limit.rate)


@settings(max_examples=80, deadline=None)
@given(trace=traces, limit=limits_)
def test_gcra_admits_what_the_token_bucket_admits(trace, limit):
    # the two are the same algorithm; times on a 1/64 s grid keep the float arithmetic exact enough
    grid = [(round(g * 64) / 64, c) for g, c in trace]
    assert admitted_on("gcra", limit, grid) == admitted_on("token-bucket", limit, grid)


@settings(max_examples=80, deadline=None)
@given(trace=traces, limit=limits_)
def test_sliding_log_is_exact(trace, limit):
    assert sliding_bound_holds(admitted_on("sliding-log", limit, trace), limit.amount, limit.window)


@settings(max_examples=80, deadline=None)
@given(trace=traces, limit=limits_, align=st.sampled_from(["epoch", "first-hit"]))
def test_fixed_window_within_twice_the_limit(trace, limit, align):
    admitted = admitted_on("fixed-window", limit, trace, align=align)
    assert boundary_burst_bound_holds(admitted, limit.amount, limit.window)
    if align == "epoch":
        assert epoch_windows_hold(admitted, limit.amount, limit.window)


@settings(max_examples=80, deadline=None)
@given(trace=traces, limit=limits_, rounding=st.sampled_from(["exact", "floor"]))
def test_sliding_window_counter_bounds(trace, limit, rounding):
    admitted = admitted_on("sliding-window-counter", limit, trace, rounding=rounding)
    assert epoch_windows_hold(admitted, limit.amount, limit.window)
    assert boundary_burst_bound_holds(admitted, limit.amount, limit.window)


def test_fixed_window_boundary_burst_is_real():
    """The failure the lecture warns about: 2x the limit inside one window length."""
    limit = RateLimit(5, 1.0)
    trace = [(0.0, 1)] + [(0.0, 1)] * 4 + [(0.9, 1)] + [(0.0, 1)] * 4
    admitted = admitted_on("fixed-window", limit, [(0.0, 1)] * 0 + trace, start=10.5)
    # all five at 10.5 and... next five at 11.4 (new epoch window): 10 within 0.9 s
    assert max_in_window(admitted, 1.0) == 10
    assert not sliding_bound_holds(admitted, 5, 1.0)
    assert sliding_bound_holds(admitted_on("sliding-log", limit, trace, start=10.5), 5, 1.0)


def test_token_bucket_burst_then_refill():
    clock = ManualClock(0.0)
    rl = RateLimiter(TokenBucket(), limits=RateLimit(10, 1.0, burst=5), clock=clock)
    assert [rl.hit("k") for _ in range(6)] == [True] * 5 + [False]
    clock.advance(0.1)  # one token back at 10/s
    assert rl.hit("k") and not rl.hit("k")
    (stats,) = rl.stats("k")
    assert stats.remaining == 0 and stats.retry_after == pytest.approx(0.1)


def test_test_verb_records_nothing_and_stats_report():
    clock = ManualClock(5.0)
    for name in ["token-bucket", "gcra", "fixed-window", "sliding-log", "sliding-window-counter"]:
        rl = RateLimiter(name, limits="2/second", clock=clock)
        assert all(rl.test("k") for _ in range(10)), name
        assert rl.stats("k")[0].remaining == 2, name
        assert rl.hit("k") and rl.hit("k") and not rl.hit("k"), name
        (s,) = rl.stats("k")
        assert s.remaining == 0 and s.retry_after > 0, name


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_test_verb_and_stats_leave_the_state_untouched(name):
    """The strategy contract: ``apply(consume=False)`` and ``stats`` never change the state they read,
    even once entries have left the window (the sliding log used to prune them on ``test``)."""
    strategy = make_strategy(name)
    limit = RateLimit(3, 1.0)
    state = None
    for t in (10.0, 10.2, 10.4):
        ok, new = strategy.apply(state, limit, 1, t, True)
        assert ok
        state = new if new is not None else state
    before = copy.deepcopy(state)
    for t in (10.5, 11.3, 12.0, 50.0):
        strategy.apply(state, limit, 1, t, False)
        strategy.stats(state, limit, t)
        assert state == before, (name, t)
    assert strategy.size(state) == strategy.size(before)


def test_sliding_log_test_then_hit_agrees_with_hit_alone():
    log = make_strategy("sliding-log")
    limit = RateLimit(2, 1.0)
    _, state = log.apply(None, limit, 1, 0.0, True)
    _, state = log.apply(state, limit, 1, 0.5, True)
    assert log.apply(state, limit, 1, 1.2, False) == (True, None)  # the entry at 0.0 has left the window
    assert log.size(state) == 2  # ... but only a hit prunes it
    ok, state = log.apply(state, limit, 1, 1.2, True)
    assert ok and log.size(state) == 2 and state.total == 2


def test_one_charge_rejected_name():
    """``charge_rejected`` is the one name, on the strategy contract and on FixedWindow."""
    from distlab.reliability.memory_store import MemoryStore
    from distlab.reliability.strategy import Strategy

    assert not hasattr(make_strategy("fixed-window", charge_rejected=True), "charges_rejected")
    assert not hasattr(Strategy, "charges_rejected") and Strategy.charge_rejected is False

    class Charging(type(make_strategy("fixed-window"))):  # a strategy that only sets the contract's name
        charge_rejected = True

        def __init__(self):
            self.align = "epoch"

    store, limits = MemoryStore(), [RateLimit(2, 1.0), RateLimit(5, 1.0)]
    assert not store.evaluate(Charging(), ["a", "b"], limits, 3, 0.0, True)  # too big for the first limit
    # the rejected cost was charged to both limits, as FixedWindow(charge_rejected=True) promises
    assert [s.remaining for s in store.stats(Charging(), ["a", "b"], limits, 0.0)] == [0, 2]


def test_several_limits_per_key_are_all_or_nothing_and_per_key():
    clock = ManualClock(0.0)
    rl = RateLimiter("sliding-log", limits="2/second; 3/10 seconds", per_key={"vip": "100/second"}, clock=clock)
    got = []
    for _ in range(4):
        got.append(rl.hit("k"))
        clock.advance(0.6)
    assert got == [True, True, True, False]  # the 10-second limit stops the 4th
    assert [s.remaining for s in rl.stats("k")] == [2, 0]  # the rejected hit at 1.8 s was not charged
    assert all(rl.hit("vip") for _ in range(50))


def test_sliding_log_memory_grows_with_traffic():
    clock = ManualClock(0.0)
    log = RateLimiter("sliding-log", limits="1000/minute", clock=clock)
    counter = RateLimiter("sliding-window-counter", limits="1000/minute", clock=clock)
    for _ in range(500):
        log.hit("k"), counter.hit("k")
        clock.advance(0.01)
    assert log.size("k") == 500 and counter.size("k") == 2


@pytest.mark.parametrize(
    "text, amount, window",
    [("10/second", 10, 1.0), ("10 per second", 10, 1.0), ("5/2 minutes", 5, 120.0), ("3 per 4 hours", 3, 14400.0)],
)
def test_parse_limit(text, amount, window):
    assert parse_limit(text) == RateLimit(amount, window)


def test_parse_several():
    assert [lim.amount for lim in parse_limits("1/second; 5/minute, 9/hour")] == [1, 5, 9]


@pytest.mark.parametrize(
    "bad, word",
    [("ten/second", "cannot parse"), ("5/fortnight", "unknown time unit"), ("0/second", "amount"),
     ("5/0 seconds", "multiple"), ("", "empty"), ("1/second;;", "empty")],
)
def test_bad_limit_strings(bad, word):
    with pytest.raises(ValueError, match=word):
        parse_limits(bad)


@pytest.mark.parametrize(
    "kwargs, word",
    [({"amount": 0, "window": 1}, "amount"), ({"amount": -3, "window": 1}, "amount"),
     ({"amount": 1, "window": 0}, "window"), ({"amount": 1, "window": -2.0}, "window"),
     ({"amount": 1, "window": 1, "burst": 0}, "burst")],
)
def test_bad_limits(kwargs, word):
    with pytest.raises(ValueError, match=word):
        RateLimit(**kwargs)


def test_bad_limiter_arguments():
    clock = ManualClock()
    with pytest.raises(ValueError, match="strategy must be one of"):
        RateLimiter("leaky", clock=clock)
    with pytest.raises(ValueError, match="clock"):
        RateLimiter("gcra", clock=None)
    with pytest.raises(ValueError, match="align"):
        make_strategy("fixed-window", align="sideways")
    with pytest.raises(ValueError, match="rounding"):
        make_strategy("sliding-window-counter", rounding="up")
    rl = RateLimiter(GCRA(), clock=clock)
    with pytest.raises(ValueError, match="cost"):
        rl.hit("k", 0)
    with pytest.raises(ValueError, match="cost"):
        rl.test("k", -1)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_memory_store_is_thread_safe(name):
    """8 threads race for 2,000 units; a tiny switch interval makes an unlocked store over-admit."""
    import sys
    import threading

    clock = ManualClock(7.0)
    rl = RateLimiter(name, limits="2000/minute", clock=clock)
    admitted = []

    def worker():
        admitted.append(sum(rl.hit("shared") for _ in range(500)))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert sum(admitted) == 2000
