"""Exercise 3 (``consistency.choose_rungs``) grades by the chooser's one rule, with the issue's cases."""
import pytest

from distlab.consistency.chooser import place_all
from distlab.grading.consistency import check_choose_rungs

RIGHT = {item.name: choice.rung for item, choice in place_all()}


def test_the_chooser_s_rungs_pass():
    assert check_choose_rungs(lambda: dict(RIGHT)) is True


def test_the_reply_bug_s_rung_passes_for_chat():
    # section 3 headlines writes-follow-reads for "a reply before the message it answers"
    assert check_choose_rungs(lambda: {**RIGHT, "chat message": "writes-follow-reads"}) is True


@pytest.mark.parametrize("item, rung, says", [
    ("like count", "eventual", "too weak -- a refresh can be served by a replica further behind"),
    ("chat message", "consistent-prefix", "a reader can see a reply before"),
    ("chat message", "causal", "works, but pays for coordination it does not need"),
    ("profile bio", "sequential", "works, but pays for coordination it does not need"),
    ("account balance", "causal", "too weak"),
])
def test_wrong_rungs_fail_by_the_rule(item, rung, says):
    got = check_choose_rungs(lambda: {**RIGHT, item: rung})
    assert isinstance(got, str) and says in got, got
    assert "the author must see the edit" not in got
