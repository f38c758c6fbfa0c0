"""Hypothesis over random pause/crash schedules (client GC pauses, client crashes, Raft server
crashes): with fencing no stale write is ever accepted, and at most one owner per epoch/token."""
import random

import pytest
from hypothesis import given, settings, strategies as st

from distlab.consensus.coordination import INVARIANTS, SimulatedStore, random_plan, run_plan
from distlab.consensus.coordination.fencing import Write
from distlab.consensus.coordination.invariants import epochs_increase, no_stale_write_accepted, one_leader_per_epoch

from .replicas import replicas_agree

clients = st.integers(0, 2)
steps = st.one_of(
    st.tuples(st.just("tick"), st.none(), st.floats(0.05, 1.5)),
    st.tuples(st.just("work"), clients, st.none()),
    st.tuples(st.just("gc"), clients, st.floats(0.1, 4.0)),
    st.tuples(st.sampled_from(["crash", "release"]), clients, st.none()),
    st.tuples(st.sampled_from(["server_crash", "server_restart"]), st.integers(0, 2), st.none()),
)
# Hand-drawn steps alone stay short (Hypothesis favours small lists), so most examples would never
# see a pause outlive a lease. A seeded random_plan (20-60 steps) gives the long stories; the drawn
# tail adds arbitrary steps on top.
random_plans = st.builds(lambda seed, n, pause: random_plan(random.Random(seed), steps=n,
                                                            max_pause=pause),
                         st.integers(0, 2**32 - 1), st.integers(20, 60), st.floats(0.5, 5.0))
plans = st.tuples(random_plans, st.lists(steps, max_size=10)).map(lambda ab: ab[0] + ab[1])




@pytest.mark.parametrize("recipe", ["lock", "election"])
@settings(max_examples=100)
@given(plan=plans, seed=st.integers(0, 2**16))
def test_with_fencing_no_stale_write_is_ever_accepted(recipe, plan, seed):
    store = SimulatedStore(seed=seed)                      # Raft safety checked every step
    result = run_plan(store, plan, recipe=recipe, fencing=True)
    assert set(result.verdicts) == set(INVARIANTS)
    assert result.verdicts == {name: None for name in INVARIANTS}, result.verdicts
    assert result.unavailable == 0                         # one server down at most: always a quorum
    assert replicas_agree(store)


def find_unfenced_corruption(recipe, limit=200):
    for seed in range(limit):
        plan = random_plan(random.Random(seed))
        bad = run_plan(SimulatedStore(seed=seed, check_invariants=False), plan, recipe=recipe,
                       fencing=False)
        if bad.verdicts["no_stale_write_accepted"] is not None:
            return seed, plan, bad
    raise AssertionError(f"no schedule in {limit} corrupted unfenced storage")


@pytest.mark.parametrize("recipe", ["lock", "election"])
def test_without_fencing_some_schedule_corrupts_and_fencing_stops_it(recipe):
    seed, plan, bad = find_unfenced_corruption(recipe)
    good = run_plan(SimulatedStore(seed=seed, check_invariants=False), plan, recipe=recipe,
                    fencing=True)
    assert good.grants == bad.grants                       # the same story ...
    assert any(not w.accepted for w in good.writes)        # ... where fencing refused the zombie
    assert good.verdicts["no_stale_write_accepted"] is None


def test_plans_are_reproducible():
    plan = random_plan(random.Random(5), steps=30)
    assert plan == random_plan(random.Random(5), steps=30)
    one = run_plan(SimulatedStore(seed=5), plan)
    two = run_plan(SimulatedStore(seed=5), plan)
    assert one == two


def test_invariants_catch_counterexamples():
    w = [Write(1.0, "b", 5, "x", True), Write(2.0, "a", 3, "y", True)]
    assert "stale token 3" in no_stale_write_accepted(w)
    assert no_stale_write_accepted([w[0], w[1]._replace(accepted=False)]) is None
    assert "epoch 4" in one_leader_per_epoch([(0, "a", 4), (1, "b", 4)])
    assert one_leader_per_epoch([(0, "a", 4), (1, "a", 4), (2, "b", 6)]) is None
    assert "epoch 3" in epochs_increase([(0, "a", 4), (1, "b", 3)])


@pytest.mark.parametrize("kwargs, match", [
    ({"recipe": "queue"}, "recipe"), ({"clients": 0}, "clients"),
])
def test_run_plan_refuses_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_plan(SimulatedStore(seed=0), [], **kwargs)


def test_run_plan_refuses_unknown_steps():
    with pytest.raises(ValueError, match="plan step kind"):
        run_plan(SimulatedStore(seed=0), [("explode", 0, None)])
    with pytest.raises(ValueError, match="rng"):
        random_plan(5)


def test_one_owner_at_a_time_catches_an_overwrite():
    from distlab.consensus.coordination import KeyValue, WatchEvent, one_owner_at_a_time
    created = WatchEvent("PUT", KeyValue("locks/r", "a", 2, 2, 1, 7))
    overwritten = WatchEvent("PUT", KeyValue("locks/r", "b", 2, 3, 2, 8))
    deleted = WatchEvent("DELETE", KeyValue("locks/r", "", 0, 4, 0, 0))
    recreated = WatchEvent("PUT", KeyValue("locks/r", "b", 5, 5, 1, 8))
    assert one_owner_at_a_time([(0, "a", 2), (1, "b", 5)], [created, deleted, recreated]) is None
    assert "while owned" in one_owner_at_a_time([], [created, overwritten])
    assert "created no key" in one_owner_at_a_time([(1, "b", 3)], [created, deleted])


def test_a_broken_lock_is_caught(monkeypatch):
    """Mutant: claim without the create_revision == 0 compare (a blind put). The invariants must
    flag it on some schedule."""
    from distlab.consensus.coordination import ownership, store as store_mod

    def blind_claim(store, key, value, lease):
        done = store.txn([], [store_mod.Put(key, value, lease)], [])
        return ownership.Claim(True, done.results[0], None)

    monkeypatch.setattr("distlab.consensus.coordination.ownership.claim", blind_claim)
    caught = 0
    for seed in range(10):
        result = run_plan(SimulatedStore(seed=seed, check_invariants=False),
                          random_plan(random.Random(seed)), recipe="lock", fencing=True)
        caught += result.verdicts["one_owner_at_a_time"] is not None
    assert caught > 0
