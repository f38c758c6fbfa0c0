"""The event loop: ordering, stopping rules, named random streams, per-step invariant checks, validation."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.sim import Simulation, derive_seed
from distlab.sim.invariants import InvariantViolation


def test_events_at_the_same_time_run_in_scheduling_order():
    sim = Simulation(seed=0)
    seen = []
    for i in range(10):
        sim.schedule(1.0, seen.append, i)
    sim.schedule(0.5, seen.append, "early")
    sim.run()
    assert seen == ["early", *range(10)]
    assert sim.now == 1.0


def test_run_until_time_runs_due_events_and_advances_the_clock():
    sim = Simulation(seed=0)
    seen = []
    sim.schedule(1.0, seen.append, "a")
    sim.schedule(2.0, seen.append, "b")
    assert sim.run(until=1.5) == "time"
    assert seen == ["a"] and sim.now == 1.5
    assert sim.run() == "idle" and seen == ["a", "b"]


def test_run_until_predicate_and_max_events():
    sim = Simulation(seed=0)
    seen = []
    for i in range(5):
        sim.schedule(i, seen.append, i)
    assert sim.run(until=lambda s: len(seen) == 3) == "predicate"
    assert seen == [0, 1, 2]
    assert sim.run(max_events=1) == "max_events" and seen == [0, 1, 2, 3]


def test_run_until_predicate_gives_up_at_a_deadline():
    sim = Simulation(seed=0)
    seen = []
    for i in range(10):
        sim.schedule(i, seen.append, i)
    assert sim.run(until=lambda s: len(seen) > 100, deadline=4.5) == "time"
    assert seen == [0, 1, 2, 3, 4] and sim.now == 4.5
    assert sim.run(until=lambda s: len(seen) == 7, deadline=100) == "predicate"
    with pytest.raises(ValueError, match="deadline"):
        sim.run(until=5.0, deadline=6.0)
    with pytest.raises(ValueError, match="deadline"):
        sim.run(until=lambda s: False, deadline=1.0)


def test_cancelled_events_do_not_run_and_do_not_leak_past_the_limit():
    sim = Simulation(seed=0)
    seen = []
    sim.schedule(1.0, seen.append, "cancelled").cancel()
    sim.schedule(5.0, seen.append, "late")
    sim.run(until=2.0)
    assert seen == [] and sim.now == 2.0


def test_named_streams_are_independent_and_stable():
    a, b = Simulation(seed=3), Simulation(seed=3)
    first = [a.rng("x").random() for _ in range(3)]
    b.rng("y").random()  # touching another stream must not shift "x"
    assert [b.rng("x").random() for _ in range(3)] == first
    assert Simulation(seed=4).rng("x").random() != first[0]
    assert derive_seed(3, "x") == derive_seed(3, "x") != derive_seed(3, "y")


@pytest.mark.parametrize("kwargs, name", [
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": True}, "seed"),
])
def test_bad_seed_is_refused_naming_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Simulation(**kwargs)


def _flapping(check_invariants):
    """x goes 0, 3, 4, 1, 5 at t = 0..4; the invariant x < 3 breaks at t=1, holds at t=3, breaks at t=4."""
    sim = Simulation(seed=0, check_invariants=check_invariants)
    box = {"x": 0}
    sim.invariants.add("x_is_small", lambda s: box["x"] < 3 or f"x reached {box['x']}")
    sim.invariants.add("always", lambda s: True)
    for t, x in enumerate([0, 3, 4, 1, 5]):
        sim.schedule(t, box.__setitem__, "x", x)
    return sim


def test_record_mode_keeps_each_new_violation_and_runs_on():
    sim = _flapping("record")
    assert sim.run() == "idle" and sim.now == 4.0 and sim.events_run == 5
    # broken at t=1 (still broken at t=2: the same violation, not recorded again), again at t=4
    assert [str(v) for v in sim.violations] == ["x_is_small violated at t=1.000000s: x reached 3",
                                                "x_is_small violated at t=4.000000s: x reached 5"]
    fork = sim.fork()
    fork.violations.clear()
    assert len(sim.violations) == 2  # a fork records on its own


@pytest.mark.parametrize("mode", [True, "raise"])
def test_raise_mode_stops_at_the_first_violation(mode):
    sim = _flapping(mode)
    with pytest.raises(InvariantViolation, match="x_is_small violated at t=1"):
        sim.run()
    assert sim.violations == [] and sim.invariant_mode == "raise"


def test_without_checks_nothing_is_checked_or_recorded():
    sim = _flapping(False)
    sim.run()
    assert sim.violations == [] and sim.check_invariants_each_step is False
    assert [v.name for v in sim.check_invariants()] == ["x_is_small"]  # on demand, still


@pytest.mark.parametrize("bad", ["Record", 1, None, "yes"])
def test_a_bad_check_mode_is_refused_naming_the_parameter(bad):
    with pytest.raises(ValueError, match="check_invariants must be False, True or one of"):
        Simulation(seed=0, check_invariants=bad)


def test_bad_times_are_refused():
    sim = Simulation(seed=0)
    with pytest.raises(ValueError, match="delay"):
        sim.schedule(-1, print)
    with pytest.raises(ValueError, match="delay"):
        sim.schedule(float("nan"), print)
    sim.run(until=5)
    with pytest.raises(ValueError, match="time"):
        sim.schedule_at(4, print)
    with pytest.raises(ValueError, match="until"):
        sim.run(until=1)
    with pytest.raises(ValueError, match="max_events"):
        sim.run(max_events=0)


@settings(max_examples=30)
@given(st.lists(st.tuples(st.floats(0, 10), st.integers(0, 3)), max_size=40))
def test_execution_order_is_sorted_by_time_then_scheduling_order(items):
    sim = Simulation(seed=0)
    seen = []
    for i, (t, _) in enumerate(items):
        sim.schedule(t, seen.append, (t, i))
    sim.run()
    assert seen == sorted(seen)
