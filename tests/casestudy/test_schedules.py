"""With every safeguard on, the bank checker finds nothing over many seeded chaos schedules.

The issue's bar: >= 500 schedules on SQLite and >= 50 on the embedded PostgreSQL in CI, each with
at least 8 clients, 200 transfer attempts and 3 faults. Hypothesis adds schedules of its own
drawing (any kinds, times, targets), which it would shrink to a minimal failing one.
"""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from distlab.casestudy.chaos import KINDS, TARGETS, ChaosFault
from distlab.casestudy.config import BankConfig
from distlab.casestudy.engines import Engines
from distlab.casestudy.run import run_bank
from distlab.casestudy.schedules import FAULTS, run_schedules
from distlab.services import postgres


def _assert_clean(outcomes, count):
    assert len(outcomes) == count
    bad = [o for o in outcomes if not o.ok or not o.settled]
    assert not bad, bad[:3]
    for o in outcomes:  # each schedule is as big as the issue asks
        assert len(o.faults) >= 3 and o.attempts >= 200, o
    assert sum(o.applied for o in outcomes) > 150 * count  # money really moved


def test_500_schedules_on_sqlite_without_a_violation():
    _assert_clean(run_schedules(range(500), jobs=2), 500)


def test_50_schedules_on_the_embedded_postgresql_without_a_violation():
    url = postgres.embedded("casestudy-bank").url
    _assert_clean(run_schedules(range(1000, 1050), url=url, jobs=2), 50)


def test_a_violation_is_found_when_there_is_one():
    """The same machinery reports what it should: a broken config is caught, not averaged away."""
    from distlab.casestudy.config import Safeguards
    broken = BankConfig(safeguards=Safeguards(idempotency=False))
    outcomes = run_schedules(range(4), broken)
    assert any(kind == "applied twice" for o in outcomes for kind, _ in o.violations), outcomes


def _fault(kind, time, target_index, duration, amount):
    options = TARGETS.get(kind) or (("tokyo", "ireland", "saopaulo", "virginia") if kind == "partition" else ("",))
    ranges = {"fraud slowdown": (0.05, 3.0), "spike": (5.0, 150.0), "duplicates": (0.05, 0.9)}
    low, high = ranges.get(kind, (0.0, 0.0))
    return ChaosFault(time, kind, options[target_index % len(options)],
                      duration if kind in ("fraud slowdown", "partition", "spike", "duplicates") else 0.0,
                      low + amount * (high - low) if kind in ranges else 0.0)


faults = st.builds(_fault, st.sampled_from(KINDS), st.floats(0.0, 9.0), st.integers(0, 20), st.floats(0.2, 4.0),
                   st.floats(0.01, 1.0))


@pytest.fixture(scope="module")
def engines():
    shared = Engines()
    yield shared
    shared.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), chaos=st.lists(faults, min_size=3, max_size=FAULTS + 3))
def test_hypothesis_schedules_find_no_violation(engines, seed, chaos):
    run = run_bank(BankConfig(seed=seed), chaos, engines)
    assert run.verdict.ok, (chaos, run.verdict.violations[:3])
    assert run.settled
