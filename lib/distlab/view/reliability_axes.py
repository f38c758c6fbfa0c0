"""Fast redraws for chapter 5's panels: keep a figure's axes between frames, and remember results.

Profiling a slider change (cProfile, a 2-core machine) showed where a redraw's ~100 ms went: not
the simulations (most take under 1 ms) but matplotlib rebuilding the picture -- clearing the
figure and creating fresh axes (each new axes resets its spines and ticks, then creates every tick
again at draw time), and placing each title above its tick labels by measuring them.  Two helpers
remove those costs without changing what is drawn:

* `reuse_grid` -- the multi-axes cousin of `style.reuse_axes`: the first frame builds the axes
  (``fig.subplots(...)``), later frames only remove the artists the previous frame added and reset
  the data limits, so autoscaling still fits the new data.  Titles are pinned at the top edge
  (no top tick labels exist in these plots, so they sit exactly where the automatic placement
  would put them, without the measuring).
* a persistent Agg canvas -- a bare `Figure` (as `Panel` keeps) gets a *new* Agg canvas, hence a
  new renderer, on every ``savefig``, and matplotlib's text-metrics and mathtext caches are keyed
  by the renderer, so every tick label was measured (and every ``$10^2$`` parsed) again each
  frame.  `reuse_grid` gives such a figure one `FigureCanvasAgg` that it keeps.
* `remember` -- a small bounded LRU cache keyed by the (hashable) config, so moving a slider back
  to a value already seen redraws without re-running the simulation.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, NamedTuple, TypeVar

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from .style import Memo, new_figure


def _empty(ax: Axes) -> None:
    """Remove what the last frame drew on `ax` and forget its data limits (keep ticks, spines)."""
    for artist in [*ax.collections, *ax.patches, *ax.lines, *ax.texts, *ax.images, *ax.artists,
                   *ax.tables]:
        artist.remove()
    ax.containers.clear()
    if ax.legend_ is not None:
        ax.legend_.remove()
    ax.set_title("")
    ax.set_xlabel("")
    ax.set_ylabel("")
    if ax.get_xscale() != "linear":
        ax.set_xscale("linear")
    if ax.get_yscale() != "linear":
        ax.set_yscale("linear")
    ax.dataLim.set(Bbox.null())
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)


class _Grid(NamedTuple):
    """The axes `reuse_grid` built on a figure, and the layout they were built for."""

    layout: Hashable
    axes: tuple[Axes, ...]


_GRID: Memo[_Grid] = Memo("_distlab_grid")


def reuse_grid(fig: Figure | None, layout: Hashable,
               build: Callable[[Figure], Any]) -> tuple[Figure, tuple[Axes, ...]]:
    """``(fig, axes)``: the axes ``build(fig)`` made for `layout`, emptied for a new frame.

    `layout` names the arrangement (e.g. ``("bucket", 2, 1)``); when `fig` still holds exactly the
    axes built for it, they are reused, otherwise the figure is cleared and `build` is called
    (it returns one axes, a list of them or an array, as ``fig.subplots`` does).
    Renders using this must set every limit that is not autoscaled, every frame."""
    if fig is None:
        fig = new_figure()
    if not isinstance(fig.canvas, FigureCanvasAgg) and fig.canvas.manager is None:  # not pyplot's
        FigureCanvasAgg(fig)  # kept by the figure: savefig reuses its renderer and text caches
    grid = _GRID.get(fig)
    if grid is not None and grid.layout == layout and list(fig.axes) == list(grid.axes):
        for ax in grid.axes:
            _empty(ax)
        for legend in list(fig.legends):
            legend.remove()
        fig.texts.clear()
        return fig, grid.axes
    fig.clear()
    with mpl.rc_context({"axes.titley": 1.0}):  # a fixed title position: no measuring per draw
        made = build(fig)
    axes = tuple(made.flat) if hasattr(made, "flat") else (tuple(made) if isinstance(made, (list, tuple))
                                                             else (made,))
    _GRID.put(fig, _Grid(layout, axes))
    return fig, axes


_CACHES: list[OrderedDict[Hashable, Any]] = []


def forget_all() -> None:
    """Empty every `remember` cache (benchmarks use it to time first visits honestly)."""
    for cache in _CACHES:
        cache.clear()


_Config = TypeVar("_Config")
_Result = TypeVar("_Result")


class remember:  # noqa: N801 - used as a decorator, like functools.lru_cache
    """Decorator: cache ``f(config)`` for the last `maxsize` configs (a dict is keyed by its sorted
    items).  Results are shared between calls, so callers must treat them as read-only."""

    def __init__(self, maxsize: int = 32) -> None:
        if not isinstance(maxsize, int) or maxsize < 1:
            raise ValueError(f"maxsize must be an integer >= 1, got {maxsize!r}")
        self.maxsize = maxsize

    def __call__(self, func: Callable[[_Config], _Result]) -> Remembered[_Config, _Result]:
        return Remembered(func, self.maxsize)


class Remembered(Generic[_Config, _Result]):
    """``func(config)`` with the bounded LRU cache `remember` gives it: `cache` maps each config's
    key to its result, least recently used first; `__wrapped__` is the undecorated function."""

    def __init__(self, func: Callable[[_Config], _Result], maxsize: int) -> None:
        self.cache: OrderedDict[Hashable, _Result] = OrderedDict()
        self.maxsize = maxsize
        self.__wrapped__ = func
        functools.update_wrapper(self, func)  # name and docstring, for help() and tracebacks
        _CACHES.append(self.cache)

    def __call__(self, config: _Config) -> _Result:
        key = _key(config)
        cache = self.cache
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        value = self.__wrapped__(config)
        cache[key] = value
        if len(cache) > self.maxsize:
            cache.popitem(last=False)
        return value


def _key(config: object) -> Hashable:
    if isinstance(config, dict):
        return tuple(sorted((k, _key(v)) for k, v in config.items()))
    if isinstance(config, list):
        return tuple(_key(v) for v in config)
    # bool and int compare equal (True == 1): keep the type in the key so they never collide
    return (type(config).__name__, config)
