"""Breaker state table, retry delay tables and budgets, deadlines, bulkheads, shedding."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from distlab.reliability import ManualClock, backoff_study
from distlab.reliability.breaker import BreakerConfig, CircuitBreaker, CircuitOpen, Closed
from distlab.reliability.bulkhead import Bulkhead, BulkheadFull, Bulkheads
from distlab.reliability.deadline import Deadline, DeadlineExceeded
from distlab.reliability.retry import (
    ATTEMPTS_EXHAUSTED,
    BUDGET_SPENT,
    DEADLINE,
    JITTERS,
    NOT_IDEMPOTENT,
    Backoff,
    RetryBudget,
    RetryDecision,
    RetryPolicy,
    RetryRefused,
)
from distlab.reliability.shedding import PriorityShedder, no_priority_inversion

# --- circuit breaker -------------------------------------------------------------------------

def _breaker(**cfg):
    clock = ManualClock(0.0)
    seen = []
    b = CircuitBreaker(BreakerConfig(**cfg), clock=clock, listeners=[lambda br, o, n, why, t: seen.append((o, n))])
    return b, clock, seen


def test_consecutive_failures_trip_then_cooldown_then_probe_closes():
    b, clock, seen = _breaker(consecutive_failures=3, cooldown=10.0, probes=2)
    for failed in (True, True, False, True, True):
        assert b.allow()
        b.record(failed)
    assert b.state_name == "closed"  # the success reset the streak
    b.record(True)
    assert b.state_name == "open" and not b.allow()
    clock.advance(9.99)
    assert not b.allow()
    clock.advance(0.01)
    assert b.allow() and b.allow() and not b.allow()  # exactly two probes
    b.record(False)
    assert b.state_name == "half-open"
    b.record(False)
    assert b.state_name == "closed"
    assert seen == [("closed", "open"), ("open", "half-open"), ("half-open", "closed")]


def test_excluded_exceptions_are_not_failures():
    """pybreaker's ``exclude``: a business error (a declined card) says the dependency works."""

    class Declined(Exception):
        pass

    clock = ManualClock(0.0)
    b = CircuitBreaker(BreakerConfig(consecutive_failures=2), clock=clock,
                       exclude=lambda exc: isinstance(exc, Declined))

    def declined():
        raise Declined("card declined")

    def down():
        raise OSError("down")

    for _ in range(5):
        with pytest.raises(Declined):
            b.call(declined)
    assert b.state_name == "closed"
    assert b.is_failure(OSError()) and not b.is_failure(Declined())
    with pytest.raises(OSError):
        b.call(down)
    with pytest.raises(Declined):
        b.call(declined)  # counts as a success: the streak of failures starts again
    with pytest.raises(OSError):
        b.call(down)
    assert b.state_name == "closed"
    with pytest.raises(OSError):
        b.call(down)
    assert b.state_name == "open"
    with pytest.raises(ValueError, match="exclude"):
        CircuitBreaker(clock=clock, exclude=(Declined,))


def test_breaker_is_safe_under_threads():
    """Many threads reach a breaker whose cooldown has just passed: exactly ``probes`` calls go through,
    the breaker enters half-open once, and every result is counted."""
    import threading
    import time

    threads, probes = 8, 2
    now = [0.0]

    def slow_clock():  # a clock read that yields the GIL, so unlocked check-then-act interleaves
        time.sleep(0.002)
        return now[0]

    seen = []
    b = CircuitBreaker(BreakerConfig(consecutive_failures=1, cooldown=1.0, probes=probes), clock=slow_clock,
                       listeners=[lambda br, o, n, why, t: seen.append((o, n))])
    b.record(True)
    assert b.state_name == "open"
    now[0] = 1.0
    start = threading.Barrier(threads)
    admitted = []

    def worker():
        start.wait()
        admitted.append(b.allow())

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert sum(admitted) == probes
    assert seen.count(("open", "half-open")) == 1
    assert b.rejected == threads - probes

    # closed-state counting under contention: no result is lost
    counted = CircuitBreaker(BreakerConfig(consecutive_failures=None, failure_rate=1.0, window=10**6,
                                           minimum_calls=10**6), clock=lambda: 0.0)

    def hammer():
        for _ in range(2000):
            counted.record(False)

    pool = [threading.Thread(target=hammer) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    state = counted.state
    assert isinstance(state, Closed) and len(state.calls) == threads * 2000


def test_failed_probe_reopens():
    b, clock, _ = _breaker(consecutive_failures=1, cooldown=1.0)
    b.allow(), b.record(True)
    clock.advance(1.0)
    assert b.allow()
    b.record(True)
    assert b.state_name == "open" and not b.allow()


def test_failure_rate_needs_minimum_calls_count_window():
    b, _, _ = _breaker(consecutive_failures=None, failure_rate=0.5, window=10, minimum_calls=6)
    for failed in (True, False, True, False, True):  # 60 % but only 5 calls
        b.record(failed)
    assert b.state_name == "closed"
    b.record(False)  # 3/6 = 50 % -> trips
    assert b.state_name == "open"


def test_time_window_forgets_old_failures():
    b, clock, _ = _breaker(consecutive_failures=None, failure_rate=0.5, window_type="time", window=5.0,
                           minimum_calls=4)
    for _ in range(3):
        b.record(True)
        clock.advance(1.0)
    clock.advance(5.0)  # those failures slide out
    for _ in range(4):
        b.record(False)
    b.record(True)
    assert b.state_name == "closed"


def test_slow_call_rate_trips():
    b, _, _ = _breaker(consecutive_failures=None, slow_call_rate=0.5, slow_call_duration=1.0, minimum_calls=4)
    for d in (0.1, 2.0, 3.0, 0.2):
        b.record(False, duration=d)
    assert b.state_name == "open"


def test_call_wrapper_measures_with_the_clock():
    b, _clock, _ = _breaker(consecutive_failures=1)

    def boom():
        raise OSError("down")

    with pytest.raises(OSError):
        b.call(boom)
    with pytest.raises(CircuitOpen, match="open"):
        b.call(lambda: 1)
    assert b.rejected == 1


@settings(max_examples=60, deadline=None)
@given(events=st.lists(st.tuples(st.booleans(), st.floats(0, 3)), max_size=60))
def test_breaker_follows_its_state_table(events):
    """Model check: an independent tiny model of the table predicts every state."""
    b, clock, _ = _breaker(consecutive_failures=2, cooldown=2.0, probes=1)
    state, streak, opened, probes = "closed", 0, 0.0, 0
    for failed, gap in events:
        clock.advance(gap)
        # model allow()
        if state == "open" and clock.now >= opened + 2.0:
            state, probes = "half-open", 0
        allowed = state == "closed" or (state == "half-open" and probes < 1)
        if state == "half-open" and allowed:
            probes += 1
        assert b.allow() == allowed
        if allowed:
            b.record(failed)
            if state == "closed":
                streak = streak + 1 if failed else 0
                if streak >= 2:
                    state, opened, streak = "open", clock.now, 0
            elif state == "half-open":
                state, opened = ("open", clock.now) if failed else ("closed", opened)
                streak = 0
        assert b.state_name == state


@pytest.mark.parametrize("cfg, word", [({"consecutive_failures": 0}, "consecutive_failures"),
                                       ({"failure_rate": 1.5}, "failure_rate"), ({"cooldown": 0}, "cooldown"),
                                       ({"probes": 0}, "probes"), ({"window_type": "calls"}, "window_type"),
                                       ({"slow_call_rate": 0.5}, "slow_call_duration")])
def test_bad_breaker_config(cfg, word):
    with pytest.raises(ValueError, match=word):
        BreakerConfig(**cfg)


# --- retries ---------------------------------------------------------------------------------

def test_exponential_delay_table():
    assert Backoff(base=5, cap=2000, jitter="exponential").table(10, random.Random(0)) == [
        10, 20, 40, 80, 160, 320, 640, 1280, 2000, 2000]


def test_one_set_of_backoff_names_across_the_library():
    """``none`` means "no wait at all" everywhere (Brooker's post, the study, the notebook's exercise 3)."""
    assert JITTERS == backoff_study.STRATEGIES == ("none", "exponential", "equal", "full", "decorrelated")
    assert Backoff(base=5, cap=2000, jitter="none").table(4, random.Random(0)) == [0.0] * 4
    study_none = backoff_study.simulate("none", 5, seed=1)
    assert study_none.calls > 0  # the study's "none" is the same strategy: retry at once
    with pytest.raises(ValueError, match="exponential"):
        Backoff(jitter="no-jitter")


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10**6), base=st.floats(0.001, 1), factor=st.floats(1, 100))
def test_jittered_tables_stay_in_their_documented_ranges(seed, base, factor):
    cap = base * factor
    for jitter in ("full", "equal"):
        bo = Backoff(base, cap, jitter)
        for n, d in enumerate(bo.table(12, random.Random(seed)), start=1):
            v = min(cap, base * 2 ** n)
            lo = 0 if jitter == "full" else v / 2
            assert lo <= d <= v
    prev = base
    for d in Backoff(base, cap, "decorrelated").table(12, random.Random(seed)):
        assert base <= d <= min(cap, 3 * prev) + 1e-12
        prev = d


def test_same_seed_same_table():
    bo = Backoff(0.1, 10, "full")
    assert bo.table(5, random.Random(3)) == bo.table(5, random.Random(3))


def test_only_idempotent_calls_are_retried():
    calls = []

    def flaky():
        calls.append(1)
        raise ConnectionError("reset")

    policy = RetryPolicy(max_attempts=4, backoff=Backoff(0.01, 1, "exponential"))
    slept = []
    with pytest.raises(RetryRefused, match=NOT_IDEMPOTENT):
        policy.call(flaky, idempotent=False, sleep=slept.append, rng=random.Random(0))
    assert len(calls) == 1 and slept == []
    with pytest.raises(RetryRefused, match=ATTEMPTS_EXHAUSTED):
        policy.call(flaky, idempotent=True, sleep=slept.append, rng=random.Random(0))
    assert len(calls) == 1 + 4 and slept == [0.02, 0.04, 0.08]


def test_giving_up_raises_retry_refused_with_its_reason_chained_to_the_last_error():
    errors = []

    def flaky():
        errors.append(ConnectionError(f"reset {len(errors)}"))
        raise errors[-1]

    policy = RetryPolicy(max_attempts=3, backoff=Backoff(0.01, 1, "exponential"))
    with pytest.raises(RetryRefused) as info:
        policy.call(flaky, idempotent=True, sleep=lambda s: None, rng=random.Random(0))
    refused = info.value
    assert refused.reason == ATTEMPTS_EXHAUSTED and refused.attempts == 3
    assert refused.__cause__ is errors[-1] and refused.last_error is errors[-1]
    assert "reset 2" in str(refused)


@pytest.mark.parametrize(("kwargs", "failures", "reason"), [
    ({"idempotent": False}, 1, NOT_IDEMPOTENT),
    ({"idempotent": True}, 3, ATTEMPTS_EXHAUSTED),
    ({"idempotent": True, "time_left": 0.015}, 1, DEADLINE),
])
def test_decide_says_why_it_gives_up(kwargs, failures, reason):
    policy = RetryPolicy(max_attempts=3, backoff=Backoff(0.01, 1, "exponential"))
    assert policy.decide(failures, random.Random(0), **kwargs) == RetryDecision(None, reason)
    assert policy.next_delay(failures, random.Random(0), **kwargs) is None


def test_decide_names_a_spent_budget_and_call_raises_it():
    budget = RetryBudget(max_tokens=2, token_ratio=0.1)
    policy = RetryPolicy(max_attempts=5, backoff=Backoff(0.01, 1, "exponential"), budget=budget)
    assert policy.decide(1, random.Random(0), idempotent=True) == RetryDecision(0.02)

    def down():
        raise OSError("down")

    with pytest.raises(RetryRefused, match=BUDGET_SPENT) as info:
        policy.call(down, idempotent=True, sleep=lambda s: None, rng=random.Random(0))
    assert info.value.reason == BUDGET_SPENT and isinstance(info.value.__cause__, OSError)


def test_errors_outside_retry_on_propagate_unchanged():
    policy = RetryPolicy(max_attempts=3, retry_on=(ConnectionError,))

    def bug():
        raise KeyError("not a transient error")

    with pytest.raises(KeyError):
        policy.call(bug, idempotent=True, sleep=lambda s: None, rng=random.Random(0))


def test_retry_budget_stops_a_storm_and_refills():
    budget = RetryBudget(max_tokens=10, token_ratio=0.5)
    policy = RetryPolicy(max_attempts=5, backoff=Backoff(0.01, 1), budget=budget)
    rng = random.Random(0)
    allowed = 0
    for _ in range(20):
        budget.on_failure()
        if policy.next_delay(1, rng, idempotent=True) is not None:
            allowed += 1
    assert allowed == 4  # tokens 9, 8, 7, 6 > 5; then no more
    assert budget.tokens == 0
    for _ in range(10):
        budget.on_success()
    assert not budget.can_retry()  # 5.0 tokens: not above half
    budget.on_success()
    assert budget.can_retry()


def test_retry_respects_the_deadline():
    policy = RetryPolicy(max_attempts=5, backoff=Backoff(1.0, 10, "exponential"))
    assert policy.next_delay(1, random.Random(0), idempotent=True, time_left=1.5) is None
    assert policy.next_delay(1, random.Random(0), idempotent=True, time_left=2.5) == 2.0


# --- deadlines and bulkheads ------------------------------------------------------------------

def test_deadline_propagates_down_the_chain():
    clock = ManualClock(100.0)
    d = Deadline.after(0.8, clock)
    child = d.child(timeout=1.0, margin=0.1)
    assert child.remaining() == pytest.approx(0.7)
    assert d.child(timeout=0.2).remaining() == pytest.approx(0.2)
    clock.advance(0.75)
    with pytest.raises(DeadlineExceeded, match="inventory"):
        child.check("inventory")
    d.check("gateway")
    with pytest.raises(ValueError, match="budget"):
        Deadline.after(0, clock)


def test_bulkheads_isolate_dependencies():
    pools = Bulkheads(default=2, sizes={"slow": 1})
    assert pools["slow"].try_acquire() and not pools["slow"].try_acquire()
    assert pools["fast"].try_acquire() and pools["fast"].try_acquire()
    with pytest.raises(BulkheadFull, match="slow"):
        pools["slow"].call(lambda: 1)
    pools["slow"].release()
    assert pools["slow"].call(lambda: 7) == 7
    with pytest.raises(ValueError, match="max_concurrent"):
        Bulkhead("x", 0)


# --- shedding --------------------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(ops=st.lists(st.one_of(st.integers(0, 3), st.none()), max_size=80), cap=st.integers(1, 5))
def test_shedding_never_drops_higher_while_serving_lower(ops, cap):
    q = PriorityShedder(cap)
    for i, op in enumerate(ops):
        if op is None:
            q.take(float(i))
        else:
            q.offer(op, float(i))
        assert len(q) <= cap
    assert no_priority_inversion(q.log)


def test_shedding_prefers_checkout_over_analytics_and_drops_expired():
    q = PriorityShedder(2)
    q.offer(0, 0.0)  # analytics
    q.offer(0, 0.0)
    shed = q.offer(9, 0.0, deadline=5.0)  # checkout evicts an analytics ping
    assert shed.priority == 0
    assert q.offer(0, 0.0).priority == 0  # the newcomer analytics is shed itself
    assert q.take(1.0).priority == 9
    q.offer(5, 1.0, deadline=2.0)
    assert q.take(3.0).priority == 0  # the priority-5 request expired and was dropped
    assert ("expired", 5, 0, 0) in q.log
    assert not no_priority_inversion([("served", 1, 1, 3)])
    assert not no_priority_inversion([("shed", 2, 1, 3)])
