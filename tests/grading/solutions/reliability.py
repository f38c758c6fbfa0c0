"""Reference solutions and known-wrong answers for chapter 5's exercises (see demo.py for the shape)."""
import time

import distlab.grading.reliability  # noqa: F401  (registers the exercises)
from distlab.reliability import BreakerConfig


def _bucket(cap_refill=True, start_full=True, strict=False, clock_source=None, per_ms=False):
    def make_token_bucket(capacity, rate, clock):
        now = clock_source or clock
        state = {"tokens": float(capacity) if start_full else 0.0, "last": now()}

        def hit(cost=1):
            t = now()
            r = rate / 1000 if per_ms else rate
            tokens = state["tokens"] + (t - state["last"]) * r
            state["tokens"] = min(float(capacity), tokens) if cap_refill else tokens
            state["last"] = t
            ok = state["tokens"] > cost if strict else state["tokens"] + 1e-9 >= cost
            if ok:
                state["tokens"] -= cost
            return ok
        return hit
    return make_token_bucket


def _never_refills(capacity, rate, clock):
    state = {"tokens": capacity}

    def hit(cost=1):
        if state["tokens"] >= cost:
            state["tokens"] -= cost
            return True
        return False
    return hit


def _storm(**overrides):
    settings = {"jitter": "full", "max_attempts": 3, "budget_tokens": 10, "budget_ratio": 0.1}
    settings.update(overrides)
    return lambda: settings


SOLUTIONS = {
    "reliability.token_bucket": _bucket(),
    "reliability.breaker_tuning": lambda: BreakerConfig(consecutive_failures=5, cooldown=2.0, probes=3),
    "reliability.end_storm": _storm(),
}

MUTATIONS = {
    "reliability.token_bucket": {
        "no_cap": _bucket(cap_refill=False),
        "starts_empty": _bucket(start_full=False),
        "strict_comparison": _bucket(strict=True),
        "wall_clock": _bucket(clock_source=time.monotonic),
        "rate_per_ms": _bucket(per_ms=True),
        "never_refills": _never_refills,
        "passed_a_call": _bucket()(10, 5.0, time.monotonic),
    },
    "reliability.breaker_tuning": {
        "default_cooldown_30s": lambda: BreakerConfig(),
        "never_trips": lambda: BreakerConfig(consecutive_failures=None),
        "returns_dict": lambda: {"consecutive_failures": 5, "cooldown": 2.0},
    },
    "reliability.end_storm": {
        "no_budget": _storm(budget_tokens=0),
        "budget_tokens_true": _storm(budget_tokens=True),
        "no_jitter": _storm(jitter="exponential"),
        "decorrelated": _storm(jitter="decorrelated"),
        "retries_off": _storm(max_attempts=1),
        "missing_key": lambda: {"jitter": "full"},
    },
}
