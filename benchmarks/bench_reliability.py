"""Benchmarks for chapter 5 (reliability). Prints ``bench <name> <value> <unit>`` lines.

* in-process limiter decisions per second, ours beside ``limits`` 5.8 on the same trace and clock;
* Redis-backed decisions per second (embedded server, or ``DISTLAB_REDIS_URL``);
* the local-budget trade-off: overshoot and round trips per request against the sync interval;
* Brooker's backoff sweep (calls and completion time, 100 runs per point) and its wall time.
"""
from __future__ import annotations

import os
import sys
import time

from distlab.reliability import STRATEGIES, RateLimiter, RedisStore
from distlab.reliability.backoff_study import STRATEGIES as BACKOFFS, sweep_point
from distlab.reliability.limits_spec import RateLimit
from distlab.reliability.local_budget import LocalBudget, RedisCounter, simulate_local_budgets

LIMIT = "100/second"
KEYS = [f"user{i}" for i in range(10)]
LIMITS_NAMES = {"fixed-window": "fixed-window", "sliding-log": "moving-window",
                "sliding-window-counter": "sliding-window-counter"}


def bench(name: str, value: float, unit: str) -> None:
    print(f"bench {name} {value:.6g} {unit}", flush=True)


def _rate(decide, n: int) -> float:
    keys = KEYS
    k = len(keys)
    start = time.perf_counter()
    for i in range(n):
        decide(keys[i % k])
    return n / (time.perf_counter() - start)


def ours_per_second(strategy: str, n: int) -> float:
    rl = RateLimiter(strategy, limits=LIMIT, clock=time.time)
    hit = rl.hit
    return _rate(hit, n)


def limits_per_second(strategy: str, n: int) -> float:
    import limits
    from limits.storage import MemoryStorage
    from limits.strategies import STRATEGIES as THEIRS

    limiter = THEIRS[LIMITS_NAMES[strategy]](MemoryStorage())
    item = limits.parse(LIMIT)
    hit = limiter.hit
    return _rate(lambda key: hit(item, key), n)


def redis_per_second(strategy: str, client, n: int) -> float:
    rl = RateLimiter(strategy, RedisStore(client, prefix="distlab-bench:"), limits=LIMIT, clock=time.time)
    return _rate(rl.hit, n)


def main() -> None:
    n = int(os.environ.get("DISTLAB_BENCH_DECISIONS", "200000"))
    best = lambda f, *a: max(f(*a) for _ in range(3))  # noqa: E731  best of three, to damp a shared machine
    try:
        import limits  # noqa: F401  (a test dependency)
        have_limits = True
    except ImportError:
        print("# limits not installed: its decisions/s are skipped", file=sys.stderr, flush=True)
        have_limits = False
    for strategy in ("fixed-window", "sliding-log", "sliding-window-counter", "token-bucket", "gcra"):
        ours = best(ours_per_second, strategy, n)
        bench(f"limiter_decisions_per_s_{strategy}", ours, "decisions/s")
        if have_limits and strategy in LIMITS_NAMES:
            theirs = best(limits_per_second, strategy, n)
            bench(f"limits_decisions_per_s_{strategy}", theirs, "decisions/s")
            bench(f"limiter_speedup_vs_limits_{strategy}", ours / theirs, "x")

    try:
        from distlab.services import redis as dredis

        client = dredis.connect()
        client.ping()
    except Exception as exc:  # noqa: BLE001 - report and go on with the rest
        print(f"# redis benchmarks skipped: {exc}", file=sys.stderr, flush=True)
        client = None
    if client is not None:
        for strategy in sorted(STRATEGIES):
            bench(f"redis_limiter_decisions_per_s_{strategy}", redis_per_second(strategy, client, 5000), "decisions/s")
        for interval in (0.001, 0.01, 0.1):  # the latency side of the local-budget trade-off, for real
            budget = LocalBudget(RedisCounter(client, prefix="distlab-bench:lb:"), f"k{interval}",
                                 RateLimit(10**9, 1.0), nodes=4, sync_interval=interval, clock=time.time)
            rate = _rate(lambda _key, budget=budget: budget.hit(), 100_000)
            bench(f"redis_local_budget_decisions_per_s_sync_{round(interval * 1000)}ms", rate, "decisions/s")
        for k in client.scan_iter(match="distlab-bench:*"):
            client.delete(k)

    for interval in (0.0, 0.01, 0.1, 0.5):
        run = simulate_local_budgets(sync_interval=interval, duration=20.0, seed=0)
        tag = f"{round(interval * 1000)}ms"
        bench(f"local_budget_overshoot_pct_sync_{tag}", 100 * run.mean_overshoot, "%")
        bench(f"local_budget_round_trips_per_request_sync_{tag}", run.round_trips_per_request, "trips/request")

    start = time.perf_counter()
    for s in BACKOFFS:
        sweep_point(s, 100, runs=100, seed=0)
    bench("backoff_sweep_100_s", time.perf_counter() - start, "s")
    for clients in (10, 50, 100, 190):
        for s in BACKOFFS:
            p = sweep_point(s, clients, runs=100, seed=0)
            bench(f"backoff_calls_{s}_{clients}", p.mean_calls, "count")
            bench(f"backoff_time_ms_{s}_{clients}", p.mean_time_ms, "ms")


if __name__ == "__main__":
    main()
