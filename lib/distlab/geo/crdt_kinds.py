"""Every CRDT of chapter 4 as data: how to make one, the updates it takes, and what its spec says.

A :class:`CrdtKind` is what a dropdown offers and what the law checks (``crdt_laws``) drive: a fresh
state, a small menu of updates (so random scripts collide on the same elements and keys), how an
update applies at a replica, and the type's **specification** -- the value a reader must see once a
replica has every update, computed from the updates and what each one's replica had seen when it
was made (its causal past), never from the implementation's state. For the OR-Set, for instance:
an element is in the set when some add of it was seen by no remove of it (add-wins).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.geo.crdt_counters import GCounter, PNCounter
from distlab.geo.crdt_maps import LWWMap, ORMap
from distlab.geo.crdt_registers import LWWRegister, MVRegister
from distlab.geo.crdt_sets import GSet, ORSet, TwoPSet

__all__ = ["KINDS", "CrdtKind", "Event", "Update", "kind_named"]


class Update(NamedTuple):
    """One update as data: ``Update("add", "a")``, ``Update("put", ("x", 1))``, ``Update("inc", 2)``."""

    kind: str
    arg: Any

    def __str__(self) -> str:
        if self.kind == "put":
            return f"put({self.arg[0]}={self.arg[1]})"
        return f"{self.kind}({self.arg})"


class Event(NamedTuple):
    """An update as it happened: its position, replica, timestamp, and the events it had seen."""

    seq: int
    replica: str
    update: Update
    stamp: float
    seen: frozenset[int]


@dataclass(frozen=True)
class CrdtKind:
    """A CRDT type as data (see the module docstring); ``keeps`` says in one line what it keeps."""

    name: str
    new: Callable[[], Any]
    choices: tuple[Update, ...]
    apply: Callable[[Any, Update, str, float], Any]
    spec: Callable[[Sequence[Event]], Any]
    keeps: str


def _updates(kind: str, args: Sequence[Any]) -> tuple[Update, ...]:
    return tuple(Update(kind, a) for a in args)


ELEMENTS = ("a", "b", "c")
KEYS = ("x", "y")


def _counter_spec(events: Sequence[Event]) -> int:
    return sum(e.update.arg if e.update.kind == "inc" else -e.update.arg for e in events)


def _apply_counter(state: Any, u: Update, node: str, stamp: float) -> Any:
    return state.increment(node, u.arg) if u.kind == "inc" else state.decrement(node, u.arg)


def _set_op(state: Any, u: Update, node: str, stamp: float) -> Any:
    return state.add(u.arg) if u.kind == "add" else state.remove(u.arg)


def _orset_op(state: Any, u: Update, node: str, stamp: float) -> Any:
    return state.add(u.arg, node) if u.kind == "add" else state.remove(u.arg)


def _gset_spec(events: Sequence[Event]) -> frozenset[Any]:
    return frozenset(e.update.arg for e in events)


def _twop_spec(events: Sequence[Event]) -> frozenset[Any]:
    """Added, and not removed by a remove that took effect: one whose replica then saw the element
    in the set (some add of it seen, no effective remove of it seen)."""
    effective: set[int] = set()
    for e in sorted(events, key=lambda e: e.seq):  # a remove's past is made of earlier events
        if e.update.kind == "remove":
            same = [x for x in events if x.seq in e.seen and x.update.arg == e.update.arg]
            if any(x.update.kind == "add" for x in same) and not any(x.seq in effective for x in same):
                effective.add(e.seq)
    removed = {e.update.arg for e in events if e.seq in effective}
    return frozenset(e.update.arg for e in events if e.update.kind == "add" and e.update.arg not in removed)


def _orset_spec(events: Sequence[Event]) -> frozenset[Any]:
    """Add-wins: an element is in when some add of it was seen by no remove of it."""
    removes = [e for e in events if e.update.kind == "remove"]
    return frozenset(a.update.arg for a in events if a.update.kind == "add"
                     and not any(r.update.arg == a.update.arg and a.seq in r.seen for r in removes))


def _newest(events: Sequence[Event]) -> Event | None:
    return max(events, key=lambda e: (e.stamp, e.replica), default=None)


def _lww_spec(events: Sequence[Event]) -> Any:
    last = _newest(events)
    return None if last is None else last.update.arg


def _unseen(events: Sequence[Event]) -> list[Event]:
    """The events no other event of ``events`` has seen (the maximal ones: concurrent siblings)."""
    return [e for e in events if not any(e.seq in other.seen for other in events)]


def _mv_spec(events: Sequence[Event]) -> frozenset[Any]:
    return frozenset(e.update.arg for e in _unseen(events))


def _key(e: Event) -> Any:
    return e.update.arg[0] if e.update.kind == "put" else e.update.arg


def _by_key(events: Sequence[Event]) -> dict[Any, list[Event]]:
    out: dict[Any, list[Event]] = {}
    for e in events:
        out.setdefault(_key(e), []).append(e)
    return out


def _ormap_spec(events: Sequence[Event]) -> dict[Any, frozenset[Any]]:
    """Per key: the puts no later operation on that key (put or remove) had seen."""
    out = {}
    for key, ops in _by_key(events).items():
        alive = frozenset(e.update.arg[1] for e in _unseen(ops) if e.update.kind == "put")
        if alive:
            out[key] = alive
    return out


def _lwwmap_spec(events: Sequence[Event]) -> dict[Any, Any]:
    out = {}
    for key, ops in _by_key(events).items():
        last = _newest(ops)
        if last is not None and last.update.kind == "put":
            out[key] = last.update.arg[1]
    return out


def _ormap_op(state: Any, u: Update, node: str, stamp: float) -> Any:
    return state.put(u.arg[0], u.arg[1], node) if u.kind == "put" else state.remove(u.arg)


def _lwwmap_op(state: Any, u: Update, node: str, stamp: float) -> Any:
    if u.kind == "put":
        return state.put(u.arg[0], u.arg[1], stamp, node)
    return state.remove(u.arg, stamp, node)


_SET_UPDATES = _updates("add", ELEMENTS) + _updates("remove", ELEMENTS)
_MAP_UPDATES = _updates("put", [(k, v) for k in KEYS for v in (0, 1)]) + _updates("remove", KEYS)

KINDS: dict[str, CrdtKind] = {k.name: k for k in (
    CrdtKind("g-counter", GCounter, _updates("inc", (1, 2, 3)), _apply_counter, _counter_spec,
             "every increment; the value is their sum"),
    CrdtKind("pn-counter", PNCounter, _updates("inc", (1, 2)) + _updates("dec", (1, 2)), _apply_counter,
             _counter_spec, "every increment and decrement"),
    CrdtKind("g-set", GSet, _updates("add", ELEMENTS), _set_op, _gset_spec,
             "every add; nothing can be removed"),
    CrdtKind("2p-set", TwoPSet, _SET_UPDATES, _set_op, _twop_spec,
             "adds until removed; a removed element can never come back"),
    CrdtKind("or-set", ORSet, _SET_UPDATES, _orset_op, _orset_spec,
             "an add unless a remove saw it: a concurrent add beats a remove"),
    CrdtKind("lww-register", LWWRegister, _updates("write", (0, 1, 2, 3)),
             lambda s, u, node, stamp: s.assign(u.arg, stamp, node), _lww_spec,
             "the write with the highest (timestamp, node); every other write is lost"),
    CrdtKind("mv-register", MVRegister, _updates("write", (0, 1, 2, 3)),
             lambda s, u, node, stamp: s.assign(u.arg, node), _mv_spec,
             "every write no later write saw: concurrent writes become siblings"),
    CrdtKind("or-map", ORMap, _MAP_UPDATES, _ormap_op, _ormap_spec,
             "per key, every put no later put or remove saw (siblings); a concurrent put beats a remove"),
    CrdtKind("lww-map", LWWMap, _MAP_UPDATES, _lwwmap_op, _lwwmap_spec,
             "per key, the put or remove with the highest (timestamp, node)"),
)}
"""Every CRDT kind by name, in the order the chapter introduces them."""


def kind_named(name: object) -> CrdtKind:
    """The kind called ``name``; anything else is a ValueError listing the names."""
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {name!r}")
    return kind
