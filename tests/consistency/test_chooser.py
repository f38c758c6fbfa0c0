"""The rule-of-thumb chooser (`distlab.consistency.chooser`): the weakest rung that gives every
guarantee the data needs, the lecture's examples on their rungs, and bad input refused."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.consistency import AVAILABILITY, RUNGS
from distlab.consistency.chooser import (
    EXERCISE_ITEMS,
    ITEMS,
    NEEDS,
    REQUIRES,
    choice_covers,
    choose_rung,
    judge,
    place,
    place_all,
)
from distlab.consistency.ladder import implies_all

needs_strategy = st.fixed_dictionaries({k: st.booleans() for k in NEEDS})


@given(needs_strategy)
@settings(max_examples=64)
def test_the_choice_gives_every_needed_guarantee_and_nothing_stronger_than_needed(needs):
    choice = choose_rung(**needs)
    assert choice_covers(needs, choice)
    required = {REQUIRES[k] for k, v in needs.items() if v}
    if not required:
        assert choice.rung == "eventual"
        return
    # no weaker rung (one the choice implies) would also give every needed rung
    for weaker in implies_all(choice.rung):
        assert not required <= ({weaker} | implies_all(weaker))
    assert choice.availability == AVAILABILITY[choice.rung]


@given(needs_strategy, st.sampled_from(list(NEEDS)))
@settings(max_examples=64)
def test_adding_a_need_never_moves_the_choice_down_the_ladder(needs, extra):
    before = choose_rung(**needs)
    after = choose_rung(**{**needs, extra: True})
    assert before.rung == "eventual" or after.rung == before.rung or before.rung in implies_all(after.rung)


def test_two_session_guarantees_need_pram():
    c = choose_rung(own_writes=True, no_going_back=True)
    assert c.rung == "pram" and "read-your-writes and monotonic-reads" in c.reason
    assert c.needs == ("own_writes", "no_going_back")


def test_an_invariant_always_costs_linearizability():
    for other in (False, True):
        assert choose_rung(invariant=True, causal=other, own_writes=other).rung == "linearizable"


@pytest.mark.parametrize("name, rung", [
    ("account balance", "linearizable"), ("inventory count", "linearizable"),
    ("unique username", "linearizable"), ("leader identity", "linearizable"),
    ("like count", "monotonic-reads"), ("profile bio", "read-your-writes"), ("chat message", "writes-follow-reads")])
def test_the_lectures_examples(name, rung):
    c = place(name)
    assert c.rung == rung
    assert judge(name, rung) is None


def test_every_item_is_placed_with_a_reason_and_what_breaks():
    placed = place_all()
    assert [i.name for i, _ in placed] == [i.name for i in ITEMS]
    for item, choice in placed:
        assert item.why and item.breaks and choice.reason


def test_writes_follow_reads_and_either_session_guarantee_need_causal():
    assert choose_rung(causal=True, own_writes=True).rung == "causal"
    assert choose_rung(causal=True, no_going_back=True).rung == "causal"


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="invariant must be True or False"):
        choose_rung(invariant="yes")
    with pytest.raises(ValueError, match="item must be one of"):
        place("grocery list")


@pytest.mark.parametrize("item", [i.name for i in (*ITEMS, *EXERCISE_ITEMS)])
@pytest.mark.parametrize("rung", [*RUNGS, "eventual"])
def test_one_rule_for_every_item_and_rung(item, rung):
    """The chooser's rung passes; a stronger one pays for coordination; anything else says what breaks."""
    chosen = place(item).rung
    verdict = judge(item, rung)
    if rung == chosen:
        assert verdict is None
    elif chosen == "eventual" or chosen in implies_all(rung):
        assert verdict is not None and "works, but pays for coordination it does not need" in verdict
    else:
        breaks = next(i.breaks for i in (*ITEMS, *EXERCISE_ITEMS) if i.name == item)
        assert verdict is not None and verdict.endswith(breaks) and "works" not in verdict
