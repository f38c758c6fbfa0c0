"""The cluster lab never discards a run the learner built without saying so: a settings slider asks
first once the run holds actions."""
from distlab.view import consensus as cv


def _acted_view():
    view = cv.cluster_lab(seed=0)
    view.press("request")
    view.press("crash", view.lab.cluster.leader())
    return view


def test_a_setting_change_after_actions_asks_before_discarding_the_run():
    view = _acted_view()
    actions, frames, count = list(view.lab.actions), len(view.lab.frames), view.panel.render_count
    view.controls["latency_ms"].value = 20
    assert view.lab.actions == actions and len(view.lab.frames) == frames   # nothing discarded yet
    assert view.panel.render_count == count
    assert view.confirm.pending and view.confirm.widget.layout.display != "none"
    assert "2 actions would be discarded" in view.confirm.question.value
    view.confirm.no.click()                                                # keep this run
    assert view.controls["latency_ms"].value == 5 and view.lab.actions == actions
    assert "kept this run" in view.status.value and view.confirm.widget.layout.display == "none"


def test_confirming_starts_the_new_run_and_says_what_was_discarded():
    view = _acted_view()
    view.controls["nodes"].value = 3
    view.confirm.yes.click()
    assert view.lab.actions == [] and view.settings["nodes"] == 3
    assert len(view.replay.frame["nodes"]) == 3
    assert "2 actions were discarded" in view.status.value and not view.confirm.pending


def test_pressing_a_button_while_asked_keeps_the_run():
    view = _acted_view()
    view.controls["latency_ms"].value = 20
    view.press("request")
    assert not view.confirm.pending and view.controls["latency_ms"].value == 5
    assert len(view.lab.actions) == 3 and view.settings["latency_ms"] == 5.0


def test_without_actions_a_setting_applies_at_once():
    view = cv.cluster_lab(seed=0)
    view.controls["latency_ms"].value = 20
    assert not view.confirm.pending and view.settings["latency_ms"] == 20.0
