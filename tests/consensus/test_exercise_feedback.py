"""Chapter 2's exercises grade what the notebook teaches, and say what is wrong in a learner's terms:
a count of servers is a whole number (a float or a string equal to it is not accepted), a list is
named as one, and passing a called function (or a value) instead of the function says so."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from distlab.grading.consensus import check_livelock, check_quorum, check_vote_rule


def _right_quorum(n: int) -> tuple[int, int]:
    return n // 2 + 1, n - (n // 2 + 1)


@pytest.mark.parametrize("answer", [
    lambda n: (float(n // 2 + 1), float(n - n // 2 - 1)),    # floats equal to the right numbers
    lambda n: (str(n // 2 + 1), str(n - n // 2 - 1)),        # strings that print as them
    lambda n: (n // 2 + 1, True if n == 1 else n - n // 2 - 1),
], ids=["floats", "strings", "bool"])
def test_a_count_of_servers_must_be_an_int(answer: Callable[[int], object]) -> None:
    feedback = check_quorum(answer)
    assert feedback is not True
    assert "whole number of servers" in str(feedback)


def test_a_float_answer_is_told_to_use_floor_division() -> None:
    assert "use //" in str(check_quorum(lambda n: (n / 2 + 0.5, n / 2 - 0.5)))


def test_right_answers_pass_as_a_tuple_of_ints_or_numpy_ints_and_a_list_is_named() -> None:
    np = pytest.importorskip("numpy")
    assert check_quorum(_right_quorum) is True
    assert check_quorum(lambda n: tuple(np.int64(v) for v in _right_quorum(n))) is True
    assert check_quorum(lambda n: list(_right_quorum(n))) == (
        "fault_tolerance(1) must return the tuple (majority, tolerated), got the list [1, 0]")


def test_one_server_is_singular() -> None:
    assert check_quorum(lambda n: (n // 2, n - n // 2)) == "fault_tolerance(1): the majority of 1 server is not 0"


@pytest.mark.parametrize(("check", "name", "value"), [
    (check_vote_rule, "grant_vote", True),                          # grant_vote(state, request) called
    (check_quorum, "fault_tolerance", (3, 2)),                      # fault_tolerance(5) called
    (check_livelock, "livelock_schedule", {"timeout_ms": 24, "second_start_ms": 12}),
])
def test_a_value_instead_of_the_function_says_pass_the_function(check: Callable[[object], object], name: str,
                                                                 value: object) -> None:
    feedback = str(check(value))
    assert feedback.startswith("pass the function itself, without calling it")
    assert f", {name})" in feedback
