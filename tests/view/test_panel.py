import itertools

import pytest

from distlab.view.controls import seed_control, size_control
from distlab.view.panel import Panel
from distlab.view.style import prepare

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def render_bars(config, fig=None):
    """A toy pure render: `n` bars whose heights depend on the seed."""
    fig = prepare(fig)
    ax = fig.add_subplot()
    n = config["n"]
    if n == 4:
        raise ValueError("n must not be 4 (a test of the error path)")
    ax.bar(range(n), [(config["seed"] + i) % 7 for i in range(n)], label="height")
    ax.set_title(f"{n} bars")
    ax.set_xlabel("bar (index)")
    ax.set_ylabel("height (units)")
    ax.legend()
    return fig


def make_panel(**kw):
    return Panel(render_bars, {"n": size_control(3, min=1, max=9), "seed": seed_control(0)}, **kw)


def test_moving_a_slider_redraws_with_the_new_config():
    p = make_panel()
    assert p.render_count == 1 and p.last_config == {"n": 3, "seed": 0}
    p.controls["n"].value = 5
    assert p.render_count == 2
    assert p.last_config == {"n": 5, "seed": 0}
    ax = p.figure.axes[0]
    assert ax.get_title() == "5 bars" and len(ax.patches) == 5
    assert p.last_png.startswith(PNG_MAGIC)
    out = p.output.outputs
    assert len(out) == 1 and "image/png" in out[0]["data"]
    assert out[0]["data"]["text/plain"] == "<Figure: 5 bars>"


def test_the_figure_is_reused_not_recreated():
    p = make_panel()
    fig = p.figure
    for n in (2, 6, 9):
        p.controls["n"].value = n
        assert p.last_result is fig
        assert len(fig.axes) == 1


def test_bad_settings_are_shown_not_raised_and_recover():
    p = make_panel()
    p.controls["n"].value = 4
    assert p.last_error and "n must not be 4" in p.last_error
    assert "Cannot draw this" in p.output.outputs[0]["data"]["text/plain"]
    p.controls["n"].value = 6
    assert p.last_error is None and "image/png" in p.output.outputs[0]["data"]


def test_an_error_leaves_no_stale_picture_behind():
    p = make_panel()
    assert p.last_png.startswith(PNG_MAGIC)
    p.controls["n"].value = 4
    assert p.last_png is None, "a test comparing pictures would read the error as 'no change'"
    p.controls["n"].value = 5
    assert p.last_png.startswith(PNG_MAGIC)


def test_render_time_uses_the_injected_clock_and_listeners_run():
    ticks = itertools.count(0.0, 0.25)
    p = make_panel(clock=lambda: next(ticks))
    seen = []
    p.on_redraw(lambda panel: seen.append(panel.last_config["seed"]))
    p.controls["seed"].value = 11
    assert p.last_render_ms == pytest.approx(250.0)
    assert seen == [11]


def test_make_config_and_non_figure_results():
    p = Panel(lambda cfg, fig=None: f"<b>{cfg}</b>", {"n": size_control(2, min=1, max=3)},
              make_config=lambda n: n * 10)
    p.controls["n"].value = 3
    assert p.last_config == 30
    assert p.output.outputs[0]["data"]["text/html"] == "<b>30</b>"
    with pytest.raises(ValueError, match="render must be callable"):
        Panel("not a function", {})


def test_a_panel_with_a_seed_gets_an_another_seed_button_that_redraws():
    import ipywidgets as widgets

    from distlab.view.controls import seed_control
    from distlab.view.panel import Panel

    panel = Panel(lambda config, fig=None: config["seed"], {"seed": seed_control(4)})
    assert panel.reseed_button is not None and panel.reseed_button in panel.widget.children[0].children
    before = panel.render_count
    panel.reseed_button.click()
    assert panel.controls["seed"].value == 5 and panel.last_result == 5
    assert panel.render_count == before + 1
    panel.controls["seed"].value = panel.controls["seed"].max
    panel.reseed_button.click()  # wraps around instead of leaving the valid range
    assert panel.controls["seed"].value == 0
    assert Panel(lambda c, fig=None: 0, {"n": widgets.IntSlider(3)}).reseed_button is None


def test_importing_the_view_freezes_the_long_lived_objects():
    """Full collections must not walk the session's ~10^5 permanent objects during a redraw."""
    import subprocess
    import sys

    code = "import gc, distlab.view; print(gc.get_freeze_count())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert int(out.stdout) > 50_000


def test_on_release_makes_every_slider_redraw_only_when_released():
    assert make_panel().controls["n"].continuous_update is True
    slow = make_panel(on_release=True)
    assert all(c.continuous_update is False for c in slow.controls.values())
    from distlab.view import reliability as rv

    assert rv.storm_panel().controls["budget_tokens"].continuous_update is False


def test_a_linked_control_adjusts_the_others_and_the_panel_redraws_once():
    seen = []

    def render(config, fig=None):
        if config["seed"] > config["n"]:
            raise AssertionError(f"an in-between setting was rendered: {config}")
        seen.append(dict(config))
        return render_bars(config, fig)

    p = Panel(render, {"n": size_control(5, min=1, max=9), "seed": seed_control(5)})
    p.link("n", lambda n: setattr(p.controls["seed"], "value", min(p.controls["seed"].value, n)))
    p.controls["n"].value = 2  # the link lowers the seed to 2 before anything is drawn
    assert p.render_count == 2 and seen[-1] == {"n": 2, "seed": 2}
    p.controls["seed"].value = 1  # an unlinked control redraws as before
    assert p.render_count == 3
    with pytest.raises(KeyError):
        p.link("nodes", print)
