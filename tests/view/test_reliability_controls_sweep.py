"""From each chapter-5 panel's default configuration, every control changes what is drawn at some
value -- or, when another control's setting leaves it nothing to act on, it is greyed out or the
panel says so. (A slider that silently changes nothing teaches that the knob does not matter.)"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from distlab.view import reliability as rv
from distlab.view.panel import Panel
from tests.sweeps import candidates, drawn

PANELS: dict[str, Callable[[], Panel]] = {
    "bucket": rv.bucket_panel, "strategies": rv.strategies_panel, "breaker": rv.breaker_panel,
    "backpressure": rv.backpressure_panel, "bulkheads": rv.bulkhead_panel, "shedding": rv.shedding_panel,
    "backoff": rv.backoff_panel, "storm": rv.storm_panel, "chooser": rv.chooser_panel,
}


CASES = [(name, control) for name, make in PANELS.items() for control in make().controls]


@pytest.mark.parametrize(("panel_name", "control_name"), CASES, ids=[f"{p}.{c}" for p, c in CASES])
def test_every_control_changes_the_picture_or_says_why_not(panel_name: str, control_name: str) -> None:
    panel = PANELS[panel_name]()
    control = panel.controls[control_name]
    if control.disabled:
        return  # greyed out under the other settings: the learner is told it cannot act
    default = drawn(panel)
    tried = []
    for value in candidates(control):
        control.value = type(control.value)(value) if not isinstance(control.value, bool) else value
        tried.append(control.value)
        if drawn(panel) != default:
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


#: the panels as notebook 05 builds them (its start values differ from the defaults: the backpressure
#: panel starts on "shed", where the capacity slider acts; the storm panel with no budget)
NOTEBOOK_STARTS: dict[str, Callable[[], Panel]] = {
    "bucket": lambda: rv.bucket_panel(rate=5, bucket=10, burstiness=30, seed=0),
    "strategies": lambda: rv.strategies_panel(amount=10, window=1.0, burstiness=20, seed=0),
    "chooser": rv.chooser_panel,
    "backpressure": lambda: rv.backpressure_panel(mode="shed", seed=0),
    "breaker": lambda: rv.breaker_panel(threshold=5, cooldown=3.0, probes=1, seed=0),
    "bulkheads": lambda: rv.bulkhead_panel(bulkhead_size=0, gateway_pool=40, seed=0),
    "backoff": lambda: rv.backoff_panel(base_ms=5.0, cap_ms=2000.0, strategy="full", clients=100, seed=0),
    "storm": lambda: rv.storm_panel(budget_tokens=0, budget_ratio=0.1, max_attempts=3, seed=0),
    "shedding": lambda: rv.shedding_panel(checkout_share=0.3, analytics_share=0.2, shedding=True, seed=0),
}
STARTS = [(name, control) for name, make in NOTEBOOK_STARTS.items() for control in make().controls if control != "seed"]


def _sweep(control: Any) -> list[Any]:
    """Five values across the control's whole range, both ends included (every option of a menu)."""
    if hasattr(control, "options") and control.options:
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    lo, hi = control.min, control.max
    if hasattr(control, "base"):
        lo, hi = control.base ** lo, control.base ** hi
    return [type(control.value)(lo + (hi - lo) * i / 4) for i in range(5)]


@pytest.mark.parametrize(("panel_name", "control_name"), STARTS, ids=[f"{p}.{c}" for p, c in STARTS])
def test_from_the_notebooks_start_every_value_draws_and_a_greyed_out_control_changes_nothing(panel_name: str,
                                                                                           control_name: str) -> None:
    """From where the notebook starts each panel: no value of any control leads to a state the panel can
    only refuse ("Cannot draw this"), and a greyed-out control really is without effect.  (The shedding
    shares could add up to more than 1; the sweep from the defaults never moved the backpressure
    capacity, greyed out under the default "unbounded" queue.)"""
    panel = NOTEBOOK_STARTS[panel_name]()
    control = panel.controls[control_name]
    default, disabled = drawn(panel), control.disabled
    seen = []
    for value in _sweep(control):
        control.value = value
        assert panel.last_error is None, f"{panel_name}: {control_name} = {value!r} -> {panel.last_error}"
        seen.append(drawn(panel))
    if disabled:
        assert all(d == default for d in seen), f"{panel_name}: greyed-out {control_name} changed the picture"
    else:
        assert any(d != default for d in seen), f"{panel_name}: {control_name} never changed the picture"
