"""House style for every figure and badge: one colour-blind-safe palette, roles drawn with a
shape, a colour *and* a word, and small helpers that give each plot a title, labelled axes and a
legend.

The palette is Okabe & Ito's eight colours ("Color Universal Design", 2002), chosen so that the
common forms of colour blindness can still tell them apart.  Colour is never the only signal:
every role also has a marker shape and a text label, and every badge a symbol and a word.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

#: Okabe–Ito colours by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: The order in which a multi-series plot should pick colours.
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion",
                                 "reddish_purple", "sky_blue", "yellow", "black")]

GOOD = OKABE_ITO["bluish_green"]      #: "holds / passed"
BAD = OKABE_ITO["vermillion"]         #: "violated / failed"
NEUTRAL = "#7F7F7F"                    #: "not attempted / crashed / unknown"
CRASHED_FILL = "#D9D9D9"

DEFAULT_FIGSIZE = (6.4, 4.4)   #: inches; small enough for a fast PNG redraw
DEFAULT_DPI = 80

#: An axes position in figure coordinates: ``(left, bottom, width, height)``.
Rect = tuple[float, float, float, float]
#: A whole figure or a subfigure (the renders that reuse axes accept either).
AnyFigure = TypeVar("AnyFigure", Figure, SubFigure)
_Kept = TypeVar("_Kept")


class Memo(Generic[_Kept]):
    """A value a render keeps on a matplotlib object between redraws (e.g. the axes it built and
    the artists that move), so the next redraw can reuse them.

    It is stored in the object's own ``__dict__`` under `name`, so it lives and dies with the
    object; `get` returns None on an object that never got one.  Typed, unlike a bare attribute."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def get(self, obj: object) -> _Kept | None:
        """The value kept on `obj`, or None."""
        value: _Kept | None = vars(obj).get(self.name)
        return value

    def put(self, obj: object, value: _Kept) -> _Kept:
        """Keep `value` on `obj` (replacing any earlier one); returns `value`."""
        vars(obj)[self.name] = value
        return value


_RECT: Memo[Rect] = Memo("_distlab_rect")


@dataclass(frozen=True)
class RoleStyle:
    """How one role is drawn: fill colour, matplotlib marker and the word printed under the node."""

    color: str
    marker: str
    word: str


#: The roles of the consensus chapter; any other role string gets a style from `role_style`.
ROLE_STYLES = {
    "leader": RoleStyle(OKABE_ITO["blue"], "*", "leader"),
    "candidate": RoleStyle(OKABE_ITO["orange"], "D", "candidate"),
    "follower": RoleStyle(OKABE_ITO["sky_blue"], "o", "follower"),
}

_SPARE_MARKERS = ["s", "^", "v", "p", "h", "<", ">"]
# Vermillion means "violated / cut" and yellow marks messages, so roles never use them.
_SPARE_COLORS = [OKABE_ITO[k] for k in ("bluish_green", "reddish_purple")]


def role_style(role: str) -> RoleStyle:
    """The style for `role`; an unknown role gets a stable (hash-free) shape and colour."""
    if role in ROLE_STYLES:
        return ROLE_STYLES[role]
    # A deterministic pick: the sum of code points does not depend on PYTHONHASHSEED.
    k = sum(map(ord, role))
    return RoleStyle(_SPARE_COLORS[k % len(_SPARE_COLORS)],
                     _SPARE_MARKERS[k % len(_SPARE_MARKERS)], role)


def new_figure(figsize: tuple[float, float] = DEFAULT_FIGSIZE, dpi: float = DEFAULT_DPI) -> Figure:
    """A standalone figure for a notebook cell.

    Created through pyplot so that a cell ending in ``plt.show()`` displays it; panels instead keep
    one `matplotlib.figure.Figure` of their own (see `distlab.view.panel`), never shown twice.
    """
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, dpi=dpi)


def prepare(fig: Figure | None, figsize: tuple[float, float] = DEFAULT_FIGSIZE,
            dpi: float = DEFAULT_DPI) -> Figure:
    """Return `fig` emptied for a redraw, or a new standalone figure when `fig` is None."""
    if fig is None:
        return new_figure(figsize, dpi)
    fig.clear()
    return fig


def reuse_axes(fig: AnyFigure | None, rect: Sequence[float] = (0.1, 0.1, 0.8, 0.8),
               figsize: tuple[float, float] = DEFAULT_FIGSIZE,
               dpi: float = DEFAULT_DPI) -> tuple[AnyFigure | Figure, Axes]:
    """``(fig, ax)`` with one empty axes at `rect`, reusing the axes `fig` already has.

    The fast path for a panel redraw: clearing an Axes (and creating a new one, which clears it
    again) resets every tick and spine and costs ~10 ms each; removing only the artists the last
    render added is much cheaper.  Only for renders that set their own limits and axis styling
    every time (a render that relies on autoscaling should use `prepare` or `reuse_axes_list`)."""
    fig_, (ax,) = reuse_axes_list(fig, [rect], figsize, dpi, relim=False)
    return fig_, ax


def reuse_axes_list(fig: AnyFigure | None, rects: Sequence[Sequence[float]],
                    figsize: tuple[float, float] = DEFAULT_FIGSIZE, dpi: float = DEFAULT_DPI, *,
                    relim: bool = True) -> tuple[AnyFigure | Figure, list[Axes]]:
    """``(fig, [ax, ...])``: one empty axes per rect of `rects` (in order), reusing the axes `fig`
    already has when they sit at exactly those rects.

    The figure's suptitle, texts and legends are removed; each axes loses its artists, legend and
    title, and (with `relim`) its data limits, so a render may rely on autoscaling."""
    target: AnyFigure | Figure = new_figure(figsize, dpi) if fig is None else fig
    wanted = [_rect(r) for r in rects]
    axes = target.axes
    if [_RECT.get(ax) for ax in axes] == wanted:
        for ax in axes:
            _empty_axes(ax, relim)
        for legend in list(target.legends):
            legend.remove()
        for text in list(target.texts):
            text.remove()  # a suptitle's remove() also forgets it, so a later suptitle() makes a new one
        return target, list(axes)
    target.clear()
    made = []
    for rect in wanted:
        ax = target.add_axes(rect)
        _RECT.put(ax, rect)
        made.append(ax)
    return target, made


def _rect(rect: Sequence[float]) -> Rect:
    left, bottom, width, height = rect
    return left, bottom, width, height


def _empty_axes(ax: Axes, relim: bool) -> None:
    """Remove every artist, the legend and the title from `ax` (and, with `relim`, its data limits)."""
    for artist in [*ax.collections, *ax.patches, *ax.lines, *ax.texts, *ax.images, *ax.artists]:
        artist.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()
    ax.set_title("")
    if relim:
        ax.relim()  # no artists left: forget the old data limits, so autoscaling starts afresh
        ax.autoscale(enable=True)


def label_axes(ax: Axes, *, title: str, xlabel: str | None = None, ylabel: str | None = None) -> None:
    """Title and axis labels in one call; units belong in the labels, e.g. ``"latency (ms)"``."""
    ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)


def figure_png(fig: Figure, dpi: int | None = None) -> bytes:
    """The figure rasterised to PNG bytes (PNG, not SVG: DESIGN.md "Notebooks and their checks")."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()
