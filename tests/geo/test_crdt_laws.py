"""Every CRDT of chapter 4 against the semilattice laws and its own specification, by Hypothesis.

Scripts of updates and deliveries at three replicas are drawn per type; the states they reach must
merge commutatively, associatively and idempotently, every delivery order of the same states must
give the same state, and the value once everything is merged must be what the type's spec says.
"""
import itertools
from functools import reduce

import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo.crdts import KINDS, Issue, Script, Sync, replay

NAMES = ("A", "B", "C")


def scripts(kind, max_steps=14):
    issue = st.builds(Issue, st.sampled_from(NAMES), st.sampled_from(kind.choices))
    sync = st.builds(Sync, st.sampled_from(NAMES), st.sampled_from(NAMES)).filter(lambda s: s.src != s.dst)
    return st.lists(st.one_of(issue, sync), max_size=max_steps).map(lambda steps: Script(NAMES, tuple(steps)))


def merge(a, b):
    return a.merge(b)


@pytest.mark.parametrize("name", list(KINDS))
@settings(max_examples=60)
@given(data=st.data())
def test_merge_is_commutative_associative_idempotent(name, data):
    kind = KINDS[name]
    reached = [state for _, state in replay(data.draw(scripts(kind)), kind).reached]
    a, b, c = (data.draw(st.sampled_from(reached)) for _ in range(3))
    assert merge(a, a) == a
    assert merge(a, b) == merge(b, a)
    assert merge(merge(a, b), c) == merge(a, merge(b, c))


@pytest.mark.parametrize("name", list(KINDS))
@settings(max_examples=60)
@given(data=st.data())
def test_every_delivery_order_converges_to_the_spec(name, data):
    """Deliver every state any replica reached to a fresh replica, in any order (with repeats): one
    state, and its value is the type's specification of all the updates."""
    kind = KINDS[name]
    rep = replay(data.draw(scripts(kind)), kind)
    states = [state for _, state in rep.reached]
    order = data.draw(st.permutations(range(len(states))))
    repeats = data.draw(st.lists(st.sampled_from(range(len(states))), max_size=4))
    in_order = reduce(merge, states, kind.new())
    shuffled = reduce(merge, [states[i] for i in [*order, *repeats]], kind.new())
    assert shuffled == in_order
    assert in_order.value() == kind.spec(rep.events)


@pytest.mark.parametrize("name", list(KINDS))
@settings(max_examples=30)
@given(data=st.data())
def test_the_final_replicas_agree_in_every_merge_order(name, data):
    kind = KINDS[name]
    finals = list(replay(data.draw(scripts(kind)), kind).finals.values())
    results = [reduce(merge, (finals[i] for i in order)) for order in itertools.permutations(range(3))]
    assert all(r == results[0] for r in results)
