"""The fast checkers agree with brute force on every small history Hypothesis can think of."""
from hypothesis import given, settings

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
    from distlab.consistency.models import get_model
    from distlab.consistency.wgl import wgl_ops
    m = get_model("cas-register")
    ops = [o for o in h if o.status != "fail"]
    expected = brute_linearizable(h, "cas-register")
    assert (wgl_ops(ops, m) is not None) == expected
    assert linearize_ops(ops, m).ok == expected
