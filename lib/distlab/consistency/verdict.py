"""What a checker answers: a verdict, a reason a learner can read, and the evidence.

* ``holds``    -- the history satisfies the model; ``witness`` is an order of operation indices that
  proves it (for linearizability: the linearization, per key in key order);
* ``violated`` -- it cannot; ``window`` is the smallest run of operations that alone already fails,
  and ``explanation`` says why;
* ``unknown``  -- the checker gave up (its time or step budget ran out, or the history breaks an
  assumption the checker needs, such as unique written values); ``explanation`` says which.

A :class:`Budget` bounds the work. Its clock is injected (default ``time.monotonic``) so tests can
drive it; ``max_steps`` gives a deterministic bound.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from distlab.sim.history import History, Op

__all__ = ["Verdict", "Budget", "BudgetExceeded", "StepLimit", "Progress", "race_limits", "HOLDS", "VIOLATED",
           "UNKNOWN", "checked_inputs", "describe", "plural"]

HOLDS, VIOLATED, UNKNOWN = "holds", "violated", "unknown"


@dataclass
class Verdict:
    """A checker's answer for one rung: ``status`` (``holds``/``violated``/``unknown``, see the module
    doc), the ``explanation`` in words, and the evidence -- a ``witness`` order of operation indices
    when it holds, the smallest failing ``window`` when it is violated, and ``details``."""

    status: str
    explanation: str
    rung: str = "linearizable"
    model: str = ""
    witness: list[int] | None = None
    window: list[Op] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        """Whether the history satisfies the rung (``status == "holds"``)."""
        return self.status == HOLDS

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: verdict, rung, model, explanation, and witness or window indices."""
        out: dict[str, Any] = {"verdict": self.status, "rung": self.rung, "model": self.model,
                               "explanation": self.explanation}
        if self.witness is not None:
            out["witness"] = self.witness
        if self.window is not None:
            out["window"] = [o.index for o in self.window]
        return out

    def __str__(self) -> str:
        return f"{self.rung}: {self.status} -- {self.explanation}"


class BudgetExceeded(Exception):
    """Raised inside a search when its budget runs out; checkers turn it into ``unknown``."""


class StepLimit(BudgetExceeded):
    """A child budget's own step limit ran out (the parent budget may still have time)."""


LOOK_EVERY = 256
"""Units of work between two looks at the clock (a unit is one search step, or one entry scanned)."""

CHEAP = 16
"""Work below this many units within one search step is covered by the step's own tick; searches
charge more than that with :meth:`Budget.charge` (so the clock is looked at in proportion to the
work, and a step costs at most ``CHEAP`` units unaccounted)."""


class Budget:
    """A time limit (seconds, on an injected clock) and an optional step limit.

    Searches call :meth:`tick` once per step (counted in :attr:`steps`, which ``max_steps`` bounds:
    a deterministic limit) and :meth:`charge` for any other work in proportion to it -- entries
    scanned, configurations copied -- so the clock is looked at every :data:`LOOK_EVERY` units of
    work, whatever a step costs. Version 2 added :meth:`charge` and :meth:`remaining`; the
    constructor, :meth:`tick`, :meth:`child` and the attributes are as before.
    """

    def __init__(self, timeout: float | None = 60.0, max_steps: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                    or not 0 < timeout < float("inf")):
            raise ValueError(f"timeout must be a finite number of seconds > 0 (or None), got {timeout!r}")
        if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps <= 0):
            raise ValueError(f"max_steps must be an integer > 0 (or None), got {max_steps!r}")
        self.timeout, self.max_steps, self.clock = timeout, max_steps, clock
        self.deadline = None if timeout is None else clock() + timeout
        self.steps = 0
        self.work, self.look_at = 0, LOOK_EVERY

    def tick(self, n: int = 1) -> None:
        """Count ``n`` steps (and as much work). Raises :class:`BudgetExceeded`."""
        self.steps += n
        if self.max_steps is not None and self.steps > self.max_steps:
            raise BudgetExceeded(f"step budget of {self.max_steps} exhausted")
        self.work += n
        if self.work >= self.look_at:
            self.look()

    def charge(self, work: int) -> None:
        """Count ``work`` units of work that are not steps (they count toward the clock only)."""
        self.work += work
        if self.work >= self.look_at:
            self.look()

    def look(self) -> None:
        """Look at the clock now. Raises :class:`BudgetExceeded` past the deadline."""
        self.look_at = self.work + LOOK_EVERY
        if self.deadline is not None and self.clock() > self.deadline:
            raise BudgetExceeded(f"time budget of {self.timeout:.3g} s exhausted")

    def remaining(self) -> float | None:
        """Seconds left before the deadline (may be negative), or None without a time limit."""
        return None if self.deadline is None else self.deadline - self.clock()

    def child(self, max_steps: int, max_work: int | None = None) -> Budget:
        """A budget that also charges this one, and raises :class:`StepLimit` after ``max_steps``
        steps or ``max_work`` units of work (steps included), whichever comes first."""
        return _Child(self, max_steps, max_work)


class _Child(Budget):
    """A step (and work) limit of its own on top of a parent budget (see :meth:`Budget.child`).

    Its limits are kept as end marks on the root budget's counters (the tighter of its own and its
    parent's), so a step costs the same at any depth of nesting."""

    root: Budget

    def __init__(self, parent: Budget, max_steps: int, max_work: int | None = None) -> None:
        root = parent.root if isinstance(parent, _Child) else parent
        self.root, self.max_steps, self.limit, self.work_limit = root, max_steps, max_steps, max_work
        self.start_steps, self.start_work = root.steps, root.work
        self.end_steps = root.steps + max_steps
        self.end_work = None if max_work is None else root.work + max_work
        if isinstance(parent, _Child):
            self.end_steps = min(self.end_steps, parent.end_steps)
            if parent.end_work is not None:
                self.end_work = parent.end_work if self.end_work is None else min(self.end_work, parent.end_work)
        self.timeout, self.deadline, self.clock = root.timeout, root.deadline, root.clock
        self.look_at = LOOK_EVERY

    @property
    def steps(self) -> int:
        """The steps taken under this budget."""
        return self.root.steps - self.start_steps

    @steps.setter
    def steps(self, value: int) -> None:
        self.start_steps = self.root.steps - value

    @property
    def work(self) -> int:
        """The work done under this budget."""
        return self.root.work - self.start_work

    @work.setter
    def work(self, value: int) -> None:
        self.start_work = self.root.work - value

    def tick(self, n: int = 1) -> None:
        root = self.root
        root.tick(n)
        if root.steps > self.end_steps:
            raise StepLimit(f"step limit {self.limit} reached")
        if self.end_work is not None and root.work > self.end_work:
            raise StepLimit(f"work limit {self.work_limit} reached")

    def charge(self, work: int) -> None:
        root = self.root
        root.charge(work)
        if self.end_work is not None and root.work > self.end_work:
            raise StepLimit(f"work limit {self.work_limit} reached")

    def look(self) -> None:
        self.root.look()


def race_limits(first: int) -> Iterator[tuple[int, int]]:
    """The work limits of a race between a depth-first and a just-in-time search, round after
    round: a quarter of ``first`` and ``first`` in the first round (the depth-first search decides
    most honest inputs in less; the just-in-time search most refutations in about ``first``), then
    both 4x ``first``, and 4x more each round."""
    yield first // 4, first
    limit = first
    while True:
        limit *= 4
        yield limit, limit


@dataclass
class Progress:
    """How far a search got, for an ``unknown`` verdict to say: keys decided of the total, and on
    the hardest key still open, the most operations linearized on one path of its size."""

    keys_total: int = 0
    keys_decided: int = 0
    key: Any = None
    linearized: int = 0
    operations: int = 0

    def describe(self) -> str:
        """``decided 7 of 10 keys; on key '3' at most 152 of 200 operations linearized``."""
        if not self.operations:
            return "the search had not begun (the history was still being prepared)"
        where = "the register" if self.key is None else f"key {self.key!r}"
        keys = f"decided {self.keys_decided} of {self.keys_total} keys; " if self.keys_total > 1 else ""
        return f"{keys}on {where} at most {self.linearized} of {plural(self.operations, 'operation')} linearized"


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``1 operation``, ``2 operations``: a count and its noun in the right number (``many`` when
    adding an *s* is wrong: ``plural(2, "process", "processes")``)."""
    return f"{n} {noun}" if n == 1 else f"{n} {many or noun + 's'}"


def describe(op: Op) -> str:
    """A short human description: ``#12 p3 read→2`` / ``#7 p1 write 4 (info)``."""
    key = "" if op.key is None else f"[{op.key!r}]"
    if op.is_read:
        body = f"{op.f}{key}→{op.result!r}" if op.status == "ok" else f"{op.f}{key}"
    elif op.f == "cas" and isinstance(op.value, tuple):
        body = f"cas{key} {op.value[0]!r}→{op.value[1]!r}"
    else:
        body = f"{op.f}{key} {op.value!r}"
    tail = "" if op.status == "ok" else f" ({op.status})"
    who = f"p{op.process}" if isinstance(op.process, int) else str(op.process)
    return f"#{op.index} {who} {body}{tail}"


def checked_inputs(history: object, budget: object) -> Budget:
    """A checker's ``history`` and ``budget`` refused by name unless they are a ``History`` and a
    :class:`Budget` (or None: a fresh default budget, which is returned)."""
    if not isinstance(history, History):
        raise TypeError(f"history must be a History (read one with read_history or read_file), "
                        f"got {type(history).__name__}")
    if budget is None:
        return Budget()
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget (e.g. Budget(timeout=10.0)) or None, got {budget!r}")
    return budget
