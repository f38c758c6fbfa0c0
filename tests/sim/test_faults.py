"""Each fault has exactly its effect, and nothing else."""
import random

import pytest
from hypothesis import given, settings, strategies as st

from distlab.sim import Fault, FaultSchedule, Process, Simulation, Uniform, apply_fault

from .chatter import Chatter

PIDS = ["a", "b", "c", "d"]


def cluster(seed):
    sim = Simulation(seed=seed)
    sim.network.configure(latency=Uniform(0.001, 0.02))
    for pid in PIDS:
        sim.add(Chatter(pid))
    return sim


@settings(max_examples=60)
@given(seed=st.integers(0, 2**32), count=st.integers(1, 15))
def test_a_crashed_or_paused_node_does_nothing_until_restart_or_resume(seed, count):
    sim = cluster(seed)
    FaultSchedule.random(random.Random(seed), PIDS, 1.0, count=count,
                         actions=("crash", "restart", "restart_clean", "pause", "resume")).install(sim)
    sim.run(1.5)
    down, paused, acted = set(), set(), []
    for rec in sim.trace:
        if rec.kind == "crash":
            down.add(rec.pid)
            paused.discard(rec.pid)
        elif rec.kind == "restart":
            down.discard(rec.pid)
        elif rec.kind == "pause":
            paused.add(rec.pid)
        elif rec.kind == "resume":
            paused.discard(rec.pid)
        elif rec.kind in ("send", "deliver", "timer") and (rec.pid in down or rec.pid in paused):
            acted.append(rec)
    assert acted == []
    # the schedule heals everything at t=1.0: every node is up and talking again afterwards
    late = {r.pid for r in sim.trace if r.kind == "send" and r.time > 1.05}
    assert late == set(PIDS)


def test_messages_to_a_crashed_node_are_dropped_and_restart_keeps_stable_storage():
    sim = cluster(1)
    sim.run(0.5)
    node = sim.process("b")
    sim.crash("b")
    sim.run(1.0)
    assert sim.network.stats.dropped.get("crashed", 0) > 0
    sim.restart("b")
    sim.run(1.1)
    assert node.stable["boots"] == 2 and node.up
    sim.crash("b")
    sim.restart("b", keep_state=False)
    sim.run(1.2)
    assert node.stable["boots"] == 1  # stable storage wiped, then rewritten by on_start


def test_pause_holds_messages_and_delivers_them_after_resume():
    sim = cluster(2)
    sim.run(0.3)
    sim.pause("c")
    sim.run(0.8)
    node = sim.process("c")
    held = len(node._held)
    assert held > 0
    before = len(node.heard)
    sim.resume("c")
    sim.run(0.8)  # same instant: held work runs now
    assert len(node.heard) > before


class Clock(Process):
    def on_start(self):
        self.fired_at = None
        self.set_timer("t", 1.0)

    def on_timer(self, name, data):
        self.fired_at = self.sim.now


def test_clock_skew_and_drift():
    sim = Simulation(seed=0)
    node = sim.add(Clock("x"))
    sim.run(0.0)
    sim.set_clock("x", skew=5.0, drift=0.25)
    assert node.now == pytest.approx(5.0)
    node.set_timer("t", 1.0)  # one local second at 1.25x speed = 0.8 real seconds
    sim.run(2.0)
    assert node.fired_at == pytest.approx(0.8)
    assert node.now == pytest.approx(5.0 + 2.0 * 1.25)
    with pytest.raises(ValueError, match="drift"):
        sim.set_clock("x", drift=0.9)


def test_fault_actions_are_validated_and_idempotent():
    with pytest.raises(ValueError, match="action"):
        Fault(1.0, "explode")
    with pytest.raises(ValueError, match="time"):
        Fault(-1.0, "heal")
    sim = cluster(0)
    assert apply_fault(sim, "crash", "a") is True
    assert apply_fault(sim, "crash", "a") is False  # already down: no effect, no error
    assert apply_fault(sim, "resume", "b") is False
    with pytest.raises(ValueError, match="pid"):
        apply_fault(sim, "crash", "nope")
    with pytest.raises(ValueError, match="already crashed"):
        sim.crash("a")
    with pytest.raises(ValueError, match="duration"):
        FaultSchedule.random(random.Random(0), PIDS, 0)


def test_every_action_has_exactly_one_handler():
    from distlab.sim.faults import ACTIONS, DISPATCH

    assert set(DISPATCH) == set(ACTIONS)
