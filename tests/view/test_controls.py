import ipywidgets as widgets
import pytest
import traitlets
from hypothesis import given, settings, strategies as st

from distlab.view.controls import FAULTS, MAX_SEED, fault_control, fraction_control, seed_control, size_control


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
