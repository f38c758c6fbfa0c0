"""Safety under random faults (Hypothesis draws the schedules), liveness after heal, and proof that
the checker catches each classic mistake."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.consensus.raft import SAFETY_PROPERTIES
from distlab.consensus.raft.chaos import run_trial
from distlab.consensus.raft.figure8 import figure8_replay
from distlab.sim import InvariantViolation

from .mutants import MUTANTS

schedules = dict(seed=st.integers(0, 2**32 - 1), n=st.sampled_from([3, 5]),
                 faults=st.integers(0, 20), loss=st.sampled_from([0.0, 0.1]))


def _check(result):
    assert result.violations == [], f"{result.violations} under {result.schedule}"
    assert result.recovered, f"no progress after heal ({result.detail}) under {result.schedule}"
    assert result.committed >= 1


@settings(max_examples=250)
@given(**schedules)
def test_random_fault_schedules_keep_safety_and_recover(seed, n, faults, loss):
    _check(run_trial(seed, n=n, faults=faults, loss=loss))


@settings(max_examples=250)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(5, 30))
def test_dense_fault_schedules_on_five_servers(seed, faults):
    _check(run_trial(seed, n=5, faults=faults, duration=3.0, loss=0.1))


@settings(max_examples=50)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(0, 15))
def test_random_schedules_with_prevote_and_check_quorum(seed, faults):
    from distlab.consensus.raft import RaftConfig
    cfg = RaftConfig(pre_vote=True, check_quorum=True)
    _check(run_trial(seed, n=5, faults=faults, config=cfg))


@settings(max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), faults=st.integers(0, 20),
       every=st.sampled_from([3, 5, 10]))
def test_random_schedules_with_snapshots(seed, faults, every):
    _check(run_trial(seed, n=5, faults=faults, loss=0.1, snapshot_every=every))


def test_same_seed_same_trial():
    a, b = run_trial(7, faults=12, loss=0.1), run_trial(7, faults=12, loss=0.1)
    assert (a.schedule, a.committed) == (b.schedule, b.committed)


def test_every_safety_property_is_registered():
    assert SAFETY_PROPERTIES == ("election_safety", "leader_append_only", "log_matching",
                                 "leader_completeness", "state_machine_safety")


@pytest.mark.parametrize("name, expected", [
    ("votes_for_any_log", ("leader_completeness", "state_machine_safety", "log_matching")),
    ("votes_twice", ("election_safety",)),
    ("forgets_term", ("election_safety", "state_machine_safety", "leader_completeness")),
])
def test_checker_catches_broken_servers(name, expected):
    found = []
    for seed in range(250):
        r = run_trial(seed, n=5 if seed % 2 else 3, faults=4 + seed % 12,
                      loss=0.1 if seed % 3 == 0 else 0.0, node_class=MUTANTS[name])
        found += [v.split(" ")[0] for v in r.violations]
        if found:
            break
    assert found, f"no violation found for mutant {name}"
    assert found[0] in expected


def test_figure8_replay_is_safe_with_the_current_term_rule():
    c = figure8_replay()
    logs = {p: [e.command for e in nd.log] for p, nd in c.nodes.items()}
    assert logs[4] == ["a", "c"] and logs[1] == ["a", "c"]  # b overwritten: it was never committed
    assert c.nodes[4].current_term == 4


def test_figure8_replay_catches_committing_old_terms():
    with pytest.raises(InvariantViolation, match="leader_completeness"):
        figure8_replay(node_class=MUTANTS["commits_old_terms"])
