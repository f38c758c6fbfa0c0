"""Every crash point x participant count (1-5) x termination on/off: all-or-nothing on every
participant, and the blocking window present exactly where the blocking rule predicts it."""
import pytest

from distlab.transactions.twopc import COORDINATOR, TwoPC, TwoPCConfig, crash_points
from distlab.transactions.twopc.enumeration import crash_schedules, judge

from .mutants import EagerCoordinator, ImpatientParticipant, SilentParticipant

SCHEDULES = crash_schedules()


def test_there_are_at_least_100_schedules():
    assert len(SCHEDULES) >= 100
    names = {(c.participants, c.termination, c.point.name) for c in SCHEDULES}
    assert len(names) == len(SCHEDULES)


@pytest.mark.parametrize("config", SCHEDULES, ids=lambda c: f"n{c.participants}-"
                         f"{'term' if c.termination else 'noterm'}-{c.point.name}")
def test_all_or_nothing_and_blocking_as_the_rule_predicts(config):
    verdict = judge(config)
    assert verdict.all_or_nothing, verdict.explain()
    assert verdict.blocking_as_predicted, verdict.explain()
    assert verdict.result.violations == (), verdict.explain()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_seeds_agree(seed):
    bad = [v.explain() for v in (judge(c, seed) for c in crash_schedules(counts=(3,)))
           if not v.ok]
    assert bad == []


def test_blocked_participants_wait_for_the_coordinator_to_come_back():
    for config in crash_schedules(counts=(3,)):
        verdict = judge(config)
        restart = verdict.result.coordinator_down[0][1] if verdict.result.coordinator_down else None
        for i, blocked in enumerate(verdict.predicted):
            windows = verdict.result.blocking_windows[i]
            if blocked:
                assert restart is not None and windows and windows[0][1] >= restart
            else:
                assert windows == ()


def test_a_coordinator_that_never_returns_blocks_forever_exactly_where_predicted():
    for termination in (False, True):
        for point in crash_points(3):
            if point.target != COORDINATOR:
                continue
            config = TwoPCConfig(participants=3, termination=termination, crash_point=point,
                                 recovery_time=None, horizon=2.0, workload_interval=None)
            verdict = judge(config)
            undecided = tuple(o is None for o in verdict.result.outcomes)
            assert undecided == verdict.predicted, verdict.explain()
            assert verdict.result.violations == ()


# ---------------------------------------------------------------- the checkers can fail
def _violations(config, **classes):
    return " ".join(TwoPC(config, 0, **classes).run().violations)


def test_an_impatient_participant_is_caught():
    seen = " ".join(_violations(c, participant_class=ImpatientParticipant)
                    for c in crash_schedules(counts=(3,)))
    assert "no_unilateral_abort_after_yes" in seen
    assert "atomicity" in seen


def test_a_participant_silent_to_its_peers_breaks_the_blocking_rule():
    config = TwoPCConfig(participants=3, termination=True,
                         crash_point="coordinator/after_decision_sent/1", workload_interval=None)
    assert _violations(config) == ""
    assert "blocking_rule" in _violations(config, participant_class=SilentParticipant)


def test_a_coordinator_that_sends_before_logging_is_caught():
    config = TwoPCConfig(participants=3, crash_point="coordinator/after_decision_sent/1",
                         workload_interval=None)
    assert _violations(config) == ""
    assert "atomicity" in _violations(config, coordinator_class=EagerCoordinator)
