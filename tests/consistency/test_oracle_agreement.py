"""The fast checkers agree with brute force on every small history Hypothesis can think of."""
from hypothesis import given, settings, strategies as st

from distlab.consistency import check
from tests.consistency.oracle import brute_linearizable, brute_sequential
from tests.consistency.strategies import small_histories


@settings(max_examples=300)
@given(small_histories("cas-register"))
def test_linearizable_matches_brute_force_cas_register(h):
    assert (check(h, "linearizable", "cas-register").status == "holds") == brute_linearizable(h, "cas-register")


@settings(max_examples=200)
@given(small_histories("kv"))
def test_linearizable_matches_brute_force_kv(h):
    assert (check(h, "linearizable", "kv").status == "holds") == brute_linearizable(h, "kv")


@settings(max_examples=200)
@given(small_histories("register", max_ops=5))
def test_sequential_matches_brute_force(h):
    assert (check(h, "sequential", "register").status == "holds") == brute_sequential(h, "register")


@settings(max_examples=150)
@given(small_histories("kv", max_ops=5))
def test_sequential_matches_brute_force_kv(h):
    assert (check(h, "sequential", "kv").status == "holds") == brute_sequential(h, "kv")


@settings(max_examples=300)
@given(small_histories("cas-register", max_ops=7))
def test_both_searches_agree_with_brute_force(h):
    """The depth-first (WGL) and just-in-time searches are independent; both must match."""
    from distlab.consistency.linearizability import linearize_ops
    from distlab.consistency.specs import get_model
    from distlab.consistency.wgl import wgl_ops
    m = get_model("cas-register")
    ops = [o for o in h if o.status != "fail"]
    expected = brute_linearizable(h, "cas-register")
    assert (wgl_ops(ops, m) is not None) == expected
    assert linearize_ops(ops, m).ok == expected


def _legal_order(nodes, preds, order, model):
    pos = {i: n for n, i in enumerate(order)}
    if sorted(order) != list(range(len(nodes))):
        return False
    if any(pos[j] > pos[i] for i, p in enumerate(preds) for j in p):
        return False
    state = {}
    for i in order:
        ok, state[nodes[i].key] = model.step(state.get(nodes[i].key, model.init), nodes[i])
        if not ok:
            return False
    return True


@settings(max_examples=150)
@given(st.integers(0, 10_000), st.integers(2, 12), st.integers(1, 4), st.integers(0, 3))
def test_choice_resolution_agrees_with_plain_search(seed, n, procs, mutations):
    """Saturation + choice resolution (unique values) finds a view exactly when plain search does,
    and what it returns is a legal order respecting every edge."""
    import random
    from dataclasses import replace

    from distlab.consistency.generate import linearizable_history
    from distlab.consistency.observations import NotUnique, ThinAir, observe
    from distlab.consistency.serialization import find_serialization
    from distlab.consistency.session import EDGES, causal_order, view_members
    from distlab.consistency.specs import get_model
    from distlab.sim.history import History
    m = get_model("cas-register")
    h = linearizable_history(seed, n, procs, model="cas-register", keys=1, p_info=0.1)
    rng = random.Random(seed)
    ops = list(h)
    written = [o.value if o.f == "write" else (o.value[1] if o.f == "cas" else None) for o in h] + [None]
    for _ in range(mutations):
        reads = [i for i, o in enumerate(ops) if o.f == "read" and o.status == "ok"]
        if reads:
            i = rng.choice(reads)
            ops[i] = replace(ops[i], result=rng.choice(written))
    try:
        obs = observe(History.of(ops), m)
    except (NotUnique, ThinAir):
        return
    anc = causal_order(obs)
    for rung, build in EDGES.items():
        if rung == "causal" and anc is None:
            continue
        for p in obs.by_process:
            edges = build(obs, p, anc) if rung == "causal" else build(obs, p)
            members = sorted(view_members(obs, p))
            pos = {g: j for j, g in enumerate(members)}
            nodes = [obs.ops[g] for g in members]
            preds = []
            for g in members:
                e = edges.get(g, 0)
                bits = [b for b in range(len(obs.ops)) if (e >> b) & 1] if isinstance(e, int) else e
                preds.append({pos[b] for b in bits if b in pos})
            rf = {pos[r]: (None if w is None else pos[w]) for r, w in obs.rf.items() if r in pos}
            fast = find_serialization(nodes, preds, m, reads_from=rf)
            slow = find_serialization(nodes, preds, m)
            assert (fast is None) == (slow is None), (rung, p)
            if fast is not None:
                assert _legal_order(nodes, preds, fast, m)
