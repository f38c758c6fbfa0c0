"""Chapter 6's exercises: the right answers pass, the plausible wrong ones are told why."""
import pytest

from distlab.casestudy.chaos import SAGA_POINTS
from distlab.grading import casestudy as ex

ACTIONS = [p for p in SAGA_POINTS if "_action:" in p]


def test_double_charge_truth_comes_from_the_runs():
    truth = ex.double_charge_truth()
    assert sorted(truth) == sorted(SAGA_POINTS)
    assert {p for p, n in truth.items() if n == 2} == set(ACTIONS)  # every action point: resume + retry
    assert {p for p, n in truth.items() if n < 2} == set(SAGA_POINTS) - set(ACTIONS)


@pytest.mark.parametrize(("answer", "expected"), [
    (lambda points: {p for p in points if "_action:" in p}, True),
    (lambda points: set(ACTIONS), True),
    (lambda points: ["after_action:ledger", "before_action:notify", "during_action:notify", "after_action:notify"],
     "charged twice at"),  # "only after the money moved": the resumed saga is forgotten
    (lambda points: set(points), "no transfer moved twice there"),
    (lambda points: {"after_commit"}, "not crash points"),
    (lambda points: None, "must return a set"),
    (set(ACTIONS), "pass the function"),
])
def test_double_charge(answer, expected):
    verdict = ex.check_double_charge(answer)
    assert verdict is True if expected is True else expected in verdict, verdict


@pytest.mark.parametrize(("levels", "expected"), [
    ({"lost update": "repeatable read", "write skew": "serializable"}, True),
    ({"lost update": "serializable", "write skew": "serializable"}, "a weaker level already does"),
    ({"lost update": "repeatable read", "write skew": "repeatable read"}, "still lets a write skew"),
    ({"lost update": "read committed", "write skew": "serializable"}, "still lets a lost update"),
    ({"lost update": "REPEATABLE READ", "write skew": " Serializable"}, True),  # the prose writes them in capitals
    ({"lost update": "snapshot", "write skew": "serializable"}, "must return one of"),
])
def test_isolation(levels, expected):
    verdict = ex.check_isolation(levels.get)
    assert verdict is True if expected is True else expected in verdict, verdict


def test_the_hermitage_rows_name_each_level_once_per_anomaly():
    assert {(r.anomaly, r.isolation) for r in ex.HERMITAGE} == {(a, level) for a in ("lost update", "write skew")
                                                                 for level in ex.LEVELS}
    assert ex.weakest_preventing("lost update") == "repeatable read"
    assert ex.weakest_preventing("write skew") == "serializable"


@pytest.mark.parametrize(("size", "expected"), [
    (3, True), (4, True),
    (16, "in the slowdown succeeded"), (8, "in the slowdown succeeded"),
    (1, "skipped the fraud check"), (2, "skipped the fraud check"),
    (0, "whole number from 1 to 16"), (4.0, "whole number from 1 to 16"), (True, "whole number from 1 to 16"),
])
def test_bulkhead(size, expected):
    verdict = ex.check_bulkhead(lambda: size)
    assert verdict is True if expected is True else expected in verdict, verdict


def test_bulkhead_accepts_a_numpy_integer_and_says_call_for_one():
    import numpy as np

    assert ex.check_bulkhead(lambda: np.int64(4)) is True
    assert "with 1 fraud call at once" in ex.check_bulkhead(lambda: 1)


def test_double_charge_feedback_lists_points_in_saga_order():
    verdict = ex.check_double_charge(lambda points: {"after_action:notify"})
    assert verdict.index("before_action:fraud_check") < verdict.index("during_action:fraud_check") < \
        verdict.index("after_action:ledger")
