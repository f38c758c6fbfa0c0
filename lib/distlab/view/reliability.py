"""Chapter 5's view: every widget and plot of ``notebooks/05_reliability.ipynb``.

The panels live in four modules, re-exported here so the notebook imports one name::

    from distlab.view import reliability as rv

* `reliability_limiters` -- token bucket, the same trace through every strategy, local budgets;
* `reliability_patterns` -- backpressure, bulkheads, shedding, the cascade;
* `reliability_breaker` -- the circuit breaker up close;
* `reliability_retries` -- backoff and jitter (Brooker's study), the retry storm and its budget;
* this module -- the "how to choose" chooser, the limiter on a real Redis, and the quiz.
"""
from __future__ import annotations

import html
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from distlab.grading.reliability import run_scenario
from distlab.reliability import ManualClock, MemoryStore, RateLimiter, RedisStore, StoreUnavailable
from distlab.reliability.chooser import choose_limiter
from distlab.reliability.compare import bursty_trace
from distlab.reliability.quiz import QUIZ

from .controls import log_control, switch_control
from .panel import Panel, panel_render, settings_of
from .quiz import Quiz
from .reliability_breaker import breaker_panel, breaker_run, render_breaker
from .reliability_limiters import (
    bucket_panel,
    bucket_run,
    local_budget_table,
    render_bucket,
    render_local_budgets,
    render_strategies,
    strategies_panel,
    strategies_run,
)
from .reliability_patterns import (
    availability_table,
    backpressure_panel,
    bulkhead_panel,
    compare_scenario,
    kind_table,
    render_backpressure,
    render_bulkheads,
    render_cascade,
    render_shedding,
    shedding_panel,
)
from .reliability_retries import (
    PUBLISHED_CALLS_100,
    backoff_panel,
    backoff_run,
    brooker_points,
    brooker_table,
    render_backoff,
    render_brooker,
    render_storm,
    storm_config,
    storm_panel,
)
from .style import BAD, GOOD

if TYPE_CHECKING:
    from redis import Redis

# ----------------------------------------------------------------------------------- chooser
RULES = (
    ("one process", "keep the state in memory: no shared store, no round trip"),
    ("very high rate per key", "local budgets synced to Redis periodically (INCRBY), a small overshoot"),
    ("exact counts needed", "the sliding log on a Redis sorted set -- and only then (memory grows)"),
    ("a rough cap is fine", "fixed window: INCR with a TTL (up to 2x across a boundary)"),
    ("otherwise", "the Lua token bucket: bursts up to the bucket, then the refill rate"),
)


def chooser_panel(fleet: bool = True, rps: float = 100.0, exact_counts: bool = False,
                  rough_cap_ok: bool = False) -> Panel:
    """Checkboxes and a log slider for the lecture's "how to choose a rate limiter" (the rate is greyed
    out for one process, where it does not change the choice)."""
    panel = Panel(render_choice, {
        "fleet": switch_control(fleet, name="fleet", description="many servers share the limit"),
        "rps": log_control(rps, min=0, max=6, step=0.25, name="rps", description="requests/s per key"),
        "exact_counts": switch_control(exact_counts, name="exact_counts", description="exact counts (billing)"),
        "rough_cap_ok": switch_control(rough_cap_ok, name="rough_cap_ok", description="a rough cap is fine")})
    rps_control = panel.controls["rps"]

    def one_process_ignores_the_rate(many: object) -> None:
        rps_control.disabled = not many

    one_process_ignores_the_rate(fleet)
    panel.link("fleet", one_process_ignores_the_rate)
    return panel


@panel_render(defaults=settings_of(chooser_panel))
def render_choice(config: Mapping[str, Any], fig: Figure | None = None) -> str:
    """The chooser's answer as HTML: the strategy, the store, why, and which rule decided
    (settings ``fleet``, ``rps``, ``exact_counts``, ``rough_cap_ok``, as `chooser_panel`)."""
    choice = choose_limiter(fleet=bool(config["fleet"]), requests_per_second=float(config["rps"]),
                            exact_counts=bool(config["exact_counts"]), rough_cap_ok=bool(config["rough_cap_ok"]))
    if choice.store == "memory":
        fired = 0
    else:
        fired = {"local-budget": 1, "sliding-log": 2, "fixed-window": 3}.get(choice.strategy, 4)
    rows = "".join(
        f"<li style=\"{'font-weight:bold;color:' + GOOD if i == fired else 'color:#555'}\">"
        f"{'→ ' if i == fired else ''}{html.escape(cond)}: {html.escape(what)}</li>"
        for i, (cond, what) in enumerate(RULES))
    dropped = "".join(f'<br><b style="color:{BAD}">Not met: {html.escape(d)}</b>' for d in choice.dropped)
    return (f'<div class="distlab-choice"><b>Use: {html.escape(choice.strategy)}</b> on '
            f"<b>{html.escape(choice.store)}</b><br><i>{html.escape(choice.reason)}</i>{dropped}"
            f"<ol style=\"margin-top:6px\">{rows}</ol></div>")


# ----------------------------------------------------------------------------------- real Redis
STRATEGY_ORDER = ("token-bucket", "gcra", "fixed-window", "sliding-log", "sliding-window-counter")


def redis_vs_memory(client: Redis, limit: str = "5/second", seed: int = 0, namespace: str = "nb05") -> str:
    """The same seeded trace through every strategy on Redis and in memory; one line each with
    the Redis data structure the strategy keeps and whether the decisions agree."""
    times = bursty_trace(duration=5.0, base_rate=4.0, burst_size=12, bursts=2, window=1.0, seed=seed)
    lines = [f"{'strategy':24}{'redis type':>11}{'admitted':>10}{'same as memory':>16}"]
    for name in STRATEGY_ORDER:
        store = RedisStore(client, prefix=f"distlab:{namespace}:")
        decisions: dict[str, list[bool]] = {}
        for where, st in (("redis", store), ("memory", MemoryStore())):
            clock = ManualClock(1000.0)
            rl = RateLimiter(name, st, limit, clock=clock, namespace=f"{namespace}-{name}")
            rl.clear("alice")
            out = []
            for t in times:
                clock.set(1000.0 + t)
                out.append(rl.hit("alice"))
            decisions[where] = out
        kinds = sorted({_text(client.type(k))
                        for k in client.scan_iter(match=f"distlab:{namespace}:{namespace}-{name}/*")})
        lines.append(f"{name:24}{'+'.join(kinds):>11}{sum(decisions['redis']):>6} / {len(times):<3}"
                     f"{'yes' if decisions['redis'] == decisions['memory'] else 'NO':>14}")
    return "\n".join(lines)


def _text(value: bytes | str) -> str:
    """A Redis reply as text (a client without ``decode_responses`` returns bytes)."""
    return value.decode() if isinstance(value, bytes) else value


def hammer(client: Redis, strategy: str = "token-bucket", threads: int = 8, hits_per_thread: int = 50,
           limit: str = "100/minute") -> int:
    """Many threads hit one key on the shared store at one instant; returns how many were admitted
    (never more than the limit: each decision is one atomic Lua script)."""
    clock = ManualClock(1000.0)
    rl = RateLimiter(strategy, RedisStore(client), limit, clock=clock, namespace=f"nb05-hammer-{strategy}")
    rl.clear("shared")
    admitted = [0] * threads

    def worker(i: int) -> None:
        admitted[i] = sum(rl.hit("shared") for _ in range(hits_per_thread))

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(admitted)


def failure_modes(socket_path: str = "/nonexistent/distlab-redis.sock") -> str:
    """What a limiter does when Redis is unreachable, for each ``on_error`` mode (fail fast, no retry)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    dead = redis.Redis(unix_socket_path=socket_path, retry=Retry(NoBackoff(), 0), socket_connect_timeout=0.2)
    lines = []
    for mode in ("open", "closed", "raise"):
        store = RedisStore(dead, on_error=mode, check=False)
        rl = RateLimiter("token-bucket", store, "5/second", clock=ManualClock(0.0))
        try:
            verdict = "admitted" if rl.hit("alice") else "rejected"
            lines.append(f"on_error={mode!r:9} -> {verdict} (failures counted: {store.failures})")
        except StoreUnavailable as exc:
            lines.append(f"on_error={mode!r:9} -> StoreUnavailable: {str(exc).split(': ')[0]}")
    try:
        RedisStore(dead)
    except StoreUnavailable as exc:
        lines.append(f"at construction         -> StoreUnavailable: {str(exc).split(': ')[0]}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- quiz
def quiz() -> Quiz:
    """The chapter's five questions (data in `distlab.reliability.quiz`)."""
    return Quiz.from_data(QUIZ, title="Chapter 5: quick check")


__all__ = ["PUBLISHED_CALLS_100", "RULES", "availability_table", "backoff_panel", "backoff_run",
           "backpressure_panel", "breaker_panel", "breaker_run", "brooker_points", "brooker_table",
           "bucket_panel", "bucket_run", "bulkhead_panel", "chooser_panel", "compare_scenario",
           "failure_modes", "hammer", "local_budget_table", "quiz", "redis_vs_memory", "render_backoff",
           "kind_table", "render_backpressure", "render_breaker", "render_brooker", "render_bucket", "render_bulkheads",
           "render_cascade", "render_choice", "render_local_budgets", "render_shedding", "render_storm",
           "render_strategies", "run_scenario", "shedding_panel", "storm_config", "storm_panel",
           "strategies_panel", "strategies_run"]
