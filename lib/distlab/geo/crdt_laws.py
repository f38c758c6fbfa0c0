"""The merge laws, checked: scripts of updates and deliveries, and :func:`check_laws`.

A **script** is a run of replicas as data: each step either issues an update at a replica or
delivers one replica's state to another, which merges it in. Replaying a script gives every state
the replicas went through and, for the type's specification, every update with the updates its
replica had seen when it was made (``Event.seen``: its causal past).

:func:`check_laws` replays seeded random scripts -- short ones first, so the first counterexample
is a small one -- through any ``merge(a, b)`` function, ours or a learner's, and reports the first
law broken, with the script that built the states:

* **idempotent** ``merge(a, a) == a``; **commutative** ``merge(a, b) == merge(b, a)``;
  **associative** ``merge(merge(a, b), c) == merge(a, merge(b, c))``;
* **converges** -- the replicas' final states merged in every order give one state;
* **spec** -- and its value is what the type's specification says (``crdt_kinds``).

The tests drive the same scripts with Hypothesis; this module uses a seeded ``random.Random`` so a
notebook cell gets the same report on every run without Hypothesis installed.
"""
from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, NamedTuple

from distlab.geo.crdt_base import show
from distlab.geo.crdt_kinds import CrdtKind, Event, Update, kind_named
from distlab.transactions.checks import check_int

__all__ = ["LAWS", "BrokenLaw", "CrdtRun", "Issue", "LawReport", "Replay", "Script", "Sync", "check_laws",
           "check_states", "random_script", "replay", "run_crdt"]

Merge = Callable[[Any, Any], Any]
LAWS = ("idempotent", "commutative", "associative", "converges", "spec")
REPLICAS = ("A", "B", "C", "D", "E", "F", "G", "H")


class Issue(NamedTuple):
    """A step: ``replica`` applies ``update`` to its own state."""

    replica: str
    update: Update

    def __str__(self) -> str:
        return f"{self.replica}: {self.update}"


class Sync(NamedTuple):
    """A step: ``dst`` receives ``src``'s whole state and merges it into its own."""

    src: str
    dst: str

    def __str__(self) -> str:
        return f"{self.src}→{self.dst}"


Step = Issue | Sync


class Script(NamedTuple):
    """Replicas and the steps they take, in order."""

    replicas: tuple[str, ...]
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        return "; ".join(map(str, self.steps)) or "(no steps)"


def random_script(choices: Sequence[Update], rng: random.Random, *, replicas: int = 3, steps: int = 8) -> Script:
    """``steps`` random steps at ``replicas`` replicas: updates drawn from ``choices`` (a kind's
    ``choices``), and deliveries between two different replicas (about 40 % of steps when there are
    two replicas or more)."""
    names = REPLICAS[:replicas]
    out: list[Step] = []
    for _ in range(steps):
        if replicas > 1 and rng.random() < 0.4:
            src, dst = rng.sample(names, 2)
            out.append(Sync(src, dst))
        else:
            out.append(Issue(rng.choice(names), rng.choice(choices)))
    return Script(names, tuple(out))


class Replay(NamedTuple):
    """What replaying a script gives: each replica's final state, every state reached with a label
    (``"B after step 3"``), and the updates as :class:`Event` s."""

    finals: dict[str, Any]
    reached: list[tuple[str, Any]]
    events: tuple[Event, ...]


def _default_merge(a: Any, b: Any) -> Any:
    return a.merge(b)


def replay(script: Script, kind: CrdtKind, merge: Merge = _default_merge) -> Replay:
    """Run ``script`` on fresh ``kind`` states, merging deliveries with ``merge(receiver, sent)``.
    An update's timestamp is its step number (1, 2, ...), unique as an LWW type needs."""
    states = {r: kind.new() for r in script.replicas}
    known: dict[str, frozenset[int]] = {r: frozenset() for r in script.replicas}
    reached = [(f"{r} at the start", s) for r, s in states.items()]
    events: list[Event] = []
    for number, step in enumerate(script.steps, 1):
        if isinstance(step, Issue):
            r = step.replica
            event = Event(len(events), r, step.update, float(number), known[r])
            events.append(event)
            states[r] = kind.apply(states[r], step.update, r, event.stamp)
            known[r] = known[r] | {event.seq}
        else:
            r = step.dst
            states[r] = merge(states[r], states[step.src])
            known[r] = known[r] | known[step.src]
        reached.append((f"{r} after step {number}", states[r]))
    return Replay(states, reached, tuple(events))


class CrdtRun(NamedTuple):
    """A random script of one CRDT kind, replayed: what a panel with a type dropdown shows -- the
    steps, each replica's final state, everything merged, its value and the spec's value."""

    kind: str
    script: Script
    finals: dict[str, Any]
    merged: Any
    value: Any
    spec: Any


def run_crdt(*, kind: str = "or-set", replicas: int = 3, steps: int = 12, seed: int = 0) -> CrdtRun:
    """Replay a seeded random script of ``kind`` (a name of ``KINDS``) at ``replicas`` replicas."""
    crdt = kind_named(kind)
    _check_counts(replicas=replicas, steps=steps, seed=seed)
    script = random_script(crdt.choices, random.Random(seed), replicas=replicas, steps=steps)
    rep = replay(script, crdt)
    merged = reduce(_default_merge, rep.finals.values())
    return CrdtRun(crdt.name, script, rep.finals, merged, merged.value(), crdt.spec(rep.events))


_RANGES = {"replicas": (1, len(REPLICAS)), "steps": (0, 10_000), "max_steps": (1, 10_000),
           "examples": (1, 1_000_000), "seed": (0, 2**63 - 1)}


def _check_counts(**counts: int) -> None:
    """Each count an integer in its range in ``_RANGES``, else a ValueError naming it."""
    for name, value in counts.items():
        check_int(name, value, *_RANGES[name])


class BrokenLaw(NamedTuple):
    """One law failing: its name, what should have held, and the states to show (name, state)."""

    law: str
    claim: str
    shown: tuple[tuple[str, Any], ...]


def _merge_in_every_order(merge: Merge, finals: Sequence[Any]) -> list[tuple[tuple[int, ...], Any]]:
    orders = itertools.islice(itertools.permutations(range(len(finals))), 24)
    return [(order, reduce(merge, (finals[i] for i in order))) for order in orders]


def check_states(merge: Merge, a: Any, b: Any, c: Any, names: Sequence[str] = ("a", "b", "c")) -> BrokenLaw | None:
    """The first of idempotence, commutativity and associativity that ``merge`` breaks on these
    three states (None when all hold); ``names`` label them in the :class:`BrokenLaw`."""
    na, nb, nc = names
    if (r := merge(a, a)) != a:
        return BrokenLaw("idempotent", "merge(a, a) == a", ((na, a), ("merge(a, a)", r)))
    if (ab := merge(a, b)) != (ba := merge(b, a)):
        return BrokenLaw("commutative", "merge(a, b) == merge(b, a)",
                         ((na, a), (nb, b), ("merge(a, b)", ab), ("merge(b, a)", ba)))
    if (left := merge(ab, c)) != (right := merge(a, merge(b, c))):
        return BrokenLaw("associative", "merge(merge(a, b), c) == merge(a, merge(b, c))",
                         ((na, a), (nb, b), (nc, c), ("merge(merge(a, b), c)", left),
                          ("merge(a, merge(b, c))", right)))
    return None


def _converges(merge: Merge, finals: dict[str, Any]) -> tuple[Any, BrokenLaw | None]:
    """Merge the final states in every order (up to 24): the one state, or the first disagreement."""
    names, states = list(finals), list(finals.values())
    merged = _merge_in_every_order(merge, states)
    first_order, first = merged[0]
    for order, state in merged[1:]:
        if state != first:
            return first, BrokenLaw("converges", "every delivery order gives the same state", (
                (f"finals merged in order {', '.join(names[i] for i in first_order)}", first),
                (f"finals merged in order {', '.join(names[i] for i in order)}", state)))
    return first, None


def _check_example(merge: Merge, kind: CrdtKind, rep: Replay, rng: random.Random) -> BrokenLaw | None:
    (la, a), (lb, b), (lc, c) = (rng.choice(rep.reached) for _ in range(3))
    broken = check_states(merge, a, b, c, names=(f"a ({la})", f"b ({lb})", f"c ({lc})"))
    if broken is not None:
        return broken
    merged, broken = _converges(merge, rep.finals)
    if broken is not None:
        return broken
    got, want = merged.value(), kind.spec(rep.events)
    if got != want:
        return BrokenLaw("spec", f"the value is what the {kind.name} spec says", (
            ("all finals merged", merged), ("its value", got), (f"the {kind.name} spec's value", want)))
    return None


@dataclass(frozen=True)
class LawReport:
    """The outcome of :func:`check_laws`: ``law`` is None when every law held on every example,
    else the first law broken (or ``"raises"`` when merge raised), with the script that built the
    states and the states themselves, printed (``str(report)`` reads as a paragraph)."""

    kind: str
    examples: int
    law: str | None = None
    claim: str = ""
    example: int = 0
    script: Script | None = None
    shown: tuple[tuple[str, str], ...] = ()

    @property
    def passed(self) -> bool:
        """True when no law was broken."""
        return self.law is None

    def __str__(self) -> str:
        if self.law is None:
            return f"{self.kind}: all {len(LAWS)} laws hold ({', '.join(LAWS)}) on {self.examples} random scripts"
        lines = [f"{self.kind}: {self.law} broken on script {self.example} of {self.examples} -- "
                 f"expected {self.claim}", f"  script: {self.script}"]
        lines += [f"  {name} = {text}" for name, text in self.shown]
        return "\n".join(lines)


def check_laws(merge: Merge, kind: str | CrdtKind, *, examples: int = 200, seed: int = 0,
               replicas: int = 3, max_steps: int = 12) -> LawReport:
    """Check ``merge(a, b)`` against the laws on ``examples`` seeded random scripts of ``kind``
    (a name from ``crdt_kinds.KINDS`` or the kind itself) with up to ``max_steps`` steps; returns a
    :class:`LawReport`. ``NotImplementedError`` from ``merge`` propagates (a stub not attempted).

    >>> from distlab.geo.crdt_sets import ORSet
    >>> check_laws(ORSet.merge, "or-set", examples=20).passed
    True
    """
    kind = kind if isinstance(kind, CrdtKind) else kind_named(kind)
    _check_counts(examples=examples, seed=seed, replicas=replicas, max_steps=max_steps)
    rng = random.Random(seed)
    for number in range(1, examples + 1):
        steps = 1 + (number - 1) * max_steps // examples  # short scripts first: small counterexamples
        script = random_script(kind.choices, rng, replicas=replicas, steps=steps)
        try:
            rep = replay(script, kind, merge)
            broken = _check_example(merge, kind, rep, rng)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - a learner's merge may raise anything; report it
            broken = BrokenLaw("raises", "merge to return a state", (("error", f"{type(exc).__name__}: {exc}"),))
        if broken is not None:
            shown = tuple((name, show(state)) for name, state in broken.shown)
            return LawReport(kind.name, examples, broken.law, broken.claim, number, script, shown)
    return LawReport(kind.name, examples)
