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
