"""Chaos faults as data: validated by name, drawn from a seed, at least three per schedule."""
import math
import random

import pytest

from distlab.casestudy.chaos import KINDS, SAGA_POINTS, ChaosFault, random_chaos
from distlab.casestudy.config import BankConfig
from distlab.casestudy.schedules import FAULTS, chaos_for


def test_saga_points_are_every_crash_point_of_the_transfer_saga():
    assert len(SAGA_POINTS) == 3 * 3 + 3  # before/during/after each action, and of the one compensation
    assert "after_action:ledger" in SAGA_POINTS and "during_compensation:fraud_check" in SAGA_POINTS


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "meteor"}, "kind must be one of"),
    ({"kind": "saga crash", "target": "after_action:nowhere"}, "target of a saga crash must be one of"),
    ({"kind": "relay crash", "target": "consumer/after_ack"}, "target of a relay crash must be one of"),
    ({"kind": "spike", "duration": 1.0, "amount": 0.0}, "amount of a spike"),
    ({"kind": "duplicates", "duration": 1.0, "amount": 1.5}, "amount of a duplicates"),
    ({"kind": "partition", "target": "tokyo"}, "duration of a partition must be > 0"),
    ({"kind": "partition", "target": "tokyo", "duration": math.nan}, "duration must be a finite number"),
    ({"kind": "spike", "duration": 1.0, "amount": math.inf}, "amount must be a finite number"),
    ({"kind": "spike", "duration": True, "amount": 5.0}, "duration must be a finite number"),
])
def test_bad_faults_are_refused_by_name(fields, message):
    with pytest.raises(ValueError, match=message):
        ChaosFault(1.0, **fields)
    with pytest.raises(ValueError, match="time must be a finite number"):
        ChaosFault(-1.0, "spike", duration=1.0, amount=1.0)


def test_a_schedule_has_at_least_three_faults_and_depends_on_the_seed_alone():
    config = BankConfig()
    assert FAULTS >= 3 and len(chaos_for(7, config)) == FAULTS
    assert chaos_for(7, config) == chaos_for(7, config) != chaos_for(8, config)
    drawn = {f.kind for seed in range(60) for f in chaos_for(seed, config)}
    assert drawn == set(KINDS)
    with pytest.raises(ValueError, match="count must be an integer >= 3"):
        random_chaos(random.Random(1), config.regions, count=2)
    with pytest.raises(ValueError, match="kinds must be a non-empty selection"):
        random_chaos(random.Random(1), config.regions, kinds=["meteor"])
    assert "service crashes at after_action:ledger" in str(ChaosFault(1.0, "saga crash", "after_action:ledger"))
