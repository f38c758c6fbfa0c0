"""Single-server membership change: grow 3 -> 5, remove the leader, refusals."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.consensus.raft import LEADER, Cluster, RaftConfig
from distlab.consensus.raft.chaos import run_trial


def test_grow_from_three_to_five_then_survive_two_crashes():
    c = Cluster(3, seed=1)
    c.one("a", expected=3)
    new1 = c.add_server()
    new2 = c.add_server()
    assert c.members() == [0, 1, 2, new1, new2]
    c.one("b", expected=5)
    assert c.committed_log(new2)[-1] == "b"
    assert "a" in c.committed_log(new1)
    leader = c.check_one_leader()
    for p in [p for p in c.pids if p != leader][:2]:
        c.crash(p)
    c.one("c", expected=3)  # 3 of 5 is a majority of the new configuration


def test_a_new_server_does_not_stand_for_election_before_it_is_a_member():
    c = Cluster(3, seed=2)
    c.one("a", expected=3)
    for p in c.pids:
        c.disconnect(p)  # nobody can add it
    from distlab.consensus.raft import RaftNode
    lonely = RaftNode(9, [], c.config)
    c.sim.add(lonely)
    c.run(2.0)
    assert lonely.current_term == 0 and lonely.role != LEADER


def test_removing_the_leader_hands_over_and_it_falls_silent():
    c = Cluster(5, seed=3)
    c.one("a", expected=5)
    old = c.check_one_leader()
    c.remove_server(old)
    c.run(1.0)
    assert c.nodes[old].role != LEADER
    new = c.check_one_leader()
    assert new != old and old not in c.members()
    term = c.nodes[old].current_term
    c.disconnect(old)
    c.run(3.0)
    assert c.nodes[old].current_term == term  # removed: never starts an election
    c.one("b", expected=4)


def test_one_change_at_a_time_and_only_one_server_per_change():
    c = Cluster(3, seed=4)
    c.one("a", expected=3)
    leader = c.nodes[c.check_one_leader()]
    with pytest.raises(ValueError, match="exactly one server"):
        leader.change_membership([0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="members"):
        leader.change_membership([0, 0, 1])
    follower = c.nodes[(leader.pid + 1) % 3]
    assert follower.change_membership([0, 1, 2, 3])[2] is False
    c.partition([[leader.pid], [p for p in c.pids if p != leader.pid]])
    assert leader.change_membership([0, 1, 2, 3])[2] is True
    assert leader.change_membership([0, 1, 2, 3, 4])[2] is False  # the first is still pending


def test_membership_changes_under_faults_keep_safety():
    import random
    for seed in range(6):
        rng = random.Random(seed)
        c = Cluster(3, seed=seed)
        c.sim.network.configure(loss=0.05)
        c.one("start", expected=2)
        for step in range(6):
            if len(c.members()) < 5 and rng.random() < 0.6:
                c.add_server()
            elif len(c.members()) > 3:
                c.remove_server(rng.choice(c.members()))
            victim = rng.choice(c.members())
            c.crash(victim)
            c.one(("x", step), expected=len(c.members()) // 2 + 1)
            c.restart(victim)
        c.one("end", expected=len(c.members()) // 2 + 1)


@settings(max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(0, 15),
       sticky=st.booleans())
def test_random_reconfigurations_under_random_faults(seed, faults, sticky):
    cfg = RaftConfig(pre_vote=True, check_quorum=True) if sticky else None
    r = run_trial(seed, n=5, faults=faults, loss=0.05, membership=True, config=cfg)
    assert r.violations == [], r.schedule
    assert r.recovered, (r.detail, r.schedule)


def test_bad_voters_is_refused():
    with pytest.raises(ValueError, match="voters"):
        Cluster(3, voters=4)
