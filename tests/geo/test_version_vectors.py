"""Version vectors order updates by what they saw; Dynamo-style siblings never lose a write."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo.vclock import Dot, Order, Siblings, Versioned, VersionVector

vectors = st.dictionaries(st.sampled_from("ABC"), st.integers(1, 4)).map(VersionVector)


@settings(max_examples=200)
@given(vectors, vectors, vectors)
def test_merge_is_the_least_upper_bound(a, b, c):
    m = a.merge(b)
    assert a <= m and b <= m and m == b.merge(a) and a.merge(a) == a
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    if a <= c and b <= c:
        assert m <= c


@settings(max_examples=200)
@given(vectors, vectors)
def test_compare_agrees_with_the_order(a, b):
    order = a.compare(b)
    assert order == {(True, True): Order.EQUAL, (True, False): Order.BEFORE, (False, True): Order.AFTER,
                     (False, False): Order.CONCURRENT}[(a <= b, b <= a)]
    assert a.concurrent(b) == (order is Order.CONCURRENT)
    assert (a < b) == (order is Order.BEFORE)
    assert hash(a) == hash(VersionVector(dict(a.counts)))


def test_dots_and_printing():
    v = VersionVector.of(A=2, B=0, C=1)
    assert v.counts == {"A": 2, "C": 1} and str(v) == "[A:2 C:1]"
    assert v.contains(Dot("A", 2)) and not v.contains(Dot("A", 3)) and not v.contains(Dot("B", 1))
    assert v.next_dot("A") == Dot("A", 3) and str(v.next_dot("B")) == "B1"
    assert v.increment("B") == VersionVector.of(A=2, B=1, C=1)


@pytest.mark.parametrize("counts", [{"A": 0}, {"A": -1}, {"A": 1.5}, {1: 1}])
def test_bad_vectors_are_refused(counts):
    with pytest.raises(ValueError, match="counts must map replica names to integers >= 1"):
        VersionVector(counts)


def test_siblings_surface_concurrent_writes_and_a_write_supersedes_what_it_read():
    base = Siblings().put("A", "v0", 0)
    a = base.put("A", "a", 1)
    b = base.put("B", "b", 2)
    both = a.merge(b)
    assert both.values() == ("a", "b") and both == b.merge(a)
    assert both.merge(base) == both                        # the old version is dominated
    assert both.put("C", "c", 3).values() == ("c",)        # a client that read both replaces both
    assert both.put("C", "c", 3).context() == VersionVector.of(A=2, B=1, C=1)


writes = st.lists(st.tuples(st.sampled_from("ABC"), st.booleans()), max_size=12)


@settings(max_examples=150)
@given(writes)
def test_siblings_never_lose_a_write(script):
    """Each step writes at a replica, or (True) first pulls another replica's siblings. Every write
    ends as a sibling or in the past of one: none is lost."""
    replicas = {r: Siblings() for r in "ABC"}
    clocks = {}
    for i, (r, pull) in enumerate(script):
        if pull:
            other = "ABC"[(i + 1) % 3]
            replicas[r] = replicas[r].merge(replicas[other])
        replicas[r] = replicas[r].put(r, f"w{i}", i)
        clocks[i] = replicas[r].versions[0].clock
    final = Siblings()
    for s in replicas.values():
        final = final.merge(s)
    kept = {v.write: v.clock for v in final.versions}
    for i, clock in clocks.items():
        assert i in kept or any(clock < k for k in kept.values())
    assert all(isinstance(v, Versioned) for v in final.versions)
    assert all(x.clock.concurrent(y.clock) for x in final.versions for y in final.versions if x != y)
