"""Every check accepts its reference solution and rejects every known-wrong answer.

Chapter helpers: add ``tests/grading/solutions/<chapter>.py`` with ``SOLUTIONS`` and ``MUTATIONS``
(see `distlab.grading.soundness`); nothing else to write.
"""

import pytest

from distlab.grading import soundness

from .conftest import SOLUTIONS

CASES = soundness.solution_cases(SOLUTIONS)


@pytest.mark.parametrize("file, exercise_id, solution, mutations", CASES,
                         ids=[f"{c[0]}::{c[1]}" for c in CASES])
def test_check_accepts_solution_and_rejects_mutations(file, exercise_id, solution, mutations):
    assert soundness.verify(exercise_id, solution, mutations) == []


def test_every_registered_exercise_has_a_solution_and_mutations():
    covered = {c[1] for c in CASES if c[3]}
    assert soundness.missing_solutions(covered) == []


def test_verify_catches_a_lenient_check_and_a_wrong_solution():
    # demo.majority's check rejects `lambda n: n // 2`; claiming it as a solution must be caught,
    # and a "mutation" that is in fact correct must be caught too.
    problems = soundness.verify("demo.majority", lambda n: n // 2, {"same": lambda n: n // 2 + 1})
    assert len(problems) == 2
    assert "solution got failed" in problems[0] and "same got passed" in problems[1]
    assert soundness.verify("demo.majority", lambda n: n // 2 + 1, {}) != []  # no mutations


def test_a_stub_is_not_accepted_as_a_mutation():
    def stub(n):
        raise NotImplementedError

    assert "not-attempted" in soundness.rejects("demo.majority", stub)
