"""Sets of operations as integer bitmasks: bit ``i`` stands for operation ``i``.

The ordering checkers (causal, sequential, the session guarantees) build relations over a few
thousand operations; ints as bitsets make "every ancestor of v" one OR per edge.
"""
from __future__ import annotations

from typing import Iterator, Sequence


def bits(mask: int) -> Iterator[int]:
    """The positions of the set bits, lowest first: ``list(bits(0b1010)) == [1, 3]``."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def ancestors(direct: Sequence[int]) -> list[int] | None:
    """Transitive closure: ``direct[v]`` has a bit for each immediate predecessor of ``v``; returns
    each node's mask of all predecessors, or ``None`` when the relation has a cycle.

    >>> ancestors([0, 0b001, 0b010])          # 0 -> 1 -> 2
    [0, 1, 3]
    >>> ancestors([0b10, 0b01]) is None        # 0 <-> 1
    True
    """
    n = len(direct)
    anc = [0] * n
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    for root in range(n):
        if state[root]:
            continue
        stack = [(root, False)]
        while stack:
            v, done = stack.pop()
            if done:
                m = 0
                for u in bits(direct[v]):
                    m |= anc[u] | (1 << u)
                anc[v] = m
                state[v] = 2
                continue
            if state[v] == 2:
                continue
            state[v] = 1
            stack.append((v, True))
            for u in bits(direct[v]):
                if state[u] == 1:
                    return None
                if state[u] == 0:
                    stack.append((u, False))
    return anc
