"""Chapter 5 panels, part 1: rate limiters (token bucket, the same trace through every strategy,
local budgets).  Pure ``render_*(config, fig=None)`` functions plus thin `Panel` wiring; every number
comes from `distlab.reliability` (the view only feeds traces in and draws what comes out).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from distlab.reliability import ManualClock, RateLimit, RateLimiter
from distlab.reliability.compare import bursty_trace, run_trace
from distlab.reliability.invariants import bucket_bound_holds
from distlab.reliability.local_budget import simulate_local_budgets

from .controls import fraction_control, seed_control, size_control
from .panel import Panel, panel_render, settings_of
from .reliability_axes import remember, reuse_grid
from .style import BAD, CYCLE, GOOD, NEUTRAL, label_axes, prepare

#: Strategy names in the order the plots list them, with a short label each.
STRATEGY_LABELS = {"token-bucket": "token bucket", "gcra": "GCRA", "fixed-window": "fixed window",
                   "sliding-log": "sliding log", "sliding-window-counter": "sliding window\ncounter"}
SHORT = {"token-bucket": "bucket", "gcra": "GCRA", "fixed-window": "fixed", "sliding-log": "log",
         "sliding-window-counter": "counter"}
BUCKETS = ("token-bucket", "gcra")
DURATION = 10.0  # seconds of traffic in the limiter panels
START = 1000.0   # the trace's clock offset (an epoch-like time, as a real clock would give)


def _int(config: Mapping[str, Any], name: str, lo: int, hi: int) -> int:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return value


def _float(config: Mapping[str, Any], name: str, lo: float, hi: float) -> float:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number in [{lo}, {hi}], got {value!r}")
    return float(value)


@remember(maxsize=32)
def bucket_run(config: Mapping[str, Any]) -> dict[str, Any]:
    """Run a token bucket (capacity ``bucket``, refill ``rate``/s) over a bursty seeded trace.

    Returns request times, decisions, the whole tokens left sampled every 50 ms (``stats``), and
    whether the bound ``capacity + rate * t`` held over every interval."""
    rate = _int(config, "rate", 1, 50)
    bucket = _int(config, "bucket", 1, 100)
    burst = _int(config, "burstiness", 0, 100)
    seed = _int(config, "seed", 0, 2**31 - 1)
    times = bursty_trace(duration=DURATION, base_rate=2.0, burst_size=burst, bursts=3, window=1.0, seed=seed)
    clock = ManualClock(START)
    limiter = RateLimiter("token-bucket", limits=RateLimit(rate, 1.0, burst=bucket), clock=clock)
    samples = [i * 0.05 for i in range(int(DURATION / 0.05) + 1)]
    events = sorted([(t, 1) for t in times] + [(s, 0) for s in samples])
    decisions, tokens = [], []
    for t, is_request in events:
        clock.set(START + t)
        if is_request:
            decisions.append(limiter.hit("k"))
        else:
            tokens.append(limiter.stats("k")[0].remaining)
    admitted = [(t, 1) for t, ok in zip(times, decisions) if ok]
    return {"times": times, "decisions": decisions, "samples": samples, "tokens": tokens,
            "rate": rate, "bucket": bucket, "bound_holds": bucket_bound_holds(admitted, bucket, rate)}


def bucket_panel(rate: int = 5, bucket: int = 10, burstiness: int = 30, seed: int = 0) -> Panel:
    """Sliders: refill rate, bucket size, burstiness (requests per burst), seed."""
    return Panel(render_bucket, {
        "rate": size_control(rate, min=1, max=50, name="rate", description="refill rate (/s)"),
        "bucket": size_control(bucket, min=1, max=100, name="bucket", description="bucket size"),
        "burstiness": size_control(burstiness, min=0, max=100, name="burstiness", description="burst size"),
        "seed": seed_control(seed, name="seed")})


@panel_render(defaults=settings_of(bucket_panel))
def render_bucket(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Tokens in the bucket over time (top) and cumulative requests vs the burst + rate·t bound;
    settings ``rate``, ``bucket``, ``burstiness``, ``seed`` (as `bucket_panel`)."""
    run = bucket_run(config)
    fig, (top, bottom) = reuse_grid(fig, "bucket", lambda f: f.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.4]}))
    top.step(run["samples"], run["tokens"], where="post", color=CYCLE[0], label="tokens left")
    top.axhline(run["bucket"], color=NEUTRAL, ls="--", lw=1, label=f"bucket size {run['bucket']}")
    top.set_ylim(0, max(run["bucket"], 1) * 1.25)
    tokens = f"{run['bucket']} token{'' if run['bucket'] == 1 else 's'}"
    label_axes(top, title=f"Token bucket: {tokens}, refilled at {run['rate']}/s",
               ylabel="tokens (count)")
    top.legend(loc="lower right", fontsize=8)
    offered, admitted, n_ok = [], [], 0
    for i, ok in enumerate(run["decisions"]):
        n_ok += ok
        offered.append(i + 1)
        admitted.append(n_ok)
    bottom.step(run["times"], offered, where="post", color=NEUTRAL, label="offered")
    bottom.step(run["times"], admitted, where="post", color=GOOD, label="admitted")
    bound = [run["bucket"] + run["rate"] * t for t in (0.0, DURATION)]
    bottom.plot((0.0, DURATION), bound, color=BAD, ls=":", label="burst + rate × t")
    rejected = [t for t, ok in zip(run["times"], run["decisions"]) if not ok]
    bottom.plot(rejected, [0] * len(rejected), "|", color=BAD, ms=8, label=f"rejected ({len(rejected)})")
    verdict = "✓ holds" if run["bound_holds"] else "✗ violated"
    label_axes(bottom, title=f"bound on every interval: {verdict}", xlabel="time (s)",
               ylabel="requests (count)")
    bottom.legend(loc="upper left", fontsize=8)
    fig.subplots_adjust(left=0.11, right=0.97, top=0.93, bottom=0.11, hspace=0.3)
    return fig


@remember(maxsize=32)
def strategies_run(config: Mapping[str, Any]) -> dict[str, Any]:
    """The same bursty trace through all five strategies (`distlab.reliability.compare`)."""
    amount = _int(config, "amount", 1, 100)
    window = _float(config, "window", 0.1, 10.0)
    burst = _int(config, "burstiness", 0, 200)
    seed = _int(config, "seed", 0, 2**31 - 1)
    times = bursty_trace(duration=10 * window, base_rate=0.3 * amount / window, burst_size=burst,
                         bursts=3, window=window, seed=seed)
    # the clock starts on a window boundary, so the burst aimed at a boundary straddles one of the fixed
    # window's real edges for every window length (START = 1000 s is not a multiple of 1.5 s or 1.4 s)
    start = window * math.ceil(START / window)
    return {"amount": amount, "window": window, "times": times,
            "runs": run_trace(times, RateLimit(amount, window), tuple(STRATEGY_LABELS), start=start)}


def strategies_panel(amount: int = 10, window: float = 1.0, burstiness: int = 20, seed: int = 0) -> Panel:
    """Sliders: limit per window, window length, burstiness, seed."""
    return Panel(render_strategies, {
        "amount": size_control(amount, min=1, max=100, name="amount", description="limit per window"),
        "window": fraction_control(window, min=0.5, max=5.0, step=0.5, name="window", description="window (s)"),
        "burstiness": size_control(burstiness, min=0, max=200, name="burstiness", description="burst size"),
        "seed": seed_control(seed, name="seed")})


@panel_render(defaults=settings_of(strategies_panel))
def render_strategies(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Most admitted in any one window (the fixed window's 2× burst) and stored entries over time
    (the sliding log's memory), for one trace through every strategy; settings ``amount``,
    ``window``, ``burstiness``, ``seed`` (as `strategies_panel`)."""
    data = strategies_run(config)
    runs, amount, window = data["runs"], data["amount"], data["window"]
    fig, (left, right) = reuse_grid(fig, "strategies", lambda f: f.subplots(
        1, 2, gridspec_kw={"width_ratios": [1.2, 1]}))
    names = list(STRATEGY_LABELS)
    peaks = [runs[n].max_in_any_window for n in names]
    # buckets promise burst + rate * t (here 2 x limit in one window), the others "limit per window"
    colours = [CYCLE[0] if n in BUCKETS else (BAD if p > amount else GOOD) for n, p in zip(names, peaks)]
    left.bar(range(len(names)), peaks, color=colours)
    left.axhline(amount, color="black", lw=1, label=f"limit {amount}")
    left.axhline(2 * amount, color=BAD, lw=1, ls=":", label="2 × limit")
    left.set_ylim(0, 2.4 * amount)
    left.set_xticks(range(len(names)), [STRATEGY_LABELS[n] for n in names], rotation=35, ha="right",
                    fontsize=8)
    label_axes(left, title=f"Most admitted in any {window:g} s", ylabel="requests (count)")
    left.legend(fontsize=8, loc="upper right")
    for i, n in enumerate(names):
        left.annotate(f"≠{runs[n].mismatches_vs_log}", (i, peaks[i]), ha="center", va="bottom", fontsize=7)
    for i, n in enumerate(names):
        right.step(data["times"], runs[n].sizes, where="post", color=CYCLE[i], label=SHORT[n])
    right.set_ylim(0, 1.5 * max(max(r.sizes, default=1) for r in runs.values()) + 1)
    label_axes(right, title="Stored entries per key", xlabel="time (s)", ylabel="entries (count)")
    right.legend(fontsize=7, loc="upper left", ncol=3, handlelength=1, columnspacing=0.8)
    fig.text(0.01, 0.01, "numbers on bars: decisions that differ from the exact sliding log; "
             "blue: bucket strategies (promise burst + rate × t)\ntraffic drawn per window: the window's length "
             "only rescales time", fontsize=7)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.93, bottom=0.27, wspace=0.3)
    return fig


def local_budget_table(intervals: Sequence[float] = (0.0, 0.01, 0.1, 0.5), duration: float = 20.0,
                       seed: int = 0) -> str:
    """The same runs as a text table (deterministic: simulated time only)."""
    lines = [f"{'sync interval':>14} {'round trips/request':>20} {'mean overshoot':>15}"]
    for s in intervals:
        r = simulate_local_budgets(sync_interval=s, duration=duration, seed=seed)
        lines.append(f"{s * 1000:>11g} ms {r.round_trips_per_request:>20.3f} {100 * r.mean_overshoot:>14.1f}%")
    return "\n".join(lines)


@panel_render(defaults=settings_of(local_budget_table))
def render_local_budgets(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Round trips per request against overshoot of the fleet limit, one point per sync interval;
    settings ``intervals`` (s), ``duration`` (s) and ``seed``, as `local_budget_table`."""
    intervals = tuple(config["intervals"])
    seed = _int(config, "seed", 0, 2**31 - 1)
    duration = _float(config, "duration", 1.0, 60.0)
    runs = [simulate_local_budgets(sync_interval=s, duration=duration, seed=seed) for s in intervals]
    fig = prepare(fig)
    ax = fig.add_subplot()
    for i, r in enumerate(runs):
        ax.scatter(r.round_trips_per_request, 100 * r.mean_overshoot, color=CYCLE[i], s=60,
                   label=f"sync every {r.sync_interval * 1000:g} ms" if r.sync_interval else "central (exact)")
    ax.set_xscale("log")
    label_axes(ax, title="Local budgets: fewer round trips, looser limit (4 nodes, 2× the limit offered)",
               xlabel="Redis round trips per request (log)", ylabel="mean overshoot of the limit (%)")
    ax.legend(fontsize=8)
    ax.title.set_fontsize(9)
    return fig


__all__ = ["bucket_panel", "bucket_run", "local_budget_table", "render_bucket", "render_local_budgets",
           "render_strategies", "strategies_panel", "strategies_run"]
