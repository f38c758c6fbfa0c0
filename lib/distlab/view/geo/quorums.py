"""Chapter 4, section 3: Dynamo-style quorums -- N, W, R on three continents, with outages.

`dynamo_panel` runs `distlab.geo.quorum.run_quorum` on six storage nodes, two in each of Virginia,
Ireland and Tokyo (the measured round trips between them), with clients in every region, and draws

* the overlap: a key's N replicas, a write quorum (the first W) and the read quorum that overlaps it
  least (the last R) -- they share a replica exactly when R + W > N;
* the median and 95th-percentile latency of writes and reads;
* how many requests met their quorum in time, and how many reads were stale (missed a write that
  had completed before they began).

A region outage costs strict quorums availability; a sloppy quorum stays available by writing to
substitutes, and reads can then miss those writes until the hints are handed back.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from distlab.geo.latency import default_model
from distlab.geo.quorum import Outage, QuorumResult, overlap, run_quorum

from .. import style
from ..controls import choice_control, seed_control, size_control, switch_control
from ..panel import Panel, panel_render, settings_of
from ..settings import flag, seed_of, whole
from .common import STYLE, WIDE, ms, outcome_bars, percent, remembered, sparse_y, wrapped_row

__all__ = ["FAILURES", "dynamo_panel", "dynamo_run", "dynamo_title", "render_dynamo"]

NODE_REGIONS = ("virginia", "virginia", "ireland", "ireland", "tokyo", "tokyo")
#: the outage menu: what fails, as settings of `QuorumConfig`
FAILURES: dict[str, dict[str, Any]] = {
    "nothing fails": {},
    "tokyo down for the whole run": {"failed": ("tokyo",)},
    "tokyo down 0-1.5 s, then ireland 1.5-3 s": {"outages": (Outage("tokyo", 0.0, 1.5),
                                                             Outage("ireland", 1.5, 3.0))},
}
BASE = {"nodes": len(NODE_REGIONS), "regions": NODE_REGIONS, "clients": 6, "keys": 2, "ops_per_client": 30,
        "timeout": 1.0, "retry_after": 0.5, "handoff_interval": 1.0}
FIGSIZE = (7.2, 4.8)
RECTS = [(0.03, 0.60, 0.94, 0.22), (0.09, 0.08, 0.38, 0.40), (0.59, 0.08, 0.38, 0.40)]
WRITE, READ = style.OKABE_ITO["blue"], style.OKABE_ITO["orange"]
LATENCY_TOP_MS = 700.0


def dynamo_panel(n: int = 3, w: int = 2, r: int = 2, failure: str = "nothing fails", sloppy: bool = False,
                 seed: int = 0) -> Panel:
    """Sliders for N, W and R (W and R at most N), an outage menu and the sloppy-quorum switch."""
    controls = {
        "n": size_control(n, min=1, max=5, name="n", description="N (replicas)"),
        "w": size_control(w, min=1, max=n, name="w", description="W (write acks)"),
        "r": size_control(r, min=1, max=n, name="r", description="R (read answers)"),
        "failure": choice_control(list(FAILURES), failure, name="failure", description="outage", style=STYLE,
                                  layout=WIDE),
        "sloppy": switch_control(sloppy, name="sloppy", description="sloppy quorum + hinted handoff"),
        "seed": seed_control(seed, name="seed")}
    panel = wrapped_row(render_dynamo, controls, figsize=FIGSIZE)
    panel.link("n", lambda n: _cap_at_n(controls, n))
    return panel


def _cap_at_n(controls: Mapping[str, Any], n: int) -> None:
    """W and R can never exceed N: their sliders end at N (a value above it comes down to N)."""
    for name in ("w", "r"):
        controls[name].max = n


@remembered(maxsize=256)
def _run(n: int, w: int, r: int, failure: str, sloppy: bool, seed: int) -> QuorumResult:
    return run_quorum(**BASE, **FAILURES[failure], n=n, w=w, r=r, sloppy=sloppy, seed=seed,
                      link_latency=default_model())


def dynamo_run(config: Mapping[str, Any]) -> QuorumResult:
    """The run behind a panel's settings (memoised); a bad setting is a ValueError naming it."""
    if config["failure"] not in FAILURES:
        raise ValueError(f"failure must be one of {list(FAILURES)}, got {config['failure']!r}")
    n = whole(config, "n", 1, 5)
    return _run(n, whole(config, "w", 1, n), whole(config, "r", 1, n), config["failure"], flag(config, "sloppy"),
                seed_of(config))


def dynamo_title(result: QuorumResult, failure: str) -> str:
    """The figure's title, from the same summary as the bars."""
    cfg = result.config
    kind = "sloppy" if cfg.sloppy else "strict"
    reads = sum(1 for o in result.ops if o.f == "get" and o.status == "ok")
    answered = percent(result.availability())
    rule = f"R + W = {cfg.r + cfg.w} {'>' if cfg.r + cfg.w > cfg.n else '≤'} N = {cfg.n}"
    hinted = sum(1 for o in result.ops if o.f == "put" and o.substitutes)
    substitutes = f"; {hinted} writes counted a substitute" if cfg.sloppy else ""
    return (f"N={cfg.n}, W={cfg.w}, R={cfg.r} ({rule}), {kind} quorums, {failure}:\n"
            f"{answered:.0f} % of requests answered in time; {result.stale_reads} of {reads} reads stale{substitutes}")


def _draw_overlap(ax: Axes, n: int, w: int, r: int, sloppy: bool) -> None:
    """A key's N replicas in a row; the first W take the write (▼ above), the last R answer the
    read (▲ below); a replica in both is filled green. Markers, not text: a redraw stays cheap."""
    o = overlap(n, w, r)
    shared = [i for i in range(n) if i < w and i >= n - r]
    alone = [i for i in range(n) if i not in shared]
    ax.plot(alone, [0] * len(alone), marker="o", markersize=16, linestyle="none", color="white",
            markeredgecolor="black", markeredgewidth=2)
    ax.plot(shared, [0] * len(shared), marker="o", markersize=16, linestyle="none", color=style.GOOD,
            markeredgecolor=style.GOOD, markeredgewidth=2)
    ax.plot(range(w), [0.6] * w, marker="v", markersize=9, linestyle="none", color=WRITE)
    ax.plot(range(n - r, n), [-0.6] * r, marker="^", markersize=9, linestyle="none", color=READ)
    if o.always_intersect and sloppy:
        words = (f"R + W = {r + w} > N = {n}, but sloppy: a substitute outside these N may count,\n"
                 "so a read is no longer guaranteed to meet the latest write")
    elif o.always_intersect:
        words = f"R + W = {r + w} > N = {n}: every read meets every write (green)"
    else:
        words = (f"R + W = {r + w} ≤ N = {n}: {len(o.disjoint)} of {len(o.write_quorums) * len(o.read_quorums)}"
                 f" pairs miss, C(N−W, R) / C(N, R) = {o.miss_fraction:.2f}")
    ax.text(5.0, 0, f"▼ blue: the write's W replicas; ▲ orange: the read's R\n{words}", ha="left", va="center",
            fontsize=8)
    ax.set_xlim(-0.6, 16)
    ax.set_ylim(-1, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("a key's N replicas", fontsize=8)


def _latency(ax: Axes, result: QuorumResult) -> None:
    for x, f, color in ((0, "put", WRITE), (1, "get", READ)):
        p = result.percentiles_ms(f)
        median, p95 = p[50] or math.nan, p[95] or math.nan
        ax.bar([x], [median], width=0.6, color=color)
        ax.plot([x - 0.3, x + 0.3], [p95, p95], color="black", lw=1.5)
        ax.text(x, min(median, LATENCY_TOP_MS * 0.9) + 10, ms(median), ha="center", va="bottom", fontsize=7)
    ax.set_xticks([0, 1], ["write", "read"], fontsize=8)
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(0, LATENCY_TOP_MS)
    ax.set_ylabel("latency (ms)", fontsize=8)
    sparse_y(ax)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title("median (bar), 95th percentile (line)", fontsize=8)


def _outcomes(ax: Axes, result: QuorumResult) -> None:
    answered = any(o.f == "get" and o.status == "ok" for o in result.ops)
    outcome_bars(ax, percent(result.availability("put")), percent(result.availability("get")),
                 100.0 * result.stale_read_rate if answered else math.nan)  # no answered read: "none"
    ax.set_title("answered in time, stale reads", fontsize=8)


@panel_render(defaults=settings_of(dynamo_panel))
def render_dynamo(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The overlap drawing, latency, availability and stale reads for ``n``, ``w``, ``r``, ``failure``
    (a :data:`FAILURES` label), ``sloppy`` and ``seed``."""
    result = dynamo_run(config)
    fig, (top, left, right) = style.reuse_axes_list(fig, RECTS, figsize=FIGSIZE, relim=False)
    _draw_overlap(top, result.config.n, result.config.w, result.config.r, result.config.sloppy)
    _latency(left, result)
    _outcomes(right, result)
    fig.suptitle(dynamo_title(result, config["failure"]), fontsize=9, y=0.99)
    return fig
