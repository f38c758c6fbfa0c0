"""Exercise 3 (``consistency.choose_rungs``) grades by the chooser's one rule, on data the notebook
does not print the answers for."""
import pytest

from distlab.consistency.chooser import EXERCISE_ITEMS, ITEMS, judge, place
from distlab.grading.consistency import check_choose_rungs

RIGHT = {item.name: place(item).rung for item in EXERCISE_ITEMS}


def test_the_chooser_s_rungs_pass():
    assert check_choose_rungs(lambda: dict(RIGHT)) is True


def test_the_exercise_is_not_the_printed_worked_examples():
    assert not {i.name for i in ITEMS} & set(RIGHT)
    assert set(RIGHT.values()) == {"linearizable", "monotonic-reads", "read-your-writes", "writes-follow-reads",
                                   "pram", "eventual"}
    got = check_choose_rungs(lambda: {i.name: place(i).rung for i in ITEMS})
    assert isinstance(got, str) and "must return a dict with exactly the keys" in got


@pytest.mark.parametrize("item, rung, says", [
    ("video view count", "eventual", "too weak -- a refresh can be served by a replica further behind"),
    ("forum reply", "consistent-prefix", "a reader can see a reply before"),
    ("forum reply", "causal", "works, but pays for coordination it does not need"),
    ("notification settings", "sequential", "works, but pays for coordination it does not need"),
    ("coupon code", "causal", "too weak"),
    ("shopping cart", "read-your-writes", "too weak"),
    ("trending topics", "monotonic-reads", "works, but pays for coordination it does not need"),
])
def test_wrong_rungs_fail_by_the_rule(item, rung, says):
    got = check_choose_rungs(lambda: {**RIGHT, item: rung})
    assert isinstance(got, str) and says in got, got


@pytest.mark.parametrize("item, rung, verdict", [
    ("chat message", "writes-follow-reads", None),                    # section 3's rung for the reply bug
    ("like count", "eventual", "too weak"),
    ("chat message", "consistent-prefix", "which does not forbid what breaks here"),
    ("profile bio", "sequential", "works, but pays for coordination it does not need"),
])
def test_the_issue_s_cases_on_the_lecture_s_examples(item, rung, verdict):
    got = judge(item, rung)
    assert got is None if verdict is None else (got is not None and verdict in got and "must see the edit" not in got)


def test_a_rung_beside_the_needed_one_is_told_what_it_does_promise():
    """'consistent-prefix does not promise what this data needs (no arrow of the ladder leads from
    consistent-prefix to a rung that forbids it)' taught nothing; the feedback now says what the
    chosen rung promises and what breaks, without naming the right rung."""
    from distlab.consistency.chooser import PROMISES, judge

    message = judge("forum reply", "consistent-prefix")
    assert message == ("forum reply: consistent-prefix promises one order of all writes, as a sequencer received "
                       "them, each read seeing some prefix of it -- which does not forbid what breaks here: a "
                       "reader can see a reply before (or without) the post it answers")
    assert "writes-follow-reads" not in message and "arrow" not in judge("video view count", "read-your-writes")
    assert set(PROMISES) == {*__import__("distlab.consistency", fromlist=["RUNGS"]).RUNGS}
