"""The Wing & Gong / Lowe depth-first search for a linearization, as Porcupine runs it, with
prunings of our own.

Wing & Gong (1993) walk a doubly linked list of call and return *entries* in time order. The calls
before the first return are the *candidates*: operations that may take effect next. The search
linearizes a candidate legal in the current state, *lifts* its call and return out of the list, and
goes on; when no candidate is left to try, it backtracks to the last choice. Lowe (2017) added the
cache that makes this practical: ``(set of linearized operations, state)`` pairs already explored
are never explored again. Porcupine (Athalye) is a Go implementation of this.

Our additions (our own code, each sound on its own):

* **earliest deadline first**: candidates are tried in the order of their returns, not their
  calls -- an operation that completes soon must take effect soon, while a long one (a client that
  waited seconds) may take effect anywhere in its interval. Porcupine tries them in call order;
* **reads are forced**: a read legal in the current state is linearized at once and nothing else is
  tried at that point (moving a read that changes nothing to the front of any linearization from
  here keeps it legal and real-time ordered), so reads never multiply the search;
* **lookahead** (:mod:`~distlab.consistency.readgoals`): after a write, the reads whose value can no
  longer be produced (no producer left, and the state cannot reach it) make the branch dead at once
  -- where Porcupine would find out only when it reaches those reads' returns;
* **the reads' order** (kv values that split into writes, :mod:`~distlab.consistency.kvtokens`):
  a write waits for the writes a read value shows before it;
* **a register's indeterminate writes just in time**: one is tried only right before an operation
  that observes its value (:func:`_observed`);
* indeterminate (``info``) operations have their returns after every other entry, and the search
  succeeds as soon as every *completed* operation is linearized -- the rest "never took effect";
  equivalent ``info`` operations (same function and value) are interchangeable once invoked, so
  only the earliest still unlinearized one of each kind is tried (symmetry reduction).

:func:`wgl_ops` is one half of the race run by :func:`~distlab.consistency.linearizability.decide_key`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from distlab.consistency.keyprep import Prepared, prepare
from distlab.consistency.kvtokens import Order
from distlab.consistency.readgoals import Goals, builtin_kind
from distlab.consistency.specs import Model
from distlab.consistency.verdict import CHEAP, Budget, Progress
from distlab.consistency.wgllist import Entry, Signature, entry_list, lift, rank, unlift
from distlab.sim.history import Op

__all__ = ["wgl_ops", "Entry", "LOOKAHEAD"]

LOOKAHEAD = 8
"""How many of the soonest reads without a producer left the lookahead checks after each write."""

Frame: TypeAlias = "tuple[list[Entry], int, Any, Entry, tuple[int, ...]]"
"""A choice on the current path: the candidates at that point, how many were tried, the state
before, the call linearized, and the lookahead's active goals before (to backtrack to). A plain
tuple: one is made per step."""


_MODEL_INIT: Any = object()

COMPACT_FROM = 1024
"""Keys with more operations than this cache linearized sets compactly (:func:`_compact`)."""


def wgl_ops(ops: Sequence[Op], model: Model, budget: Budget | None = None, progress: Progress | None = None,
            prepared: Prepared | None = None, init: Any = _MODEL_INIT) -> list[int] | None:
    """A linearization (op indices) of one key's operations, or ``None`` if none exists.

    ``prepared``: :func:`~distlab.consistency.keyprep.prepare` of the same ``ops``, if the caller
    has it; ``init``: the state to start from (default: the model's initial state). Raises
    :class:`~distlab.consistency.verdict.BudgetExceeded` when ``budget`` runs out; then
    ``progress.linearized`` (if given) holds the most operations linearized on one path."""
    prepared = prepared or prepare(ops, model)
    live, budget = prepared.live, budget or Budget(None)
    head = prepared.cache.get("wgl")
    if head is None:
        budget.charge(len(live))
        head = prepared.cache["wgl"] = entry_list(live)
    search = _Search(head, model, prepared.goals, budget, len(live))
    if init is not _MODEL_INIT:
        search.init = init
    try:
        return search.run(sum(1 for o in live if o.status == "ok"))
    finally:
        for frame in reversed(search.path):        # put the list back as it was, for the next search
            unlift(frame[3])
        if progress is not None:
            progress.linearized = max(progress.linearized, search.deepest)


def _writes(op: Op) -> Any:
    """The value a register write or cas leaves."""
    return op.value if op.f == "write" else op.value[1]


def _observed(cands: list[Entry], infos: list[Entry], read_value: Callable[[Any], Any]) -> list[Entry]:
    """Of a register's indeterminate writes and cas ``infos``, those that leave a value some
    candidate reads or expects -- a completed candidate, or an indeterminate cas kept itself.

    Our own rule, sound for registers: in any linearization, an ``info`` write (or cas) followed by
    anything but an operation that observes its value -- a read of it, a cas expecting it -- may be
    left out (what follows overwrites it, or nothing does), so the search places one only right
    before an observer (:meth:`_Search.candidates` with ``after_info``). That observer is among the
    candidates already: an ``info`` operation's return comes after every other. They come nearest
    first -- a write of a value wanted before a write only a wanted cas needs -- so the witness has
    as few indeterminate operations take effect as the search can manage."""
    try:
        waiting: dict[Any, list[Entry]] = {}
        for e in infos:
            if e.op.f == "write" or (isinstance(e.op.value, tuple) and len(e.op.value) == 2):
                waiting.setdefault(_writes(e.op), []).append(e)
        wanted = [read_value(e.op.result) if e.is_read else e.op.value[0] for e in cands
                  if e.is_read or (e.op.f == "cas" and isinstance(e.op.value, tuple))]
        kept: list[Entry] = []
        while wanted:                           # nearest first: fewest indeterminate steps to a need
            level = sorted((e for v in wanted for e in waiting.pop(v, ())), key=rank)
            kept += level
            wanted = [e.op.value[0] for e in level if e.op.f == "cas"]
        return kept
    except TypeError:                           # unhashable values: keep them all
        return infos


def _compact(lin: int, state: Any) -> tuple[int, int, Any]:
    """A cache key for a big linearized set: how many slots from the first are all linearized (the
    search goes roughly in order), and the rest -- a few words where the set has thousands of bits."""
    k = (~lin & (lin + 1)).bit_length() - 1
    return k, lin >> k, state


class _Search:
    """One depth-first search over a linked list of entries (see the module doc)."""

    def __init__(self, head: Entry, model: Model, goals: Goals | None, budget: Budget, n: int) -> None:
        self.head, self.step, self.init, self.goals, self.budget = head, model.step, model.init, goals, budget
        self.deepest, self.compact = 0, n > COMPACT_FROM
        self.path: list[Frame] = []
        self.order = goals.order if goals is not None else None
        self.just_in_time, self.read_value = builtin_kind(model) in ("register", "cas-register"), model.read_value
        self.taken = bytearray(n)                  # the linearized set again, as flags: O(1) to test
        self.is_put, self.puts_taken = bytearray(n), 0
        if self.order is not None:
            for i in range(n):
                self.is_put[i] = self.order.puts >> i & 1

    def take(self, slot: int, flag: int) -> None:
        """Mark ``slot`` linearized (``flag`` 1) or not (0) in the flags."""
        self.taken[slot] = flag
        if self.is_put[slot]:
            self.puts_taken += 1 if flag else -1

    def out_of_order(self, order: Order, slot: int) -> bool:
        """Does the reads' order keep ``slot`` from taking effect now?"""
        before, taken = order.require.get(slot), self.taken
        if before is not None and not all(taken[i] for i in before):
            return True
        return self.puts_taken > 0 and slot in order.first_epoch

    def candidates(self, state: Any, lin: int, after_info: bool = False) -> list[Entry]:
        """The calls before the first return, earliest return first -- or only a read legal in
        ``state`` (forced) -- with one ``info`` call per signature, and none that the goals' order
        rules out with ``lin`` linearized. A register's ``info`` writes only when something may
        observe them next, and right ``after_info`` one, only observers (see :func:`_observed`)."""
        out: list[Entry] = []
        infos: list[Entry] = []
        seen: set[Signature] = set()
        step, order, just_in_time = self.step, self.order, self.just_in_time
        e = self.head.next
        while e.is_call:
            if (order is not None and self.out_of_order(order, e.slot)) or (after_info and e.op.f == "write"):
                e = e.next
                continue
            sig = e.sig
            if sig is not None:
                if sig in seen:
                    e = e.next
                    continue
                seen.add(sig)
                if just_in_time:
                    infos.append(e)
                    e = e.next
                    continue
            elif e.is_read and step(state, e.op)[0]:
                return [e]
            out.append(e)
            e = e.next
        if len(out) > 1:
            if len(out) > CHEAP:
                self.budget.charge(len(out))
            out.sort(key=rank)
        if infos:                               # after the completed ones, nearest first
            out += _observed(out, infos, self.read_value)
        return out

    def run(self, remaining_ok: int) -> list[int] | None:
        """Search until every ``ok`` operation is linearized (the order) or no choice is left (None)."""
        tick, step, lookahead, compact = self.budget.tick, self.step, self.lookahead, self.compact
        state, lin = self.init, 0                  # the current state and linearized set (a bitmask)
        active: tuple[int, ...] = tuple(self.goals.initially_active) if self.goals else ()
        cache: set[tuple[Any, ...]] = {_compact(0, state) if compact else (0, state)}
        path = self.path
        cands, tried = self.candidates(state, lin), 0
        while remaining_ok:
            tick()
            if tried < len(cands):
                entry = cands[tried]
                tried += 1
                legal, new_state = step(state, entry.op)
                if not legal:
                    continue
                new_lin = lin | 1 << entry.slot
                key = _compact(new_lin, new_state) if compact else (new_lin, new_state)
                if key in cache:
                    continue
                cache.add(key)
                self.take(entry.slot, 1)
                new_active = lookahead(active, entry, new_state, state)
                if new_active is None:
                    self.take(entry.slot, 0)
                    continue
                path.append((cands, tried, state, entry, active))
                lift(entry)
                state, lin, active = new_state, new_lin, new_active
                if entry.sig is None:
                    remaining_ok -= 1
                if len(path) > self.deepest:
                    self.deepest = len(path)
                cands, tried = self.candidates(state, lin, self.just_in_time and entry.sig is not None), 0
                continue
            if not path:                           # every choice tried: no linearization
                return None
            cands, tried, state, entry, active = path.pop()
            lin &= ~(1 << entry.slot)
            self.take(entry.slot, 0)
            unlift(entry)
            if entry.sig is None:
                remaining_ok += 1
        return [frame[3].op.index for frame in path]

    def lookahead(self, active: tuple[int, ...], entry: Entry, state: Any, before: Any) -> tuple[int, ...] | None:
        """The goals left to watch after ``entry`` took effect (state ``state``; it is marked taken),
        or None if one of them can no longer be met (see :mod:`~distlab.consistency.readgoals`)."""
        goals = self.goals
        if goals is None:
            return active
        slot = entry.slot
        if goals.by_slot[slot] is not None and slot in active:
            active = tuple(g for g in active if g != slot)
        fresh = goals.produces.get(slot)
        if fresh:
            grown = self._activate(active, fresh)
            if grown is None:
                return None
            active = grown
        elif state == before:
            return active
        reach, by_slot = goals.reach, goals.by_slot
        for g in active[:LOOKAHEAD]:
            goal = by_slot[g]
            if goal is not None and not reach(state, goal.value):
                return None
        return active

    def _activate(self, active: tuple[int, ...], fresh: list[int]) -> tuple[int, ...] | None:
        """``active`` with the goals in ``fresh`` whose producers are now all used; None if one of
        them needs an operation already used before its base."""
        by_slot = self.goals.by_slot if self.goals else []
        taken = self.taken
        new = []
        for g in fresh:
            goal = by_slot[g]
            if goal is None or taken[g] or not all(taken[p] for p in goal.producers):
                continue
            if any(taken[a] for a in goal.needs):
                return None
            new.append(g)
        if len(fresh) > CHEAP:
            self.budget.charge(len(fresh))
        if not new:
            return active
        return tuple(sorted(active + tuple(new), key=lambda g: by_slot[g].end))  # type: ignore[union-attr]
