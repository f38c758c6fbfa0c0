"""Just-in-time linearization of one key's operations: the breadth-first half of the race run by
:func:`~distlab.consistency.linearizability.check_linearizable` (fast at proving violations).

Our own implementation of published ideas:

* **Just-in-time linearization** (Lowe, "Testing for linearizability", 2017 -- his JIT graph
  search; Knossos' ``linear`` algorithm): walk the call/return events in real-time order keeping
  the set of *configurations* the object could be in. A configuration is the state, the pending
  operations already linearized, and the indeterminate operations still unused. An operation is
  linearized only when something forces it -- its own return, or another operation that must see
  its effect -- so the search never guesses ahead.
* **Memoisation** (Wing & Gong's search as improved by Lowe and used by Porcupine: cache
  (linearized set, state)): configurations are deduplicated on ``(state, linearized set)``
  (:data:`ConfigKey`), so states must be hashable (:class:`~distlab.consistency.specs.Model`).
* **Merging equivalent pending operations**: indeterminate (``info``) operations never return, so
  once invoked, two with the same function and value are interchangeable. We count them by
  signature instead of naming them (:data:`Avail`), and a configuration with at least as many
  unused ones in every signature *dominates* another with the same state and linearized set
  (Lowe's partial-order reduction). Dominated configurations are dropped. ``fail`` operations add
  no constraint and are dropped; ``info`` reads are dropped (they change nothing).

If some return finds no configuration able to linearize the returning operation, the key is not
linearizable; the :class:`Outcome` says which operation and from which states.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from operator import ge
from typing import Any, NamedTuple, TypeAlias, TypeVar

from distlab.consistency.events import CALL, EventKey, event_keys
from distlab.consistency.jitrules import Rules, blocked, dead, rules_for, taken
from distlab.consistency.keyprep import Prepared
from distlab.consistency.specs import Model
from distlab.consistency.verdict import CHEAP, Budget, Progress
from distlab.sim.history import Op

__all__ = ["linearize_ops", "Outcome", "Entry", "InfoUse"]

Step = Callable[[Any, Op], tuple[bool, Any]]
T = TypeVar("T")
Avail: TypeAlias = tuple[int, ...]
"""Per signature, how many invoked indeterminate operations have not been used (taken effect) yet."""


class InfoUse(NamedTuple):
    """A step of a path: one indeterminate operation of signature ``sig`` took effect, during the
    return event at ``event_pos`` (which one is decided when the path is unwound)."""

    sig: int
    event_pos: int


Chain: TypeAlias = "tuple[int | InfoUse, Chain] | None"
"""The path to a configuration, newest step first, as a cons list: ``(step, rest)`` or ``None`` at
the start. A step is an ok operation's index or an :class:`InfoUse`. Paths share their tails."""

ConfigKey: TypeAlias = "tuple[Any, frozenset[int]]"
"""A configuration without its indeterminate operations: the object's state and the indices of the
pending operations already linearized (a plain tuple: it is built in the innermost loop)."""


Entry: TypeAlias = "tuple[Avail, Chain]"
"""One way to be in a configuration: ``(avail, chain)``, its unused indeterminate operations and how
we got there. A plain tuple, not a named one: entries are made in the innermost loop, where building
a ``NamedTuple`` (a Python-level ``__new__``) made the search 25% slower on the store's kv history."""

Frontier: TypeAlias = "tuple[Any, frozenset[int], Avail, Chain]"
"""A configuration still to extend while a return is processed: its key's two parts and its entry's."""


Table: TypeAlias = "dict[ConfigKey, list[Entry]]"
"""Configurations: per key, the entries no other entry of that key dominates."""


@dataclass
class Outcome:
    """Result of one JIT search over one key's operations."""

    ok: bool
    order: list[int] | None = None           # linearization (op indices) when ok
    failed_op: Op | None = None              # the operation whose return could not be justified
    states_before_fail: frozenset[Any] = frozenset()
    pending_at_fail: tuple[Op, ...] = ()
    states_at_invoke: dict[int, frozenset[Any]] | None = None   # op index -> states just before invoke


def _insert(table: Table, key: ConfigKey, avail: Avail, chain: Chain) -> bool:
    """Add (avail, chain) under key unless dominated; drop entries it dominates. True if added."""
    entries = table.get(key)
    if entries is None:
        table[key] = [(avail, chain)]
        return True
    for a, _ in entries:
        if a == avail or all(map(ge, a, avail)):
            return False
    entries[:] = [(a, c) for a, c in entries if not all(map(ge, avail, a))]
    entries.append((avail, chain))
    return True


class _Signatures(NamedTuple):
    """The kinds of indeterminate operation: ``(f, value)`` -> number, and one operation per number."""

    number: dict[tuple[str, Hashable], int]
    example: list[Op]


def _signatures(info_ops: list[Op]) -> _Signatures:
    sigs = _Signatures({}, [])
    for o in info_ops:
        s = (o.f, o.value)
        if s not in sigs.number:
            sigs.number[s] = len(sigs.number)
            sigs.example.append(o)
    return sigs


def linearize_ops(ops: Iterable[Op], model: Model, init_states: Iterable[Any] | None = None,
                  budget: Budget | None = None, record_states: bool = False,
                  progress: Progress | None = None, prepared: Prepared | None = None) -> Outcome:
    """JIT search over one key's operations (already restricted to one key).

    ``init_states``: the states the object may start in (default: the model's initial state).
    ``prepared``: :func:`~distlab.consistency.keyprep.prepare` of the same ``ops``, if known: for
    a kv key the search then walks its operations (unobservable indeterminate ones left out), and
    its goals prune the search (:mod:`~distlab.consistency.jitrules`); a register's search walks
    ``ops`` as they are (it keeps few configurations anyway, and it answers as it always has).
    Raises :class:`BudgetExceeded` when the budget runs out; then ``progress.linearized`` (if given)
    holds how many completed operations the search had placed.
    """
    budget = budget or Budget(None)
    rules = rules_for(prepared)
    layout = prepared.cache.get("jit") if prepared is not None else None
    if layout is None:
        ops = prepared.live if prepared is not None and rules is not None else list(ops)
        budget.charge(len(ops))
        layout = _layout(ops)
        if prepared is not None:
            prepared.cache["jit"] = layout
    placed = [0]
    try:
        return _search(layout, model, init_states, budget, record_states, placed, rules)
    finally:
        if progress is not None:
            progress.linearized = max(progress.linearized, placed[0])


class _Layout(NamedTuple):
    """One key's operations as the search walks them: the ``ok`` ones and the indeterminate ones
    that change the state (``slots``), the kinds of the latter, and the events of all in time order."""

    info_ops: list[Op]
    sigs: _Signatures
    slots: list[Op]
    events: list[EventKey]


def _layout(ops: list[Op]) -> _Layout:
    ok_ops = [o for o in ops if o.status == "ok"]
    info_ops = [o for o in ops if o.status == "info" and not o.is_read]
    slots = ok_ops + info_ops
    return _Layout(info_ops, _signatures(info_ops), slots, event_keys(slots, info_returns=False))


def _search(layout: _Layout, model: Model, init_states: Iterable[Any] | None, budget: Budget,
            record_states: bool, placed: list[int], rules: Rules | None) -> Outcome:
    """:func:`linearize_ops` proper; ``placed[0]`` counts the completed operations placed so far."""
    tick, charge = budget.tick, budget.charge
    info_ops, sigs, slots, events = layout
    configs: Table = {}
    for s in (init_states if init_states is not None else [model.init]):
        _insert(configs, (s, frozenset()), (0,) * len(sigs.example), None)
    pending: dict[int, Op] = {}
    done = [0]                                     # the slots of the ok operations returned so far
    states_at: dict[int, frozenset[Any]] | None = {} if record_states else None
    for pos, (_, kind, idx, slot) in enumerate(events):
        tick()
        op = slots[slot]
        if kind is CALL:
            if states_at is not None:
                states_at[idx] = frozenset(k[0] for k in _paced(configs, charge))
            if op.status == "ok":
                pending[idx] = op
            else:
                configs = _one_more(configs, sigs.number[(op.f, op.value)], charge)
            continue
        new = _linearize_return(configs, op, idx, pos, pending, sigs.example, model.step, budget, rules, done)
        del pending[idx]
        placed[0] += 1
        if rules is not None:
            done[0] |= 1 << rules.slot_of[idx]
        if not new:
            return Outcome(False, failed_op=op, states_before_fail=frozenset(k[0] for k in configs),
                           pending_at_fail=tuple(pending.values()), states_at_invoke=states_at)
        configs = new
    _, chain = next(iter(configs.values()))[0]
    return Outcome(True, order=_unwind(chain, info_ops, sigs.number, events), states_at_invoke=states_at)


def _one_more(configs: Table, k: int, charge: Callable[[int], None]) -> Table:
    """Every configuration with one more unused indeterminate operation of signature ``k``."""
    weight = 1
    for entries in configs.values():
        weight += len(entries[0][0]) // CHEAP
        break
    return {key: [(av[:k] + (av[k] + 1,) + av[k + 1:], chain) for av, chain in entries]
            for key, entries in _paced(configs.items(), charge, weight)}


def _paced(items: Iterable[T], charge: Callable[[int], None], weight: int = 1) -> Iterator[T]:
    """``items``, charging the budget ``weight`` units of work for each as they go (64 at a time,
    after each 64), so the clock is looked at while a big table is copied, not only before."""
    for n, item in enumerate(items, 1):
        yield item
        if not n & 63:
            charge(64 * weight)


def _linearize_return(configs: Table, op: Op, idx: int, pos: int, pending: dict[int, Op], sig_ops: list[Op],
                      step: Step, budget: Budget, rules: Rules | None = None, done: list[int] | None = None) -> Table:
    """The configurations after ``op`` (index ``idx``, event ``pos``) returns: every way to make it
    take effect, linearizing first whatever pending or indeterminate operations that needs (as the
    reads' order ``rules`` allow). Each configuration extended is a step, charged with the
    operations it tries."""
    tick, charge = budget.tick, budget.charge
    done_mask = done[0] if done is not None else 0
    goals = [] if rules is None else [(j, rules.goal_of[j]) for j in pending if j in rules.goal_of]
    new: Table = {}
    seen: Table = {}
    stack: list[Frontier] = []
    for (s, lin), entries in _paced(configs.items(), charge):
        for av, chain in entries:
            if idx in lin:
                _insert(new, (s, lin - {idx}), av, chain)
            elif _insert(seen, (s, lin), av, chain):
                stack.append((s, lin, av, chain))
    nsig = len(sig_ops)
    work = len(pending) + nsig
    others = [(j, o) for j, o in pending.items() if j != idx]
    tk, reads = 0, []
    while stack:
        tick()
        if work > CHEAP:
            charge(work)
        s, lin, av, chain = stack.pop()
        if rules is not None:
            tk = taken(rules, done_mask, lin)
            reads = [goal for j, goal in goals if j not in lin]
        legal, s2 = step(s, op)
        if legal and (rules is None or not blocked(rules, tk, op)):
            _insert(new, (s2, lin), av, (idx, chain))
        for j, other in others:
            if j in lin or (rules is not None and blocked(rules, tk, other)):
                continue
            legal, s2 = step(s, other)
            if not legal:
                continue
            if rules is not None and s2 != s and dead(rules, s2, tk | 1 << rules.slot_of[j], reads, rules.slot_of[j]):
                continue
            lin2 = lin | {j}
            link: Chain = (j, chain)
            if _insert(seen, (s2, lin2), av, link):
                stack.append((s2, lin2, av, link))
        for k in range(nsig):
            if av[k] and (rules is None or not blocked(rules, tk, sig_ops[k])):
                legal, s2 = step(s, sig_ops[k])
                if legal and s2 != s and (rules is None or not dead(rules, s2, tk, reads)):
                    av2 = av[:k] + (av[k] - 1,) + av[k + 1:]
                    link = (InfoUse(k, pos), chain)
                    if _insert(seen, (s2, lin), av2, link):
                        stack.append((s2, lin, av2, link))
    return new


def _unwind(chain: Chain, info_ops: list[Op], sig_number: dict[tuple[str, Hashable], int],
            events: list[EventKey]) -> list[int]:
    """Turn a chain of links into op indices, giving each info use a concrete (earliest) op."""
    steps: list[int | InfoUse] = []
    while chain is not None:
        step, chain = chain
        steps.append(step)
    steps.reverse()
    by_sig: dict[int, list[Op]] = {}
    for o in sorted(info_ops, key=lambda o: (o.invoke, o.index)):
        by_sig.setdefault(sig_number[(o.f, o.value)], []).append(o)
    used: set[int] = set()
    order = []
    for st in steps:
        if not isinstance(st, InfoUse):
            order.append(st)
            continue
        t = events[st.event_pos][0]
        op = next(o for o in by_sig[st.sig] if o.index not in used and o.invoke <= t)
        used.add(op.index)
        order.append(op.index)
    return order
