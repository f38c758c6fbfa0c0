"""Crash enumeration: every crash point x participant count x termination on/off, each run once
and judged against the invariants and the blocking rule.

>>> verdicts = [judge(cfg) for cfg in crash_schedules(counts=(2,))]
>>> len(verdicts), all(v.ok for v in verdicts)
(24, True)
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .blocking import predicted_blocked
from .config import MAX_PARTICIPANTS, TwoPCConfig
from .crash_points import crash_points
from .scenario import TwoPCResult, run_twopc

DEFAULT_COUNTS = (1, 2, 3, 4, 5)


def crash_schedules(counts: Iterable[int] = DEFAULT_COUNTS,
                    terminations: Iterable[bool] = (False, True), *,
                    recovery_time: float = 1.0, horizon: float = 3.0) -> list[TwoPCConfig]:
    """One config per (participant count, termination, crash point), all voting yes."""
    out: list[TwoPCConfig] = []
    for n in counts:
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_PARTICIPANTS:
            raise ValueError(f"counts must be integers from 1 to {MAX_PARTICIPANTS}, got {n!r}")
        for termination in terminations:
            out.extend(TwoPCConfig(participants=n, termination=termination, crash_point=point,
                                   recovery_time=recovery_time, horizon=horizon,
                                   workload_interval=None)
                       for point in crash_points(n))
    return out


@dataclass(frozen=True)
class Verdict:
    """One crash schedule judged: all-or-nothing everywhere, and blocking exactly as predicted."""

    config: TwoPCConfig
    result: TwoPCResult
    predicted: tuple[bool, ...]

    @property
    def all_or_nothing(self) -> bool:
        """Every participant learned the same outcome (none left without one)."""
        outs = self.result.outcomes
        return None not in outs and len(set(outs)) == 1

    @property
    def blocking_as_predicted(self) -> bool:
        """The blocking window appears for exactly the participants the rule names."""
        return self.result.blocked == self.predicted

    @property
    def ok(self) -> bool:
        """All-or-nothing, blocking as predicted, no invariant violated."""
        return self.all_or_nothing and self.blocking_as_predicted and not self.result.violations

    def explain(self) -> str:
        """One line saying what went wrong (empty when ``ok``)."""
        if self.ok:
            return ""
        point = self.config.point
        return (f"{point.name if point else 'no crash'} n={self.config.participants} "
                f"termination={self.config.termination}: outcomes={self.result.outcomes} "
                f"blocked={self.result.blocked} predicted={self.predicted} "
                f"violations={self.result.violations}")


def judge(config: TwoPCConfig, seed: int = 0) -> Verdict:
    """Run one schedule and compare it with the rule's prediction."""
    result = run_twopc(config, seed)
    predicted = predicted_blocked(config.point, config.participants, config.termination)
    return Verdict(config, result, predicted)
