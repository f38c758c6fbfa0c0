"""Brute-force reference checkers for tiny histories: try every order (and every subset of the
indeterminate operations). Too slow for anything real, obviously right for five operations."""
from __future__ import annotations

from itertools import combinations, permutations

from distlab.consistency.specs import get_model
from distlab.sim.history import History, Op


def _legal(order: list[Op], model) -> bool:
    state: dict = {}
    for o in order:
        ok, new = model.step(state.get(o.key, model.init), o)
        if not ok:
            return False
        state[o.key] = new
    return True


def _orders(history: History, before):
    ok = [o for o in history if o.status == "ok"]
    info = [o for o in history if o.status == "info" and not o.is_read]
    for k in range(len(info) + 1):
        for chosen in combinations(info, k):
            ops = ok + list(chosen)
            for perm in permutations(ops):
                pos = {o.index: i for i, o in enumerate(perm)}
                if all(not before(a, b) or pos[a.index] < pos[b.index] for a in ops for b in ops):
                    yield perm


def brute_linearizable(history: History, model: str) -> bool:
    m = get_model(model)
    return any(_legal(list(p), m) for p in _orders(history, lambda a, b: a.precedes(b)))


def brute_sequential(history: History, model: str) -> bool:
    m = get_model(model)
    po = lambda a, b: a.process == b.process and a.invoke < b.invoke  # noqa: E731
    return any(_legal(list(p), m) for p in _orders(history, po))
