"""From each chapter-5 panel's default configuration, every control changes what is drawn at some
value -- or, when another control's setting leaves it nothing to act on, it is greyed out or the
panel says so. (A slider that silently changes nothing teaches that the knob does not matter.)"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from distlab.view import reliability as rv
from distlab.view.panel import Panel

PANELS: dict[str, Callable[[], Panel]] = {
    "bucket": rv.bucket_panel, "strategies": rv.strategies_panel, "breaker": rv.breaker_panel,
    "backpressure": rv.backpressure_panel, "bulkheads": rv.bulkhead_panel, "shedding": rv.shedding_panel,
    "backoff": rv.backoff_panel, "storm": rv.storm_panel, "chooser": rv.chooser_panel,
}


def _drawn(panel: Panel) -> object:
    """What the learner sees: the PNG of a figure panel, the HTML of the chooser, or the error shown."""
    return panel.last_png if panel.last_png is not None else (panel.last_result, panel.last_error)


def _candidates(control: Any) -> list[Any]:
    """A few values across the control's range, the far ends first (any one that changes the picture will do)."""
    if hasattr(control, "options") and control.options:
        return [v for v in (o[1] if isinstance(o, tuple) else o for o in control.options) if v != control.value]
    if isinstance(control.value, bool):
        return [not control.value]
    lo, hi = control.min, control.max
    if hasattr(control, "base"):  # a log slider: min and max are exponents
        lo, hi = control.base ** lo, control.base ** hi
    return [v for v in (hi, lo, lo + (hi - lo) / 2, lo + (hi - lo) / 4) if v != control.value]


CASES = [(name, control) for name, make in PANELS.items() for control in make().controls]


@pytest.mark.parametrize(("panel_name", "control_name"), CASES, ids=[f"{p}.{c}" for p, c in CASES])
def test_every_control_changes_the_picture_or_says_why_not(panel_name: str, control_name: str) -> None:
    panel = PANELS[panel_name]()
    control = panel.controls[control_name]
    if control.disabled:
        return  # greyed out under the other settings: the learner is told it cannot act
    default = _drawn(panel)
    tried = []
    for value in _candidates(control):
        control.value = type(control.value)(value) if not isinstance(control.value, bool) else value
        tried.append(control.value)
        if _drawn(panel) != default:
            return
    pytest.fail(f"{panel_name}: {control_name} at {tried} draws exactly what the default draws, and nothing "
                f"is greyed out or explained")


def test_controls_that_cannot_act_are_greyed_out_and_come_back():
    p = rv.backpressure_panel(mode="unbounded")
    assert p.controls["capacity"].disabled
    p.controls["mode"].value = "shed"
    assert not p.controls["capacity"].disabled
    chooser = rv.chooser_panel(fleet=True)
    assert not chooser.controls["rps"].disabled
    chooser.controls["fleet"].value = False
    assert chooser.controls["rps"].disabled
    html = chooser.last_result
    chooser.controls["rps"].value = 1e6  # greyed out, and indeed without effect
    assert chooser.last_result == html
