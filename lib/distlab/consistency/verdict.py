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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from distlab.sim.history import Op

__all__ = ["Verdict", "Budget", "BudgetExceeded", "StepLimit", "HOLDS", "VIOLATED", "UNKNOWN", "describe"]

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


class Budget:
    """A time limit (seconds, on an injected clock) and an optional step limit."""

    def __init__(self, timeout: float | None = 60.0, max_steps: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds (or None), got {timeout}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"max_steps must be > 0 (or None), got {max_steps}")
        self.timeout, self.max_steps, self.clock = timeout, max_steps, clock
        self.deadline = None if timeout is None else clock() + timeout
        self.steps = 0

    def tick(self, n: int = 1) -> None:
        """Count ``n`` steps; every 256 steps look at the clock. Raises :class:`BudgetExceeded`."""
        self.steps += n
        if self.max_steps is not None and self.steps > self.max_steps:
            raise BudgetExceeded(f"step budget of {self.max_steps} exhausted")
        if self.deadline is not None and (self.steps & 255) < n and self.clock() > self.deadline:
            raise BudgetExceeded(f"time budget of {self.timeout:g} s exhausted")

    def child(self, max_steps: int) -> Budget:
        """A budget that also charges this one, and raises :class:`StepLimit` after ``max_steps``."""
        return _Child(self, max_steps)


class _Child(Budget):
    """A step limit of its own on top of a parent budget (see :meth:`Budget.child`)."""

    def __init__(self, parent: Budget, max_steps: int) -> None:
        self.parent, self.max_steps, self.steps = parent, max_steps, 0
        self.limit = max_steps
        self.timeout, self.deadline, self.clock = parent.timeout, None, parent.clock

    def tick(self, n: int = 1) -> None:
        self.parent.tick(n)
        self.steps += n
        if self.steps > self.limit:
            raise StepLimit(f"step limit {self.limit} reached")


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
