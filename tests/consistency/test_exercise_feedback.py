"""Chapter 1's exercises 1 and 2 say what is wrong in the words of the notebook (issue #12): each
test below was seen failing on the code before the fix."""
from __future__ import annotations

from distlab.grading.consistency import check_classify, check_token_read, expected_strongest, puzzles


def _first_caught_up(replicas, key, token, *, new_token=lambda token, version, applied: max(token, version),
                     absent=("", 0), caught_up=lambda applied, token: applied >= token):
    for r in replicas:
        if caught_up(r["applied"], token):
            value, version = r["data"].get(key, absent)
            return value, version, new_token(token, version, r["applied"])
    return None


def test_a_right_read_path_passes():
    assert check_token_read(_first_caught_up) is True


def test_a_token_set_to_what_the_replica_applied_is_told_why_it_is_not_the_sessions():
    answer = check_token_read(lambda *a: _first_caught_up(*a, new_token=lambda t, v, applied: max(t, applied)))
    assert "the new token is the highest version the session has seen: max(token, version)" in answer


def test_a_token_that_goes_down_is_told_so():
    answer = check_token_read(lambda *a: _first_caught_up(*a, new_token=lambda t, v, applied: v))
    assert "the token went down from" in answer


def test_an_absent_key_read_as_none_is_told_how_it_reads():
    answer = check_token_read(lambda *a: _first_caught_up(*a, absent=(None, 0)))
    assert "an absent key reads as ('', 0)" in answer


def test_strictly_greater_is_told_greater_or_equal_not_freshest_alone():
    answer = check_token_read(lambda *a: _first_caught_up(*a, caught_up=lambda applied, t: applied > t))
    assert "applied >= token (not >)" in answer


def test_the_puzzles_show_no_generator_internals():
    for name, h in puzzles().items():
        assert min(o.process for o in h) == 0, name
        assert not any("planted" in str(v) for o in h for v in (o.value, o.result)), name
    assert expected_strongest() == {"A": {"linearizable"}, "B": {"sequential"},
                                    "C": {"monotonic-reads", "monotonic-writes", "writes-follow-reads",
                                          "consistent-prefix"},
                                    "D": {"read-your-writes", "monotonic-writes"}}


def _answers(**change):
    right = {name: sorted(rungs) for name, rungs in expected_strongest().items()}
    return lambda: {**right, **change}


def test_placing_a_history_says_whether_a_rung_fails_or_is_implied():
    assert check_classify(_answers()) is True
    assert check_classify(_answers(B=["linearizable"])) == (
        "history B: linearizable is violated -- a rung that fails cannot be among its strongest")
    implied = check_classify(_answers(A=["linearizable", "sequential"]))
    assert implied == ("history A: sequential holds, but it is implied by linearizable, which you named too -- "
                       "name only the strongest rungs")
    assert "implied by a stronger rung that holds too" in check_classify(_answers(A=["sequential"]))


def test_placing_a_history_counts_what_is_missing_and_refuses_a_non_list_by_the_history():
    missing = check_classify(_answers(C=["monotonic-reads"]))
    assert missing.startswith("history C: 3 of its 4 strongest rungs are missing")
    assert check_classify(_answers(A=1)) == "history A: give a rung name or a list of rung names, got 1"
