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

from collections import OrderedDict
from collections.abc import Callable, Hashable

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox

from .style import new_figure


def _empty(ax) -> None:
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


def reuse_grid(fig, layout: Hashable, build: Callable):
    """``(fig, axes)``: the axes ``build(fig)`` made for `layout`, emptied for a new frame.

    `layout` names the arrangement (e.g. ``("bucket", 2, 1)``); when `fig` still holds exactly the
    axes built for it, they are reused, otherwise the figure is cleared and `build` is called.
    Renders using this must set every limit that is not autoscaled, every frame."""
    if fig is None:
        fig = new_figure()
    if not isinstance(fig.canvas, FigureCanvasAgg) and fig.canvas.manager is None:  # not pyplot's
        FigureCanvasAgg(fig)  # kept by the figure: savefig reuses its renderer and text caches
    axes = getattr(fig, "_distlab_grid", None)
    if (getattr(fig, "_distlab_layout", None) == layout and axes is not None
            and list(fig.axes) == list(axes)):
        for ax in axes:
            _empty(ax)
        for legend in list(fig.legends):
            legend.remove()
        fig.texts.clear()
        return fig, axes
    fig.clear()
    with mpl.rc_context({"axes.titley": 1.0}):  # a fixed title position: no measuring per draw
        made = build(fig)
    axes = tuple(made.flat) if hasattr(made, "flat") else (tuple(made) if isinstance(made, (list, tuple))
                                                             else (made,))
    fig._distlab_layout, fig._distlab_grid = layout, axes
    return fig, axes


_CACHES: list[OrderedDict] = []


def forget_all() -> None:
    """Empty every `remember` cache (benchmarks use it to time first visits honestly)."""
    for cache in _CACHES:
        cache.clear()


class remember:  # noqa: N801 - used as a decorator, like functools.lru_cache
    """Decorator: cache ``f(config)`` for the last `maxsize` configs (a dict is keyed by its sorted
    items).  Results are shared between calls, so callers must treat them as read-only."""

    def __init__(self, maxsize: int = 32):
        if not isinstance(maxsize, int) or maxsize < 1:
            raise ValueError(f"maxsize must be an integer >= 1, got {maxsize!r}")
        self.maxsize = maxsize

    def __call__(self, func: Callable):
        cache: OrderedDict = OrderedDict()
        _CACHES.append(cache)
        maxsize = self.maxsize

        def cached(config):
            key = _key(config)
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
            value = func(config)
            cache[key] = value
            if len(cache) > maxsize:
                cache.popitem(last=False)
            return value

        cached.__name__, cached.__doc__, cached.__wrapped__ = func.__name__, func.__doc__, func
        cached.cache = cache
        return cached


def _key(config) -> Hashable:
    if isinstance(config, dict):
        return tuple(sorted((k, _key(v)) for k, v in config.items()))
    if isinstance(config, list):
        return tuple(_key(v) for v in config)
    # bool and int compare equal (True == 1): keep the type in the key so they never collide
    return (type(config).__name__, config)
