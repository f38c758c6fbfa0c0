"""The frozen configuration of one two-phase-commit run: sliders edit only this.

Times are simulated seconds. Every field is checked when the config is made, and a bad value
raises ``ValueError`` naming the field and the valid range.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..checks import check_int, check_seconds
from .crash_points import CrashPoint

MAX_PARTICIPANTS = 8

__all__ = ["MAX_PARTICIPANTS", "TwoPCConfig", "check_int", "check_seconds"]


@dataclass(frozen=True)
class TwoPCConfig:
    """One transaction over ``participants`` participants (pids ``p0`` .. ``p{n-1}``) and one
    coordinator (pid ``c``).

    ``termination``        the cooperative termination protocol: an in-doubt participant also asks
                           the other participants, not just the coordinator.
    ``crash_point``        a :class:`CrashPoint` (or its name) where one process crashes, or None.
    ``recovery_time``      seconds from that crash to the restart; None: it never comes back.
    ``no_voters``          indices of participants that vote no.
    ``slow_participant``   index of a participant that takes ``slow_delay`` extra seconds to
                           prepare (the lecture's "one slow service"), or None.
    ``prepare_time``       seconds every participant needs to prepare (write and flush its work).
    ``latency``            (low, high) one-way message delay, uniform, in seconds.
    ``vote_timeout``       the coordinator aborts if a vote is still missing after this long.
    ``prepare_timeout``    a participant with no PREPARE after this long aborts on its own.
    ``decision_timeout``   an in-doubt participant starts asking for the outcome after this long,
    ``inquiry_interval``   and asks again this often.
    ``retry_interval``     the coordinator resends PREPARE / the decision this often until answered.
    ``workload_interval``  a later local transaction needing the same row arrives at each
                           participant this often (None: no workload).
    ``horizon``            how long the run lasts.
    """

    participants: int = 3
    termination: bool = False
    crash_point: CrashPoint | str | None = None
    recovery_time: float | None = 1.0
    no_voters: tuple[int, ...] = ()
    slow_participant: int | None = None
    slow_delay: float = 0.0
    prepare_time: float = 0.002
    latency: tuple[float, float] = (0.001, 0.005)
    vote_timeout: float = 0.5
    prepare_timeout: float = 0.3
    decision_timeout: float = 0.05
    inquiry_interval: float = 0.05
    retry_interval: float = 0.1
    workload_interval: float | None = 0.01
    horizon: float = 4.0

    def __post_init__(self) -> None:
        check_int("participants", self.participants, 1, MAX_PARTICIPANTS)
        if not isinstance(self.termination, bool):
            raise ValueError(f"termination must be True or False, got {self.termination!r}")
        self._check_crash_point()
        if self.recovery_time is not None:
            check_seconds("recovery_time", self.recovery_time)
        last = self.participants - 1
        if not isinstance(self.no_voters, tuple) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 <= i <= last
                for i in self.no_voters):
            raise ValueError(f"no_voters must be a tuple of participant indices from 0 to {last}, "
                             f"got {self.no_voters!r}")
        if self.slow_participant is not None:
            check_int("slow_participant", self.slow_participant, 0, last)
        check_seconds("slow_delay", self.slow_delay, 0.0, 60.0)
        self._check_times()

    def _check_crash_point(self) -> None:
        """Parse a crash point given by name and check it exists for this many participants."""
        point = self.crash_point
        if isinstance(point, str):
            point = CrashPoint.parse(point)
            object.__setattr__(self, "crash_point", point)
        if point is not None and not isinstance(point, CrashPoint):
            raise ValueError(f"crash_point must be None, a CrashPoint or its name, got {point!r}")
        if point is not None:
            point.check_fits(self.participants)

    def _check_times(self) -> None:
        """Check the latency range, the timeouts, the workload and the horizon."""
        low_high = self.latency
        if not isinstance(low_high, tuple) or len(low_high) != 2:
            raise ValueError(f"latency must be a (low, high) pair of seconds, got {low_high!r}")
        check_seconds("latency low", low_high[0], 0.0, 10.0)
        check_seconds("latency high", low_high[1], float(low_high[0]), 10.0)
        check_seconds("prepare_time", self.prepare_time, 0.0, 60.0)
        for name in ("vote_timeout", "prepare_timeout", "decision_timeout", "inquiry_interval",
                     "retry_interval"):
            check_seconds(name, getattr(self, name), 0.0, 600.0, open_low=True)
        if self.workload_interval is not None:
            check_seconds("workload_interval", self.workload_interval, 0.0, 600.0, open_low=True)
        check_seconds("horizon", self.horizon, 0.0, 3600.0, open_low=True)

    @property
    def point(self) -> CrashPoint | None:
        """The crash point as a :class:`CrashPoint` (names are parsed at construction)."""
        return self.crash_point if isinstance(self.crash_point, CrashPoint) else None

    @property
    def participant_pids(self) -> list[str]:
        """``["p0", "p1", ...]``."""
        return [f"p{i}" for i in range(self.participants)]
