"""The class, not just the instances: every public config and constructor of chapter 5 rejects NaN,
the infinities, bools and strings where they do not belong, with an error naming the parameter.

Each row names a constructor, its valid keyword arguments and the kind of every parameter; the
sweep puts each bad value of that kind into one parameter at a time and expects a ``ValueError`` or
``TypeError`` whose message names the parameter -- never a silent acceptance, never a hang (every
call below returns in well under a second when it is rejected at construction).
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest
from tests.sweeps import BAD as COMMON_BAD, INF, NAN, accepted_cases, bad_value_cases, refused_by_name

from distlab.reliability import (
    Backoff,
    BackpressureConfig,
    BreakerConfig,
    Bulkhead,
    Bulkheads,
    CircuitBreaker,
    Deadline,
    FixedWindow,
    ManualClock,
    PriorityShedder,
    RateLimit,
    RateLimiter,
    RetryBudget,
    RetryPolicy,
    SlidingWindowCounter,
    make_strategy,
)
from distlab.reliability.backoff_study import simulate, sweep_point
from distlab.reliability.cascade_config import CascadeConfig, Fault, default_graph
from distlab.reliability.chooser import choose_limiter
from distlab.reliability.compare import bursty_trace
from distlab.reliability.local_budget import LocalBudget, MemoryCounter, simulate_local_budgets

#: bad values per kind of parameter
BAD: dict[str, tuple[object, ...]] = {**COMMON_BAD,
    "number_inf_ok": (NAN, True, "1"),  # a deadline or a fault's end may be inf (-inf: already passed)
}

clock = ManualClock()


def _fault(**kw: Any) -> Fault:
    return Fault(**kw)


#: (constructor, valid keyword arguments, {parameter: kind})
CASES: list[tuple[Callable[..., object], dict[str, Any], dict[str, str]]] = [
    (ManualClock, {"start": 0.0}, {"start": "number"}),
    (lambda seconds: ManualClock().advance(seconds), {"seconds": 1.0}, {"seconds": "number"}),
    (lambda t: ManualClock().set(t), {"t": 1.0}, {"t": "number"}),
    (RateLimit, {"amount": 5, "window": 1.0, "burst": 3}, {"amount": "int", "window": "number", "burst": "int"}),
    (lambda **kw: RateLimiter("fixed-window", clock=clock, **kw), {"namespace": "n", "align": "epoch",
                                                                    "charge_rejected": False},
     {"namespace": "str", "align": "choice", "charge_rejected": "bool"}),
    (FixedWindow, {"align": "epoch", "charge_rejected": False}, {"align": "choice", "charge_rejected": "bool"}),
    (SlidingWindowCounter, {"rounding": "exact"}, {"rounding": "choice"}),
    (lambda **kw: make_strategy("sliding-window-counter", **kw), {"rounding": "floor"}, {"rounding": "choice"}),
    (BreakerConfig, {"consecutive_failures": 5, "failure_rate": 0.5, "slow_call_rate": 0.5,
                     "slow_call_duration": 1.0, "window_type": "count", "window": 20, "minimum_calls": 10,
                     "cooldown": 30.0, "probes": 1},
     {"consecutive_failures": "int", "failure_rate": "number", "slow_call_rate": "number",
      "slow_call_duration": "number", "window_type": "choice", "window": "number", "minimum_calls": "int",
      "cooldown": "number", "probes": "int"}),
    (lambda **kw: CircuitBreaker(clock=clock, **kw), {"name": "b"}, {"name": "str"}),
    (Backoff, {"base": 0.05, "cap": 5.0, "jitter": "full"}, {"base": "number", "cap": "number", "jitter": "choice"}),
    (RetryBudget, {"max_tokens": 10.0, "token_ratio": 0.1}, {"max_tokens": "number", "token_ratio": "number"}),
    (RetryPolicy, {"max_attempts": 3}, {"max_attempts": "int"}),
    (PriorityShedder, {"capacity": 3, "keep_log": True}, {"capacity": "int", "keep_log": "bool"}),
    (lambda priority: PriorityShedder(3).offer(priority, 0.0), {"priority": 1}, {"priority": "int"}),
    (lambda deadline: PriorityShedder(3).offer(1, 0.0, deadline), {"deadline": 5.0}, {"deadline": "number_inf_ok"}),
    (Bulkhead, {"name": "payments", "max_concurrent": 5}, {"name": "str", "max_concurrent": "int"}),
    (Bulkheads, {"default": 5}, {"default": "int"}),
    (lambda budget: Deadline.after(budget, clock), {"budget": 1.0}, {"budget": "number_inf_ok"}),
    (lambda expires_at: Deadline(expires_at, clock), {"expires_at": 1.0}, {"expires_at": "number_inf_ok"}),
    (lambda **kw: Deadline(5.0, clock).child(**kw), {"timeout": 1.0, "margin": 0.1},
     {"timeout": "number_inf_ok", "margin": "number"}),
    (BackpressureConfig, {"arrival_rate": 120.0, "service_rate": 100.0, "capacity": 50, "mode": "shed",
                          "duration": 60.0, "sample_every": 0.5, "seed": 0},
     {"arrival_rate": "number", "service_rate": "number", "capacity": "int", "mode": "choice", "duration": "number",
      "sample_every": "number", "seed": "seed"}),
    (_fault, {"service": "payments", "start": 10.0, "end": 25.0, "factor": 30.0, "error_rate": 0.0},
     {"service": "str", "start": "number", "end": "number_inf_ok", "factor": "number", "error_rate": "number"}),
    (CascadeConfig, {"seed": 0},
     {"seed": "seed", "duration": "number", "arrival_rate": "number", "client_timeout": "number",
      "call_timeout": "number", "breakers": "bool", "bulkheads": "bool", "retries": "bool", "retry_budget": "bool",
      "deadlines": "bool", "shedding": "bool", "bulkhead_size": "int", "max_attempts": "int",
      "backoff_base": "number", "backoff_cap": "number", "budget_tokens": "number", "budget_ratio": "number",
      "bin_width": "number"}),
    (lambda **kw: default_graph(workers={"gateway": kw["workers"]}, work={"gateway": kw["work"]}),
     {"workers": 40, "work": 0.001}, {"workers": "int", "work": "number"}),
    (lambda **kw: LocalBudget(MemoryCounter(), limit=RateLimit(10, 1.0), clock=clock, **kw),
     {"key": "k", "nodes": 4, "sync_interval": 0.1}, {"key": "str", "nodes": "int", "sync_interval": "number"}),
    (simulate_local_budgets, {"nodes": 2, "rate": 50.0, "sync_interval": 0.1, "duration": 1.0, "skew": 0.0,
                              "seed": 0},
     {"nodes": "int", "rate": "number", "sync_interval": "number", "duration": "number", "skew": "number",
      "seed": "seed"}),
    (choose_limiter, {"fleet": True, "requests_per_second": 100.0, "exact_counts": False, "rough_cap_ok": False,
                      "local_budget_above": 10_000.0},
     {"fleet": "bool", "requests_per_second": "number", "exact_counts": "bool", "rough_cap_ok": "bool",
      "local_budget_above": "number"}),
    (bursty_trace, {"duration": 2.0, "base_rate": 5.0, "burst_size": 3, "bursts": 1, "window": 1.0, "seed": 0},
     {"duration": "number", "base_rate": "number", "burst_size": "int", "bursts": "int", "window": "number",
      "seed": "seed"}),
    (lambda cost: RateLimiter("token-bucket", clock=clock).hit("k", cost), {"cost": 2}, {"cost": "int"}),
    (lambda cost: RateLimiter("token-bucket", clock=clock).test("k", cost), {"cost": 2}, {"cost": "int"}),
    (simulate, {"strategy": "full", "clients": 3, "seed": 0}, {"strategy": "choice", "clients": "int", "seed": "seed"}),
    (sweep_point, {"strategy": "full", "clients": 2, "runs": 1, "seed": 0},
     {"strategy": "choice", "clients": "int", "runs": "int", "seed": "seed"}),
]

SWEEP = bad_value_cases(CASES, BAD)


@pytest.mark.parametrize(("make", "valid"), accepted_cases(CASES))
def test_the_valid_arguments_are_accepted(make: Callable[..., object], valid: dict[str, Any]) -> None:
    make(**valid)


@pytest.mark.parametrize(("make", "valid", "name", "bad"), SWEEP)
def test_a_bad_value_is_rejected_naming_the_parameter(make: Callable[..., object], valid: dict[str, Any], name: str,
                                                      bad: object) -> None:
    refused_by_name(make, valid, name, bad)


def test_wrong_types_are_type_errors_that_callers_catching_value_error_still_catch() -> None:
    with pytest.raises(TypeError) as err:
        BreakerConfig(consecutive_failures=2.5)  # type: ignore[arg-type]  # the mistake under test
    assert isinstance(err.value, ValueError)
    assert "consecutive_failures must be an integer >= 1" in str(err.value)


def test_a_clock_returning_nan_is_an_error_not_an_open_door() -> None:
    """A NaN time made the token bucket admit 5 of 5 at 2/s (every comparison with NaN is False)."""
    limiter = RateLimiter("token-bucket", limits="2/second", clock=lambda: NAN)
    with pytest.raises(ValueError, match=r"clock\(\) must be a finite number"):
        limiter.hit("alice")
    breaker = CircuitBreaker(clock=lambda: NAN)
    with pytest.raises(ValueError, match=r"clock\(\) must be a finite number"):
        breaker.allow()


def test_an_unknown_strategy_option_names_the_strategy_and_its_options() -> None:
    with pytest.raises(TypeError, match=r"'token-bucket' got unknown option\(s\) \['align'\]: it takes no options"):
        RateLimiter("token-bucket", clock=clock, align="epoch")
    with pytest.raises(TypeError, match=r"its options are \['align', 'charge_rejected'\]"):
        make_strategy("fixed-window", rounding="exact")


def test_a_limit_whose_rate_overflows_is_rejected() -> None:
    assert math.isinf(5 / 5e-324)
    with pytest.raises(ValueError, match="amount / window is finite"):
        RateLimit(5, 5e-324)


def test_backoff_with_infinite_cap_is_rejected() -> None:
    with pytest.raises(ValueError, match="cap must be a finite number"):
        Backoff(0.05, INF)
    Backoff(0.05, 5.0).delay(3, random.Random(0))  # the valid one still works


def test_a_simulation_given_something_else_than_its_config_names_the_config() -> None:
    from distlab.reliability import simulate_backpressure
    from distlab.reliability.cascade import simulate_cascade

    with pytest.raises(TypeError, match="config must be a CascadeConfig"):
        simulate_cascade({"seed": 0})  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="config must be a BackpressureConfig"):
        simulate_backpressure({"seed": 0})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="graph must be a networkx DiGraph"):
        CascadeConfig(graph={"gateway": 40})
