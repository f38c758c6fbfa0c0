"""Key-value values as the writes they are made of: a kv key's value is a base (``""`` or a put's
value) followed by appends. When every value written to a key is written once, a read value
usually splits into those writes in one way only (always, when no value is a prefix of another, as
with Jepsen's and Porcupine's ``x <client> <n> y`` values). Then a read tells the order of writes
outright: its base put, then its appends in the order they appear; and a value that splits in no
way, or only with a value twice, is thin air. Our own reasoning, used by
:mod:`~distlab.consistency.readgoals`.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from itertools import pairwise
from typing import Any, NamedTuple

from distlab.sim.history import Op

__all__ = ["Tokens", "Order", "Parse", "tokens_of", "split_value", "needs_of", "append_order", "bad_parts",
           "composable"]


class Tokens(NamedTuple):
    """A kv key's written values when each is a non-empty string written once: value -> (slot, is
    append), their lengths, and whether none is a prefix of another (then splitting is greedy)."""

    by_value: dict[str, tuple[int, bool]]
    lengths: list[int]
    append_lengths: list[int]
    prefix_free: bool
    parsed: dict[str, Parse]                # values split so far (:func:`split_value` remembers)


class Order(NamedTuple):
    """What the reads say about the order of a key's writes (by slot): the writes each one must
    follow directly (``require``: its predecessors in some read value -- the rest follows, as each
    of those in turn waited for its own), the appends that must come before every put
    (``first_epoch``: they appear in a value with no put at its start), and the puts (a bitmask)."""

    require: dict[int, tuple[int, ...]]
    first_epoch: frozenset[int]
    puts: int


class Parse(NamedTuple):
    """The ways a value splits into a base and appends: ``ways`` is 0, 1 or 2 (two or more), and
    ``parts`` the one way when there is exactly one, as ``(slot, is append)`` pairs."""

    ways: int
    parts: list[tuple[int, bool]]


class _Last:
    """The last operations :func:`tokens_of` was asked about and its answer: the readers, the
    goals and the violation-first pass ask in turn about the same list (held here, so it is the
    same list while it is cached)."""

    slots: Sequence[Op] | None = None
    size = 0
    tokens: Tokens | None = None


def tokens_of(slots: Sequence[Op]) -> Tokens | None:
    """The :class:`Tokens` of one key's operations, or None if a value repeats or is not a string."""
    if slots is _Last.slots and len(slots) == _Last.size:
        return _Last.tokens
    tokens = _tokens_of(slots)
    _Last.slots, _Last.size, _Last.tokens = slots, len(slots), tokens
    return tokens


def _tokens_of(slots: Sequence[Op]) -> Tokens | None:
    by_value: dict[str, tuple[int, bool]] = {}
    for i, o in enumerate(slots):
        if o.f in ("put", "append"):
            if not isinstance(o.value, str) or not o.value or o.value in by_value:
                return None
            by_value[o.value] = (i, o.f == "append")
    ordered = sorted(by_value)
    prefix_free = not any(b.startswith(a) for a, b in pairwise(ordered))
    return Tokens(by_value, sorted({len(v) for v in by_value}),
                  sorted({len(v) for v, (_, app) in by_value.items() if app}), prefix_free, {})


def split_value(v: str, tokens: Tokens) -> Parse:
    """The ways ``v`` is a base (``""`` or a put's value) followed by appends, each written value
    usable any number of times (greedy when the values are prefix-free, else counted position by
    position)."""
    parse = tokens.parsed.get(v)
    if parse is None:
        parse = tokens.parsed[v] = _greedy(v, tokens) if tokens.prefix_free else _counted(v, tokens)
    return parse


def _counted(v: str, tokens: Tokens) -> Parse:
    """:func:`split_value` when values may be prefixes of others: the ways to reach each position."""
    ways: dict[int, int] = {0: 1}
    back: dict[int, tuple[int, tuple[int, bool]]] = {}
    todo = [0]
    while todo:
        i = heapq.heappop(todo)
        for n in tokens.lengths if i == 0 else tokens.append_lengths:
            hit = tokens.by_value.get(v[i:i + n])
            if hit is None or (i and not hit[1]) or i + n > len(v):
                continue
            if i + n not in ways:
                heapq.heappush(todo, i + n)
            ways[i + n] = min(2, ways.get(i + n, 0) + ways[i])
            back[i + n] = (i, hit)
    count = ways.get(len(v), 0)
    parts = []
    if count == 1:
        i = len(v)
        while i:
            i, hit = back[i]
            parts.append(hit)
        parts.reverse()
    return Parse(count, parts)


def _greedy(v: str, tokens: Tokens) -> Parse:
    """:func:`split_value` with prefix-free values: at most one value fits at each position."""
    out, i = [], 0
    while i < len(v):
        for n in tokens.lengths if i == 0 else tokens.append_lengths:
            hit = tokens.by_value.get(v[i:i + n])
            if hit is not None and (i == 0 or hit[1]):
                out.append(hit)
                i += n
                break
        else:
            return Parse(0, [])
    return Parse(1, out)


def needs_of(v: str, tokens: Tokens | None) -> tuple[int, ...]:
    """The slots of the appends in ``v`` after its base (none unless ``v`` splits in exactly one way)."""
    parse = None if tokens is None else split_value(v, tokens)
    if parse is None or parse.ways != 1:
        return ()
    return tuple(slot for slot, is_append in parse.parts if is_append)


def append_order(slots: Sequence[Op], tokens: Tokens, init: Any) -> Order:
    """What every ``ok`` read's value says about the order of writes: its appends follow its base put
    and each other in the order they appear; with no put at its start (base ``""``), its appends
    come before every put. Only values that split in exactly one way count (one that does not split
    at all is refuted by the violation-first pass)."""
    require: dict[int, set[int]] = {}
    first_epoch: set[int] = set()
    puts = 0
    for i, o in enumerate(slots):
        if o.f == "put":
            puts |= 1 << i
    for o in slots:
        if o.status != "ok" or not o.is_read:
            continue
        v = init if o.result is None else o.result
        parse = split_value(v, tokens) if isinstance(v, str) else None
        if parse is None or parse.ways != 1 or not parse.parts:
            continue
        from_start = parse.parts[0][1]          # no put at its start: base ""
        previous = None
        for slot, is_append in parse.parts:
            if is_append:
                if previous is not None and previous != slot:
                    require.setdefault(slot, set()).add(previous)
                if from_start:
                    first_epoch.add(slot)
            previous = slot
    return Order({slot: tuple(sorted(before)) for slot, before in require.items()}, frozenset(first_epoch), puts)


def bad_parts(o: Op, parse: Parse, slots: Sequence[Op]) -> str | None:
    """Why a read value that splits as ``parse`` cannot be (or None if it may be)."""
    if parse.ways == 0:
        return "it is not a put's value or nothing, followed by appends, of values written to this key"
    if parse.ways > 1:
        return None
    seen: set[int] = set()
    for slot, _ in parse.parts:
        value = slots[slot].value
        if slot in seen:
            return f"it holds {value!r} twice, which was written once"
        if slots[slot].invoke > o.end:
            return f"it holds {value!r}, which was written only after the read completed"
        seen.add(slot)
    return None


def composable(v: str, end: float, slots: Sequence[Op]) -> bool:
    """Is ``v`` a put's value or ``""`` followed by appends (any, repeats allowed: an over-estimate),
    all invoked by ``end``?"""
    appends = {o.value for o in slots if o.f == "append" and o.invoke <= end and isinstance(o.value, str) and o.value}
    puts = {o.value for o in slots if o.f == "put" and o.invoke <= end and isinstance(o.value, str)}
    reached = [False] * (len(v) + 1)
    reached[0] = True
    for p in puts:
        if v.startswith(p):
            reached[len(p)] = True
    lengths = sorted({len(a) for a in appends})
    for i in range(len(v)):
        if reached[i]:
            for n in lengths:
                if i + n <= len(v) and v[i:i + n] in appends:
                    reached[i + n] = True
    return reached[len(v)]
