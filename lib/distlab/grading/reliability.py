"""Chapter 5's graded exercises (``notebooks/05_reliability.ipynb``).

* ``reliability.token_bucket`` -- write a token bucket against an injected clock; it must decide
  exactly as the library's `TokenBucket` on seeded traces (costs 1-3, idle gaps, bursts).
* ``reliability.breaker_tuning`` -- return a `BreakerConfig` that stops the slow-dependency
  cascade (browse and analytics stay up, the system is back soon after payments recovers).
* ``reliability.end_storm`` -- pick a jitter and a retry budget: the jitter must at least halve the
  calls of un-jittered exponential backoff in Brooker's setup, and the budget must end the retry
  storm within 3 s of the trigger ending.

Each check returns True, or a string saying what went wrong (`distlab.grading.registry`).
"""
from __future__ import annotations

import inspect
import math
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from distlab.grading.registry import exercise

if TYPE_CHECKING:
    from distlab.reliability import BreakerConfig
    from distlab.reliability.cascade_config import CascadeConfig, CascadeResult

NOTEBOOK = "05_reliability"

#: The cascade scenarios the notebook plots and these checks run: the library's presets, shortened
#: (same services and faults, fewer seconds) so each run takes a fraction of a second.
SCENARIOS: dict[str, Callable[..., CascadeConfig]] = {
    "slow dependency": lambda **kw: _preset("slow_dependency", duration=20.0,
                                            fault=("payments", 5.0, 12.0, 30.0), **kw),
    "retry storm": lambda **kw: _preset("retry_storm", duration=20.0, fault=("inventory", 3.0, 6.0, 10.0), **kw),
    "overload": lambda **kw: _preset("overload", duration=5.0, **kw),
}


def _preset(name: str, fault: tuple[str, float, float, float] | None = None, **kw: Any) -> CascadeConfig:
    from distlab.reliability import cascade_config

    if fault is not None:
        kw["fault"] = cascade_config.Fault(*fault)
    preset: Callable[..., CascadeConfig] = getattr(cascade_config, name)
    return preset(**kw)


def run_scenario(name: str, seed: int = 0, **switches: Any) -> CascadeResult:
    """One cascade run of a named scenario with pattern switches, e.g. ``bulkheads=True``."""
    from distlab.reliability.cascade import simulate_cascade

    if name not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}, got {name!r}")
    return simulate_cascade(SCENARIOS[name](seed=seed, **switches))


class _Clock:
    """A manual clock for the learner's bucket (independent of the library's, on purpose)."""

    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def _reference(capacity: int, rate: float, clock: Callable[[], float]) -> Callable[[int], bool]:
    from distlab.reliability import RateLimit, RateLimiter

    # rate = amount / window with an integer amount: rates below are all of the form k or 1/k
    amount, window = (int(rate), 1.0) if rate >= 1 else (1, 1.0 / rate)
    limiter = RateLimiter("token-bucket", limits=RateLimit(amount, window, burst=capacity), clock=clock)

    def hit(cost: int = 1) -> bool:
        return limiter.hit("k", cost)
    return hit


CASES = ((10, 5.0), (3, 0.5), (1, 20.0), (25, 2.0))

#: the learner's ``make_token_bucket(capacity, rate, clock)``, returning ``hit(cost) -> bool``
TokenBucketFactory = Callable[[int, float, Callable[[], float]], Callable[[int], Any]]


@exercise("reliability.token_bucket", notebook=NOTEBOOK, points=2, title="Implement a token bucket",
          hints=["A new bucket is full. On each call, add (now - last) * rate tokens, but never more "
                 "than capacity; then admit if tokens >= cost and subtract cost.",
                 "Read the time only from clock(); remember `last` after every call (admitted or not)."])
def check_token_bucket(make_token_bucket: TokenBucketFactory) -> bool | str:
    """Hand-made probes first (a new bucket is full, ``>=`` admits the last token, a refill after 0.2 s,
    a cap after an hour idle), then the same decisions as the library's token bucket on seeded traces
    for every ``(capacity, rate)`` of `CASES`."""
    if not callable(make_token_bucket):
        return "pass the function make_token_bucket itself (not a call to it)"
    if not _takes(make_token_bucket, 3):
        return ("make_token_bucket must take (capacity, rate, clock); this one does not -- did you pass "
                "make_token_bucket(...)? Pass the function itself: check(..., make_token_bucket)")
    clock = _Clock(100.0)
    hit = make_token_bucket(10, 5.0, clock)
    if not callable(hit):
        return f"make_token_bucket must return the function hit, got {type(hit).__name__}"
    if not _takes(hit, 1):
        return "hit must take the request's cost: def hit(cost=1) -> bool (the check calls hit(1), hit(2), hit(3))"
    first = [hit(1) for _ in range(10)]
    if not all(x is True or x is False for x in first):
        return f"hit() must return True or False, got {first[0]!r}"
    if first[:9] == [True] * 9 and not first[9]:
        return ("the 10th of 10 hits was rejected: with exactly `cost` tokens left the request fits "
                "(admit when tokens >= cost, not >)")
    if not all(first):
        return "a new bucket starts full: 10 hits at once on a 10-token bucket must all be admitted"
    if hit(1):
        return "the 11th hit at the same instant was admitted: the bucket holds at most `capacity` tokens"
    clock.t += 0.2
    if not hit(1):
        return "after 0.2 s at 5 tokens/s one token has dripped back in; read the time from clock()"
    clock.t += 3600.0
    if sum(hit(1) for _ in range(12)) != 10:
        return "after a long idle period the bucket must be full -- and no fuller than capacity"
    for capacity, rate in CASES:
        for seed in range(3):
            rng = random.Random(seed)
            mine_clock, ref_clock = _Clock(1000.0), _Clock(1000.0)
            mine, ref = make_token_bucket(capacity, rate, mine_clock), _reference(capacity, rate, ref_clock)
            for i in range(300):
                gap = rng.expovariate(rate * 1.5) if rng.random() < 0.8 else 0.0
                mine_clock.t += gap
                ref_clock.t = mine_clock.t
                cost = rng.choice((1, 1, 1, 2, 3))
                got, want = bool(mine(cost)), ref(cost)
                if got != want:
                    return (f"capacity {capacity}, rate {rate}/s: request {i + 1} (cost {cost}) at "
                            f"t = {mine_clock.t - 1000:.3f} s was {'admitted' if got else 'rejected'}, "
                            f"but a token bucket would have {'admitted' if want else 'rejected'} it")
    return True


def _takes(fn: Callable[..., object], n: int) -> bool:
    """Whether ``fn`` accepts ``n`` positional arguments (True when its signature cannot be read)."""
    try:
        inspect.signature(fn).bind(*range(n))
    except TypeError:
        return False
    except ValueError:  # a builtin without a signature
        return True
    return True


class BreakerOutcome(NamedTuple):
    """What exercise 2's run showed: availability during the fault and from 3 s after it, each kind's
    share during the fault, and when a breaker was first seen open (None: never)."""

    during: float
    after: float
    share: dict[str, float]
    first_open: float | None


def _breaker_outcome(config: BreakerConfig) -> BreakerOutcome:
    r = run_scenario("slow dependency", breakers=True, breaker=config)
    f = r.config.fault
    assert f is not None  # the slow-dependency scenario has its fault
    during = {k: r.overall_of(k, f.start, f.end) for k in r.by_kind}  # as the task says: during the fault
    share = {k: 1.0 if math.isnan(v) else v for k, v in during.items()}
    opened = [b for row in r.breaker_state.values() for b, state in zip(r.bins, row) if state == "open"]
    return BreakerOutcome(r.overall(f.start, f.end), r.overall(f.end + 3, float("inf")), share,
                          min(opened) if opened else None)


@exercise("reliability.breaker_tuning", notebook=NOTEBOOK, points=2, title="Tune a breaker to stop a cascade",
          hints=["Payments does not fail, it gets slow: calls time out after 0.5 s. A breaker must trip on "
                 "those failures (consecutive_failures, failure_rate or slow_call_rate).",
                 "The cooldown decides how soon the breaker probes payments again: after the fault the "
                 "system should be back within 3 s."])
def check_breaker_tuning(my_breaker: Callable[[], object]) -> bool | str:
    """With breakers set to ``my_breaker()``'s ``BreakerConfig``, the slow-dependency run must keep
    availability >= 0.6 during the fault and answer >= 95 % of browse and analytics requests, and be
    back to >= 0.95 from 3 s after the fault ends."""
    from distlab.reliability import BreakerConfig

    if not callable(my_breaker):
        return "pass the function my_breaker itself (it returns a BreakerConfig)"
    config = my_breaker()
    if not isinstance(config, BreakerConfig):
        return f"my_breaker() must return a BreakerConfig, got {type(config).__name__}"
    out = _breaker_outcome(config)
    during, share = out.during, out.share
    if during < 0.6 or share["browse"] < 0.95 or share["analytics"] < 0.95:
        start = SCENARIOS["slow dependency"]().fault
        assert start is not None
        why = ("the breaker never trips, so checkout's stuck calls starve everyone" if out.first_open is None else
               f"a breaker first opens about {out.first_open - start.start:.0f} s into the fault: too late, checkout's "
               "stuck calls starve everyone until then (trip sooner)")
        return (f"during the fault availability is {during:.3f} (needs >= 0.6), browse got {share['browse']:.0%} "
                f"and analytics {share['analytics']:.0%} (need >= 95 %): {why}")
    if out.after < 0.95:
        return (f"availability from 3 s after payments recovered is {out.after:.3f}, below 0.95: the breaker "
                "stays open too long (shorten the cooldown)")
    return True


def _jitter_calls(strategy: str, runs: int = 5) -> float:
    from distlab.reliability import backoff_study as study

    return study.sweep_point(strategy, 100, runs=runs, seed=7).mean_calls


@exercise("reliability.end_storm", notebook=NOTEBOOK, points=2, title="Pick jitter and a budget to end a storm",
          hints=["Brooker's post: which jitter makes the fewest calls when 100 clients contend?",
                 "Without a budget the retries keep the dependency's queue full long after the trigger: "
                 "give the retry budget a positive number of tokens."])
def check_end_storm(storm_settings: Callable[[], object]) -> bool | str:
    """``storm_settings()`` names a jitter and a retry budget: the jitter must make at most half the
    calls of plain exponential backoff at 100 clients (Brooker's setup), and with the budget the
    retry-storm run must be back to availability >= 0.95 from 3 s after the trigger ends."""
    from distlab.reliability import backoff_study as study

    if not callable(storm_settings):
        return "pass the function storm_settings itself (it returns a dict)"
    s = storm_settings()
    needed = {"jitter", "max_attempts", "budget_tokens", "budget_ratio"}
    if not isinstance(s, dict) or not needed <= set(s):
        return f"storm_settings() must return a dict with the keys {sorted(needed)}"
    if s["jitter"] not in study.STRATEGIES:
        return f"jitter must be one of {study.STRATEGIES}, got {s['jitter']!r}"
    mine, plain = _jitter_calls(s["jitter"]), _jitter_calls("exponential")
    if mine > 0.5 * plain:
        return (f"{s['jitter']!r} makes {mine:.0f} calls at 100 clients against {plain:.0f} for plain "
                "exponential backoff: pick a jitter that at least halves them")
    problem = _settings_problem(s)
    if problem:
        return problem
    attempts, tokens, ratio = s["max_attempts"], s["budget_tokens"], s["budget_ratio"]
    r = run_scenario("retry storm", retries=True, retry_budget=True, max_attempts=attempts,
                     budget_tokens=float(tokens), budget_ratio=float(ratio))
    assert r.config.fault is not None  # the retry-storm scenario has its trigger
    after = r.overall(r.config.fault.end + 3, float("inf"))
    if after < 0.95:
        why = (f" -- a budget of {tokens:g} tokens stops retries only once about {tokens / 2:g} more calls have "
               "failed than refunds made up for, so it barely limits them" if tokens > 100 else "")
        return f"3 s after the trigger availability is still {after:.2f}: the storm goes on{why}"
    return True


def _settings_problem(s: dict[str, Any]) -> str | None:
    """What is wrong with exercise 3's ``max_attempts``, ``budget_tokens`` and ``budget_ratio``, in the
    learner's terms (a float or a bool where a count belongs, zero, a string), or None."""
    attempts = s["max_attempts"]
    if isinstance(attempts, bool) or not isinstance(attempts, int):
        return (f"max_attempts must be a whole number of attempts (an int such as 3), got {attempts!r} "
                f"({type(attempts).__name__})")
    if attempts < 2:
        return "keep retries on (max_attempts >= 2): the point is to retry safely, not to stop retrying"
    for name, what in (("budget_tokens", "the budget's size in tokens"),
                       ("budget_ratio", "tokens refunded per success")):
        value = s[name]
        if isinstance(value, bool):
            return f"{name} must be a number > 0 ({what}); True or False is not a number, got {value!r}"
        if not isinstance(value, (int, float)):
            return f"{name} must be a number ({what}), got {value!r} ({type(value).__name__})"
        if not 0 < value < math.inf:
            tail = (": no tokens is no budget, and without one the storm never ends"
                    if name == "budget_tokens" and value <= 0 else "")
            return f"{name} must be a finite number > 0 ({what}), got {value!r}{tail}"
    return None
