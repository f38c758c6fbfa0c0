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
        title = panel.figure._suptitle.get_text()
        assert title.startswith(f"{name} off: the check finds") and "nothing with every safeguard on" in title
    with pytest.raises(ValueError, match="off must be one of"):
        panel.render({"off": "isolation"}, None)
