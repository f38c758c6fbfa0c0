"""The replicated key-value store: linearizable histories and exactly-once appends under faults;
the failures before the fixes (no sessions -> duplicates, local reads -> stale reads)."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.consensus.raft import Cluster
from distlab.consensus.raft.kv_scenarios import run_kv_trial, stale_read
from distlab.consensus.raft.kvclient import KVClient
from distlab.consensus.raft.kvstore import KVServer, KVStateMachine


def test_state_machine_applies_a_retried_command_once():
    sm = KVStateMachine()
    assert sm.apply(("c", 1, "append", "k", "a")) is None
    sm.apply(("c", 1, "append", "k", "a"))  # the retry
    sm.apply(("c", 2, "get", "k", None))
    assert sm.data["k"] == "a" and sm.applied_ops == 2
    naive = KVStateMachine(sessions=False)
    naive.apply(("c", 1, "append", "k", "a"))
    naive.apply(("c", 1, "append", "k", "a"))
    assert naive.data["k"] == "aa"


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(0, 12),
       reads=st.sampled_from(["read_index", "log"]))
def test_histories_are_linearizable_and_appends_exactly_once(seed, faults, reads):
    r = run_kv_trial(seed, faults=faults, reads=reads, duplicate=0.05)
    assert r.violations == []
    assert r.verdict.holds, str(r.verdict)
    assert r.duplicated == [] and r.lost == []
    assert r.completed == 60  # every client finished after the heal


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(0, 12), max_log=st.sampled_from([3, 8]))
def test_kv_with_snapshots_stays_linearizable_and_exactly_once(seed, faults, max_log):
    r = run_kv_trial(seed, faults=faults, duplicate=0.05, max_log=max_log)
    assert r.violations == [] and r.verdict.holds, str(r.verdict)
    assert r.duplicated == [] and r.lost == [] and r.completed == 60


def test_without_sessions_retries_apply_twice():
    dups = [run_kv_trial(s, sessions=False, duplicate=0.2).duplicated for s in range(5)]
    assert any(dups)


def test_local_reads_on_a_deposed_leader_are_stale():
    verdict, history = stale_read("local")
    assert not verdict.holds
    assert [o.result for o in history if o.f == "get"] == ["1"]


@pytest.mark.parametrize("reads", ["read_index", "log"])
def test_linearizable_reads_refuse_to_answer_from_a_deposed_leader(reads):
    verdict, history = stale_read(reads)
    assert verdict.holds
    assert [o.status for o in history if o.f == "get"] == ["info"]


def test_non_leader_redirects_the_client():
    from functools import partial
    c = Cluster(3, seed=2, node_class=partial(KVServer))
    leader = c.check_one_leader()
    follower = (leader + 1) % 3
    cl = c.sim.add(KVClient("c", [follower, leader], [("put", "k", "v"), ("get", "k", None)]))
    c.run(1.0)
    assert cl.results == [("put", "k", "v", None), ("get", "k", None, "v")]


def test_bad_client_and_server_input():
    with pytest.raises(ValueError, match="ops"):
        KVClient("c", [0], [("delete", "k", None)])
    with pytest.raises(ValueError, match="reads"):
        KVServer(0, [0, 1, 2], reads="eventually")
