"""One calling style for panels (docs/view-and-grading.md): a panel takes its settings as keywords
with defaults, and a render of those settings takes the same keywords -- ``split_panel(low=150,
high=155, seed=0)`` beside ``render_split(low=150, high=150, seed=0)`` -- while `Panel` (and older
cells) still call ``render(config, fig=None)`` with a dict.

Every render of settings knows them (`panel_render(defaults=...)`): a misspelled one is refused by
name, one left out takes its default (the panel's), and the signature lists them all; every panel
refuses a starting value its controls cannot hold, naming the parameter."""
import importlib
import inspect
import pkgutil
from collections.abc import Mapping

import ipywidgets as widgets
import jedi
import pytest
from matplotlib.figure import Figure

import distlab.view
from distlab.view.panel import Panel, fill_settings, panel_render, settings_of
from distlab.view.style import figure_png


def _public_functions():
    """``(module name, function name, function)`` for every function a view module defines."""
    for info in pkgutil.walk_packages(distlab.view.__path__, "distlab.view."):
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == info.name:
                yield info.name, name, fn


FUNCTIONS = list(_public_functions())
RENDERS = [(m, n, f) for m, n, f in FUNCTIONS if n.startswith("render_")
           and next(iter(inspect.signature(f).parameters)) == "config"]
PANEL_RENDERS = [pytest.param(f, id=f"{m}.{n}") for m, n, f in RENDERS if isinstance(getattr(f, "settings", None),
                                                                                   Mapping)]
PANELS = [pytest.param(f, id=f"{m}.{n}") for m, n, f in FUNCTIONS if n.endswith("_panel")]


def _png(render, *args, **kwargs):
    return figure_png(render(*args, fig=Figure(figsize=(6.4, 4.4), dpi=60), **kwargs))


def _drawn(result):
    """A render's result as something comparable: PNG bytes for a figure, the HTML otherwise."""
    return figure_png(result) if isinstance(result, Figure) else result


@pytest.fixture
def undrawn(monkeypatch):
    """Panels built without drawing (their controls are what these tests look at)."""
    monkeypatch.setattr(Panel, "redraw", lambda self: None)


# ------------------------------------------------------------------------------ every render
def test_every_render_of_settings_declares_its_settings():
    """A render whose first parameter is a config is a `panel_render` with its settings declared
    (renders of a computed result, like ``render_quorum(run)``, take that result instead)."""
    assert len(RENDERS) >= 25  # every chapter's panels
    assert [f"{m}.{n}" for m, n, f in RENDERS if not isinstance(getattr(f, "settings", None), Mapping)] == []
    assert all(f.settings for _, _, f in RENDERS)


@pytest.mark.parametrize("render", PANEL_RENDERS)
def test_the_signature_lists_every_setting_with_its_default(render):
    params = list(inspect.signature(render).parameters.values())
    kind = inspect.Parameter
    assert [(p.name, p.kind, p.default) for p in params[:2]] == [
        ("config", kind.POSITIONAL_ONLY, None), ("fig", kind.POSITIONAL_OR_KEYWORD, None)]
    assert {p.name: p.default for p in params[2:]} == dict(render.settings)
    assert all(p.kind is p.KEYWORD_ONLY for p in params[2:])


@pytest.mark.parametrize("render", PANEL_RENDERS)
def test_an_unknown_setting_is_refused_naming_it_and_listing_the_settings(render):
    listed = ", ".join(render.settings)
    expected = f"{render.__name__}() got an unexpected setting 'zzz_no_such_setting'; its settings are {listed}"
    for call in (lambda: render(zzz_no_such_setting=1), lambda: render({"zzz_no_such_setting": 1}),
                 lambda: render(dict(render.settings, zzz_no_such_setting=1)),
                 lambda: render(dict(render.settings), zzz_no_such_setting=1)):
        with pytest.raises(TypeError) as err:
            call()
        assert str(err.value) == expected
    first = next(iter(render.settings))
    typo = first + "s"  # a near miss: the closest setting is suggested
    with pytest.raises(TypeError, match=rf"unexpected setting '{typo}' \(did you mean '\w+'\?\)"):
        render(**{typo: 1})


@pytest.mark.parametrize("render", PANEL_RENDERS)
def test_no_keywords_at_all_draws_the_defaults(render):
    drawn = render(fig=Figure(figsize=(6.4, 4.4), dpi=60))
    assert isinstance(drawn, Figure | str)
    explicit = render(**render.settings, fig=Figure(figsize=(6.4, 4.4), dpi=60))
    assert _drawn(drawn) == _drawn(explicit)


def test_tab_completion_and_shift_tab_see_the_settings():
    from distlab.view import consensus as cv

    script = jedi.Interpreter("cv.render_split(hi", [{"cv": cv}])
    assert "high=" in [c.name for c in script.complete()]
    assert "low=150, high=150, seed=0" in str(script.get_signatures()[0])


# ------------------------------------------------------------------------------ what learners typed
@pytest.mark.parametrize("call, message", [
    ("cv.render_split(lo=150)",
     "render_split() got an unexpected setting 'lo' (did you mean 'low'?); its settings are low, high, seed"),
    ("tv.render_twopc(terminaton=True)", "'terminaton' (did you mean 'termination'?)"),
    ("tv.render_saga(failstep='charge_card')", "'failstep' (did you mean 'fail_step'?)"),
    ("tv.render_charges(retry=3)", "'retry' (did you mean 'retries'?)"),
    ("tv.render_outbox(inbx=True)", "'inbx' (did you mean 'inbox'?)"),
    ("rv.render_breaker(treshold=5)", "'treshold' (did you mean 'threshold'?)"),
    ("rv.render_bucket(rat=5)", "'rat' (did you mean 'rate'?)"),
    ("sv.render_scene(polcy='any')", "'polcy' (did you mean 'policy'?)"),
    ("cv.render_sequence(proposer=2)", "render_sequence() got an unexpected setting 'proposer' (did you mean"),
    ("cv.render_split(dict(lo=150, hi=300))", "unexpected settings 'lo' (did you mean 'low'?), 'hi' (did you mean"),
])
def test_the_reviews_typos_are_refused_by_name(call, message):
    from distlab.view import consensus as cv, consistency as sv, reliability as rv, transactions as tv

    with pytest.raises(TypeError) as err:
        eval(call, {"cv": cv, "sv": sv, "rv": rv, "tv": tv})
    assert message in str(err.value)


def test_settings_left_out_take_the_panels_defaults():
    from distlab.view import consensus as cv, reliability as rv

    assert dict(cv.render_split.settings) == settings_of(cv.split_panel) == {"low": 150, "high": 150, "seed": 0}
    assert _png(cv.render_split, low=150) == _png(cv.render_split, low=150, high=150, seed=0)
    assert _png(rv.render_bucket, rate=7) == _png(rv.render_bucket, dict(rate=7, bucket=10, burstiness=30, seed=0))


def test_a_bad_range_is_named_by_the_settings_names():
    from distlab.view import consensus as cv

    with pytest.raises(ValueError, match=r"10 <= low <= high <= 1000 ms, got low=400, high=300"):
        cv.render_split(low=400, high=300)
    with pytest.raises(ValueError, match="low_ms <= high_ms"):  # the run function keeps its own names
        cv.split_run(400, 300)


# ------------------------------------------------------------------------------ every panel
def test_every_panel_takes_its_settings_as_keywords_with_defaults():
    assert len(PANELS) >= 20
    for param in PANELS:
        fn = param.values[0]
        for p in inspect.signature(fn).parameters.values():
            assert p.kind is p.VAR_KEYWORD or (p.kind is not p.POSITIONAL_ONLY
                                               and p.default is not p.empty), f"{param.id}: {p}"


@pytest.mark.parametrize("make_panel", PANELS)
def test_a_panel_starts_at_its_renders_defaults(make_panel, undrawn):
    panel = make_panel()
    settings = getattr(panel.render, "settings", None)
    if settings is None:  # a panel of a computed result (quorum_panel)
        return
    assert set(panel.controls) <= set(settings)
    assert {name: c.value for name, c in panel.controls.items()} == {name: settings[name] for name in panel.controls}


def _out_of_reach(control):
    """Starting values `control` cannot hold: ``(the refusal's words, values)``."""
    if isinstance(control, widgets.Checkbox):
        return "must be True or False", ["yes", 1, None]
    if hasattr(control, "options"):
        return "must be one of", ["no such option"]
    if hasattr(control, "base"):  # a log slider: min and max are exponents
        return "must be in", [control.base ** control.max * 10, control.base ** control.min / 10]
    if hasattr(control, "max"):
        step = getattr(control, "step", None) or 1
        return "must be in", [control.max + step, control.min - step]
    return None


@pytest.mark.parametrize("make_panel", PANELS)
def test_every_panel_refuses_a_start_its_controls_cannot_hold(make_panel, undrawn):
    controls = make_panel().controls
    for name, control in controls.items():
        words, values = _out_of_reach(control)
        for value in values:
            with pytest.raises(ValueError) as err:
                make_panel(**{name: value})
            assert str(err.value).startswith(f"{name} {words}"), (name, value, str(err.value))



@pytest.mark.parametrize("make_panel", [p for p in PANELS if any(
    q.kind is q.VAR_KEYWORD for q in inspect.signature(p.values[0]).parameters.values())])
def test_a_panel_of_keyword_settings_refuses_an_unknown_one(make_panel, undrawn):
    with pytest.raises(TypeError, match=r"_panel\(\) got an unexpected setting 'zzz'; its settings are "):
        make_panel(zzz=True)


# ------------------------------------------------------------------------------ panel_render itself
def test_keywords_a_dict_and_a_dict_with_overrides_draw_the_same_picture():
    from distlab.view import consensus as cv, reliability as rv

    assert _png(cv.render_split, low=150, high=300, seed=1) == _png(cv.render_split, dict(low=150, high=300, seed=1))
    assert _png(cv.render_split, dict(low=150, high=150, seed=1), high=300) == \
        _png(cv.render_split, low=150, high=300, seed=1)
    bucket = dict(rate=5, bucket=10, burstiness=30, seed=0)
    assert _png(rv.render_bucket, **bucket) == _png(rv.render_bucket, bucket)


def test_panel_render_passes_panel_configs_through_and_names_the_render():
    seen = []

    def render_toy(config, fig=None):
        """A toy render."""
        seen.append(config)
        return "drawn"

    render = panel_render(defaults=dict(n=0, seed=0))(render_toy)
    assert (render.__name__, render.__doc__, render.__module__) == ("render_toy", "A toy render.", __name__)
    assert str(inspect.signature(render)) == "(config=None, /, fig=None, *, n=0, seed=0)"
    made = object()
    assert render(made) == "drawn" and seen[-1] is made  # e.g. a `make_config` dataclass, untouched
    full = {"seed": 4, "n": 3}
    render(full)
    assert seen[-1] is full  # a dict of every setting (Panel's) is passed as it is
    render(n=2)
    render({"n": 1, "seed": 3}, n=2)
    render()
    render({"seed": 5})
    assert seen[-4:] == [{"n": 2, "seed": 0}, {"n": 2, "seed": 3}, {"n": 0, "seed": 0}, {"n": 0, "seed": 5}]
    panel = Panel(render, {}, make_config=lambda: made)
    assert panel.last_result == "drawn" and seen[-1] is made
    with pytest.raises(TypeError, match="dict config only"):
        render(made, n=2)  # keywords can only override a dict's entries
    with pytest.raises(TypeError, match="unexpected setting 'sed' \\(did you mean 'seed'\\?\\)"):
        render(sed=2)


def test_fill_settings_lists_every_unknown_name_and_suggests_only_close_ones():
    defaults = {"low": 1, "high": 2}
    assert fill_settings("f", defaults, {"high": 5}) == {"low": 1, "high": 5}
    with pytest.raises(TypeError) as err:
        fill_settings("f", defaults, {"hgh": 1, "colour": 2})
    assert str(err.value) == ("f() got an unexpected settings 'hgh' (did you mean 'high'?), 'colour'; "
                              "its settings are low, high")


def test_settings_of_reads_keyword_defaults_in_order():
    def f(a, b=1, /, c=2, *args, d, e=3, **kw):
        """Mixed parameters."""

    assert settings_of(f) == {"c": 2, "e": 3}
    assert settings_of(f, leave_out=("c",)) == {"e": 3}
