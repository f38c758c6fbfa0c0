"""Chapter 4, section 1: the speed-of-light toll -- measured round trips against the fibre bound.

The map draws every pair touching the chosen region as a great-circle arc coloured by measured
median RTT / physical minimum (`distlab.geo.world_map`); the bars beneath give the same pairs in
milliseconds, the fibre bound beside the measurement. The bars' title is computed from the very rows
the bars are drawn from.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from distlab.geo.world import REGIONS
from distlab.geo.world_bound import PairBound
from distlab.geo.world_map import band_of, draw_ratio_map

from .. import style
from ..controls import choice_control
from ..panel import Panel, panel_render, settings_of
from .common import STYLE, sparse_y, wrapped_row

__all__ = ["render_world", "toll_title", "world_panel"]

FIGSIZE = (7.2, 5.6)
RECTS = [(0.02, 0.40, 0.96, 0.55), (0.09, 0.07, 0.89, 0.24)]
BOUND_COLOR = "#BBBBBB"


def world_panel(around: str = "virginia") -> Panel:
    """A menu of the eight regions: the map and bars show every round trip from the one chosen."""
    return wrapped_row(render_world, {
        "around": choice_control(REGIONS, around, name="around", description="round trips from", style=STYLE)},
        figsize=FIGSIZE)


def toll_title(around: str, rows: list[PairBound]) -> str:
    """The bars' title: the range of measured / bound over ``rows`` (the pairs from ``around``)."""
    ratios = [r.ratio for r in rows]
    return f"from {around}: measured (coloured) is {min(ratios):.1f}-{max(ratios):.1f}× the fibre bound (grey)"


def _bars(ax: Axes, around: str, rows: list[PairBound]) -> None:
    rows = sorted(rows, key=lambda r: r.fibre_rtt_ms)
    xs = range(len(rows))
    ax.bar([x - 0.2 for x in xs], [r.fibre_rtt_ms for r in rows], width=0.4, color=BOUND_COLOR, hatch="//",
           edgecolor="white")
    ax.bar([x + 0.2 for x in xs], [r.median_rtt_ms for r in rows], width=0.4,
           color=[band_of(r.ratio).color for r in rows])
    for x, r in zip(xs, rows):
        ax.text(x + 0.2, r.median_rtt_ms + 6, f"{r.ratio:.1f}×", ha="center", va="bottom", fontsize=7)
    top = max(r.median_rtt_ms for r in rows)
    ax.set_xticks(list(xs), [r.b if r.a == around else r.a for r in rows], fontsize=8)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylim(0, top * 1.2)
    ax.set_ylabel("round trip (ms)", fontsize=8)
    sparse_y(ax)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(toll_title(around, rows), fontsize=9)


@panel_render(defaults=settings_of(world_panel))
def render_world(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The ratio map around ``around`` and its round trips as bars (measured beside the bound)."""
    around = config["around"]
    fig, (map_ax, bar_ax) = style.reuse_axes_list(fig, RECTS, figsize=FIGSIZE, relim=False)
    rows = draw_ratio_map(map_ax, around=around, legend=False,
                          title=f"measured median round trip ÷ fibre bound, from {around}")
    _bars(bar_ax, around, rows)
    return fig
