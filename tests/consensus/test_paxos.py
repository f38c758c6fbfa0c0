"""Paxos: duelling proposers livelock and the fixes; safety under random faults (Hypothesis);
a proposer that ignores promised values is caught; Multi-Paxos with a stable leader; Raft and
Paxos side by side on the same fault schedule."""
import pytest
from hypothesis import given, settings, strategies as st

import distlab.consensus.paxos.scenarios as scenarios
from distlab.consensus.compare import side_by_side
from distlab.consensus.paxos import MultiPaxosNode, PaxosNode
from distlab.consensus.paxos.cluster import PaxosCluster


def test_duelling_proposers_livelock_without_a_fix():
    run = scenarios.duel("immediate")
    assert run.chosen_at is None
    assert all(v is None for v in run.chosen.values())
    assert run.ballots > 100  # they keep pre-empting each other


@pytest.mark.parametrize("fix", ["backoff", "leader"])
def test_backoff_or_a_distinguished_proposer_ends_the_duel(fix):
    run = scenarios.duel(fix)
    assert run.chosen_at is not None and run.chosen_at < 0.2
    assert len(set(run.chosen.values())) == 1 and None not in run.chosen.values()


@settings(max_examples=150)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(0, 15), proposers=st.integers(1, 5))
def test_single_decree_is_safe_under_random_faults_and_decides_after_heal(seed, faults,
                                                                          proposers):
    run = scenarios.random_faults(seed, faults=faults, proposers=proposers)
    assert run.violations == []
    assert run.chosen_at is not None
    learned = {v for v in run.chosen.values() if v is not None}
    assert len(learned) == 1


def test_checker_catches_a_proposer_that_ignores_promises():
    found = [v for s in range(100) for v in scenarios.random_faults(s, faults=s % 15,
                                                                   node_type=scenarios.ForgetfulProposer).violations]
    assert found and found[0].startswith("at_most_one_value_chosen")


def test_bad_paxos_input_is_refused():
    with pytest.raises(ValueError, match="retry"):
        PaxosNode(0, [0, 1, 2], "v", retry="sometimes")
    with pytest.raises(ValueError, match="members"):
        PaxosNode(5, [0, 1, 2])
    with pytest.raises(ValueError, match="election_timeout"):
        MultiPaxosNode(0, [0, 1, 2], election_timeout=(0.1, 0.05))
    with pytest.raises(ValueError, match="n \\(cluster size\\)"):
        PaxosCluster(0)


def test_multi_paxos_keeps_a_stable_leader_and_one_round_per_command():
    c = PaxosCluster(5, seed=1)
    assert c.one(("x", 0))
    leader = c.leader()
    ballot = c.nodes[leader].ballot
    prepares_before = c.sim.network.stats.sent
    for i in range(1, 20):
        assert c.one(("x", i))
    assert c.leader() == leader and c.nodes[leader].ballot == ballot  # no new phase 1
    assert c.sim.network.stats.sent > prepares_before
    logs = [c.learned_log(p) for p in c.pids]
    assert all(log[:19] == logs[0][:19] for log in logs)
    c.sim.crash(leader)
    assert c.one("after crash")
    assert c.leader() != leader


@pytest.mark.parametrize("seed", range(8))
def test_same_schedule_on_raft_and_paxos(seed):
    raft, paxos = side_by_side(seed, faults=4 + seed, loss=0.05 * (seed % 2))
    for outcome in (raft, paxos):
        assert outcome.safe, outcome.violation
        assert outcome.recovered, outcome


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(0, 15))
def test_multi_paxos_and_raft_stay_safe_on_random_shared_schedules(seed, faults):
    raft, paxos = side_by_side(seed, faults=faults, duration=2.0, loss=0.05)
    assert raft.safe and paxos.safe, (raft.violation, paxos.violation)
    assert raft.recovered and paxos.recovered
