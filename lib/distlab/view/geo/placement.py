"""Chapter 4, section 2: where to put the leader -- chapter 2's Raft on the world map.

`placement_panel` runs `distlab.geo.placement_raft.run_placement` for a set of replica regions, a
leader region, a client region to follow and an optional region outage, and draws the map above the
commit latency of every client region (measured beside what the medians predict). The bars' title
takes the followed client's latency apart: its round trip to the leader plus the leader's majority
round trip. `render_options` puts the three ways of placing writes side by side.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from distlab.geo.latency import default_model
from distlab.geo.placement import DEFAULT_CLIENTS, DEFAULT_REPLICAS, best_leader
from distlab.geo.placement_compare import Comparison, Option
from distlab.geo.placement_multi import MultiWriterResult, run_multiwriter
from distlab.geo.placement_raft import run_placement
from distlab.geo.placement_result import PlacementResult
from distlab.geo.world import REGIONS, distinct
from distlab.geo.world_map_placement import draw_placement_map

from .. import style
from ..controls import choice_control, seed_control
from ..panel import Panel, panel_render, settings_of
from ..settings import seed_of
from .common import STYLE, WIDE, log_ms_axis, ms, remembered, sparse_y, wrapped_row

__all__ = ["NO_OUTAGE", "REPLICA_SETS", "options_panel", "placement_panel", "placement_run", "render_options",
           "render_placement"]

#: the replica sets the menu offers (a region per replica)
REPLICA_SETS: dict[str, tuple[str, ...]] = {
    "5 regions: virginia, oregon, ireland, tokyo, sydney": ("virginia", "oregon", "ireland", "tokyo", "sydney"),
    "3 regions: virginia, ireland, tokyo": ("virginia", "ireland", "tokyo"),
    "3 regions in the US: virginia, oregon, california": ("virginia", "oregon", "california"),
    "3 replicas, all in tokyo": ("tokyo", "tokyo", "tokyo"),
    "5: tokyo ×3, singapore, sydney": ("tokyo", "tokyo", "tokyo", "singapore", "sydney"),
}
DEFAULT_SET = next(iter(REPLICA_SETS))
NO_OUTAGE = "none"
FIGSIZE = (7.2, 6.0)
RECTS = [(0.02, 0.45, 0.96, 0.50), (0.09, 0.07, 0.89, 0.23)]
BEFORE, AFTER = style.OKABE_ITO["blue"], style.OKABE_ITO["orange"]
LEGEND = [Patch(facecolor=BEFORE, label="measured"), Patch(facecolor=AFTER, label="after the outage"),
          Line2D([], [], color="black", marker="_", markersize=14, linestyle="none", label="predicted")]


def regions_of(replicas: str) -> tuple[str, ...]:
    """The distinct regions of a :data:`REPLICA_SETS` entry (what the leader and outage menus offer)."""
    if replicas not in REPLICA_SETS:
        raise ValueError(f"replicas must be one of {list(REPLICA_SETS)}, got {replicas!r}")
    return tuple(distinct(REPLICA_SETS[replicas]))


def placement_panel(replicas: str = DEFAULT_SET, leader: str = "virginia", client: str = "sydney",
                    failed: str = NO_OUTAGE, seed: int = 0) -> Panel:
    """Menus for the replica regions, the leader's region (one of them), the client region to follow
    and a region that fails; the leader and outage menus follow the replica set."""
    reps = regions_of(replicas)
    controls = {
        "replicas": choice_control(list(REPLICA_SETS), replicas, name="replicas", description="replicas",
                                   style=STYLE, layout=WIDE),
        "leader": choice_control(reps, leader, name="leader", description="leader in", style=STYLE),
        "client": choice_control(REGIONS, client, name="client", description="follow a client in", style=STYLE),
        "failed": choice_control((NO_OUTAGE, *reps), failed, name="failed", description="region outage",
                                 style=STYLE),
        "seed": seed_control(seed, name="seed")}
    panel = wrapped_row(render_placement, controls, figsize=FIGSIZE, on_release=True)
    panel.link("replicas", lambda replica_set: _follow_replica_set(controls, replica_set))
    return panel


def _follow_replica_set(controls: Mapping[str, Any], replica_set: str) -> None:
    """Offer the regions of ``replica_set`` as leaders and outages, keeping the chosen ones where
    the new set has them (a Dropdown given new options falls back to the first, so set it back)."""
    reps = regions_of(replica_set)
    for name, options in (("leader", reps), ("failed", (NO_OUTAGE, *reps))):
        menu = controls[name]
        keep = menu.value if menu.value in options else options[0]
        menu.options = options
        menu.value = keep


@remembered(maxsize=128)
def _run(replicas: tuple[str, ...], leader: str, clients: tuple[str, ...], failed: str | None,
         seed: int) -> PlacementResult:
    return run_placement(replicas=replicas, leader=leader, clients=clients, failed=failed, seed=seed, writes=20,
                         check_invariants=False)  # tests/geo re-run these settings with the checks on


def placement_run(config: Mapping[str, Any]) -> PlacementResult:
    """The run behind a panel's settings (memoised): clients in every replica region and ``client``."""
    regions_of(config["replicas"])  # refuses an unknown set by name
    replicas = REPLICA_SETS[config["replicas"]]
    if config["client"] not in REGIONS:
        raise ValueError(f"client must be one of {list(REGIONS)}, got {config['client']!r}")
    clients = tuple(distinct((*replicas, config["client"])))
    failed = None if config["failed"] == NO_OUTAGE else config["failed"]
    return _run(replicas, config["leader"], clients, failed, seed_of(config))


def client_story(result: PlacementResult, client: str) -> str:
    """The followed client's latency taken apart (the bars' title), from ``result`` alone."""
    leader = result.elected
    rtt = default_model().pair_rtt_ms(client, leader, same_zone=client == leader)
    line = (f"{client}: median write {ms(result.medians()[client])}; predicted {ms(result.predicted_ms[client])} = "
            f"{ms(rtt)} round trip to the leader ({leader}) + {ms(result.majority_ms)} from it to a majority")
    outage = result.outage
    if outage is None:
        return line
    if outage.new_leader is None:
        return line + f"\n{outage.region} down: no majority left, no leader, no commits"
    after = outage.medians().get(client, math.nan)
    moved = (f"new leader in {outage.new_leader} after {outage.election_s:.1f} s" if outage.election_s is not None
             else f"the leader in {outage.new_leader} kept a majority")
    where = "it is down too" if client == outage.region else f"{client} then {ms(after)}"
    return line + f"\n{outage.region} down: {moved}; {where}"


def _bars(ax: Axes, result: PlacementResult, client: str) -> None:
    regions = list(result.commit_ms)
    before = result.medians()
    after = result.outage.medians() if result.outage is not None else {}
    xs = range(len(regions))
    shift = 0.2 if result.outage is not None else 0.0  # side by side only when there is an "after"
    ax.bar([x - shift for x in xs], [before[r] for r in regions], width=0.4, color=BEFORE)
    ax.bar([x + shift for x in xs], [after.get(r, math.nan) for r in regions], width=0.4, color=AFTER)
    ax.plot(list(xs), [result.predicted_ms[r] for r in regions], marker="_", markersize=14, color="black",
            linestyle="none")
    top = max([v for v in (*before.values(), *after.values()) if not math.isnan(v)] or [1.0])
    for x, r in zip(xs, regions):
        ax.text(x - shift, before[r] + top * 0.02, f"{before[r]:.0f}", ha="center", va="bottom", fontsize=7)
        if result.outage is not None:
            value = after.get(r, math.nan)
            text = "none" if math.isnan(value) else f"{value:.0f}"
            ax.text(x + 0.2, (0 if math.isnan(value) else value) + top * 0.02, text, ha="center", va="bottom",
                    fontsize=7)
    labels = [f"▶ {r}" if r == client else r for r in regions]
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_xlim(-0.6, len(regions) - 0.4)
    ax.set_ylim(0, top * 1.45)
    ax.set_ylabel("commit latency (ms)", fontsize=8)
    sparse_y(ax)
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(handles=LEGEND if result.outage is not None else [LEGEND[0], LEGEND[2]], loc="upper left",
              fontsize=7, frameon=False, ncol=3)
    ax.set_title(client_story(result, client), fontsize=8)


@panel_render(defaults=settings_of(placement_panel))
def render_placement(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The placement on the map (after the outage, if one is set) and each client region's median
    commit latency: settings ``replicas`` (a :data:`REPLICA_SETS` label), ``leader``, ``client``,
    ``failed`` (a region, or ``"none"``) and ``seed``."""
    if config["leader"] not in regions_of(config["replicas"]):
        raise ValueError(f"leader must be one of the replica regions {regions_of(config['replicas'])}, "
                         f"got {config['leader']!r}")
    result = placement_run(config)
    fig, (map_ax, bar_ax) = style.reuse_axes_list(fig, RECTS, figsize=FIGSIZE, relim=False)
    draw_placement_map(map_ax, result, after=result.outage is not None)
    _bars(bar_ax, result, config["client"])
    return fig


# ------------------------------------------------------------------------------ the three options
OPTION_COLORS = (style.OKABE_ITO["blue"], style.OKABE_ITO["bluish_green"], style.OKABE_ITO["reddish_purple"])


def options_panel(leader: str = "sydney", seed: int = 0) -> Panel:
    """The leader's region for the first option (the five default replica regions)."""
    return wrapped_row(render_options, {
        "leader": choice_control(DEFAULT_REPLICAS, leader, name="leader", description="one write region:",
                                 style=STYLE),
        "seed": seed_control(seed, name="seed")}, figsize=(7.2, 3.6), on_release=True)


@remembered(maxsize=8)
def _multi(seed: int) -> MultiWriterResult:
    return run_multiwriter(replicas=DEFAULT_REPLICAS, clients=DEFAULT_CLIENTS, seed=seed, writes=20)


def _options(leader: str, seed: int) -> tuple[Option, ...]:
    """`compare_placements`' three options, from memoised parts: of the three runs only the one
    with the chosen leader depends on it, so a new choice costs one Raft run, not three."""
    fixed = _run(DEFAULT_REPLICAS, leader, DEFAULT_CLIENTS, None, seed)
    best = _run(DEFAULT_REPLICAS, best_leader(DEFAULT_REPLICAS), DEFAULT_CLIENTS, None, seed)
    return tuple(Comparison(fixed, best, _multi(seed)).options())


def options_title(options: tuple[Option, ...]) -> str:
    """The options' title, from the same medians and conflict count as the bars."""
    fixed, best, multi = options
    worst = [max(o.medians.values()) for o in options]
    return (f"farthest client: {ms(worst[0])} (leader in {fixed.leader}), {ms(worst[1])} (in {best.leader}), "
            f"{ms(worst[2])} (multi-writer)\nbut multi-writer left {multi.conflicts} conflicting pairs to reconcile")


@panel_render(defaults=settings_of(options_panel))
def render_options(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Median commit latency per client region for one write region in ``leader``, the leader at
    the best region, and multi-writer (log scale), on one workload (``seed``)."""
    options = _options(config["leader"], seed_of(config))
    fig, ax = style.reuse_axes(fig, rect=(0.09, 0.14, 0.89, 0.66), figsize=(7.2, 3.6))
    regions = list(options[0].medians)
    for k, (option, color) in enumerate(zip(options, OPTION_COLORS)):
        xs = [i + (k - 1) * 0.27 for i in range(len(regions))]
        values = [option.medians[r] for r in regions]
        ax.bar(xs, values, width=0.27, color=color)
        for x, v in zip(xs, values):
            ax.text(x, v * 1.15, f"{v:.0f}" if v >= 10 else f"{v:.1f}", ha="center", va="bottom", fontsize=7)
    log_ms_axis(ax)
    ax.set_xlim(-0.6, len(regions) - 0.4)
    ax.set_xticks(range(len(regions)), regions, fontsize=8)
    ax.set_ylabel("commit (ms, log)", fontsize=8)
    names = [f"one write region: {options[0].leader}", f"nearest majority: {options[1].leader}", "multi-writer"]
    ax.legend(handles=[Patch(facecolor=c, label=n) for c, n in zip(OPTION_COLORS, names)], loc="upper left",
              fontsize=7, frameon=False, ncol=3)
    ax.set_title(options_title(options), fontsize=8)
    return fig
