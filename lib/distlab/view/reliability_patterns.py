"""Chapter 5 panels, part 2: backpressure, bulkheads, shedding and the cascade (the breaker: `reliability_breaker`).

The cascade plots run `distlab.reliability.cascade.simulate_cascade` on the library's presets
(`slow_dependency`, `retry_storm`, `overload`), shortened so a notebook runs them in well under a
second each.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from matplotlib.figure import Figure

from distlab.grading.reliability import run_scenario  # the scenarios the chapter grades
from distlab.reliability import BackpressureConfig, simulate_backpressure
from distlab.reliability.backpressure import BackpressureResult
from distlab.reliability.cascade import simulate_cascade
from distlab.reliability.cascade_config import KINDS, CascadeResult, Fault, default_graph, overload, slow_dependency

from .controls import choice_control, fraction_control, seed_control, size_control, switch_control
from .panel import Panel, panel_render, settings_of
from .reliability_axes import remember, reuse_grid
from .style import BAD, CYCLE, GOOD, NEUTRAL, label_axes, prepare


# ----------------------------------------------------------------------------------- backpressure
@remember(maxsize=32)
def _backpressure(cfg: BackpressureConfig) -> BackpressureResult:
    """`simulate_backpressure`, remembered per (frozen, hashable) config: revisiting is instant."""
    return simulate_backpressure(cfg)


def backpressure_panel(arrival_rate: int = 120, service_rate: int = 100, capacity: int = 50, mode: str = "unbounded",
                       seed: int = 0) -> Panel:
    """Sliders: arrival rate, service rate, queue capacity (greyed out for the unbounded queue, which
    has none); a mode menu (unbounded / shed / block)."""
    panel = Panel(render_backpressure, {
        "arrival_rate": size_control(arrival_rate, min=10, max=300, step=10, name="arrival_rate",
                                     description="arrivals (/s)"),
        "service_rate": size_control(service_rate, min=10, max=300, step=10, name="service_rate",
                                     description="service (/s)"),
        "capacity": size_control(capacity, min=1, max=500, name="capacity", description="queue capacity"),
        "mode": choice_control(("unbounded", "shed", "block"), mode, name="mode", description="mode"),
        "seed": seed_control(seed, name="seed")})
    capacity_control = panel.controls["capacity"]

    def unbounded_has_no_capacity(value: object) -> None:  # grey out what the unbounded queue ignores
        capacity_control.disabled = value == "unbounded"

    unbounded_has_no_capacity(mode)
    panel.link("mode", unbounded_has_no_capacity)
    return panel


@panel_render(defaults={**settings_of(backpressure_panel), "duration": 60.0})
def render_backpressure(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Queue length over time and end-to-end latency for one queue mode; Little's law in the title.
    Settings ``arrival_rate``, ``service_rate``, ``capacity``, ``mode``, ``seed`` (as
    `backpressure_panel`) and optionally ``duration`` (s)."""
    cfg = BackpressureConfig(arrival_rate=float(config["arrival_rate"]),
                             service_rate=float(config["service_rate"]),
                             capacity=int(config["capacity"]), mode=config["mode"],
                             duration=float(config["duration"]), seed=int(config["seed"]))
    r = _backpressure(cfg)
    fig, (top, bottom) = reuse_grid(fig, "backpressure", lambda f: f.subplots(2, 1))
    top.plot(r.sample_times, r.queue_lengths, color=CYCLE[0], label=f"queue ({cfg.mode})")
    if cfg.mode != "unbounded":
        top.axhline(cfg.capacity, color=NEUTRAL, ls="--", lw=1, label=f"capacity {cfg.capacity}")
    label_axes(top, title=(f"{cfg.mode}: served {r.served}, dropped {r.dropped}, producer blocked "
                           f"{r.blocked_time:.1f} s"), xlabel="time (s)", ylabel="queued (count)")
    top.legend(loc="upper left", fontsize=8)
    bottom.plot(range(len(r.latencies)), [x * 1000 for x in r.latencies], color=CYCLE[1], lw=1,
                label="latency of each served item")
    lw = r.throughput * r.mean_time_in_system
    label_axes(bottom, title=f"Little's law: L = {r.mean_in_system:.1f}, λW = {lw:.1f} "
               f"(gap {100 * r.littles_law_gap:.1f} %)", xlabel="served item (index)",
               ylabel="latency (ms)")
    bottom.legend(loc="upper left", fontsize=8)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.93, bottom=0.1, hspace=0.55)
    return fig


# ----------------------------------------------------------------------------------- cascade
def render_cascade(results: Mapping[str, CascadeResult], fig: Figure | None = None, *, queue_of: str | None = None,
                   title: str = "") -> Figure:
    """Availability over time per request kind (checkout, browse, analytics: the kinds the text
    names) for each labelled `CascadeResult`, retries/s (when any variant retried, shown apart from
    the first attempts every variant shares) and the longest queue at the faulty service."""
    retried = any(sum(r.retries) for r in results.values())
    fig = prepare(fig, figsize=(7.2, 6.4 if retried else 5.0))
    rows = 3 if retried else 2
    grid = fig.add_gridspec(rows, len(KINDS))
    kind_axes = [fig.add_subplot(grid[0, 0])]
    kind_axes += [fig.add_subplot(grid[0, i], sharex=kind_axes[0], sharey=kind_axes[0]) for i in range(1, len(KINDS))]
    lower = [fig.add_subplot(grid[row, :], sharex=kind_axes[0]) for row in range(1, rows)]
    queue = lower[-1]
    fault = next(iter(results.values())).config.fault
    service = queue_of or (fault.service if fault else "gateway")
    for i, (label, r) in enumerate(results.items()):
        mid = [b + r.config.bin_width / 2 for b in r.bins]
        for ax, kind in zip(kind_axes, KINDS):
            ax.plot(mid, r.availability_of(kind), color=CYCLE[i], marker="o", ms=2, lw=1, label=label)
        if retried:
            lower[0].plot(mid, [max(x, 0.5) for x in r.retries], color=CYCLE[i], label=label)
        queue.plot(mid, r.queue[service], color=CYCLE[i], label=label)
    for ax in kind_axes + lower:
        if fault is not None:
            ax.axvspan(fault.start, fault.end, color=BAD, alpha=0.1)
    kind_axes[0].set_ylim(-0.05, 1.05)
    for ax, kind in zip(kind_axes, KINDS):
        label_axes(ax, title=kind, ylabel="availability" if ax is kind_axes[0] else "")
        ax.title.set_fontsize(9)
        if ax is not kind_axes[0]:
            ax.tick_params(labelleft=False)
    fig.suptitle(title or "Availability per request kind (answered within the client timeout)", fontsize=10)
    kind_axes[0].legend(fontsize=6, loc="lower left")
    if retried:
        lower[0].set_yscale("log")
        label_axes(lower[0], title="Retries, apart from the first attempts (log scale; 0 drawn at 0.5)",
                   ylabel="retries / s")
    label_axes(queue, title=f"Longest queue at {service}", xlabel="time (s); shaded: the fault",
               ylabel="queued (count)")
    fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.09, hspace=0.55, wspace=0.15)
    return fig


def compare_scenario(name: str, variants: Mapping[str, Mapping[str, Any]], seed: int = 0) -> dict[str, CascadeResult]:
    """Run ``{label: switches}`` on one scenario: ``{label: CascadeResult}`` (plot or tabulate it)."""
    return {label: run_scenario(name, seed, **sw) for label, sw in variants.items()}


def availability_table(results: Mapping[str, CascadeResult]) -> str:
    """Availability before, during and (5 s after) the fault, and total retries, per variant."""
    lines = [f"{'':24}{'before':>8}{'during':>8}{'after':>8}{'retries':>9}"]
    for label, r in results.items():
        f = r.config.fault
        if f is None:
            raise ValueError(f"{label!r} ran without a fault: there is no before, during and after")
        lines.append(f"{label:24}{r.overall(0, f.start):>8.2f}{r.overall(f.start, f.end):>8.2f}"
                     f"{r.overall(f.end + 5, math.inf):>8.2f}{sum(r.retries):>9}")
    return "\n".join(lines)


def kind_table(results: Mapping[str, CascadeResult], after: float = 3.0) -> str:
    """Per variant and request kind: availability during the fault and in the ``after`` seconds after it."""
    lines = [f"{'':14}" + "".join(f"{k:>16}" for k in KINDS),
             f"{'':14}" + "".join(f"{'during':>9}{'after':>7}" for _ in KINDS)]
    for label, r in results.items():
        f = r.config.fault
        if f is None:
            raise ValueError(f"{label!r} ran without a fault: there is no during and after")
        cells = "".join(f"{r.overall_of(k, f.start, f.end):>9.2f}{r.overall_of(k, f.end, f.end + after):>7.2f}"
                        for k in KINDS)
        lines.append(f"{label:14}{cells}")
    return "\n".join(lines)


def bulkhead_panel(bulkhead_size: int = 0, gateway_pool: int = 40, seed: int = 0) -> Panel:
    """Sliders: bulkhead size per dependency (0 = none; up to the largest gateway pool, where a bulkhead
    isolates nothing), gateway pool size.  Redraws on release."""
    controls = {"bulkhead_size": size_control(bulkhead_size, min=0, max=80, name="bulkhead_size",
                                              description="bulkhead size"),
                "gateway_pool": size_control(gateway_pool, min=10, max=80, step=5, name="gateway_pool",
                                             description="gateway pool"),
                "seed": seed_control(seed, name="seed")}
    return Panel(render_bulkheads, controls, on_release=True)


#: the bulkhead panel's run: payments 30x slower from 2 s to 7 s of 9 s -- before, during and after the
#: fault, as the slow-dependency cascade of section 6, in fewer simulated seconds (a redraw runs it)
BULKHEAD_DURATION, BULKHEAD_FAULT = 9.0, Fault("payments", 2.0, 7.0, 30.0)


@panel_render(defaults=settings_of(bulkhead_panel))
def render_bulkheads(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Share of each request kind answered in time over the whole run while payments is slow for a
    while, for one bulkhead size (0 = none); settings ``bulkhead_size``, ``gateway_pool``, ``seed``
    (as `bulkhead_panel`)."""
    size, gateway = int(config["bulkhead_size"]), int(config["gateway_pool"])
    r = _bulkhead_run({"bulkhead_size": size, "gateway_pool": gateway, "seed": int(config["seed"])})
    f = BULKHEAD_FAULT
    title = (f"Payments 30× slower from {f.start:g} to {f.end:g} s of {BULKHEAD_DURATION:g} s, gateway pool "
             f"{gateway}:\n{_bulkhead_note(size, gateway)}")
    return _kind_bars(r, fig, title, xlabel="request kind (share answered in time over the whole run)")


def _bulkhead_note(size: int, gateway: int) -> str:
    """What a bulkhead of ``size`` on every caller→callee edge means beside a gateway pool of ``gateway``."""
    if size == 0:
        return "no bulkheads"
    if size >= _largest_caller_pool(gateway):
        return f"bulkhead {size} ≥ every caller's pool: it never fills, so no bulkhead at all (as with none)"
    if size >= gateway:
        return f"bulkhead {size} ≥ the gateway pool: checkout can take every gateway worker again"
    return f"bulkhead {size} on every edge (catalog→inventory and gateway→analytics too)"


def _largest_caller_pool(gateway: int) -> int:
    """The most workers any caller has (gateway, checkout, catalog): a bulkhead that large never fills."""
    graph = default_graph(workers={"gateway": gateway})
    return max(int(graph.nodes[n]["workers"]) for n in graph.nodes if graph.out_degree(n))


def _bulkhead_run(config: Mapping[str, int]) -> CascadeResult:
    """The panel's run.  A bulkhead holds a slot only while its caller's worker waits on the call, so one
    at least as large as every caller's pool never fills: exactly the run without bulkheads (tested),
    which the cache then serves for the whole upper half of the slider."""
    size = config["bulkhead_size"]
    if size >= _largest_caller_pool(config["gateway_pool"]):
        size = 0
    return _bulkhead_sim({"bulkhead_size": size, "gateway_pool": config["gateway_pool"], "seed": config["seed"]})


@remember(maxsize=32)
def _bulkhead_sim(config: Mapping[str, int]) -> CascadeResult:
    size, graph = config["bulkhead_size"], default_graph(workers={"gateway": config["gateway_pool"]})
    return simulate_cascade(slow_dependency(duration=BULKHEAD_DURATION, fault=BULKHEAD_FAULT, graph=graph,
                                            bulkheads=size > 0, bulkhead_size=max(size, 1), seed=config["seed"]))


def shedding_panel(checkout_share: float = 0.3, analytics_share: float = 0.2, shedding: bool = False,
                   seed: int = 0) -> Panel:
    """Sliders: the priority mix (checkout and analytics shares; browse gets the rest); a shedding switch.
    The two share sliders are linked: raising one past what the other leaves pulls the other down, so
    the shares never add up to more than the whole traffic."""
    controls = {
        "checkout_share": fraction_control(checkout_share, name="checkout_share", description="checkout share"),
        "analytics_share": fraction_control(analytics_share, name="analytics_share", description="analytics share"),
        "shedding": switch_control(shedding, name="shedding", description="shed by priority"),
        "seed": seed_control(seed, name="seed")}
    if checkout_share + analytics_share > 1 + 1e-9:
        raise ValueError(f"checkout_share + analytics_share must be <= 1, got {checkout_share + analytics_share:.2f}")
    panel = Panel(render_shedding, controls, on_release=True, draw_now=False)
    checkout_slider, analytics_slider = controls["checkout_share"], controls["analytics_share"]

    def leave_room(other: Any) -> Callable[[float], None]:
        def moved(value: float) -> None:  # what the moved slider leaves, to the slider's 0.05 steps
            other.value = min(other.value, round(1.0 - value, 2))
        return moved

    panel.link("checkout_share", leave_room(analytics_slider))
    panel.link("analytics_share", leave_room(checkout_slider))
    panel.redraw()
    return panel


@panel_render(defaults=settings_of(shedding_panel))
def render_shedding(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Served fraction per request kind under 2× overload, FIFO or shedding by priority; settings
    ``checkout_share``, ``analytics_share``, ``shedding``, ``seed`` (as `shedding_panel`)."""
    checkout, analytics = float(config["checkout_share"]), float(config["analytics_share"])
    if checkout + analytics > 1 + 1e-9:
        raise ValueError(f"checkout_share + analytics_share must be <= 1, got {checkout + analytics:.2f}")
    r = _shedding_run({"checkout": checkout, "analytics": analytics, "shedding": bool(config["shedding"]),
                       "seed": int(config["seed"])})
    mode = "shedding by priority" if config["shedding"] else "FIFO, no shedding"
    return _kind_bars(r, fig, f"600 req/s at a gateway that serves ~350/s: {mode}")


@remember(maxsize=32)
def _shedding_run(config: Mapping[str, Any]) -> CascadeResult:
    checkout, analytics = config["checkout"], config["analytics"]
    mix = (("checkout", checkout), ("browse", max(0.0, 1 - checkout - analytics)), ("analytics", analytics))
    return simulate_cascade(overload(duration=4.0, arrival_rate=600.0, mix=mix, shedding=config["shedding"],
                                     graph=default_graph(queue=200, work={"gateway": 0.1}), seed=config["seed"]))


def _kind_bars(r: CascadeResult, fig: Figure | None, title: str,
               xlabel: str = "request kind (priority: checkout > browse > analytics)") -> Figure:
    """Bars of the share of each request kind answered in time over the whole run; a kind that was
    never offered gets no bar and says so (not a red 0 %)."""
    fig, (ax,) = reuse_grid(fig, "kind bars", lambda f: f.add_subplot())
    kinds = list(r.by_kind)
    offered = [r.by_kind[k][0] for k in kinds]
    served = [r.by_kind[k][1] / n if n else 0.0 for k, n in zip(kinds, offered)]
    # numeric positions + tick labels (not categorical x): a reused axes keeps no stale categories
    ax.bar(range(len(kinds)), served, color=[GOOD if s >= 0.95 else BAD for s in served])
    ax.set_xticks(range(len(kinds)), kinds)
    for i, (n, s) in enumerate(zip(offered, served)):
        ax.annotate(f"{s:.0%} of {n}" if n else "none offered", (i, s), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_yticks((0.0, 0.5, 1.0))  # three ticks: fewer glyphs to rasterise per redraw
    label_axes(ax, title=title, xlabel=xlabel, ylabel="answered in time (fraction)")
    ax.title.set_fontsize(10)
    return fig
