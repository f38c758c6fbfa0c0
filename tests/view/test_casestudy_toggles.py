"""The safeguard panel: one precomputed pair of runs per safeguard, two bars each, the finding in the title."""
import pytest

from distlab.casestudy.config import SAFEGUARDS
from distlab.view.casestudy_toggles import MEASURES, measure, toggles, toggles_panel


@pytest.fixture(scope="module")
def results():
    return toggles(0)


def test_each_safeguard_off_is_worse_on_its_own_measure(results):
    assert sorted(results) == sorted(SAFEGUARDS)
    for name, result in results.items():
        on, off = measure(name, result.on), measure(name, result.off)
        _label, line = MEASURES[name]
        if name == "bulkhead":
            assert on >= line > off, (name, on, off)
        elif name == "retry_budget":
            assert on < line <= off, (name, on, off)
        else:
            assert on == 0 < off, (name, on, off)
        assert result.found_on is None and result.found_off is not None


def test_the_panel_switches_between_them_and_says_what_the_check_found(results):
    panel = toggles_panel(results=results)
    for name in SAFEGUARDS:
        panel.controls["off"].value = name
        assert panel.last_error is None and panel.last_png
        title = panel.figure._suptitle.get_text().replace("\n", " ")
        assert title.startswith(f"{name.replace('_', ' ')} off: the check finds"), title
        assert "nothing with every safeguard on" in title
        if name == "retry_budget":  # the storm is load, and the title says what it bought
            assert "answered in the end" in title and "a refusal costs this gateway nothing" in title
    with pytest.raises(ValueError, match="off must be one of"):
        panel.render({"off": "isolation"}, None)


def test_without_the_budget_more_of_the_spike_is_answered_at_three_times_the_requests(results):
    """The retry storm here is load, not loss (a refusal costs the gateway nothing): the notebook says so."""
    from distlab.casestudy.safeguards import answered_share

    result = results["retry_budget"]
    spike = next(f for f in result.on.chaos if f.kind == "spike")
    on, off = (answered_share(run.history, spike.time, spike.time + spike.duration) for run in (result.on, result.off))
    assert off > on
    assert measure("retry_budget", result.off) >= 2 * measure("retry_budget", result.on)
