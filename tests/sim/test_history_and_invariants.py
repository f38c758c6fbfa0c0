import pytest

from distlab.sim import HistoryRecorder, InvariantViolation, Simulation


def test_recorder_stamps_operations_with_the_clock_and_keeps_open_ones_as_info():
    sim = Simulation(seed=0)
    rec = HistoryRecorder(lambda: sim.now)
    w = rec.invoke("c1", "write", 1)
    r = rec.invoke("c2", "read")
    sim.run(until=2.0)
    rec.ok(w)
    sim.run(until=2.5)
    hung = rec.invoke("c3", "write", 2)
    sim.run(until=3.0)
    rec.ok(r, 1)
    h = rec.history()
    assert [(o.process, o.status, o.invoke, o.complete) for o in h] == [
        ("c1", "ok", 0.0, 2.0), ("c2", "ok", 0.0, 3.0), ("c3", "info", 2.5, None)]
    assert h[1].result == 1 and h[0].precedes(h[2]) and not h[1].precedes(h[2])
    assert hung == 2
    # an op completing at the same instant another is invoked is concurrent with it, not before it
    from distlab.sim import Op
    assert not Op("p", "write", 1, invoke=0, complete=1, status="ok").precedes(Op("q", "read", invoke=1))


def test_recorder_refuses_misuse():
    rec = HistoryRecorder(lambda: 0.0)
    op = rec.invoke("c1", "read")
    with pytest.raises(ValueError, match="already has operation"):
        rec.invoke("c1", "read")
    rec.fail(op)
    with pytest.raises(ValueError, match="op_id"):
        rec.ok(op)


def test_invariants_are_checked_after_every_step_when_asked():
    sim = Simulation(seed=0, check_invariants=True)
    box = {"x": 0}
    sim.invariants.add("x_is_small", lambda s: box["x"] < 3 or f"x reached {box['x']}")
    for i in range(5):
        sim.schedule(i, box.__setitem__, "x", i)
    with pytest.raises(InvariantViolation, match="x_is_small violated at t=3"):
        sim.run()
    assert sim.now == 3.0
    with pytest.raises(ValueError, match="already registered"):
        sim.invariants.add("x_is_small", lambda s: True)
