"""Same seed, same trace; seek and fork from a snapshot equal a replay."""
import random

from hypothesis import given, settings, strategies as st

from distlab.sim import FaultSchedule, Simulation, Timeline, Uniform

from .chatter import Chatter

PIDS = ["a", "b", "c"]


def build(seed, faults):
    sim = Simulation(seed=seed)
    sim.network.configure(latency=Uniform(0.001, 0.03), loss=0.1, duplicate=0.05, reorder=0.1)
    for pid in PIDS:
        sim.add(Chatter(pid))
    FaultSchedule.random(random.Random(seed), PIDS, 0.5, count=faults,
                         actions=("crash", "restart", "partition", "heal", "pause", "resume",
                                  "skew")).install(sim)
    return sim


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32), faults=st.integers(0, 10))
def test_same_seed_gives_an_identical_trace(seed, faults):
    a, b = build(seed, faults), build(seed, faults)
    a.run(0.7)
    b.run(0.7)
    assert len(a.trace) > 0
    assert list(a.trace) == list(b.trace)
    assert a.network.stats == b.network.stats


def test_different_seeds_give_different_traces():
    a, b = build(1, 3), build(2, 3)
    a.run(0.7)
    b.run(0.7)
    assert list(a.trace) != list(b.trace)


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32), faults=st.integers(0, 8),
       t=st.floats(0, 0.7), interval=st.sampled_from([0.05, 0.13, 0.5]))
def test_seek_equals_a_replay_from_the_start(seed, faults, t, interval):
    live = build(seed, faults)
    timeline = Timeline(live, interval=interval)
    timeline.run(0.7)
    sought = timeline.seek(t)
    replay = build(seed, faults)
    replay.run(t)
    assert list(sought.trace) == list(replay.trace)
    assert sought.now == replay.now
    assert {p: n.heard for p, n in sought.processes.items()} == \
           {p: n.heard for p, n in replay.processes.items()}


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32), t=st.floats(0, 0.5))
def test_a_fork_runs_on_exactly_as_the_original(seed, t):
    original = build(seed, 4)
    original.run(t)
    branch = original.fork()
    branch.run(0.7)
    original.run(0.7)
    assert list(branch.trace) == list(original.trace)


def test_changing_a_fork_leaves_the_original_alone():
    original = build(9, 0)
    original.run(0.2)
    before = len(original.trace)
    branch = original.fork()
    branch.crash("a")
    branch.run(0.5)
    assert len(original.trace) == before and original.process("a").up
