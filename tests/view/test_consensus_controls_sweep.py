"""From each chapter-2 panel's default configuration (and the notebook's), every control changes what
is drawn at some value -- or, when the other controls' settings leave it nothing to act on, it is
greyed out and the panel says so. (A control that silently changes nothing teaches that the knob
does not matter.)"""
from __future__ import annotations

from collections.abc import Callable

import pytest

from distlab.consensus.coordination.systems import choose_coordination, settings_without_effect
from distlab.view import consensus as cv
from distlab.view.panel import Panel
from tests.sweeps import candidates, drawn

SEED_VALUES = (1, 2, 3, 4, 5)  # a seed control also tries its first few values
PANELS: dict[str, Callable[[], Panel]] = {
    "quorum": cv.quorum_panel, "quorum (notebook)": lambda: cv.quorum_panel(n=7),
    "split": cv.split_panel, "split (notebook)": lambda: cv.split_panel(low=150, high=155),
    "chooser": cv.chooser_panel, "chooser (notebook)": lambda: cv.chooser_panel(ecosystem="kubernetes"),
}


CASES = [(name, control) for name, make in PANELS.items() for control in make().controls]


@pytest.mark.parametrize(("panel_name", "control_name"), CASES, ids=[f"{p}.{c}" for p, c in CASES])
def test_every_control_changes_the_picture_or_is_greyed_out(panel_name: str, control_name: str) -> None:
    panel = PANELS[panel_name]()
    control = panel.controls[control_name]
    default = drawn(panel)
    if control.disabled:  # greyed out: it must say why, and must indeed change nothing
        assert control.tooltip, f"{panel_name}: {control_name} is greyed out without saying why"
        for value in candidates(control, SEED_VALUES):
            control.value = type(control.value)(value) if not isinstance(control.value, bool) else value
            assert drawn(panel) == default, f"{panel_name}: {control_name} is greyed out but acts at {value!r}"
        return
    tried = []
    for value in candidates(control, SEED_VALUES):
        control.value = type(control.value)(value) if not isinstance(control.value, bool) else value
        tried.append(control.value)
        if drawn(panel) != default:
            return
    pytest.fail(f"{panel_name}: {control_name} at {tried} draws exactly what the default draws, and it is not "
                f"greyed out")


@pytest.mark.parametrize("name", ["nodes", "timeout_ms", "latency_ms", "loss"])
def test_every_cluster_lab_slider_changes_the_run(name: str) -> None:
    view = cv.cluster_lab()
    default = view.panel.last_png
    control = view.controls[name]
    for value in {"nodes": [3, 7], "timeout_ms": [(10, 10), (300, 500)], "latency_ms": [1, 50],
                  "loss": [0.5]}[name]:
        control.value = value
        if view.panel.last_png != default:
            return
    pytest.fail(f"the cluster lab's {name} slider changes nothing")


def test_the_chooser_greys_out_what_cannot_change_its_answer_and_brings_it_back() -> None:
    panel = cv.chooser_panel(ecosystem="kubernetes")
    watch = panel.controls["watch_every_change"]
    assert watch.disabled                      # Kubernetes brings etcd, which sees every change anyway
    assert "Greyed out" in str(panel.last_result)
    panel.controls["ecosystem"].value = "hadoop"
    assert not watch.disabled                  # ZooKeeper or etcd: now it decides
    watch.value = True
    assert "one-shot" in str(panel.last_result)
    panel.controls["single_process"].value = True
    assert [n for n, c in panel.controls.items() if not c.disabled] == ["single_process"]
    panel.controls["single_process"].value = False
    assert not any(c.disabled for c in panel.controls.values())


def test_settings_without_effect_are_exactly_those_that_change_nothing() -> None:
    for settings in ({}, {"ecosystem": "kubernetes"}, {"single_process": True}, {"data_mb": 5000.0},
                     {"service_discovery": True, "ecosystem": "hadoop"}):
        idle = settings_without_effect(**settings)
        answer = choose_coordination(**settings)
        for flag in ("single_process", "service_discovery", "multi_datacenter", "watch_every_change"):
            flipped = choose_coordination(**{**settings, flag: not settings.get(flag, False)})
            assert (flag in idle) == (flipped == answer), (settings, flag)
