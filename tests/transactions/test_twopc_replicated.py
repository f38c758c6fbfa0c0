"""The fix: the coordinator's decision replicated through chapter 2's Raft. A coordinator crash
that a Raft majority survives blocks nobody -- the crashed replica never comes back, and every
participant still learns the same outcome within an election and a commit round. Raft's five
safety properties and 2PC's invariants are checked after every step (a violation raises)."""
import pytest

from distlab.consensus.raft import RaftNode
from distlab.transactions.twopc import COORDINATOR, TwoPCConfig, crash_points, run_twopc
from distlab.transactions.twopc.replicated import RaftCoordinator
from distlab.transactions.twopc.replicated_scenario import ReplicatedTwoPC, run_replicated

FAILOVER = 1.0  # seconds: an election (150-300 ms timeouts) plus one commit, with room


def _config(n, point, termination=False, recovery=None):
    return TwoPCConfig(participants=n, crash_point=point, termination=termination,
                       recovery_time=recovery, prepare_timeout=2.0, horizon=3.0,
                       workload_interval=None)


COORDINATOR_CASES = [(n, term, p) for n in (1, 2, 3) for term in (False, True)
                     for p in crash_points(n) if p.target == COORDINATOR]


@pytest.mark.parametrize("n, termination, point", COORDINATOR_CASES,
                         ids=lambda v: getattr(v, "name", str(v)))
def test_a_crashed_leader_that_never_returns_blocks_nobody(n, termination, point):
    r = run_replicated(_config(n, point, termination), seed=n)
    assert None not in r.outcomes and len(set(r.outcomes)) == 1, r
    assert r.decision == r.outcomes[0]
    assert r.blocked == (False,) * n
    assert len(r.coordinator_down) == 1 and r.coordinator_down[0][1] == 3.0  # never back
    assert max(r.in_doubt) < FAILOVER, r.in_doubt


@pytest.mark.parametrize("point", [p for p in crash_points(3) if p.target != COORDINATOR],
                         ids=lambda p: p.name)
def test_participant_crash_points_stay_all_or_nothing(point):
    r = run_replicated(_config(3, point, recovery=0.5), seed=0)
    assert None not in r.outcomes and len(set(r.outcomes)) == 1, r


@pytest.mark.parametrize("point", ["coordinator/after_votes", "coordinator/after_decision_logged"])
def test_the_same_crash_blocks_a_single_coordinator_forever(point):
    single = run_twopc(_config(3, point), seed=0)
    replicated = run_replicated(_config(3, point), seed=0)
    assert single.outcomes == (None, None, None) and single.blocked == (True,) * 3
    assert None not in replicated.outcomes and replicated.blocked == (False,) * 3


def test_a_new_leader_reads_a_logged_commit_instead_of_aborting():
    t = ReplicatedTwoPC(_config(3, "coordinator/after_decision_logged"), seed=4)
    r = t.run()
    assert r.outcomes == ("commit",) * 3
    survivors = [t.replica(p) for p in t.cluster.pids if t.replica(p).up]
    for nd in survivors:
        decides = [e.command for e in nd.log if e.command[0] == "decide"]
        assert decides[0] == ("decide", "T1", "commit")  # the first decide entry wins
        assert nd.decision == "commit"
    assert len(survivors) == 2


def test_losing_the_raft_majority_blocks_again_until_it_is_back():
    t = ReplicatedTwoPC(_config(3, None), seed=0)
    t.run(0.15)
    t.sim.run(lambda s: any(nd.collecting for nd in t.cluster.nodes.values()), deadline=1.0)
    leader = next(p for p, nd in t.cluster.nodes.items() if nd.collecting)
    others = [p for p in t.cluster.pids if p != leader]
    t.cluster.crash(leader)
    t.cluster.crash(others[0])
    r = t.run(2.0)
    assert None in r.outcomes  # one replica of three cannot decide anything
    t.cluster.restart(others[0])
    r = t.run(3.0)
    assert None not in r.outcomes and len(set(r.outcomes)) == 1


def test_replicated_runs_are_deterministic_and_reuse_chapter_2s_raft():
    config = _config(3, "coordinator/after_prepare/2")
    assert run_replicated(config, 7) == run_replicated(config, 7)
    assert issubclass(RaftCoordinator, RaftNode)


@pytest.mark.parametrize("call, words", [
    (lambda: ReplicatedTwoPC(_config(3, None), replicas=0), "replicas must be an integer from 1 to 7"),
    (lambda: ReplicatedTwoPC(TwoPCConfig()), "prepare_timeout must be a number of seconds in [1.0"),
    (lambda: ReplicatedTwoPC("x"), "config must be a TwoPCConfig"),
    (lambda: run_replicated(_config(3, None), seed=-2), "seed must be an integer >= 0"),
])
def test_bad_input_names_the_parameter_and_its_range(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)
