"""The world map: regions as points, pairs as great-circle arcs coloured by measured / fibre bound.

Drawing functions take a matplotlib ``Axes`` (which the caller has cleared), as the other chapters'
view code does, and draw with its own methods -- this module imports no matplotlib (only
``distlab.view`` may, tests/view/test_only_view_imports_widgets.py), so it loads fast and a panel
hands it the axes it keeps. The map is equirectangular (longitude, latitude in degrees), with
Natural Earth's 1:110m coastlines (:mod:`distlab.geo.world_coast`) over a 30° graticule; every
collection of lines is one ``plot`` call (NaN-separated), so a redraw stays cheap.

Colour is never the only signal: each arc's ratio band is also in the legend, and ``label_ratios``
prints the ratio at each arc's midpoint.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple, Protocol

from .latency import LatencyModel
from .world import REGIONS, check_region, check_regions, region
from .world_bound import PairBound, bound_table
from .world_coast import coastlines

__all__ = ["RATIO_BANDS", "AxesLike", "Band", "band_of", "draw_base_map", "draw_ratio_map", "draw_regions",
           "great_circle", "region_label_offset"]

NAN = float("nan")
COAST_COLOR = "#9A9A9A"
GRID_COLOR = "#E4E4E4"
POINT_COLOR = "#000000"
EXTENT = (-180.0, 180.0, -60.0, 85.0)  # lon min, lon max, lat min, lat max


class AxesLike(Protocol):
    """What the map needs of a matplotlib ``Axes`` (every method is the Axes' own)."""

    def plot(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.plot``."""
    def text(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.text``."""
    def legend(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.legend``."""
    def set_xlim(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.set_xlim``."""
    def set_ylim(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.set_ylim``."""
    def set_aspect(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.set_aspect``."""
    def set_xticks(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.set_xticks``."""
    def set_yticks(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.set_yticks``."""
    def set_title(self, *args: Any, **kwargs: Any) -> Any:
        """``Axes.set_title``."""


class Band(NamedTuple):
    """A band of ratios ``[low, high)`` and how its arcs are drawn."""

    low: float
    high: float
    color: str
    label: str


#: ratio bands, from close to the physical bound to far from it (matplotlib's "plasma" colours)
RATIO_BANDS: tuple[Band, ...] = (
    Band(1.0, 1.5, "#0d0887", "< 1.5× the bound"),
    Band(1.5, 2.0, "#7e03a8", "1.5-2×"),
    Band(2.0, 2.5, "#cc4778", "2-2.5×"),
    Band(2.5, 3.0, "#f2844b", "2.5-3×"),
    Band(3.0, math.inf, "#feba2c", "≥ 3×"),
)


def band_of(ratio: float) -> Band:
    """The band ``ratio`` falls in (below 1 -- faster than light -- goes with the first)."""
    return next((b for b in RATIO_BANDS if ratio < b.high), RATIO_BANDS[-1])


def great_circle(lon1: float, lat1: float, lon2: float, lat2: float,
                 steps: int = 64) -> tuple[list[float], list[float]]:
    """Points along the great circle between two places (degrees), split with NaN where the arc
    crosses the ±180° meridian, so a plot never draws a line across the whole map."""
    def vec(lon: float, lat: float) -> tuple[float, float, float]:
        lo, la = math.radians(lon), math.radians(lat)
        return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)
    a, b = vec(lon1, lat1), vec(lon2, lat2)
    omega = math.acos(max(-1.0, min(1.0, sum(x * y for x, y in zip(a, b)))))
    lons: list[float] = []
    lats: list[float] = []
    for i in range(steps + 1):
        t = i / steps
        if omega < 1e-9:
            p = a
        else:
            wa, wb = math.sin((1 - t) * omega) / math.sin(omega), math.sin(t * omega) / math.sin(omega)
            p = (wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2])
        lon, lat = math.degrees(math.atan2(p[1], p[0])), math.degrees(math.atan2(p[2], math.hypot(p[0], p[1])))
        if lons and abs(lon - lons[-1]) > 180:
            lons.append(NAN)
            lats.append(NAN)
        lons.append(lon)
        lats.append(lat)
    return lons, lats


@cache
def _coast_xy() -> tuple[tuple[float, ...], tuple[float, ...]]:
    xs: list[float] = []
    ys: list[float] = []
    for lon, lat in coastlines():
        xs += [*lon, NAN]
        ys += [*lat, NAN]
    return tuple(xs), tuple(ys)


def _grid_xy() -> tuple[list[float], list[float]]:
    lon0, lon1, lat0, lat1 = EXTENT
    xs: list[float] = []
    ys: list[float] = []
    for lon in range(-180, 181, 30):
        xs += [lon, lon, NAN]
        ys += [lat0, lat1, NAN]
    for lat in range(-60, 61, 30):
        xs += [lon0, lon1, NAN]
        ys += [lat, lat, NAN]
    return xs, ys


def draw_base_map(ax: AxesLike, *, coast: bool = True) -> None:
    """The graticule (every 30°) and, with ``coast``, the coastlines; fixes the extent and aspect."""
    gx, gy = _grid_xy()
    ax.plot(gx, gy, color=GRID_COLOR, lw=0.6, zorder=0)
    if coast:
        cx, cy = _coast_xy()
        ax.plot(cx, cy, color=COAST_COLOR, lw=0.6, zorder=1)
    lon0, lon1, lat0, lat1 = EXTENT
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def region_label_offset(slug: str) -> tuple[float, float, str, str]:
    """Where a region's name goes relative to its point: (dx, dy) degrees and the alignment, chosen
    so that near neighbours (Oregon above California) do not overprint."""
    return _OFFSETS.get(slug, (3.0, 3.0, "left", "bottom"))


_OFFSETS = {
    "oregon": (-3.0, 3.0, "right", "bottom"),
    "california": (-3.0, -3.0, "right", "top"),
    "virginia": (3.0, -3.0, "left", "top"),
    "ireland": (-3.0, 3.0, "right", "bottom"),
    "singapore": (-3.0, -3.0, "right", "top"),
    "tokyo": (-3.0, 3.0, "right", "bottom"),   # east of Tokyo and Sydney a label would leave the map
    "sydney": (-3.0, -3.0, "right", "top"),
    "saopaulo": (3.0, -3.0, "left", "top"),
}


def draw_regions(ax: AxesLike, regions: Sequence[str] = REGIONS, *, labels: bool = True,
                 color: str = POINT_COLOR, marker: str = "o", size: float = 6.0) -> None:
    """Each region as a point, with its slug beside it."""
    for slug in dict.fromkeys(check_regions("regions", regions)):
        r = region(slug)
        ax.plot([r.lon], [r.lat], marker=marker, color=color, markersize=size, markeredgecolor="white",
                linestyle="none", zorder=4)
        if labels:
            dx, dy, ha, va = region_label_offset(slug)
            ax.text(r.lon + dx, r.lat + dy, slug, ha=ha, va=va, fontsize=8, zorder=5)


def _arc(a: str, b: str) -> tuple[list[float], list[float]]:
    ra, rb = region(a), region(b)
    return great_circle(ra.lon, ra.lat, rb.lon, rb.lat)


def draw_ratio_map(ax: AxesLike, *, regions: Sequence[str] = REGIONS, around: str | None = None,
                   model: LatencyModel | None = None, coast: bool = True, label_ratios: bool = False,
                   legend: bool = True, title: str | None = "measured median RTT / fibre bound") -> list[PairBound]:
    """The map of every pair among ``regions`` (only those touching ``around``, if given): a
    great-circle arc per pair coloured by its band of measured median RTT / physical minimum.
    Returns the rows drawn (``world_bound.PairBound``)."""
    rows = bound_table(check_regions("regions", regions), model)
    if around is not None:
        check_region("around", around)
        rows = [r for r in rows if around in (r.a, r.b)]
    draw_base_map(ax, coast=coast)
    handles = []
    for band in RATIO_BANDS:
        xs: list[float] = []
        ys: list[float] = []
        for row in (r for r in rows if band_of(r.ratio) == band):
            lon, lat = _arc(row.a, row.b)
            xs += [*lon, NAN]
            ys += [*lat, NAN]
        (line,) = ax.plot(xs, ys, color=band.color, lw=1.6, alpha=0.85, zorder=2, label=band.label)
        handles.append(line)
    if label_ratios:
        for row in rows:
            lon, lat = _arc(row.a, row.b)
            mid = len(lon) // 2
            ax.text(lon[mid], lat[mid], f"{row.ratio:.1f}", fontsize=6, ha="center", va="center", zorder=3)
    draw_regions(ax, regions)
    if legend:
        ax.legend(handles=handles, loc="lower left", fontsize=7, title="median / bound", title_fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return rows
