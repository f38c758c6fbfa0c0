"""Per-process views: causal consistency, PRAM and the four session guarantees.

Below sequential consistency, processes no longer have to agree on one order. Each process ``p``
only needs its own *view*: an order of **all writes plus p's own operations** that is legal for the
object and respects some must-come-before edges. The rungs differ only in those edges (Brzeziński,
Sobaniec & Wawrzyniak, "Session guarantees to achieve PRAM consistency of replicated shared
objects", 2003; Ahamad et al., "Causal memory", 1995; Terry et al. 1994 for the guarantees):

* **read-your-writes** -- p's writes come before p's later operations ("I saved it and it vanished"
  is the violation);
* **monotonic reads** -- once p has read from write w, p's later reads come after w ("refresh
  travelled back in time");
* **monotonic writes** -- every process's writes stay in that process's order, and once p has seen
  one of a process's writes, p's later reads of that process's writes come after it;
* **writes-follow-reads** -- a write comes after every write its process had read before it, and
  once p saw a write, p's later reads come after everything that write followed ("a reply before
  the message it answers");
* **PRAM** (pipelined RAM) -- every process's program order, in every view;
* **causal** -- the causal order: program order plus reads-from, transitively.

Each stronger rung's edges include the weaker rung's, so "causal holds ⇒ PRAM holds ⇒ the
session guarantees hold" is true by construction. These checkers assume unique written values
(:mod:`distlab.consistency.observations`).
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from distlab.consistency.bitsets import ancestors
from distlab.consistency.observations import Observations, is_write
from distlab.consistency.verdict import Budget

__all__ = ["EDGES", "Edges", "causal_order", "view_members"]


def _chain_preds(seq: list[int], pick: Callable[[int], bool] = lambda i: True) -> dict[int, set[int]]:
    """For each element of ``seq``, the earlier elements selected by ``pick``."""
    out: dict[int, set[int]] = {}
    before: set[int] = set()
    for i in seq:
        out[i] = set(before)
        if pick(i):
            before.add(i)
    return out


def causal_order(obs: Observations, budget: Budget | None = None) -> list[int] | None:
    """Ancestor bitmasks of (program order ∪ reads-from)+, or ``None`` if it has a cycle (charging
    ``budget``, if given, as the closure is built)."""
    n = len(obs.ops)
    direct = [0] * n
    for seq in obs.by_process.values():
        for a, b in itertools.pairwise(seq):
            direct[b] |= 1 << a
    for r, w in obs.rf.items():
        if w is not None:
            direct[r] |= 1 << w
    return ancestors(direct) if budget is None else ancestors(direct, budget.tick)


# Each builder returns {position: set of positions that must precede it} for process p's view.
def _ryw(obs: Observations, p: Hashable) -> dict[int, set[int]]:
    return _chain_preds(obs.by_process[p], lambda i: is_write(obs.ops[i]))


def _mr(obs: Observations, p: Hashable) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    seen: set[int] = set()
    for r in obs.reads_of(p):
        out[r] = set(seen)
        w = obs.rf[r]
        if w is not None:
            seen.add(w)
    return out


def _session_write_order(obs: Observations) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for seq in obs.by_process.values():
        out.update(_chain_preds([i for i in seq if is_write(obs.ops[i])]))
    return out


def _merge(*parts: dict[int, set[int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for part in parts:
        for k, v in part.items():
            out.setdefault(k, set()).update(v)
    return out


def _mw(obs: Observations, p: Hashable) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    seen: set[int] = set()
    for r in obs.reads_of(p):
        w = obs.rf[r]
        out[r] = {s for s in seen if w is not None and obs.ops[s].process == obs.ops[w].process}
        if w is not None:
            seen.add(w)
    return _merge(_session_write_order(obs), out)


def _wfr_base(obs: Observations) -> dict[int, set[int]]:
    """Write w2 of process j follows every write j read before issuing w2 (transitively)."""
    follows: dict[int, set[int]] = {}
    for seq in obs.by_process.values():
        read_so_far: set[int] = set()
        for i in seq:
            if is_write(obs.ops[i]):
                follows[i] = set(read_so_far)
            w = obs.rf.get(i)
            if w is not None:
                read_so_far.add(w)
    closed: dict[int, set[int]] = {}

    def close(w: int, depth: int = 0) -> set[int]:
        if w not in closed:
            closed[w] = set()
            acc = set(follows.get(w, ()))
            for u in list(acc):
                acc |= close(u, depth + 1)
            closed[w] = acc
        return closed[w]

    for w in follows:
        close(w)
    return closed


def _wfr(obs: Observations, p: Hashable) -> dict[int, set[int]]:
    base = _wfr_base(obs)
    out: dict[int, set[int]] = {}
    seen: set[int] = set()
    for r in obs.reads_of(p):
        out[r] = set(seen)
        w = obs.rf[r]
        if w is not None:
            seen |= base.get(w, set())
    return _merge(base, out)


def _pram(obs: Observations, p: Hashable) -> dict[int, set[int]]:
    view = view_members(obs, p)
    return _merge(*(_chain_preds([i for i in seq if i in view]) for seq in obs.by_process.values()))


def _causal(obs: Observations, p: Hashable, anc: list[int]) -> dict[int, int]:
    view = view_members(obs, p)
    vmask = sum(1 << i for i in view)
    return {i: anc[i] & vmask for i in view}


def view_members(obs: Observations, p: Any) -> set[int]:
    """All writes plus process ``p``'s own operations."""
    return set(obs.writes) | set(obs.by_process[p])


Edges = Mapping[int, "set[int] | int"]
"""Per position, the positions that must precede it in the view: a set, or a bitmask int."""

EDGES: dict[str, Callable[..., Edges]] = {
    "read-your-writes": _ryw,
    "monotonic-reads": _mr,
    "monotonic-writes": _mw,
    "writes-follow-reads": _wfr,
    "pram": _pram,
    "causal": _causal,
}
