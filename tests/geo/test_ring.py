"""The consistent-hash ring: seeded, stable, every node once per walk, preference lists are walk prefixes."""
import doctest

import pytest
from hypothesis import given, strategies as st

from distlab.geo import ring as ring_module
from distlab.geo.ring import HashRing

NODES = ("n0", "n1", "n2", "n3", "n4", "n5")


def test_doctests():
    assert doctest.testmod(ring_module).failed == 0


@given(st.integers(1, 6), st.integers(1, 16), st.integers(0, 10**6), st.text(min_size=1, max_size=8))
def test_walk_visits_every_node_once_and_preference_lists_are_its_prefixes(count, vnodes, seed, key):
    ring = HashRing(NODES[:count], vnodes=vnodes, seed=seed)
    walk = ring.walk(key)
    assert sorted(walk) == sorted(NODES[:count])
    for n in range(1, count + 1):
        assert ring.preference_list(key, n) == walk[:n]


def test_same_seed_same_ring_other_seed_other_ring():
    a, b = HashRing(NODES, seed=3), HashRing(NODES, seed=3)
    assert a.tokens() == b.tokens()
    assert [a.walk(f"k{i}") for i in range(20)] == [b.walk(f"k{i}") for i in range(20)]
    assert HashRing(NODES, seed=4).tokens() != a.tokens()
    assert len(a.tokens()) == 8 * len(NODES)


def test_virtual_nodes_spread_the_keys():
    ring = HashRing(NODES, vnodes=64, seed=1)
    share = ring.owners_share([f"key{i}" for i in range(3000)], 1)
    assert sum(share.values()) == 3000
    assert min(share.values()) > 3000 / len(NODES) / 2      # no node starved


def test_adding_a_node_moves_only_the_keys_it_takes():
    """Consistent hashing: a new node takes keys from the others but moves no key between old nodes."""
    before = HashRing(NODES[:5], vnodes=16, seed=2)
    after = HashRing(NODES, vnodes=16, seed=2)
    for i in range(500):
        old, new = before.preference_list(f"k{i}", 1)[0], after.preference_list(f"k{i}", 1)[0]
        assert new in (old, "n5")


@pytest.mark.parametrize("kwargs, message", [
    ({"nodes": ()}, "nodes must name at least one node"),
    ({"nodes": ("a", "a")}, "nodes must be distinct"),
    ({"nodes": ("a",), "vnodes": 0}, "vnodes must be an integer >= 1"),
])
def test_bad_rings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        HashRing(**kwargs)


@pytest.mark.parametrize("n", [0, 7, 2.0, True])
def test_preference_list_length_is_checked(n):
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 6\]"):
        HashRing(NODES).preference_list("k", n)
