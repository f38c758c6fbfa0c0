"""One calling style for panels (docs/view-and-grading.md): a panel takes its settings as keywords
with defaults, and a render of those settings takes the same keywords -- ``split_panel(low=150,
high=155, seed=0)`` beside ``render_split(low=150, high=150, seed=0)`` -- while `Panel` (and older
cells) still call ``render(config, fig=None)`` with a dict."""
import importlib
import inspect
import pkgutil

import pytest
from matplotlib.figure import Figure

import distlab.view
from distlab.view.panel import Panel, panel_render
from distlab.view.style import figure_png


def _public_functions():
    """``(module name, function name, function)`` for every function a view module defines."""
    for info in pkgutil.walk_packages(distlab.view.__path__, "distlab.view."):
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == info.name:
                yield info.name, name, fn


FUNCTIONS = list(_public_functions())


def _is_panel_render(fn):
    params = list(inspect.signature(fn).parameters.values())
    return (params[0].kind is inspect.Parameter.POSITIONAL_ONLY and params[0].name == "config"
            and any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params))


def test_every_render_of_settings_also_takes_keywords():
    """A render whose first parameter is a config is a `panel_render` (renders of a computed
    result, like ``render_quorum(run)``, take that result instead)."""
    renders = [(m, n, f) for m, n, f in FUNCTIONS if n.startswith("render_")]
    of_settings = [(m, n, f) for m, n, f in renders
                   if next(iter(inspect.signature(f).parameters)) == "config"]
    assert len(of_settings) >= 25  # every chapter's panels
    assert [f"{m}.{n}" for m, n, f in of_settings if not _is_panel_render(f)] == []


def test_every_panel_takes_its_settings_as_keywords_with_defaults():
    panels = [(m, n, f) for m, n, f in FUNCTIONS if n.endswith("_panel")]
    assert len(panels) >= 20
    for module, name, fn in panels:
        for p in inspect.signature(fn).parameters.values():
            assert p.kind is p.VAR_KEYWORD or (p.kind is not p.POSITIONAL_ONLY
                                               and p.default is not p.empty), f"{module}.{name}: {p}"


def test_keywords_a_dict_and_a_dict_with_overrides_draw_the_same_picture():
    from distlab.view import consensus as cv, reliability as rv

    def png(render, *args, **kwargs):
        return figure_png(render(*args, fig=Figure(figsize=(6.4, 4.4), dpi=80), **kwargs))

    assert png(cv.render_split, low=150, high=300, seed=1) == png(cv.render_split, dict(low=150, high=300, seed=1))
    assert png(cv.render_split, dict(low=150, high=150, seed=1), high=300) == \
        png(cv.render_split, low=150, high=300, seed=1)
    bucket = dict(rate=5, bucket=10, burstiness=30, seed=0)
    assert png(rv.render_bucket, **bucket) == png(rv.render_bucket, bucket)


def test_panel_render_passes_panel_configs_through_and_names_the_render():
    seen = []

    def render_toy(config, fig=None):
        """A toy render."""
        seen.append(config)
        return "drawn"

    render = panel_render(render_toy)
    assert (render.__name__, render.__doc__, render.__module__) == ("render_toy", "A toy render.", __name__)
    made = object()
    assert render(made) == "drawn" and seen[-1] is made  # e.g. a `make_config` dataclass, untouched
    render(n=2)
    render({"n": 1, "seed": 3}, n=2)
    render()
    assert seen[1:] == [{"n": 2}, {"n": 2, "seed": 3}, {}]
    panel = Panel(render, {}, make_config=lambda: made)
    assert panel.last_result == "drawn" and seen[-1] is made
    with pytest.raises(TypeError):
        render(made, n=2)  # keywords can only override a dict's entries
