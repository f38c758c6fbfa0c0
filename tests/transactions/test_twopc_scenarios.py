"""Two-phase commit, one story at a time: the happy path, a no vote, timeouts, recovery from the
coordinator's log, the cooperative termination protocol, locks, determinism and bad input."""
import pytest

from distlab.transactions.twopc import MAX_PARTICIPANTS, CrashPoint, TwoPC, TwoPCConfig, crash_points, run_twopc
from distlab.transactions.twopc.slow_participant import SlowParticipantConfig, run_slow_participant, sweep_delay

QUIET = {"workload_interval": None}


def test_all_yes_commits_everywhere_and_the_coordinator_ends_the_transaction():
    t = TwoPC(TwoPCConfig(participants=4, **QUIET), seed=3)
    r = t.run()
    assert r.outcomes == ("commit",) * 4 and r.decision == "commit"
    assert [k for k, _, _ in t.coordinator.log] == ["commit", "end"]
    for p in t.participants:
        assert [k for k, _, _ in p.log] == ["yes", "commit"]
        assert p.lock.holder is None
    assert r.blocked == (False,) * 4 and r.violations == ()
    assert r.finished_at is not None and r.finished_at < 0.05


def test_one_no_vote_aborts_everyone():
    r = run_twopc(TwoPCConfig(participants=3, no_voters=(1,), **QUIET), seed=0)
    assert r.outcomes == ("abort",) * 3 and r.decision == "abort" and r.violations == ()


def test_a_missing_vote_times_out_into_abort():
    config = TwoPCConfig(participants=2, slow_participant=1, slow_delay=1.0, vote_timeout=0.2,
                         **QUIET)
    t = TwoPC(config, seed=0)
    r = t.run()
    assert r.outcomes == ("abort", "abort") and r.violations == ()
    assert t.coordinator.log[0][2] == "vote timeout"


def test_without_prepare_a_participant_aborts_on_its_own():
    t = TwoPC(TwoPCConfig(participants=2, crash_point="coordinator/before_prepare",
                          recovery_time=None, **QUIET), seed=0)
    r = t.run()
    assert r.outcomes == ("abort", "abort") and r.in_doubt == (0.0, 0.0)
    assert all(p.log[-1][2] == "unilateral: no PREPARE in time" for p in t.participants)


def test_recovery_resends_a_logged_commit():
    t = TwoPC(TwoPCConfig(participants=3, crash_point="coordinator/after_decision_logged",
                          **QUIET), seed=0)
    r = t.run()
    assert r.outcomes == ("commit",) * 3 and r.blocked == (True,) * 3
    assert r.coordinator_down[0][1] == pytest.approx(r.coordinator_down[0][0] + 1.0)
    assert all(w[0][1] >= r.coordinator_down[0][1] for w in r.blocking_windows)


def test_recovery_without_a_decision_record_presumes_abort():
    t = TwoPC(TwoPCConfig(participants=3, crash_point="coordinator/after_votes", **QUIET), seed=0)
    r = t.run()
    assert r.decision is None and r.outcomes == ("abort",) * 3
    assert all(p.log[-1][2] == "coordinator" for p in t.participants)


def test_termination_lets_in_doubt_participants_learn_from_a_peer():
    point = "coordinator/after_decision_sent/1"
    off = TwoPC(TwoPCConfig(participants=3, crash_point=point, **QUIET), seed=0)
    on = TwoPC(TwoPCConfig(participants=3, crash_point=point, termination=True, **QUIET), seed=0)
    r_off, r_on = off.run(), on.run()
    assert r_off.blocked == (False, True, True) and r_on.blocked == (False, False, False)
    assert max(r_on.in_doubt) < 0.2 < 1.0 < max(r_off.in_doubt)
    assert on.participants[1].log[-1][2] == "peer p0"


def test_termination_asks_a_participant_that_has_not_voted_to_abort():
    t = TwoPC(TwoPCConfig(participants=3, crash_point="coordinator/after_prepare/2",
                          termination=True, recovery_time=None, **QUIET), seed=0)
    r = t.run()
    assert r.outcomes == ("abort",) * 3 and r.blocked == (False,) * 3
    assert t.participants[2].log[-1][2].startswith("unilateral: asked by in-doubt")


def test_a_participant_crashed_after_voting_recovers_in_doubt_and_asks():
    t = TwoPC(TwoPCConfig(participants=3, crash_point="p2/after_vote", recovery_time=0.5,
                          **QUIET), seed=0)
    t.run(0.3)
    assert not t.participants[2].up and t.participants[0].outcome == "commit"
    r = t.run()
    assert r.outcomes == ("commit",) * 3 and r.violations == ()


def test_a_participant_crashed_before_voting_loses_its_work_and_everyone_aborts():
    r = run_twopc(TwoPCConfig(participants=3, crash_point="p1/on_prepare", recovery_time=0.1,
                              **QUIET), seed=0)
    assert r.outcomes == ("abort",) * 3 and r.violations == ()


def test_locks_block_later_transactions_while_in_doubt():
    r = run_twopc(TwoPCConfig(participants=2, crash_point="coordinator/after_votes",
                              workload_interval=0.01), seed=0)
    assert r.lock_hold[0] == pytest.approx(r.in_doubt[0])
    assert r.lock_hold[0] > 1.0 and r.blocked_txns[0] >= 100


def test_slow_participant_holds_everyone_elses_locks_longer():
    results = sweep_delay([0.0, 0.1, 0.3, 0.6])
    holds = [min(r.lock_hold[:-1]) for r in results]
    blocked = [r.total_blocked for r in results]
    assert holds == sorted(holds) and blocked == sorted(blocked)
    assert holds[-1] > 0.55 and blocked[-1] > blocked[0] + 80
    assert all(r.outcome == "commit" for r in results)
    assert all(r.lock_hold[-1] < 0.05 for r in results)  # the slow one barely waits itself


def test_same_seed_same_result_other_seed_other_timing():
    config = TwoPCConfig(participants=3, crash_point="coordinator/after_prepare/2")
    assert run_twopc(config, 5) == run_twopc(config, 5)
    assert run_twopc(config, 5).in_doubt != run_twopc(config, 6).in_doubt
    slow = SlowParticipantConfig(delay=0.25)
    assert run_slow_participant(slow, 2) == run_slow_participant(slow, 2)


def test_crash_point_names_round_trip():
    for n in range(1, MAX_PARTICIPANTS + 1):
        for point in crash_points(n):
            assert CrashPoint.parse(point.name) == point
            assert TwoPCConfig(participants=n, crash_point=point.name).point == point
    assert len(crash_points(3)) == 2 * 3 + 3 + 5


@pytest.mark.parametrize("kwargs, words", [
    ({"participants": 0}, "participants must be an integer from 1 to 8"),
    ({"participants": 9}, "participants must be an integer from 1 to 8"),
    ({"participants": 2.5}, "participants must be an integer from 1 to 8"),
    ({"participants": True}, "participants must be an integer from 1 to 8"),
    ({"termination": "yes"}, "termination must be True or False"),
    ({"no_voters": (3,)}, "no_voters must be a tuple of participant indices from 0 to 2"),
    ({"slow_participant": 5}, "slow_participant must be an integer from 0 to 2"),
    ({"slow_delay": -1}, "slow_delay must be a number of seconds in [0.0, 60.0]"),
    ({"recovery_time": -0.5}, "recovery_time must be a number of seconds in [0.0, 3600.0]"),
    ({"vote_timeout": 0}, "vote_timeout must be a number of seconds in (0.0, 600.0]"),
    ({"latency": (0.01, 0.001)}, "latency high must be a number of seconds in [0.01, 10.0]"),
    ({"workload_interval": 0}, "workload_interval must be a number of seconds in (0.0"),
    ({"crash_point": "coordinator/explode"}, "step must be one of"),
    ({"crash_point": "coordinator/after_prepare/4"}, "crash_point's count must be from 1 to 3"),
    ({"crash_point": "p3/after_vote"}, "crash_point's participant must be from 0 to 2"),
    ({"crash_point": "nonsense"}, "name must look like"),
    ({"crash_point": 7}, "crash_point must be None, a CrashPoint or its name"),
])
def test_bad_config_names_the_parameter_and_its_range(kwargs, words):
    with pytest.raises(ValueError, match=None) as err:
        TwoPCConfig(**kwargs)
    assert words in str(err.value)


def test_checking_the_invariants_adds_no_events_and_changes_nothing_else():
    config = TwoPCConfig(participants=3, crash_point="coordinator/after_votes")
    checked, unchecked = TwoPC(config, seed=2), TwoPC(config, seed=2, check_invariants=False)
    r_checked, r_unchecked = checked.run(), unchecked.run()
    assert checked.sim.events_run == unchecked.sim.events_run
    assert r_checked == r_unchecked and r_checked.violations == ()
    assert run_twopc(config, 2, check_invariants=False) == r_checked


def test_violations_keep_each_invariants_first_one_in_order():
    from .mutants import ImpatientParticipant

    config = TwoPCConfig(participants=3, crash_point="coordinator/after_decision_logged",
                         workload_interval=None, horizon=3.0)
    t = TwoPC(config, 0, participant_class=ImpatientParticipant)
    r = t.run()
    assert r.violations == (  # the same as when a watcher event checked the invariants
        "atomicity violated at t=0.105865s: committed at ['c'] but aborted at ['p1']",
        "no_unilateral_abort_after_yes violated at t=0.105865s: p1 voted yes and then aborted on its "
        "own at t=0.106s (unilateral: tired of waiting)")
    assert r.violations == tuple(t.violations)
    assert [v.name for v in t.sim.violations][:2] == ["atomicity", "no_unilateral_abort_after_yes"]


@pytest.mark.parametrize("call, words", [
    (lambda: run_twopc(TwoPCConfig(), seed=-1), "seed must be an integer >= 0"),
    (lambda: TwoPC("config"), "config must be a TwoPCConfig"),
    (lambda: crash_points(0), "n (participants) must be an integer >= 1"),
    (lambda: crash_points(3, participant=3), "participant must be an integer from 0 to 2"),
    (lambda: CrashPoint("coordinator", "after_prepare"), "count must be an integer >= 1"),
    (lambda: CrashPoint(-1, "after_vote"), "target must be 'coordinator' or a participant"),
    (lambda: SlowParticipantConfig(participants=1), "participants must be an integer from 2 to 8"),
    (lambda: SlowParticipantConfig(delay=11), "delay must be a number of seconds in [0.0, 10.0]"),
    (lambda: run_slow_participant("x"), "config must be a SlowParticipantConfig"),
])
def test_bad_arguments_name_the_parameter_and_its_range(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)
