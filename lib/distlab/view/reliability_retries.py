"""Chapter 5 panels, part 3: retries -- backoff and jitter (Brooker's study) and retry budgets.

`render_backoff` draws the waits a policy produces and what it costs N contending clients in the
post's simulator (`distlab.reliability.backoff_study`, a few runs so a slider redraws at once);
`brooker_figure` puts a small sweep beside the published numbers; `render_storm` runs the retry
storm of the cascade simulator with a budget the learner sets.
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from distlab.reliability import Backoff, backoff_study as study
from distlab.reliability.backoff_study import SweepPoint
from distlab.reliability.cascade import simulate_cascade
from distlab.reliability.cascade_config import CascadeConfig, CascadeResult, Fault, default_graph, retry_storm

from .controls import choice_control, fraction_control, log_control, seed_control, size_control, switch_control
from .panel import Panel, panel_render, settings_of
from .reliability_axes import remember, reuse_grid
from .style import BAD, CYCLE, NEUTRAL, label_axes, prepare

#: Brooker's simulator at 100 clients, mean of 100 runs (aws-samples/aws-arch-backoff-simulator,
#: as run for the issue): write calls reaching the server.
PUBLISHED_CALLS_100 = {"none": 2421, "exponential": 1853, "equal": 812, "full": 797, "decorrelated": 1002}


def _check(config: Mapping[str, Any]) -> tuple[float, float, int, int]:
    base, cap = float(config["base_ms"]), float(config["cap_ms"])
    if not 0 < base <= cap:
        raise ValueError(f"need 0 < base_ms <= cap_ms, got base_ms={base:g}, cap_ms={cap:g}")
    if config["strategy"] not in study.STRATEGIES:
        raise ValueError(f"strategy must be one of {study.STRATEGIES}, got {config['strategy']!r}")
    clients, runs = int(config["clients"]), int(config.get("runs", 2))
    if not 1 <= clients <= 500 or not 1 <= runs <= 200:
        raise ValueError(f"clients must be in [1, 500] and runs in [1, 200], got {clients}, {runs}")
    return base, cap, clients, runs


@remember(maxsize=64)
def backoff_run(config: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Mean calls and completion time for every strategy at this base/cap/clients (seeded)."""
    base, cap, clients, runs = _check(config)
    seed = int(config["seed"])
    out: dict[str, tuple[float, float]] = {}
    for s in study.STRATEGIES:
        rs = [study.simulate(s, clients, seed * 1_000_003 + i, base=base, cap=cap) for i in range(runs)]
        out[s] = (sum(r.calls for r in rs) / runs, sum(r.time_ms for r in rs) / runs)
    return out


def backoff_panel(base_ms: float = 5.0, cap_ms: float = 2000.0, strategy: str = "full", clients: int = 100,
                  seed: int = 0) -> Panel:
    """Sliders: backoff base and cap (ms), jitter strategy, number of contending clients."""
    return Panel(render_backoff, {
        "base_ms": log_control(base_ms, min=0, max=2, step=0.1, name="base_ms", description="base (ms)"),
        "cap_ms": log_control(cap_ms, min=1, max=4, step=0.1, name="cap_ms", description="cap (ms)"),
        "strategy": choice_control(study.STRATEGIES, strategy, name="strategy", description="jitter"),
        "clients": size_control(clients, min=10, max=190, step=10, name="clients", description="clients"),
        "seed": seed_control(seed, name="seed")})


@panel_render(defaults={**settings_of(backoff_panel), "runs": 2})
def render_backoff(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Left: the waits one client would take after failures 1..8.  Right: calls per strategy.
    Settings ``base_ms``, ``cap_ms``, ``strategy``, ``clients``, ``seed`` (as `backoff_panel`) and
    ``runs`` (of the study per strategy)."""
    base, cap, clients, runs = _check(config)
    chosen = config["strategy"]
    fig, (left, right) = reuse_grid(fig, "backoff", lambda f: f.subplots(1, 2))
    for k in range(4):
        rng = random.Random(int(config["seed"]) * 31 + k)
        waits = Backoff(base, cap, chosen).table(8, rng)  # the study's names are Backoff's
        left.plot(range(1, 9), waits, marker="o", ms=3, color=CYCLE[k], label=f"client {k + 1}")
    left.axhline(cap, color=NEUTRAL, ls="--", lw=1, label="cap")
    left.set_yscale("symlog", linthresh=max(base, 1.0))
    label_axes(left, title=f"{chosen}: waits after each failure", xlabel="failures so far (count)",
               ylabel="wait (ms, symlog)")
    left.legend(fontsize=7)
    data = backoff_run(config)
    names = list(study.STRATEGIES)
    right.bar(range(len(names)), [data[n][0] for n in names],
              color=[CYCLE[0] if n == chosen else NEUTRAL for n in names])
    right.set_xticks(range(len(names)), names)
    for i, n in enumerate(names):
        right.annotate(f"{data[n][1] / 1000:.1f} s", (i, data[n][0]), ha="center", va="bottom", fontsize=7)
    right.tick_params(axis="x", labelrotation=35, labelsize=8)
    label_axes(right, title=f"{clients} clients, {runs} runs", ylabel="write calls (mean count)")
    fig.text(0.99, 0.01, "labels on bars: time until the last client succeeds", ha="right", fontsize=7)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.92, bottom=0.24, wspace=0.35)
    return fig


def brooker_points(runs: int = 10, clients: Sequence[int] = (10, 50, 100, 190), seed: int = 0) -> list[SweepPoint]:
    """The post's sweep with fewer runs (the full 100 runs is `make bench`)."""
    return study.sweep(clients=tuple(clients), runs=runs, seed=seed)


def brooker_table(points: Sequence[SweepPoint]) -> str:
    """Calls and time at 100 clients beside the reference simulator's calls."""
    at100 = {p.strategy: p for p in points if p.clients == 100}
    lines = [f"{'strategy':14}{'calls (ours)':>14}{'published':>11}{'ratio':>7}{'time (s)':>10}"]
    for s in study.STRATEGIES:
        if s in at100:
            p, ref = at100[s], PUBLISHED_CALLS_100[s]
            lines.append(f"{s:14}{p.mean_calls:>14,.0f}{ref:>11,}{p.mean_calls / ref:>7.2f}"
                         f"{p.mean_time_ms / 1000:>10.1f}")
    return "\n".join(lines)


def render_brooker(points: Sequence[SweepPoint], fig: Figure | None = None) -> Figure:
    """Calls and completion time against clients, one line per strategy; published calls as ✕."""
    fig = prepare(fig, figsize=(7.0, 3.8))
    left, right = fig.subplots(1, 2)
    for i, s in enumerate(study.STRATEGIES):
        mine = sorted((p.clients, p.mean_calls, p.mean_time_ms) for p in points if p.strategy == s)
        left.plot([m[0] for m in mine], [m[1] for m in mine], marker="o", ms=3, color=CYCLE[i], label=s)
        left.plot([100], [PUBLISHED_CALLS_100[s]], "x", ms=9, color=CYCLE[i])
        right.plot([m[0] for m in mine], [m[2] / 1000 for m in mine], marker="o", ms=3, color=CYCLE[i], label=s)
    label_axes(left, title="Work: write calls (✕ = published, 100 clients)", xlabel="clients (count)",
               ylabel="calls (mean count)")
    label_axes(right, title="Time until the last client succeeds", xlabel="clients (count)",
               ylabel="time (s, log)")
    right.set_yscale("log")
    left.legend(fontsize=7)
    for ax in (left, right):
        ax.title.set_fontsize(9)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.14, wspace=0.3)
    return fig


# ----------------------------------------------------------------------------------- retry storm
STORM_GRAPH = {"gateway": 500, "checkout": 250, "catalog": 250, "inventory": 2}
#: The storm's trigger: inventory 10× slower from 2 s to 4 s.
STORM_FAULT = Fault("inventory", 2.0, 4.0, factor=10.0)


def storm_config(config: Mapping[str, Any]) -> CascadeConfig:
    """The retry storm at half scale (200 req/s, 10 s; inventory 10× slower from 2 s to 4 s)."""
    tokens = int(config["budget_tokens"])
    if tokens < 0:
        raise ValueError(f"budget_tokens must be >= 0 (0 = no budget), got {tokens!r}")
    return retry_storm(duration=10.0, arrival_rate=200.0, fault=STORM_FAULT,
                       graph=default_graph(workers=STORM_GRAPH), retries=int(config["max_attempts"]) > 1,
                       max_attempts=int(config["max_attempts"]), retry_budget=tokens > 0,
                       budget_tokens=float(max(tokens, 1)), budget_ratio=float(config["budget_ratio"]),
                       deadlines=bool(config.get("deadlines", False)), seed=int(config["seed"]))


def _canonical(config: Mapping[str, Any]) -> dict[str, Any]:
    """The storm's settings with those that cannot matter fixed, so they share one cache entry:
    with one attempt there are no retries to budget, and without a budget its refund ratio is
    unused.  (Checked by a test: the results are identical; dragging an unused slider is instant.)"""
    key = {"budget_tokens": int(config["budget_tokens"]), "budget_ratio": float(config["budget_ratio"]),
           "max_attempts": int(config["max_attempts"]), "deadlines": bool(config.get("deadlines", False)),
           "seed": int(config["seed"])}
    if key["max_attempts"] <= 1:
        key["budget_tokens"] = 0
    if key["budget_tokens"] == 0:
        key["budget_ratio"] = 0.1
    return key


@remember(maxsize=32)
def _storm_run(key: Mapping[str, Any]) -> CascadeResult:
    """The storm for a `_canonical` settings dict, remembered (a `CascadeConfig` holds a networkx
    graph, which hashes by identity, so the plain settings are the cache key)."""
    return simulate_cascade(storm_config(key))


def storm_panel(budget_tokens: int = 0, budget_ratio: float = 0.1, max_attempts: int = 3, deadlines: bool = False,
                seed: int = 0) -> Panel:
    """Sliders: retry budget tokens (0 = none), refund ratio, attempts; a deadlines switch.
    Redraws when a slider is released (a storm is a few hundred ms of simulation)."""
    controls = {
        "budget_tokens": size_control(budget_tokens, min=0, max=200, step=5, name="budget_tokens",
                                      description="budget tokens"),
        "budget_ratio": fraction_control(budget_ratio, min=0.05, max=1.0, step=0.05, name="budget_ratio",
                                         description="refund per success"),
        "max_attempts": size_control(max_attempts, min=1, max=6, name="max_attempts", description="max attempts"),
        "deadlines": switch_control(deadlines, name="deadlines", description="propagate deadlines"),
        "seed": seed_control(seed, name="seed")}
    panel = Panel(render_storm, controls, on_release=True)

    def unused(_value: object = None) -> None:  # grey out what cannot act under the other settings
        no_retries = controls["max_attempts"].value <= 1
        controls["budget_tokens"].disabled = no_retries
        controls["budget_ratio"].disabled = no_retries or controls["budget_tokens"].value == 0

    unused()
    panel.link("budget_tokens", unused)
    panel.link("max_attempts", unused)
    return panel


def _budget_note(r: CascadeResult) -> str:
    """What the retry budget did, and where its refund ratio acts: on each success that refunds a spent
    budget. In this storm those come after the trigger, when nothing is left to retry, so a larger
    refund refills the budget in fewer of them but barely changes the outcome -- shown, not hidden."""
    cfg, f = r.config, STORM_FAULT
    if cfg.max_attempts <= 1:
        return "one attempt: no retries, so no budget (budget sliders greyed out)"
    if not cfg.retry_budget:
        return "no retry budget (0 tokens: the refund slider is greyed out)"
    during = sum(n for b, n in zip(r.bins, r.drained_refunds) if f.start <= b < f.end)
    return (f"the budget refused {sum(r.budget_refusals):,};\n{sum(r.drained_refunds):,} successes refunded "
            f"a spent budget ({during} during the trigger): the refund ratio acts only on these")


@panel_render(defaults=settings_of(storm_panel))
def render_storm(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Availability and retries over time for one retry policy in the storm; settings
    ``budget_tokens``, ``budget_ratio``, ``max_attempts``, ``deadlines``, ``seed`` (as `storm_panel`)."""
    storm_config(config)  # validates the settings
    r = _storm_run(_canonical(config))
    fig, (top, bottom) = reuse_grid(fig, "storm", lambda f: f.subplots(2, 1, sharex=True))
    mid = [b + 0.5 for b in r.bins]
    f = STORM_FAULT  # the run's config.fault
    for ax in (top, bottom):
        ax.axvspan(f.start, f.end, color=BAD, alpha=0.1)
    top.plot(mid, r.availability, marker="o", ms=3, color=CYCLE[0])
    top.set_ylim(-0.05, 1.05)
    after = r.overall(f.end + 3, float("inf"))
    verdict = "recovered" if after >= 0.95 else "stuck: metastable"
    label_axes(top, title=f"availability after the trigger: {after:.2f} ({verdict})", ylabel="availability")
    bottom.bar(r.bins, r.retries, width=1, align="edge", color=CYCLE[1])
    label_axes(bottom, title=f"retries: {sum(r.retries):,} in total; {_budget_note(r)}",
               xlabel="time (s); shaded: the trigger", ylabel="retries / s")
    bottom.title.set_fontsize(8)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.93, bottom=0.11, hspace=0.35)
    return fig
