"""Sets of operations as integer bitmasks: bit ``i`` stands for operation ``i``.

The ordering checkers (causal, sequential, the session guarantees) build relations over a few
thousand operations; ints as bitsets make "every ancestor of v" one OR per edge.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence


def bits(mask: int) -> Iterator[int]:
    """The positions of the set bits, lowest first: ``list(bits(0b1010)) == [1, 3]``."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _no_tick(n: int) -> None:
    """The default ``tick``: charge nothing."""


def ancestors(direct: Sequence[int], tick: Callable[[int], None] = _no_tick) -> list[int] | None:
    """Transitive closure: ``direct[v]`` has a bit for each immediate predecessor of ``v``; returns
    each node's mask of all predecessors, or ``None`` when the relation has a cycle. ``tick(n)`` is
    charged as the work goes (a :meth:`~distlab.consistency.verdict.Budget.tick`: it may raise).

    >>> ancestors([0, 0b001, 0b010])          # 0 -> 1 -> 2
    [0, 1, 3]
    >>> ancestors([0b10, 0b01]) is None        # 0 <-> 1
    True
    """
    # the hot loop of every ordering checker: set bits are walked inline (lowest first, as `bits`
    # does) rather than through the generator, which costs a call per bit
    n = len(direct)
    anc = [0] * n
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    done = 0         # the nodes in state 2, as a mask
    for root in range(n):
        if state[root]:
            continue
        tick(1 + direct[root].bit_count() // 32)
        if not direct[root] & ~done:  # every predecessor is done (the usual case: they come first)
            anc[root] = closure_of(anc, direct[root])
            state[root] = 2
            done |= 1 << root
            continue
        stack = [(root, False)]
        while stack:
            v, finish = stack.pop()
            if finish:
                tick(1 + direct[v].bit_count() // 32)
                anc[v] = closure_of(anc, direct[v])
                state[v] = 2
                done |= 1 << v
                continue
            if state[v] == 2:
                continue
            state[v] = 1
            stack.append((v, True))
            rest = direct[v]
            while rest:
                low = rest & -rest
                u = low.bit_length() - 1
                rest ^= low
                if state[u] == 1:
                    return None
                if state[u] == 0:
                    stack.append((u, False))
    return anc


def closure_of(anc: Sequence[int], members: int) -> int:
    """``members`` together with every node ``anc`` relates to one of them (their ancestors, or with
    descendant masks their descendants).

    >>> closure_of([0, 0b001, 0b011], 0b100)  # node 2 and its ancestors 0 and 1
    7
    """
    out = 0
    while members:
        low = members & -members
        out |= anc[low.bit_length() - 1] | low
        members ^= low
    return out
