"""What each read needs, for the built-in models: the lookahead that prunes the depth-first search,
and the violation-first pass that refutes a history without any search.

An ``ok`` read returning ``V`` is legal only where the object holds ``V``; an ``ok`` cas ``(a, b)``
only where it holds ``a``. For the built-in models we know how a state can come to be ``V`` (our own
reasoning, sound for any history -- no assumption about unique values):

* **register / cas-register**: the register holds ``V`` only after a write of ``V`` or a cas whose new
  value is ``V`` (or from the start, when ``V`` is the initial ``None``). Other writes take it away;
  so from a state ``s != V`` the read can become legal only through one of those *producers*.
* **kv** (strings): a key's value is a *base* -- ``""`` or the value of a ``put`` -- followed by
  appends. From state ``s`` without a put, ``V`` is reachable only if ``s`` is a prefix of ``V``;
  otherwise only through a put whose value is a prefix of ``V`` (its producers).

A producer must be invoked before the read completes. When no producer is left unlinearized and the
state cannot reach ``V``, the read can never take effect: the search cuts that branch at once
(:class:`Goal`), and if no producer exists at all and the initial state cannot reach ``V`` either,
the history is violated without search (:func:`thin_air`: e.g. 4,999 indeterminate writes and a
read of a value none of them wrote).

With unique, prefix-free values on a kv key (no written value is a prefix of another -- true of
Jepsen's and Porcupine's ``x <client> <n> y`` values), ``V`` splits into its base and appends in one
way only; then the appends in ``V`` must all take effect after its base put (:attr:`Goal.needs`), and
``V`` holding an append twice, or one never invoked before the read completed, is thin air too.
Custom models get no goals: their searches run without the lookahead.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

from distlab.consistency.kvtokens import (
    Order,
    append_order,
    bad_parts,
    composable,
    needs_of,
    split_value,
    tokens_of,
)
from distlab.consistency.specs import MODELS, Model
from distlab.sim.history import Op

INF = float("inf")

__all__ = ["Goal", "Goals", "goals_for", "thin_air", "all_in", "any_in", "builtin_kind"]

Reach = Callable[[Any, Any], bool]

MAX_PRODUCERS = 4
"""A goal with more producers than this is left out (a register value written many times is almost
never out of reach, and indexing it would cost more than it saves)."""


class Goal(NamedTuple):
    """One ``ok`` read (or cas) of a key: the state it needs, which operations can make that state
    reachable again, which must follow its base (kv) -- both as slots of the key's operations --
    and when it completes (the searches look at the soonest goals first)."""

    value: Any
    producers: tuple[int, ...]
    needs: tuple[int, ...]
    end: float
    slot: int


def all_in(slots: tuple[int, ...], mask: int) -> bool:
    """Are all of ``slots`` set in ``mask``?"""
    return all(mask >> i & 1 for i in slots)


def any_in(slots: tuple[int, ...], mask: int) -> bool:
    """Is any of ``slots`` set in ``mask``?"""
    return any(mask >> i & 1 for i in slots)


class Goals(NamedTuple):
    """The goals of one key's operations (``slots`` is the list the bit numbers refer to), and the
    order they imply (kv with unique, prefix-free values: :func:`~distlab.consistency.kvtokens.append_order`)."""

    reach: Reach                        # can state s become value v without a producer?
    by_slot: list[Goal | None]          # per slot: its goal (reads and ok cas), else None
    produces: dict[int, list[int]]      # producer slot -> slots of the goals it produces for
    initially_active: list[int]         # goal slots without any producer, soonest first
    order: Order | None = None          # per slot: what must, and must not, take effect before it
    growing: bool = False               # states grow (kv appends): the just-in-time search uses them too


def _same_state(s: Any, v: Any) -> bool:
    return bool(s == v)


def _prefix(s: Any, v: Any) -> bool:
    return isinstance(s, str) and isinstance(v, str) and v.startswith(s)


def builtin_kind(model: Model) -> str | None:
    """The built-in model's name when ``model`` is one (same step function), else None."""
    known = MODELS.get(model.name)
    return model.name if known is not None and known.step is model.step else None


class _Writers:
    """Operations by the value they establish, in invocation order: ``before(v, t)`` is the slots of
    those establishing ``v`` invoked at or before ``t`` (None if more than :data:`MAX_PRODUCERS`)."""

    def __init__(self) -> None:
        self.by_value: dict[Hashable, tuple[list[float], list[int]]] = {}

    def add(self, value: Hashable, invoke: float, slot: int) -> None:
        times, slots = self.by_value.setdefault(value, ([], []))
        times.append(invoke)
        slots.append(slot)

    def before(self, value: Hashable, t: float) -> tuple[int, ...] | None:
        entry = self.by_value.get(value)
        if entry is None:
            return ()
        i = bisect_right(entry[0], t)
        return tuple(entry[1][:i]) if i <= MAX_PRODUCERS else None


def _writers(slots: Sequence[Op], kv: bool) -> _Writers | None:
    """Who establishes which value (register: writes and cas; kv: puts, whose values must be strings)."""
    writers = _Writers()
    order: Sequence[int] = range(len(slots))
    if any(a.invoke > b.invoke for a, b in pairwise(slots)):
        order = sorted(order, key=lambda i: slots[i].invoke)
    for i in order:
        o = slots[i]
        f = o.f
        if kv:
            if f == "put":
                if not isinstance(o.value, str):
                    return None
                writers.add(o.value, o.invoke, i)
        elif f == "write":
            writers.add(o.value, o.invoke, i)
        elif f == "cas" and isinstance(o.value, tuple) and len(o.value) == 2:
            writers.add(o.value[1], o.invoke, i)
    return writers


def _kv_producers(writers: _Writers, lengths: list[int], v: str, end: float) -> tuple[int, ...] | None:
    """The puts whose value starts ``v``, invoked by ``end`` (None if too many)."""
    producers: tuple[int, ...] = ()
    for n in lengths:
        if n <= len(v):
            more = writers.before(v[:n], end)
            if more is None:
                return None
            producers += more
    return producers if len(producers) <= MAX_PRODUCERS else None


def goals_for(slots: Sequence[Op], model: Model) -> Goals | None:
    """The goals of one key's operations ``slots`` (bit ``i`` is ``slots[i]``), or None for a model
    without them or values they cannot reason about (e.g. unhashable, or kv values not strings).
    Only goals with at most :data:`MAX_PRODUCERS` producers are kept (the others are never met
    by the lookahead, and never thin air)."""
    kind = builtin_kind(model)
    if kind is None:
        return None
    try:
        return _goals(slots, model, kind == "kv")
    except TypeError:                   # unhashable or mixed-type values: no lookahead, still correct
        return None


def _goals(slots: Sequence[Op], model: Model, kv: bool) -> Goals | None:
    writers = _writers(slots, kv)
    if writers is None:
        return None
    tokens = tokens_of(slots) if kv else None
    lengths = sorted({len(v) for v in writers.by_value if isinstance(v, str)}) if kv else []
    by_slot: list[Goal | None] = [None] * len(slots)
    produces: dict[int, list[int]] = {}
    active = []
    for i, o in enumerate(slots):
        if o.status != "ok":
            continue
        f = o.f
        if f == "read" or f == "get":
            v = o.result if o.result is not None else model.init
        elif f == "cas" and not kv and isinstance(o.value, tuple) and len(o.value) == 2:
            v = o.value[0]
        else:
            continue
        end = o.end
        if not kv:
            producers = writers.before(v, end)
        elif isinstance(v, str):
            producers = _kv_producers(writers, lengths, v, end)
        else:
            return None
        if producers is None:
            continue                    # too many producers: never all used up in practice
        by_slot[i] = Goal(v, producers, needs_of(v, tokens) if kv else (), end, i)
        if not producers:
            active.append(i)
        for p in producers:
            produces.setdefault(p, []).append(i)
    active.sort(key=lambda i: slots[i].end)
    order = append_order(slots, tokens, model.init) if tokens is not None else None
    return Goals(_prefix if kv else _same_state, by_slot, produces, active, order, kv)


def thin_air(slots: Sequence[Op], model: Model) -> tuple[Op, str] | None:
    """An ``ok`` read (or cas) among one key's operations that no write can explain, with the reason
    in words -- a violation found without search -- or None."""
    kind = builtin_kind(model)
    if kind is None:
        return None
    try:
        return _thin_air_kv(slots, model) if kind == "kv" else _thin_air_register(slots, model)
    except TypeError:                   # unhashable or mixed-type values: no verdict from here
        return None


def _thin_air_register(slots: Sequence[Op], model: Model) -> tuple[Op, str] | None:
    """A read (or cas) of a value that is neither the initial one nor written by an operation
    invoked before it completed."""
    first: dict[Hashable, float] = {}           # value -> the earliest invocation writing it
    for o in slots:
        if o.f == "write" or (o.f == "cas" and isinstance(o.value, tuple) and len(o.value) == 2):
            v = o.value if o.f == "write" else o.value[1]
            if o.invoke < first.get(v, INF):
                first[v] = o.invoke
    for o in slots:
        if o.status != "ok" or not (o.is_read or (o.f == "cas" and isinstance(o.value, tuple))):
            continue
        v = model.read_value(o.result) if o.is_read else o.value[0]
        if v != model.init and first.get(v, INF) > o.end:
            return o, "no operation writes that value"
    return None


def _thin_air_kv(slots: Sequence[Op], model: Model) -> tuple[Op, str] | None:
    """A get whose value is not a base and appends written to its key (see :mod:`kvtokens`)."""
    tokens = tokens_of(slots)
    for o in slots:
        if o.status != "ok" or not o.is_read:
            continue
        v = model.read_value(o.result)
        if not isinstance(v, str):
            return None
        if tokens is not None:
            why = bad_parts(o, split_value(v, tokens), slots)
        else:
            why = None if composable(v, o.end, slots) else "no put and appends on this key make it"
        if why is not None:
            return o, why
    return None
