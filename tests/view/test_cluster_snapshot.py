from hypothesis import given, settings, strategies as st

from distlab.sim import Process, Simulation
from distlab.view.cluster_drawing import render_cluster
from distlab.view.cluster_snapshot import message_kind, message_progress, picture_from_sim


class Pinger(Process):
    def on_start(self):
        self.role = "leader" if self.pid == "a" else "follower"
        self.set_timer("ping", 0.001)

    def on_timer(self, name, data):
        for peer in self.peers:
            self.send(peer, {"type": "Ping"})
        self.set_timer("ping", 0.01)


def build():
    sim = Simulation(seed=3)
    for pid in "abcd":
        sim.add(Pinger(pid))
    sim.network.block("a", "b")
    sim.network.partition([["c"]])
    sim.run(until=0.0015)
    sim.crash("d")
    return sim


def test_picture_reflects_the_simulation_state():
    sim = build()
    pic = picture_from_sim(sim, role=lambda p: p.role)
    assert [n.id for n in pic.nodes] == ["a", "b", "c", "d"]
    assert [n.role for n in pic.nodes][:2] == ["leader", "follower"]
    assert [n.up for n in pic.nodes] == [True, True, True, False]
    assert ("a", "b") in pic.blocked and ("b", "a") not in pic.blocked
    assert ("c", "a") in pic.blocked and ("a", "c") in pic.blocked
    assert len(pic.in_flight) == len(sim.network.in_flight) > 0
    assert {m.label for m in pic.in_flight} == {"Ping"}
    assert pic.title == "cluster at t = 0.002 s"
    fig = render_cluster(pic)
    assert "d✗" in [t.get_text() for t in fig.axes[0].texts]


@settings(max_examples=50)
@given(sent=st.floats(0, 10), dur=st.floats(0, 5), frac=st.floats(-1, 2))
def test_progress_is_clamped_and_linear(sent, dur, frac):
    p = message_progress(sent + frac * dur, sent, sent + dur)
    assert 0.0 <= p <= 1.0
    if dur > 1e-6 and 0 <= frac <= 1:
        assert abs(p - frac) < 1e-6


def test_message_kind():
    class AppendEntries:
        pass

    assert message_kind({"type": "Vote"}) == "Vote"
    assert message_kind(AppendEntries()) == "AppendEntries"
    assert message_kind(("a", 1)) == ""
