"""Chapter 5's exercise checks say what is wrong in the learner's terms and grade what the task says."""
from __future__ import annotations

from tests.grading.classroom import CORRECT

from distlab.grading import reliability as g
from distlab.reliability import BreakerConfig


def _right_answer() -> object:
    """The right answer a class hands in (tests/grading/classroom.py), for the mistakes below."""
    namespace: dict[str, object] = {}
    exec(CORRECT["make_token_bucket"], namespace)
    return namespace["make_token_bucket"]


_make_token_bucket = _right_answer()


def test_exercise_1_passed_a_call_says_pass_the_function_itself():
    """It used to raise "TypeError: hit() takes from 0 to 1 positional arguments but 3 were given"."""
    got = g.check_token_bucket(_make_token_bucket(10, 5.0, lambda: 0.0))
    assert isinstance(got, str) and "Pass the function itself" in got
    assert g.check_token_bucket(_make_token_bucket) is True


def test_exercise_2_measures_browse_and_analytics_during_the_fault_as_the_task_says():
    """The task says "during the fault browse and analytics keep >= 95 %"; the check measured the run."""
    never_trips = BreakerConfig(consecutive_failures=None)
    r = g.run_scenario("slow dependency", breakers=True, breaker=never_trips)
    f = r.config.fault
    assert f is not None
    browse = r.overall_of("browse", f.start, f.end)
    whole = r.by_kind["browse"][1] / r.by_kind["browse"][0]
    assert f"{browse:.0%}" != f"{whole:.0%}"  # the two measures differ here (54 % vs 84 %)
    got = g.check_breaker_tuning(lambda: never_trips)
    assert isinstance(got, str) and f"browse got {browse:.0%}" in got
    assert f"analytics {r.overall_of('analytics', f.start, f.end):.0%}" in got


def test_exercise_3_rejects_a_bool_as_a_number_of_tokens():
    for name in ("budget_tokens", "budget_ratio"):
        settings = {"jitter": "full", "max_attempts": 3, "budget_tokens": 10, "budget_ratio": 0.1, name: True}
        got = g.check_end_storm(lambda s=settings: s)
        assert isinstance(got, str) and f"{name} must be a number > 0" in got, got


def test_exercise_3_names_the_type_a_count_needs():
    """A float 3.0 for max_attempts was told "keep retries on (max_attempts >= 2)"; 0 or '10' tokens was
    told "True or False is not a number of tokens" (the chapter 5 walkthrough, issue #12)."""
    base = {"jitter": "full", "max_attempts": 3, "budget_tokens": 10, "budget_ratio": 0.1}

    def told(**change):
        got = g.check_end_storm(lambda: {**base, **change})
        assert isinstance(got, str), change
        return got

    assert "whole number of attempts" in told(max_attempts=3.0) and "float" in told(max_attempts=3.0)
    assert "keep retries on" in told(max_attempts=1)
    assert "True or False" not in told(budget_tokens=0) and "no budget" in told(budget_tokens=0)
    assert "True or False" not in told(budget_tokens="10") and "str" in told(budget_tokens="10")
    assert "no budget" not in told(budget_tokens=float("inf")) and "finite" in told(budget_tokens=float("inf"))
    assert "True or False" in told(budget_ratio=True)
    assert "barely limits" in told(budget_tokens=1e9)
    assert g.check_end_storm(lambda: base) is True


def test_exercise_1_says_hit_takes_the_cost():
    """A hit() without the cost parameter got "TypeError: <lambda>() takes 0 positional arguments"."""
    got = g.check_token_bucket(lambda capacity, rate, clock: (lambda: True))
    assert isinstance(got, str) and "hit must take the request's cost" in got
    got = g.check_token_bucket(lambda capacity, rate, clock: None)
    assert isinstance(got, str) and "must return the function hit" in got


def test_exercise_2_tells_a_late_trip_from_none_and_does_not_round_a_miss_up_to_the_bar():
    """A breaker that trips after 200 failures was told "the breaker does not trip"; a recovery of
    0.948 was reported as "only 0.95" against a bar of 0.95 (the chapter 5 walkthrough, issue #12)."""
    late = g.check_breaker_tuning(lambda: BreakerConfig(consecutive_failures=200, cooldown=1.0))
    assert isinstance(late, str) and "first opens about" in late and "never trips" not in late
    never = g.check_breaker_tuning(lambda: BreakerConfig(consecutive_failures=None, cooldown=1.0))
    assert isinstance(never, str) and "never trips" in never
    slow = g.check_breaker_tuning(lambda: BreakerConfig(consecutive_failures=5, cooldown=5.0))
    assert isinstance(slow, str) and "0.948, below 0.95" in slow
