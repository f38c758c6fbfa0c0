"""The scenario API: bad input refused with a message naming the parameter, commands to a
non-leader refused (never silently lost), persistence, one-way partitions, pre-vote, check-quorum."""
import pytest

from distlab.consensus.raft import LEADER, Cluster, RaftConfig, RaftNode, ScenarioError
from distlab.consensus.raft.state import is_up_to_date
from distlab.sim import Uniform, ms


@pytest.mark.parametrize("kw, word", [
    (dict(election_timeout=(0, 0.3)), "election_timeout low"),
    (dict(election_timeout=(0.3, 0.1)), "election_timeout high"),
    (dict(election_timeout=0.3), "election_timeout"),
    (dict(election_timeout=(0.15, 0.3), heartbeat_interval=0.2), "heartbeat_interval"),
    (dict(heartbeat_interval=-1), "heartbeat_interval"),
    (dict(max_entries=0), "max_entries"),
    (dict(disk_write=0.01), "disk_write"),
])
def test_bad_config_is_refused(kw, word):
    with pytest.raises(ValueError, match=word):
        RaftConfig(**kw)


@pytest.mark.parametrize("n", [0, 16, 2.5, True])
def test_bad_cluster_size_is_refused(n):
    with pytest.raises(ValueError, match="n \\(cluster size\\)"):
        Cluster(n)


def test_bad_seed_rates_and_partitions_are_refused():
    with pytest.raises(ValueError, match="seed"):
        Cluster(3, seed=-1)
    c = Cluster(3)
    with pytest.raises(ValueError, match="loss"):
        c.sim.network.configure(loss=1.5)
    with pytest.raises(ValueError, match="pid"):
        c.partition([[0, 7], [1, 2]])
    with pytest.raises(ValueError, match="groups must be disjoint"):
        c.partition([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="pid"):
        c.disconnect(9)
    with pytest.raises(ValueError, match="expected"):
        c.one(1, expected=4)
    with pytest.raises(ValueError, match="duration"):
        c.run(-1)
    with pytest.raises(ValueError, match="probability"):
        c.set_long_reordering(True, probability=2)
    with pytest.raises(ValueError, match="members"):
        RaftNode("x", ["a", "b"])


def test_a_command_sent_to_a_follower_is_refused_not_lost():
    c = Cluster(3, seed=3)
    leader = c.check_one_leader()
    follower = (leader + 1) % 3
    index, term, ok = c.start(follower, "lost?")
    assert (index, ok) == (0, False) and term == c.nodes[follower].current_term
    assert c.nodes[follower].leader_id == leader  # the client can be redirected here
    assert c.one("kept", expected=3) == 1


def test_up_to_date_rule():
    mine = (2, 2)  # my log ends at index 2 in term 2
    assert is_up_to_date(3, 1, *mine)        # later last term wins, even if shorter
    assert is_up_to_date(2, 2, *mine)        # same last term, as long
    assert not is_up_to_date(2, 1, *mine)    # same last term, shorter
    assert not is_up_to_date(1, 5, *mine)    # earlier last term loses, even if longer


def test_state_survives_crash_and_restart():
    c = Cluster(3, seed=4)
    for cmd in ("a", "b", "c"):
        c.one(cmd, expected=3)
    for p in c.pids:
        c.crash(p)
    c.run(1.0)
    for p in c.pids:
        c.restart(p)
    c.one("d", expected=3)
    assert all(c.committed_log(p) == ["a", "b", "c", "d"] for p in c.pids)
    assert all(c.nodes[p].current_term >= 2 for p in c.pids)


def test_minority_cannot_commit_and_is_rolled_back_on_heal():
    c = Cluster(5, seed=5)
    old = c.check_one_leader()
    c.one("base", expected=5)
    minority = [old, (old + 1) % 5]
    majority = [p for p in c.pids if p not in minority]
    c.partition([minority, majority])
    index, _, ok = c.start(old, "doomed")
    assert ok
    c.run(1.0)
    assert c.n_committed(index) == (0, None)
    new = c.check_one_leader()
    assert new in majority
    c.one("won", expected=3)
    c.heal()
    c.one("after", expected=5)
    assert all("doomed" not in c.node(p).committed_commands() for p in c.pids)
    assert c.committed_log(old) == ["base", "won", "after"]


def test_one_way_partition_deposes_a_leader_that_cannot_be_heard():
    c = Cluster(3, seed=6)
    leader = c.check_one_leader()
    for p in c.pids:
        if p != leader:
            c.block(leader, p)  # it hears them; they do not hear it
    c.run(2.0)
    leaders = c.leaders()
    assert any(pid != leader for _, pid in leaders)
    c.heal()
    c.one("x", expected=3)


def test_rpc_counts_and_bytes():
    c = Cluster(3, seed=7)
    c.check_one_leader()
    before = c.rpc_count(), c.bytes_sent()
    c.one("x" * 1000, expected=3)
    assert c.rpc_count() > before[0]
    assert c.bytes_sent() - before[1] >= 2 * 1000


def _rejoin_terms(pre_vote):
    c = Cluster(3, seed=8, config=RaftConfig(pre_vote=pre_vote))
    leader = c.check_one_leader()
    loner = (leader + 1) % 3
    c.disconnect(loner)
    c.run(3.0)
    c.connect(loner)
    c.run(1.0)
    return c, leader, c.nodes[loner].current_term


def test_pre_vote_stops_a_rejoining_server_from_deposing_the_leader():
    c, leader, loner_term = _rejoin_terms(pre_vote=True)
    assert c.nodes[leader].role == LEADER and loner_term == c.nodes[leader].current_term == 1
    _, _, loner_term2 = _rejoin_terms(pre_vote=False)
    assert loner_term2 > 5  # without pre-vote it kept bumping its term while cut off


def test_check_quorum_makes_a_cut_off_leader_step_down():
    for check_quorum, expect_leader in ((True, False), (False, True)):
        c = Cluster(3, seed=9, config=RaftConfig(check_quorum=check_quorum))
        leader = c.check_one_leader()
        c.disconnect(leader)
        c.run(2.0)
        assert (c.nodes[leader].role == LEADER) is expect_leader


def test_disk_writes_delay_replies_but_keep_safety():
    slow = RaftConfig(disk_write=Uniform(ms(5), ms(10)))
    c = Cluster(5, seed=10, config=slow)
    c.check_one_leader()
    for i in range(5):
        c.one(i, expected=5)
    with pytest.raises(ScenarioError):
        Cluster(3, seed=11).check_one_leader(timeout=0.05)


def test_state_is_plain_data_for_views():
    c = Cluster(3, seed=12)
    c.one("x", expected=3)
    c.start(c.leader(), "y")
    st = c.state()
    assert [n["pid"] for n in st["nodes"]] == [0, 1, 2]
    assert sum(n["role"] == LEADER for n in st["nodes"]) == 1
    assert all(n["log"][0] == (n["log"][0][0], "x") for n in st["nodes"])
    assert st["in_flight"] and all(kind == "AppendEntries" for _, _, _, kind, _, _ in st["in_flight"])
    assert set(st["invariants"]) >= {"election_safety", "log_matching"}
    assert all(v is None for v in st["invariants"].values())


def test_module_examples_run():
    import doctest

    import distlab.consensus.raft.cluster as cluster
    assert doctest.testmod(cluster).failed == 0
