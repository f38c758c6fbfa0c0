"""The bitmask closure under the ordering checkers, against a plain set-based reachability."""
from hypothesis import given, settings, strategies as st

from distlab.consistency.bitsets import ancestors, bits, closure_of


def reachable_backwards(preds: list[set[int]], v: int) -> set[int]:
    seen: set[int] = set()
    todo = list(preds[v])
    while todo:
        u = todo.pop()
        if u not in seen:
            seen.add(u)
            todo.extend(preds[u])
    return seen


def graphs(max_nodes: int = 12):
    """Edges in any direction (so both the in-order fast path and the depth-first search run)."""
    return st.integers(1, max_nodes).flatmap(
        lambda n: st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n)
        .map(lambda edges: (n, edges)))


@settings(max_examples=300)
@given(graphs())
def test_ancestors_is_the_transitive_closure_or_none_on_a_cycle(graph):
    n, edges = graph
    preds = [set() for _ in range(n)]
    direct = [0] * n
    for a, b in edges:                      # a must come before b
        preds[b].add(a)
        direct[b] |= 1 << a
    closure = [reachable_backwards(preds, v) for v in range(n)]
    anc = ancestors(direct)
    if any(v in closure[v] for v in range(n)):
        assert anc is None
    else:
        assert anc is not None and [set(bits(m)) for m in anc] == closure


def test_a_predecessor_after_its_successor_is_still_followed():
    # node 0 waits for node 2, which comes later in index order
    assert ancestors([0b100, 0b001, 0b010]) is None
    assert ancestors([0b100, 0b001, 0]) == [0b100, 0b101, 0]


def test_closure_of_joins_the_members_and_their_relatives():
    anc = [0, 0b001, 0b011, 0]
    assert closure_of(anc, 0b1100) == 0b1111
    assert closure_of(anc, 0) == 0
