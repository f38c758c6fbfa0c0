"""The network: partitions are never crossed, loss and duplication happen at their rates."""
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from distlab.sim import Constant, FaultSchedule, LinkConfig, Simulation, Uniform

from .chatter import Chatter

PIDS = ["a", "b", "c", "d", "e"]


def cluster(seed, trace=True, **link):
    sim = Simulation(seed=seed, trace=trace)
    sim.network.configure(**link)
    for pid in PIDS:
        sim.add(Chatter(pid))
    return sim


class PartitionModel:
    """An independent model of which directions are blocked, rebuilt from the trace."""

    def __init__(self):
        self.group, self.oneway = {}, set()

    def apply(self, rec):
        if rec.kind == "partition":
            self.group = {p: i for i, g in enumerate(rec.data["groups"]) for p in g}
        elif rec.kind == "block":
            self.oneway.add((rec.pid, rec.data["dst"]))
        elif rec.kind == "unblock":
            self.oneway.discard((rec.pid, rec.data["dst"]))
        elif rec.kind == "heal":
            self.group, self.oneway = {}, set()

    def blocked(self, src, dst):
        if self.group and self.group[src] != self.group[dst]:
            return True
        return (src, dst) in self.oneway


@settings(max_examples=60)
@given(seed=st.integers(0, 2**32), faults=st.integers(1, 12),
       loss=st.sampled_from([0.0, 0.2]), latency=st.floats(0.0005, 0.05))
def test_no_message_crosses_a_partition_in_a_blocked_direction(seed, faults, loss, latency):
    sim = cluster(seed, latency=Uniform(0, latency), loss=loss)
    FaultSchedule.random(random.Random(seed), PIDS, 1.0, count=faults,
                         actions=("partition", "block", "unblock", "heal")).install(sim)
    sim.run(1.2)
    model, crossed, checked = PartitionModel(), [], 0
    for rec in sim.trace:
        model.apply(rec)
        if rec.kind == "deliver":
            checked += 1
            if model.blocked(rec.data["src"], rec.pid):
                crossed.append(rec)
    assert checked > 0
    assert crossed == []


def test_one_way_block_drops_one_direction_only():
    sim = cluster(1, latency=Constant(0.001))
    sim.network.block("a", "b")
    sim.run(2.0)
    delivered = {(r.data["src"], r.pid) for r in sim.trace.of_kind("deliver")}
    assert ("a", "b") not in delivered
    assert ("b", "a") in delivered
    assert sim.network.stats.dropped["partition"] > 0


def test_a_partition_that_starts_while_a_message_is_in_flight_drops_it():
    sim = cluster(2, latency=Constant(0.5))
    sim.run(0.2)
    in_flight = list(sim.network.in_flight.values())
    assert in_flight
    sim.network.partition([["a", "b"], ["c", "d", "e"]])
    sim.run(0.8)
    for env in in_flight:
        crosses = ({env.src, env.dst} & {"a", "b"}) and not ({env.src, env.dst} <= {"a", "b"})
        if crosses:
            assert not any(r.kind == "deliver" and r.data["msg"] == env.payload for r in sim.trace)


def hoeffding_epsilon(n, failure_probability=1e-9):
    """|observed rate - p| stays below this for n Bernoulli draws except with the given probability."""
    return math.sqrt(math.log(2 / failure_probability) / (2 * n))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("loss, duplicate", [(0.05, 0.0), (0.3, 0.1), (0.0, 0.25)])
def test_loss_and_duplication_rates_match_their_settings(seed, loss, duplicate):
    sim = cluster(seed, trace=False, latency=Uniform(0.001, 0.003), loss=loss, duplicate=duplicate)
    sim.run(40.0)
    stats = sim.network.stats
    # the partition-free network drops only by loss; duplicates are drawn among the non-lost sends
    assert stats.sent > 20_000
    lost = stats.dropped.get("loss", 0)
    assert abs(lost / stats.sent - loss) < hoeffding_epsilon(stats.sent)
    survivors = stats.sent - lost
    assert abs(stats.duplicated / survivors - duplicate) < hoeffding_epsilon(survivors)
    assert stats.delivered == survivors + stats.duplicated - len(sim.network.in_flight)


def test_reordering_lets_later_messages_overtake():
    sim = Simulation(seed=5)
    sim.network.configure(latency=Constant(0.001), reorder=0.3, reorder_delay=Constant(0.05))
    order = []

    class Sink(Chatter):
        def on_timer(self, name, data):
            pass

        def on_message(self, src, msg):
            order.append(msg)

    sink = sim.add(Sink("sink"))
    sim.run(0.0)
    for i in range(200):
        sim.schedule(i * 0.002, sim.network.send, "src", "sink", i)
    sim.add(Sink("src"))
    sim.run(2.0)
    assert sorted(order) == list(range(200))
    assert order != list(range(200))
    assert sink.heard == []  # the overridden handler got everything


def test_drop_in_flight_is_a_what_if():
    sim = cluster(3, latency=Constant(0.5))
    sim.run(0.1)
    mid, env = next(iter(sim.network.in_flight.items()))
    branch = sim.fork()
    branch.network.drop(mid)
    branch.run(1.0)
    sim.run(1.0)
    assert any(r.kind == "deliver" and r.data["msg"] == env.payload for r in sim.trace)
    assert not any(r.kind == "deliver" and r.data["msg"] == env.payload for r in branch.trace)
    with pytest.raises(ValueError, match="message_id"):
        branch.network.drop(mid)


@pytest.mark.parametrize("setting, value", [
    ("loss", 1.5), ("loss", -0.1), ("duplicate", 2), ("reorder", -1), ("latency", 5),
])
def test_bad_link_settings_name_the_parameter(setting, value):
    with pytest.raises(ValueError, match=setting):
        LinkConfig(**{setting: value})
    with pytest.raises(ValueError, match=setting):
        Simulation(seed=0).network.configure(**{setting: value})


def test_partition_groups_must_be_disjoint():
    sim = cluster(0)
    with pytest.raises(ValueError, match="groups"):
        sim.network.partition([["a", "b"], ["b", "c"]])
