"""Stale reads found without search: the second half of the violation-first pass (the first is
:func:`~distlab.consistency.readgoals.thin_air`).

When a read's value names the writes it is made of -- a register value written by one operation
only, or a kv value that splits into its base put and appends in one way only
(:mod:`~distlab.consistency.kvtokens`) -- real time alone can refute it (our own reasoning, the
inference Knossos' and Elle's users do by hand): the read takes effect after its base write (the
state holds the base's value), and every write that completed before the read began takes effect
before it. A write that completed before the read began, and began after the base completed, falls
in between -- so unless it is one of the appends the value holds, it changed the value the read
returned. The three operations (with the value's appends) are a failing window on their own.

Found for each read at once, by counting: the writes invoked after ``x`` and completed before
``y`` are counted for every read in one sweep (a Fenwick tree over invocation ranks), and compared
with how many of the read's own appends qualify; only a read with more is examined further.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any, NamedTuple

from distlab.consistency.kvtokens import split_value, tokens_of
from distlab.consistency.readgoals import builtin_kind
from distlab.consistency.specs import Model
from distlab.sim.history import Op

__all__ = ["Stale", "stale_read"]

INF = float("inf")


class Stale(NamedTuple):
    """A stale read: ``read`` returned a value made of ``base`` (None: the initial value) and
    ``appends``, but ``overwrite`` completed before it began and began after ``base`` completed."""

    read: Op
    base: Op | None
    appends: tuple[Op, ...]
    overwrite: Op


class _Fact(NamedTuple):
    """What a read's value says: the slot of its base write (None: the initial value) and of its appends."""

    read: int
    base: int | None
    appends: tuple[int, ...]


def stale_read(slots: Sequence[Op], model: Model) -> Stale | None:
    """A stale read among one key's operations (see the module doc), or None."""
    kind = builtin_kind(model)
    if kind is None:
        return None
    try:
        facts = _kv_facts(slots, model) if kind == "kv" else _register_facts(slots, model)
    except TypeError:                           # unhashable or mixed values: no verdict from here
        return None
    writes = [i for i, o in enumerate(slots) if o.status == "ok" and _changes(o)]
    if not facts or not writes:
        return None
    for fact in _suspects(slots, facts, writes):
        found = _witness(slots, fact, writes)
        if found is not None:
            return found
    return None


def _changes(o: Op) -> bool:
    """Does ``o`` set a key's value (a write, a put, an append, a cas that swaps)?"""
    if o.f in ("write", "put", "append"):
        return True
    return o.f == "cas" and isinstance(o.value, tuple) and len(o.value) == 2 and o.value[0] != o.value[1]


def _register_facts(slots: Sequence[Op], model: Model) -> list[_Fact]:
    """Reads (and cas) of a value written by exactly one operation invoked before they completed,
    or of the initial value written by none."""
    writers: dict[Any, list[int]] = {}
    for i, o in enumerate(slots):
        if o.f == "write" or (o.f == "cas" and isinstance(o.value, tuple) and len(o.value) == 2):
            writers.setdefault(o.value if o.f == "write" else o.value[1], []).append(i)
    facts = []
    for i, o in enumerate(slots):
        if o.status != "ok" or not (o.is_read or (o.f == "cas" and isinstance(o.value, tuple))):
            continue
        v = model.read_value(o.result) if o.is_read else o.value[0]
        producers = [w for w in writers.get(v, ()) if slots[w].invoke <= o.end and w != i]
        if len(producers) == 1:
            facts.append(_Fact(i, producers[0], ()))
        elif not producers and v == model.init:
            facts.append(_Fact(i, None, ()))
    return facts


def _kv_facts(slots: Sequence[Op], model: Model) -> list[_Fact]:
    """Gets whose value splits into a base and appends in exactly one way."""
    tokens = tokens_of(slots)
    if tokens is None:
        return []
    facts = []
    for i, o in enumerate(slots):
        if o.status != "ok" or not o.is_read:
            continue
        v = model.read_value(o.result)
        parse = split_value(v, tokens) if isinstance(v, str) else None
        if parse is None or parse.ways != 1:
            continue
        parts = parse.parts
        base = parts[0][0] if parts and not parts[0][1] else None
        facts.append(_Fact(i, base, tuple(slot for slot, is_append in parts if is_append)))
    return facts


def _suspects(slots: Sequence[Op], facts: list[_Fact], writes: list[int]) -> list[_Fact]:
    """The reads with more writes between their base and themselves (in real time) than appends."""
    invokes = sorted(slots[w].invoke for w in writes)
    tree = [0] * (len(invokes) + 1)
    by_completion = sorted(writes, key=lambda w: slots[w].end)
    added, suspects = 0, []
    for fact in sorted(facts, key=lambda f: slots[f.read].invoke):
        begin, after = slots[fact.read].invoke, _after(slots, fact)
        while added < len(by_completion) and slots[by_completion[added]].end < begin:
            n = bisect_right(invokes, slots[by_completion[added]].invoke)
            while n <= len(invokes):
                tree[n] += 1
                n += n & -n
            added += 1
        n, early = bisect_right(invokes, after), 0
        while n:
            early += tree[n]
            n -= n & -n
        own = sum(1 for a in fact.appends if slots[a].status == "ok" and after < slots[a].invoke
                  and slots[a].end < begin)
        if added - early > own:
            suspects.append(fact)
    return suspects


def _after(slots: Sequence[Op], fact: _Fact) -> float:
    """When the base completed (the overwrite must begin later); -inf for the initial value."""
    return -INF if fact.base is None else slots[fact.base].end


def _witness(slots: Sequence[Op], fact: _Fact, writes: list[int]) -> Stale | None:
    """The write that overwrote the value ``fact``'s read returned, if there is one."""
    begin, after, own = slots[fact.read].invoke, _after(slots, fact), set(fact.appends)
    for w in writes:
        o = slots[w]
        if after < o.invoke and o.end < begin and w not in own and w != fact.base and w != fact.read:
            base = None if fact.base is None else slots[fact.base]
            return Stale(slots[fact.read], base, tuple(slots[a] for a in fact.appends), o)
    return None
