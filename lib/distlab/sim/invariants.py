"""Named invariants: functions of the global state that must hold after every step.

An invariant is ``fn(sim) -> None | True`` when it holds, or a string (or False) describing the
violation. Protocols register theirs by name (``election_safety``, ``log_matching``,
``money_conserved``); tests check them after every step, views show them as badges.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One invariant found broken: which (``name``), when (simulated ``time``) and how (``message``)."""

    name: str
    time: float
    message: str

    def __str__(self) -> str:
        return f"{self.name} violated at t={self.time:.6f}s: {self.message}"


class InvariantViolation(AssertionError):
    """Raised by :meth:`InvariantSet.assert_hold` with every invariant broken at that step (``violations``)."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        super().__init__("; ".join(str(v) for v in violations))


class InvariantSet:
    """The named invariants of one simulation (``sim.invariants``), evaluated in registration order."""

    def __init__(self) -> None:
        self._checks: dict[str, Callable[[Any], Any]] = {}

    def add(self, name: str, fn: Callable[[Any], Any]) -> None:
        """Register ``fn(sim)`` under ``name``; a second invariant with the same name is a ``ValueError``."""
        if not name or not isinstance(name, str):
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        if name in self._checks:
            raise ValueError(f"an invariant named {name!r} is already registered")
        self._checks[name] = fn

    def names(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self._checks)

    def evaluate(self, state: Any) -> dict[str, str | None]:
        """``{name: None}`` for each invariant that holds, ``{name: message}`` for each violated."""
        out: dict[str, str | None] = {}
        for name, fn in self._checks.items():
            verdict = fn(state)
            if verdict is None or verdict is True:
                out[name] = None
            else:
                out[name] = "violated" if verdict is False else str(verdict)
        return out

    def check(self, sim: Any) -> list[Violation]:
        """A :class:`Violation` at ``sim.now`` for each invariant that does not hold (empty: all hold)."""
        return [Violation(n, sim.now, m) for n, m in self.evaluate(sim).items() if m is not None]

    def assert_hold(self, sim: Any) -> None:
        """Raise :class:`InvariantViolation` if any invariant is broken (the per-step safety check)."""
        violations = self.check(sim)
        if violations:
            raise InvariantViolation(violations)
