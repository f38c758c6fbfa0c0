"""Linearizability on hand-made histories: the lecture's examples, info/fail semantics, witnesses."""
from distlab.consistency import Budget, check
from distlab.consistency.generate import linearizable_history
from distlab.consistency.specs import get_model
from distlab.sim.history import History, Op


def W(p, v, t0, t1, status="ok", key=None):
    return Op(p, "write", v, key, invoke=t0, complete=None if status == "info" else t1, status=status)


def R(p, v, t0, t1, key=None):
    return Op(p, "read", None, key, invoke=t0, complete=t1, status="ok", result=v)


def legal_witness(h, order, model):
    m = get_model(model)
    pos = {i: n for n, i in enumerate(order)}
    state = {}
    for i in order:
        ok, state[h[i].key] = m.step(state.get(h[i].key, m.init), h[i])
        if not ok:
            return False
    return all(pos[a.index] < pos[b.index] for a in h for b in h
               if a.index in pos and b.index in pos and a.precedes(b))


def test_lecture_example_read_after_completed_write_must_see_it():
    ok = History.of([W(0, 1, 0, 1), R(1, 1, 2, 3)])
    stale = History.of([W(0, 1, 0, 1), R(1, None, 2, 3)])
    assert check(ok, "linearizable", "register").status == "holds"
    v = check(stale, "linearizable", "register")
    assert v.status == "violated" and "#1" in v.explanation and "None" in v.explanation


def test_overlapping_read_may_see_old_or_new():
    for seen in (None, 1):
        h = History.of([W(0, 1, 0, 10), R(1, seen, 2, 3)])
        assert check(h, "linearizable", "register").status == "holds"


def test_info_write_may_take_effect_late_or_never():
    late = History.of([W(0, 1, 0, None, "info"), R(1, None, 5, 6), R(1, 1, 7, 8)])
    never = History.of([W(0, 1, 0, None, "info"), R(1, None, 5, 6)])
    flip = History.of([W(0, 1, 0, None, "info"), R(1, 1, 5, 6), R(1, None, 7, 8)])
    assert check(late, "linearizable", "register").holds
    assert check(never, "linearizable", "register").holds
    assert check(flip, "linearizable", "register").status == "violated"


def test_failed_cas_adds_no_constraint_and_ok_cas_must_match():
    h = History.of([W(0, 1, 0, 1), Op(1, "cas", (1, 2), None, 2, 3, "fail"), R(2, 1, 4, 5)])
    assert check(h, "linearizable", "cas-register").holds
    bad = History.of([W(0, 1, 0, 1), Op(1, "cas", (3, 2), None, 2, 3, "ok")])
    assert check(bad, "linearizable", "cas-register").status == "violated"


def test_kv_is_checked_per_key_with_empty_string_for_absent_keys():
    h = History.of([Op(0, "append", "a", "x", 0, 1, "ok"), Op(0, "append", "b", "x", 2, 3, "ok"),
                    Op(1, "get", None, "x", 4, 5, "ok", result="ab"),
                    Op(1, "get", None, "y", 6, 7, "ok", result="")])
    assert check(h, "linearizable").holds and check(h, "linearizable").model == "kv"
    bad = History.of([*h, Op(2, "get", None, "x", 8, 9, "ok", result="a")])
    assert check(bad, "linearizable").status == "violated"


def test_witness_is_a_legal_real_time_order():
    for seed in range(5):
        h = linearizable_history(seed, 80, 6, model="kv", keys=3, p_info=0.1)
        v = check(h, "linearizable")
        assert v.holds and legal_witness(h, v.witness, "kv")


def test_window_is_self_contained_and_small():
    filler = [W(0, v, 10 * v, 10 * v + 1) for v in range(1, 20)]
    h = History.of([*filler, W(1, 99, 300, 301), R(2, 5, 302, 303)])
    v = check(h, "linearizable", "register")
    assert v.status == "violated"
    assert len(v.window) <= 3 and v.window[-1].result == 5


def test_budget_exhaustion_is_unknown_not_a_hang():
    h = linearizable_history(1, 300, 8, model="cas-register", p_info=0.2)
    v = check(h, "linearizable", budget=Budget(timeout=None, max_steps=50))
    assert v.status == "unknown" and "budget" in v.explanation


def test_model_mismatch_is_a_value_error():
    import pytest
    with pytest.raises(ValueError, match="model 'register' supports"):
        check(History.of([Op(0, "cas", (1, 2), None, 0, 1, "ok")]), "linearizable", "register")
    with pytest.raises(ValueError, match="model must be one of"):
        check(History.of([]), "linearizable", "queue")
