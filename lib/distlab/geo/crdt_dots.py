"""Dot stores: the causal core shared by the optimized OR-Set, the MV-register and the OR-Map.

A dot store keeps, per replica, the payload of each live dot: ``{"A": {3: "milk"}, "B": {1: "eggs"}}``
says that A's third update put ``milk`` and B's first put ``eggs``, both still alive. Beside it a
:class:`~distlab.geo.vclock.VersionVector` -- the *causal context* -- counts every dot the replica has
ever seen, alive or removed, so a remove needs no tombstone: a dot that is seen but absent was removed.

The merge rule (the optimized OR-Set of Bieniusa, Zawirski, Preguiça, Shapiro, Baquero, Balegas and
Duarte, "An optimized conflict-free replicated set", 2012; dot stores in Almeida, Shoker and Baquero,
"Delta state replicated data types", 2018): **a dot survives when both sides hold it, or when one side
holds it and the other has never seen it.** A dot one side holds and the other has seen but dropped
was removed there, and stays removed. With whole-state merges every context is a version vector
(each replica's dots are seen contiguously from 1), so "seen" is one comparison.

Stores are values: the functions here return new dicts and never change their arguments, and the
per-replica dicts that did not change are shared, not copied -- so :func:`merge_stores` can skip a
replica whose dots are the very same dict on both sides. That sharing is what lets two OR-Sets of
1,000 elements that differ in 10 % of them merge in tens of microseconds (``make bench``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from distlab.geo.vclock import Dot, VersionVector

__all__ = ["DotStore", "add_dot", "drop", "live_dots", "merge_stores"]

T = TypeVar("T")

DotStore = dict[str, dict[int, T]]
"""replica -> dot counter -> payload, for the live dots only (a replica with none is left out)."""


def merge_stores(a: DotStore[T], a_seen: VersionVector, b: DotStore[T], b_seen: VersionVector) -> DotStore[T]:
    """The live dots after merging two stores whose contexts are ``a_seen`` and ``b_seen``: those both
    hold, and those only one holds that the other has never seen."""
    out: DotStore[T] = {}
    for node, mine in a.items():
        kept = _merge_node(mine, b.get(node), b_seen.get(node), a_seen.get(node))
        if kept:
            out[node] = kept
    for node, theirs in b.items():
        if node not in a:
            kept = _merge_node(theirs, None, a_seen.get(node), 0)
            if kept:
                out[node] = kept
    return out


def _merge_node(mine: dict[int, T], theirs: dict[int, T] | None, they_saw: int, i_saw: int) -> dict[int, T]:
    """One replica's dots: ``mine`` against ``theirs`` (None: they hold none of its dots alive)."""
    if theirs is mine:
        return mine
    if theirs is None:
        if not they_saw:
            return mine
        return {c: p for c, p in mine.items() if c > they_saw}
    kept = dict(mine)
    for c in mine.keys() ^ theirs.keys():
        if c in mine:
            if c <= they_saw:  # they saw it and dropped it: removed there
                del kept[c]
        elif c > i_saw:        # theirs alone, and new to me
            kept[c] = theirs[c]
    return kept


def add_dot(store: DotStore[T], dot: Dot, payload: T) -> DotStore[T]:
    """The store with ``dot`` alive carrying ``payload``."""
    out = dict(store)
    node_dots = dict(out.get(dot.node, {}))
    node_dots[dot.counter] = payload
    out[dot.node] = node_dots
    return out


def drop(store: DotStore[T], doomed: Callable[[T], bool]) -> DotStore[T]:
    """The store without the dots whose payload ``doomed`` accepts (unchanged replicas shared)."""
    out: DotStore[T] = {}
    for node, node_dots in store.items():
        if any(doomed(p) for p in node_dots.values()):
            node_dots = {c: p for c, p in node_dots.items() if not doomed(p)}
        if node_dots:
            out[node] = node_dots
    return out


def live_dots(store: DotStore[T]) -> Iterator[tuple[Dot, T]]:
    """Every live dot and its payload, replica by replica, oldest first."""
    for node, node_dots in store.items():
        for counter, payload in sorted(node_dots.items()):
            yield Dot(node, counter), payload
