"""Guarantees as properties: honest histories hold everywhere, planted anomalies are caught by the
matching checker, and the ladder's implication order is never contradicted."""
import random

from hypothesis import given, settings, strategies as st

from distlab.consistency import RUNGS, Budget, check, classify
from distlab.consistency.generate import ANOMALIES, linearizable_history
from distlab.consistency.ladder import implies_all, ladder_respected
from distlab.sim.history import History
from tests.consistency.strategies import small_histories

seeds = st.integers(0, 10_000)


@settings(max_examples=40)
@given(seeds, st.sampled_from(["register", "cas-register"]), st.integers(1, 40), st.integers(1, 6))
def test_truly_linearizable_register_histories_hold_on_every_rung(seed, model, n, procs):
    h = linearizable_history(seed, n, procs, model=model, p_info=0.1)
    for rung in RUNGS:                      # each checker directly, not via classify's implications
        v = check(h, rung, model, Budget(timeout=None, max_steps=200_000))
        assert v.status == "holds", (rung, v.explanation)


@settings(max_examples=25)
@given(seeds, st.integers(1, 60), st.integers(1, 8), st.integers(1, 4))
def test_truly_linearizable_kv_histories_hold(seed, n, procs, keys):
    h = linearizable_history(seed, n, procs, model="kv", keys=keys, p_info=0.1)
    assert check(h, "linearizable").status == "holds"


@settings(max_examples=30)
@given(seeds, st.sampled_from(sorted(ANOMALIES)), st.sampled_from(["register", "cas-register"]),
       st.integers(0, 30))
def test_planted_anomalies_are_caught_by_the_matching_checker(seed, anomaly, model, n):
    plant, rung = ANOMALIES[anomaly]
    h = plant(linearizable_history(seed, n, 4, model=model, p_info=0.1))
    v = check(h, rung, model, Budget(timeout=None, max_steps=200_000))
    assert v.status == "violated", (anomaly, v.explanation)
    c = classify(h, model, budget_factory=lambda: Budget(timeout=None, max_steps=200_000))
    assert c.rungs[rung] == "violated" and rung not in c.strongest
    assert not any(rung in implies_all(s) for s in c.strongest)


@st.composite
def mutated_histories(draw):
    """Unique-value register histories with a few read results swapped for other values."""
    h = linearizable_history(draw(seeds), draw(st.integers(2, 14)), draw(st.integers(1, 4)),
                             model="register", p_info=0.1)
    rng = random.Random(draw(seeds))
    written = [o.value for o in h if o.f == "write"] + [None]
    ops = list(h)
    for _ in range(draw(st.integers(0, 2))):
        reads = [i for i, o in enumerate(ops) if o.f == "read" and o.status == "ok"]
        if reads:
            i = rng.choice(reads)
            from dataclasses import replace
            ops[i] = replace(ops[i], result=rng.choice(written))
    return History.of(ops)


budget = lambda: Budget(timeout=None, max_steps=100_000)  # noqa: E731


@settings(max_examples=120)
@given(mutated_histories())
def test_classify_respects_the_ladder_on_unique_value_histories(h):
    assert ladder_respected(classify(h, "register", budget_factory=budget))


@settings(max_examples=80)
@given(small_histories("cas-register", max_ops=6))
def test_classify_respects_the_ladder_on_arbitrary_histories(h):
    assert ladder_respected(classify(h, "cas-register", budget_factory=budget))


@settings(max_examples=120)
@given(mutated_histories())
def test_direct_checkers_agree_with_the_implication_order(h):
    """Stronger than classify's bookkeeping: each checker run on its own never contradicts an
    implication (except sequential → consistent-prefix, which the lecture's real-time definition
    of consistent prefix does not give; see distlab.consistency.ladder)."""
    direct = {r: check(h, r, "register", budget()).status for r in RUNGS}
    for upper, verdict in direct.items():
        if verdict != "holds":
            continue
        for lower in implies_all(upper):
            if upper == "sequential" and lower == "consistent-prefix":
                continue
            assert direct[lower] != "violated", (upper, lower, direct)
