"""`Panel`: the thin wiring between a row of controls and a pure ``render(config, fig=...)``.

The pattern every chapter panel follows (DESIGN.md "Views and widgets")::

    def render(config, fig=None) -> Figure:      # pure: config in, figure out; testable alone
        ...

    def my_panel(**defaults) -> Panel:           # thin wiring
        return Panel(render, {"nodes": size_control(5, min=3, max=9), "seed": seed_control()})

When any control changes, the panel builds a fresh config (a dict of control values, or whatever
`make_config` turns them into), redraws **one reused Figure**, rasterises it to PNG and replaces the
`Output` widget's contents in a single assignment.  That is the effect of
``clear_output(wait=True)`` followed by ``display(...)`` -- no flicker -- but it needs no running
kernel, so plain pytest can set ``slider.value = 5`` and inspect `last_config`, `last_result`,
`last_png` and `last_render_ms`.

The contract for ``render(config, fig)``: draw the whole picture into `fig` from scratch, starting
with `style.prepare(fig)` (clears everything) or `style.reuse_axes(fig, rect)` (keeps the one
axes and removes only its artists: much faster, for renders that set their own limits).  The
panel does not clear the figure itself, so a render can take the fast path.
`render` may also return a ``str`` (shown as HTML) or any other object (shown as text).

One calling style for notebooks: decorate a panel's render with `panel_render` and a cell calls it
with the same keywords as the panel, ``render_split(low=150, high=150, seed=0)`` next to
``split_panel(low=150, high=155, seed=0)``, while `Panel` keeps calling ``render(config, fig=...)``
(docs/view-and-grading.md, "One calling style").
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .style import DEFAULT_DPI, DEFAULT_FIGSIZE, figure_png

_Shown = TypeVar("_Shown", covariant=True)


class ConfigRender(Protocol[_Shown]):
    """What `Panel` calls: ``render(config, fig=None)``, `config` being the dict of control values
    (or what the panel's `make_config` made of them)."""

    def __call__(self, config: Any, /, fig: Figure | None = None) -> _Shown: ...


class PanelRender(Protocol[_Shown]):
    """A render made by `panel_render`: ``render(**settings)`` in a notebook cell, and still
    ``render(config, fig=None)`` for `Panel` (and older cells that pass a dict)."""

    def __call__(self, config: Any = None, /, fig: Figure | None = None, **settings: Any) -> _Shown: ...


def panel_render(render: ConfigRender[_Shown]) -> PanelRender[_Shown]:
    """Let a panel's ``render(config, fig=None)`` also be called with keywords, as notebooks do.

    ``render_split(low=150, high=150, seed=0)`` is ``render_split({"low": 150, "high": 150,
    "seed": 0})``; keywords given next to a dict override its entries
    (``render_timeline(EXAMPLE, read_result="nothing")``), and no config at all is an empty dict.
    `Panel` calls ``render(config, fig=fig)`` unchanged: with no keywords the config (a dict or a
    `make_config` object) is passed through as it is."""

    def call(config: Any = None, /, fig: Figure | None = None, **settings: Any) -> _Shown:
        if settings or config is None:
            config = {**(config or {}), **settings}
        return render(config, fig=fig)

    call.__module__ = render.__module__
    call.__name__ = getattr(render, "__name__", "render")
    call.__qualname__ = getattr(render, "__qualname__", call.__name__)
    call.__doc__ = render.__doc__
    call.__annotations__["return"] = getattr(render, "__annotations__", {}).get("return", "object")
    return call


class Panel:
    """Controls + ``render`` + an `ipywidgets.Output`, redrawn on every control change.

    Attributes read by tests and benchmarks: ``last_config``, ``last_result``, ``last_png``,
    ``last_render_ms`` (config -> finished PNG, in milliseconds), ``render_count``, ``last_error``.
    `clock` returns seconds; it is injectable so tests can make render times deterministic.
    """

    def __init__(self, render: ConfigRender[object], controls: Mapping[str, widgets.ValueWidget], *,
                 make_config: Callable[..., object] | None = None,
                 figsize: tuple[float, float] = DEFAULT_FIGSIZE, dpi: float = DEFAULT_DPI,
                 extra: widgets.Widget | None = None, clock: Callable[[], float] = time.perf_counter,
                 draw_now: bool = True) -> None:
        if not callable(render):
            raise ValueError(f"render must be callable, got {render!r}")
        self.render = render
        self.controls = dict(controls)
        self.make_config = make_config
        self.figure = Figure(figsize=figsize, dpi=dpi)
        # one Agg canvas kept for the panel's life: savefig then reuses its renderer, and with it
        # matplotlib's text-measurement and mathtext caches (a bare Figure gets a new canvas per save)
        FigureCanvasAgg(self.figure)
        self.output = widgets.Output()
        self.clock = clock
        self.last_config: object = None
        self.last_result: object = None
        self.last_png: bytes | None = None
        self.last_render_ms: float | None = None
        self.last_error: str | None = None
        self.render_count = 0
        self._listeners: list[Callable[[Panel], None]] = []
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        row = list(self.controls.values())
        self.reseed_button: widgets.Button | None = None
        seed = self.controls.get("seed")
        if seed is not None and hasattr(seed, "max"):
            # the same experiment with the next seed: one click shows what was luck and what was not
            self.reseed_button = widgets.Button(description="another seed", icon="refresh",
                                                tooltip="re-run with the next seed")
            self.reseed_button.on_click(self._next_seed)
            row.append(self.reseed_button)
        children = [widgets.HBox(row)]
        if extra is not None:
            children.append(extra)
        children.append(self.output)
        self.widget = widgets.VBox(children)
        if draw_now:
            self.redraw()

    # -- config ---------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def config(self) -> object:
        """The config handed to ``render``: `make_config(**values)` or the values dict itself."""
        values = self.values()
        return self.make_config(**values) if self.make_config else values

    # -- drawing ---------------------------------------------------------------------------------
    def on_redraw(self, listener: Callable[[Panel], None]) -> None:
        """Call `listener(panel)` after every redraw (e.g. to update badges next to the plot)."""
        self._listeners.append(listener)

    def _on_change(self, change: object) -> None:
        self.redraw()

    def _next_seed(self, _button: object = None) -> None:
        seed = self.controls["seed"]
        seed.value = seed.min if seed.value >= seed.max else seed.value + 1  # redraws via observe

    def redraw(self) -> None:
        """Render the current config and show it.  Errors are shown in the panel, never raised,
        so a learner's bad combination of settings cannot turn a cell red."""
        start = self.clock()
        try:
            config = self.config()
            result = self.render(config, fig=self.figure)
            output = self._to_output(result)
            self.last_error = None
        except ValueError as exc:  # bad input is reported by the library as ValueError
            config, result = None, None
            self.last_error = str(exc)
            output = {"output_type": "display_data", "metadata": {},
                      "data": {"text/plain": f"Cannot draw this: {exc}",
                               "text/html": f"<b>Cannot draw this:</b> {_escape(str(exc))}"}}
        self.output.outputs = (output,)
        self.last_config, self.last_result = config, result
        self.last_render_ms = (self.clock() - start) * 1000.0
        self.render_count += 1
        for listener in self._listeners:
            listener(self)

    def _to_output(self, result: object) -> dict[str, Any]:
        if isinstance(result, Figure):
            self.last_png = figure_png(result)
            data = {"image/png": base64.b64encode(self.last_png).decode("ascii"),
                    "text/plain": f"<Figure: {_suptitle(result)}>"}
        elif isinstance(result, str):
            data = {"text/html": result, "text/plain": result}
        else:
            data = {"text/plain": repr(result)}
        return {"output_type": "display_data", "data": data, "metadata": {}}

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)


def _suptitle(fig: Figure) -> str:
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    return "; ".join(titles) or "figure"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
