"""Each safeguard off: its check reports the predicted harm on >= 80 % of 50 seeds; all on: never."""
import pytest

from distlab.casestudy.config import SAFEGUARDS, BankConfig
from distlab.casestudy.engines import Engines
from distlab.casestudy.safeguards import (
    OUTAGE_SUCCESS,
    PREDICTED,
    STORM_ATTEMPTS,
    HarmJudge,
    ScenarioPlan,
    harm,
    scenario,
    toggle,
)
from distlab.casestudy.schedules import run_schedules


@pytest.mark.parametrize("safeguard", SAFEGUARDS)
def test_switched_off_its_harm_is_caught_on_at_least_80_percent_of_50_seeds(safeguard):
    found = run_schedules(range(50), plan=ScenarioPlan(safeguard), judge=HarmJudge(safeguard), jobs=2)
    caught = [f for f in found if f is not None]
    assert len(caught) >= 40, (safeguard, len(caught), found[:5])
    assert all(f.startswith(PREDICTED[safeguard]) or f" x {PREDICTED[safeguard]}" in f for f in caught)


@pytest.mark.parametrize("safeguard", SAFEGUARDS)
def test_switched_on_the_same_scenarios_show_no_harm(safeguard):
    found = run_schedules(range(10), plan=ScenarioPlan(safeguard, off=False), judge=HarmJudge(safeguard), jobs=2)
    assert found == [None] * 10


def test_a_toggle_runs_both_sides_of_one_seed_with_the_same_chaos():
    with_engines = Engines()
    try:
        result = toggle("bulkhead", 3, engines=with_engines)
    finally:
        with_engines.close()
    assert result.on.chaos == result.off.chaos == tuple(scenario("bulkhead", 3, BankConfig(seed=3)))
    assert result.found_on is None and result.found_off is not None and result.found_off.startswith("outage")
    assert harm("bulkhead", result.off) == result.found_off
    assert 0 < OUTAGE_SUCCESS < 1 < STORM_ATTEMPTS
    with pytest.raises(ValueError, match="safeguard must be one of"):
        scenario("isolation", 0, BankConfig())
