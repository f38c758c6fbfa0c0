"""The OR-Set merge exercise's machinery (``geo.orset_merge``, registered in `distlab.grading.geo`).

* :func:`grocery_kind` -- the library's OR-Set kind with elements milk, eggs and tea, so no element
  is named like merge's arguments ``a`` and ``b``;
* :func:`library_merge_refused` -- while the check runs, the library's own merges (``ORSet.merge``
  and the dot-store merge under it, ``merge_stores``) raise :class:`LibraryMerge`, however the answer
  reaches them;
* :func:`spec_words` -- for an answer whose merged value breaks the OR-Set's specification, the first
  merge that went wrong: its two inputs, its result and which element came back or went missing. The
  merge rule itself (what to compare) is added only from the second failed attempt on.
"""
from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

Merge = Callable[[Any, Any], Any]

ELEMENTS = ("milk", "eggs", "tea")

LIBRARY_MERGE = ("That is the library's own merge (ORSet.merge, or merge_stores under it): write yours from "
                 "a.dots and a.context.")

NOTATION = ("(Notation: milk@B1 is milk as added by replica B's 1st update -- one dot; seen [B:1 C:2] is the "
            "context, every update the state has seen: B's first and C's first two. In the script, "
            "'C: remove(milk)' is an update at replica C and 'A→C' delivers A's whole state to C, which merges "
            "it in.)")

RULE_CAME_BACK = ("The rule: a dot one side holds and the other has already seen (counter <= "
                  "other.context.get(replica)) but no longer holds was removed there: it must stay removed.")
RULE_MISSING = ("The rule: a dot only one side holds, which the other has never seen (counter > "
                "other.context.get(replica)), is a new add: keep it (add wins).")


class LibraryMerge(Exception):
    """Raised when a learner's merge calls the library's own merge during the check."""


def grocery_kind() -> Any:
    """The ``or-set`` kind of `distlab.geo.crdts.KINDS` with its three elements renamed milk, eggs and tea
    (the same updates in the same order, so a seed gives the same scripts)."""
    from distlab.geo.crdts import KINDS, Update

    base = KINDS["or-set"]
    return dataclasses.replace(base, choices=tuple(Update(op, e) for op in ("add", "remove") for e in ELEMENTS))


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise LibraryMerge(LIBRARY_MERGE)


@contextmanager
def library_merge_refused(answer: object) -> Iterator[None]:
    """While the check runs, ``ORSet.merge``, ``merge_stores`` and ``_merge_node`` raise `LibraryMerge`:
    on the class, in every ``distlab`` module that holds them, and under any name in the answer's own
    module (``from distlab.geo.crdt_dots import merge_stores``). Restored afterwards, whatever happens."""
    from distlab.geo import crdt_dots
    from distlab.geo.crdt_sets import ORSet

    method = ORSet.__dict__["merge"]
    doomed = (crdt_dots.merge_stores, crdt_dots._merge_node, method)
    spaces = [vars(m) for name, m in list(sys.modules.items()) if name.startswith("distlab.") and m is not None]
    own = getattr(getattr(answer, "__func__", answer), "__globals__", None)
    if isinstance(own, dict):
        spaces.append(own)
    patched = [(space, key, value) for space in spaces for key, value in list(space.items())
               if any(value is d for d in doomed)]
    ORSet.merge = _refuse  # type: ignore[method-assign]
    for space, key, _ in patched:
        space[key] = _refuse
    try:
        yield
    finally:
        ORSet.merge = method  # type: ignore[method-assign]
        for space, key, value in patched:
            space[key] = value


class BadMerge(NamedTuple):
    """The first merge whose value breaks the OR-Set's specification, and what it should have given."""

    where: str
    a: Any
    b: Any
    got: Any
    want: frozenset[Any]


def _merge_points(script: Any) -> tuple[list[tuple[str, frozenset[int]]], dict[str, frozenset[int]]]:
    """For each delivery of ``script``, in order: where it happens and the updates the receiver has seen
    after it; and each replica's seen updates at the end (updates numbered as `replay` numbers them)."""
    from distlab.geo.crdts import Sync

    known: dict[str, frozenset[int]] = {r: frozenset() for r in script.replicas}
    points, seq = [], 0
    for number, step in enumerate(script.steps, 1):
        if isinstance(step, Sync):
            known[step.dst] = known[step.dst] | known[step.src]
            points.append((f"at step {number} ({step}): {step.dst} merged in {step.src}'s state", known[step.dst]))
        else:
            known[step.replica] = known[step.replica] | {seq}
            seq += 1
    return points, known


def first_bad_merge(script: Any, merge: Merge) -> BadMerge | None:
    """Replay ``script`` through ``merge``, then merge the final states in replica order (as the
    convergence check does): the first merge whose value is not the specification's for the updates
    its result has seen, or None."""
    from distlab.geo.crdts import replay

    kind = grocery_kind()
    calls: list[tuple[Any, Any, Any]] = []

    def recording(a: Any, b: Any) -> Any:
        out = merge(a, b)
        calls.append((a, b, out))
        return out

    rep = replay(script, kind, recording)
    points, known = _merge_points(script)
    names = list(rep.finals)
    acc, seen = rep.finals[names[0]], known[names[0]]
    for k, name in enumerate(names[1:], 2):
        merged = merge(acc, rep.finals[name])
        seen = seen | known[name]
        calls.append((acc, rep.finals[name], merged))
        before = "'s and ".join(names[:k - 1]) + ("'s (already merged)" if k > 2 else "'s")
        points.append((f"when the final states were merged: {before} with {name}'s", seen))
        acc = merged
    for (where, saw), (a, b, got) in zip(points, calls, strict=True):
        want = kind.spec([rep.events[i] for i in sorted(saw)])
        if got.value() != want:
            return BadMerge(where, a, b, got, want)
    return None


def _dots_of(element: Any, state: Any) -> str:
    """The dots (``B1``, ...) that hold ``element`` in ``state``."""
    return ", ".join(sorted(f"{element}@{node}{c}" for node, held in state.dots.items() for c, e in held.items()
                            if e == element))


def spec_words(script: Any, merge: Merge, attempt: int) -> str:
    """What went wrong with a merge that breaks the OR-Set's specification on ``script``: the first
    wrong merge, its inputs and result, and which element came back or went missing; from the second
    failed attempt (``attempt`` >= 1) on, the rule to apply as well."""
    from distlab.geo.crdts import show

    bad = first_bad_merge(script, merge)
    if bad is None:
        return "The merged value is not the OR-Set's (an element came back or went missing)."
    got = bad.got.value()
    back, missing = sorted(got - bad.want, key=repr), sorted(bad.want - got, key=repr)
    lines = []
    for e in back:
        lines.append(f"{e} came back: every add of {e} had been seen by a remove of {e}, so the OR-Set says {e} "
                     f"is out; your merge put it back ({_dots_of(e, bad.got)}).")
    for e in missing:
        lines.append(f"{e} went missing: an add of {e} was seen by no remove of {e}, so the OR-Set keeps it "
                     "(add wins); your merge dropped it.")
    lines += [f"It happened {bad.where}:", f"  a = {show(bad.a)}", f"  b = {show(bad.b)}",
              f"  merge(a, b) = {show(bad.got)}", f"  script: {script}"]
    if attempt >= 1:
        lines += [RULE_CAME_BACK] * bool(back) + [RULE_MISSING] * bool(missing)
    return "\n".join(lines)
