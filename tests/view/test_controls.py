import ipywidgets as widgets
import pytest
import traitlets
from hypothesis import given, settings, strategies as st

from distlab.view.controls import (
    FAULTS,
    MAX_SEED,
    choice_control,
    fault_control,
    fraction_control,
    log_control,
    seed_control,
    size_control,
    switch_control,
)


@settings(max_examples=40)
@given(lo=st.integers(0, 20), span=st.integers(0, 20), attempt=st.integers(-100, 100))
def test_size_slider_clamps_any_assignment_into_its_bounds(lo, span, attempt):
    s = size_control(lo, min=lo, max=lo + span)
    s.value = attempt
    assert lo <= s.value <= lo + span


def test_seed_box_clamps_to_valid_seeds():
    s = seed_control(7)
    s.value = -5
    assert s.value == 0
    s.value = MAX_SEED + 10
    assert s.value == MAX_SEED


@pytest.mark.parametrize("kwargs, words", [
    (dict(value=10, min=3, max=9), ["value", "[3, 9]"]),
    (dict(value=5, min=9, max=3), ["min", "max"]),
    (dict(value=5, min=1, max=9, step=0), ["step"]),
    (dict(value=5.5, min=1, max=9), ["value", "integer"]),
])
def test_size_control_rejects_bad_arguments_naming_the_parameter(kwargs, words):
    with pytest.raises(ValueError) as err:
        size_control(**kwargs)
    for w in words:
        assert w in str(err.value)


def test_seed_and_fraction_validation():
    with pytest.raises(ValueError, match="value"):
        seed_control(-1)
    with pytest.raises(ValueError, match=r"value must be in \[0.0, 1.0\]"):
        fraction_control(1.5)
    f = fraction_control(0.5)
    f.value = 3.0
    assert f.value == 1.0


def test_fault_menu_only_accepts_its_options():
    d = fault_control()
    assert d.value == "none" and tuple(d.options) == FAULTS
    with pytest.raises(traitlets.TraitError):
        d.value = "meteor strike"
    assert d.value == "none"
    with pytest.raises(ValueError, match="value must be one of"):
        fault_control(("none", "crash"), "pause")
    with pytest.raises(ValueError, match="distinct"):
        fault_control(("crash", "crash"))
    assert isinstance(fault_control(("crash", "heal"), "heal"), widgets.Dropdown)


@pytest.mark.parametrize("make, words", [
    (lambda: size_control(60, min=1, max=50, name="rate"), "rate must be in [1, 50], got 60"),
    (lambda: size_control(2.5, min=1, max=50, name="rate"), "rate must be an integer, got 2.5"),
    (lambda: seed_control(-1, name="seed"), "seed must be in [0, 2147483647], got -1"),
    (lambda: seed_control(10_001, name="seed", max=10_000), "seed must be in [0, 10000], got 10001"),
    (lambda: fraction_control(16.0, min=0.5, max=15.0, step=0.5, name="cooldown"), "cooldown must be in [0.5, 15.0]"),
    (lambda: fraction_control("x", name="lag"), "lag must be a number, got 'x'"),
    (lambda: log_control(0, min=-1, max=5, name="data_mb"), "data_mb must be in [0.1, 100000], got 0"),
    (lambda: choice_control([3, 5, 7], 4, name="n", kind=widgets.SelectionSlider), "n must be one of (3, 5, 7), got 4"),
    (lambda: choice_control((), None, name="n"), "n: options must list at least one choice"),
    (lambda: switch_control("yes", name="inbox"), "inbox must be True or False, got 'yes'"),
    (lambda: switch_control(None, name="inbox"), "inbox must be True or False, got None"),
    (lambda: fault_control(("none", "crash"), "pause", name="fault"), "fault must be one of ('none', 'crash')"),
])
def test_a_bad_start_names_the_panels_parameter(make, words):
    """A panel passes its parameter's name: a slider would clamp a bad start silently and a menu
    would raise a TraitError naming no parameter."""
    with pytest.raises(ValueError) as err:
        make()
    assert str(err.value).startswith(words)


def test_the_new_controls_keep_their_widgets_promises():
    menu = choice_control(("a", "b"), "b", name="x", description="pick", kind=widgets.ToggleButtons)
    assert isinstance(menu, widgets.ToggleButtons) and (menu.value, menu.description) == ("b", "pick")
    with pytest.raises(traitlets.TraitError):
        menu.value = "c"
    log = log_control(100.0, min=0, max=6, name="rps", description="requests/s")
    assert isinstance(log, widgets.FloatLogSlider) and (log.base, log.min, log.max, log.value) == (10, 0, 6, 100.0)
    log.value = 1e9
    assert log.value == 1e6
    box = switch_control(True, name="fleet", description="fleet", indent=False)
    assert isinstance(box, widgets.Checkbox) and box.value is True and box.indent is False
    seed = seed_control(3, name="seed", max=10_000)
    seed.value = 99_999
    assert seed.value == 10_000
    assert size_control(5, min=1, max=9, continuous_update=False).continuous_update is False  # widget keywords pass
