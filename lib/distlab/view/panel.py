"""`Panel`: the thin wiring between a row of controls and a pure ``render(config, fig=...)``.

The pattern every chapter panel follows (DESIGN.md "Views and widgets")::

    def my_panel(nodes: int = 5, seed: int = 0) -> Panel:   # thin wiring; its defaults are the settings'
        return Panel(render_my, {"nodes": size_control(nodes, min=3, max=9, name="nodes"),
                                 "seed": seed_control(seed, name="seed")})

    @panel_render(defaults=settings_of(my_panel))
    def render_my(config, fig=None) -> Figure:     # pure: config in, figure out; testable alone
        ...

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

One calling style for notebooks: decorate a panel's render with `panel_render`, declaring its
settings and their defaults, and a cell calls it with the same keywords as the panel,
``render_split(low=150, high=150, seed=0)`` next to ``split_panel(low=150, high=155, seed=0)``; a
misspelled setting is refused by name and a setting left out takes its default.  `Panel` keeps
calling ``render(config, fig=...)`` (docs/view-and-grading.md, "One calling style").
"""

from __future__ import annotations

import base64
import difflib
import inspect
import time
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any, Protocol, TypeVar, cast

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
    ``render(config, fig=None)`` for `Panel` (and cells that pass a dict).  `settings` maps every
    setting it takes to its default."""

    @property
    def settings(self) -> Mapping[str, Any]:
        """Every setting of the render, with its default (read-only)."""

    def __call__(self, config: Any = None, /, fig: Figure | None = None, **settings: Any) -> _Shown: ...


def settings_of(function: Callable[..., object], *, leave_out: Collection[str] = ()) -> dict[str, Any]:
    """The parameters of `function` that can be given by keyword and have a default, with that
    default, in order (but those in `leave_out`): ``settings_of(split_panel)`` is
    ``{"low": 150, "high": 150, "seed": 0}``.  A render declares its panel's settings this way, so
    the defaults are written once, in the panel's signature."""
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name: p.default for p in inspect.signature(function).parameters.values()
            if p.kind in keyword and p.default is not p.empty and p.name not in leave_out}


def fill_settings(caller: str, defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``{**defaults, **given}``; a name of `given` that `defaults` lacks raises a `TypeError`
    naming it and `caller`, suggesting the closest setting and listing them all::

        render_split() got an unexpected setting 'lo' (did you mean 'low'?); its settings are low, high, seed
    """
    unknown = [name for name in given if name not in defaults]
    if unknown:
        known = [str(name) for name in defaults]
        words = []
        for name in unknown:
            close = difflib.get_close_matches(str(name), known, n=1)
            words.append(repr(name) + (f" (did you mean {close[0]!r}?)" if close else ""))
        plural = "s" if len(unknown) > 1 else ""
        raise TypeError(f"{caller}() got an unexpected setting{plural} {', '.join(words)}; "
                        f"its settings are {', '.join(known) or 'none'}")
    return {**defaults, **given}


def panel_render(*, defaults: Mapping[str, Any]) -> Callable[[ConfigRender[_Shown]], PanelRender[_Shown]]:
    """Decorator: let a panel's ``render(config, fig=None)`` also be called with keywords, as
    notebooks do, and know its settings: ``@panel_render(defaults=settings_of(split_panel))``.

    * ``render_split(low=150, high=300)`` draws ``{"low": 150, "high": 300, "seed": 0}``: settings
      left out take their `defaults`; an unknown one raises `TypeError` (`fill_settings`);
    * a dict config is the same as keywords (``render_split(dict(low=150, high=300))``), and
      keywords next to it override its entries (``render_timeline(EXAMPLE, read_result="nothing")``);
    * `Panel` calls ``render(config, fig=fig)``: a dict holding exactly the settings, or any other
      object (a `make_config` dataclass), is passed through untouched.

    The render gets a real signature, ``(config=None, /, fig=None, *, low=150, high=150, seed=0)``,
    so Shift-Tab and tab completion show the settings, and ``render.settings`` maps them to their
    defaults."""
    settings: Mapping[str, Any] = MappingProxyType(dict(defaults))

    def decorate(render: ConfigRender[_Shown]) -> PanelRender[_Shown]:
        return _keyword_render(render, settings)

    return decorate


def _keyword_render(render: ConfigRender[_Shown], settings: Mapping[str, Any]) -> PanelRender[_Shown]:
    name = getattr(render, "__name__", "render")

    def call(config: Any = None, /, fig: Figure | None = None, **given: Any) -> _Shown:
        if config is None:
            config = fill_settings(name, settings, given)
        elif isinstance(config, Mapping):
            if given or config.keys() != settings.keys():  # Panel's dict of every setting: as it is
                config = fill_settings(name, settings, {**config, **given})
        elif given:
            raise TypeError(f"{name}() can add keyword settings to a dict config only, "
                            f"not to a {type(config).__name__!r}")
        return render(config, fig=fig)

    call.__module__ = render.__module__
    call.__name__ = name
    call.__qualname__ = getattr(render, "__qualname__", name)
    call.__doc__ = render.__doc__
    call.__annotations__["return"] = getattr(render, "__annotations__", {}).get("return", "object")
    parameter = inspect.Parameter
    call.__dict__["__signature__"] = inspect.Signature(
        [parameter("config", parameter.POSITIONAL_ONLY, default=None),
         parameter("fig", parameter.POSITIONAL_OR_KEYWORD, default=None),
         *(parameter(setting, parameter.KEYWORD_ONLY, default=value) for setting, value in settings.items())])
    call.__dict__["settings"] = settings
    return cast("PanelRender[_Shown]", call)


class Panel:
    """Controls + ``render`` + an `ipywidgets.Output`, redrawn on every control change.

    Attributes read by tests and benchmarks: ``last_config``, ``last_result``, ``last_png``,
    ``last_render_ms`` (config -> finished PNG, in milliseconds), ``render_count``, ``last_error``.
    `clock` returns seconds; it is injectable so tests can make render times deterministic.
    ``on_release=True`` makes every slider redraw only when released (for renders that run a
    simulation of a few hundred milliseconds).
    """

    def __init__(self, render: ConfigRender[object], controls: Mapping[str, widgets.ValueWidget], *,
                 make_config: Callable[..., object] | None = None,
                 figsize: tuple[float, float] = DEFAULT_FIGSIZE, dpi: float = DEFAULT_DPI,
                 extra: widgets.Widget | None = None, clock: Callable[[], float] = time.perf_counter,
                 draw_now: bool = True, on_release: bool = False) -> None:
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
        self._links: dict[int, Callable[[Any], None]] = {}
        self._linking = False
        for control in self.controls.values():
            if on_release and hasattr(control, "continuous_update"):  # a slow render: redraw on release
                control.continuous_update = False
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

    def link(self, name: str, follow: Callable[[Any], None]) -> None:
        """Keep other controls in step with control ``name`` (a replica set and its leader menu, N
        and the W/R sliders): when it changes, ``follow(new_value)`` adjusts them without a redraw
        per adjustment, and then the panel redraws once, so no in-between setting is ever rendered."""
        self._links[id(self.controls[name])] = follow

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if self._linking:
            return
        follow = self._links.get(id(change["owner"]))
        if follow is not None:
            self._linking = True
            try:
                follow(change["new"])
            finally:
                self._linking = False
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
            self.last_error, self.last_png = str(exc), None  # no stale picture stands for the error
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
        self.last_png = None
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
