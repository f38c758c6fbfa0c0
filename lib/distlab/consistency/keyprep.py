"""One key's operations made ready for the linearizability searches (:class:`Prepared`): those that
can take effect, their goals (:mod:`~distlab.consistency.readgoals`), and what a search builds once
and shares with the next.

Indeterminate (``info``) operations whose effect no completed operation could ever observe are
left out (our own reasoning, sound for the built-in models): such an operation may as well never
have taken effect. Take a linearization that places it: until the next write that replaces the
value (a register write, a kv put), no operation observes the state -- a read would see its value,
a cas would expect it, a kv get would hold it -- so only writes follow it there, and they do not
care; dropping it changes nothing anyone saw. "Observe" means: a register value some ``ok`` read
returns or some ``ok`` cas expects; a kv value that is part of some ``ok`` get's result. This is
what makes histories dominated by indeterminate operations tractable: their writes are mostly
never read.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from distlab.consistency.kvtokens import split_value, tokens_of
from distlab.consistency.readgoals import Goals, builtin_kind, goals_for
from distlab.consistency.specs import Model
from distlab.sim.history import Op

__all__ = ["Prepared", "prepare", "observable"]

SUBSTRING_WORK = 50_000_000
"""Characters the kv observability test may scan (values times gets' text) when values do not split
into writes; past it, every indeterminate operation is kept."""


def _repetitive(live: Sequence[Op], model: Model) -> bool:
    """Do a register's written values repeat much (see :func:`prepare`)?"""
    if model.name == "kv":
        return False
    written = [o.value for o in live if o.f == "write"]
    try:
        return len(set(written)) * 2 < len(written)
    except TypeError:
        return True


class Prepared(NamedTuple):
    """One key's operations that can take effect (``ok`` ones, and ``info`` ones that change the
    state), and their goals for the lookahead: what several searches of the same key share."""

    live: list[Op]
    goals: Goals | None
    cache: dict[str, Any]               # what a search builds once and leaves as it found it


def prepare(ops: Sequence[Op], model: Model, from_init: bool = True) -> Prepared:
    """The :class:`Prepared` form of one key's operations (``fail`` ones are left out, and the
    indeterminate ones that no one could observe: :func:`observable`).
    ``from_init=False``: the searches will start from other states than the model's initial one
    (an explanation's window), so the goals carry no order (it assumes the initial state).

    A register whose values repeat much (fewer distinct written values than half the writes, as in
    the etcd corpus) gets no goals: its reads almost never run out of producers, and the goals
    would cost more than they save."""
    live = observable(ops, model)
    goals = None if _repetitive(live, model) else goals_for(live, model)
    if goals is not None and not from_init:
        goals = goals._replace(order=None)
    return Prepared(live, goals, {})


def observable(ops: Sequence[Op], model: Model) -> list[Op]:
    """The operations of one key that can take effect and be seen: the ``ok`` ones, and the ``info``
    ones that change the state in a way some ``ok`` operation could observe (see the module doc)."""
    live = [o for o in ops if o.status == "ok" or (o.status == "info" and not o.is_read)]
    kind = builtin_kind(model)
    if kind is None or all(o.status == "ok" for o in live):
        return live
    try:
        seen = _seen_kv(live, model) if kind == "kv" else _seen_register(live, model)
    except TypeError:                   # unhashable values: keep everything
        return live
    return live if seen is None else [o for o in live if o.status == "ok" or seen(o)]


def _seen_register(live: list[Op], model: Model) -> Any:
    """Whether an ``info`` write (or cas) writes a value some ``ok`` read returns or some cas
    expects -- an ``ok`` cas, or an ``info`` one kept itself (so the wanted values grow to a fixed
    point)."""
    wanted = set()
    for o in live:
        if o.status == "ok":
            if o.is_read:
                wanted.add(model.read_value(o.result))
            elif o.f == "cas" and isinstance(o.value, tuple):
                wanted.add(o.value[0])
    expects: dict[Any, list[Any]] = {}          # new value -> what the info cas writing it expect
    for o in live:
        if o.status != "ok" and o.f == "cas" and isinstance(o.value, tuple) and len(o.value) == 2:
            expects.setdefault(o.value[1], []).append(o.value[0])
    todo = list(wanted)
    while todo:
        for expected in expects.pop(todo.pop(), ()):
            if expected not in wanted:
                wanted.add(expected)
                todo.append(expected)

    def seen(o: Op) -> bool:
        if o.f == "write":
            return o.value in wanted
        return not (isinstance(o.value, tuple) and len(o.value) == 2) or o.value[1] in wanted
    return seen


def _seen_kv(live: list[Op], model: Model) -> Any:
    """Whether an ``info`` put or append writes a value that is part of some ``ok`` get's result
    (with values that split into writes: one of the writes it splits into), or None to keep all."""
    results = [model.read_value(o.result) for o in live if o.status == "ok" and o.is_read]
    if not all(isinstance(r, str) for r in results):
        return None
    tokens = tokens_of(live)
    parts: set[int] = set()
    unclear = results
    if tokens is not None:
        unclear = []
        for r in results:
            parse = split_value(r, tokens)
            if parse.ways == 1:
                parts.update(slot for slot, _ in parse.parts)
            elif parse.ways > 1:
                unclear.append(r)
    text = "\x00".join(unclear)
    info = [o for o in live if o.status != "ok"]
    if len(text) * len(info) > SUBSTRING_WORK:
        return None
    slot_of = {id(o): i for i, o in enumerate(live)}
    return lambda o: slot_of[id(o)] in parts or (isinstance(o.value, str) and o.value in text)
