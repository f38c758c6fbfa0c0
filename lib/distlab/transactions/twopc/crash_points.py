"""A crash point at every step of two-phase commit, as data.

A :class:`CrashPoint` names a process (``"coordinator"`` or a participant's index), a step of its
protocol and, for the steps that repeat once per participant ("after sending PREPARE to some"),
how many of those sends happened first. :func:`crash_points` lists every point for ``n``
participants, so a test loops over them and a slider picks one by its ``name``.

Coordinator steps, in protocol order:

=========================  ===================================================================
``before_prepare``          the transaction began; no PREPARE sent yet
``after_prepare``           after sending PREPARE to the first ``count`` participants
``after_votes``             every vote collected, the decision made in memory, not yet logged
``after_decision_logged``   the decision is in the coordinator's log, nothing sent
``after_decision_sent``     after sending the decision to the first ``count`` participants
=========================  ===================================================================

Participant steps:

=========================  ===================================================================
``on_prepare``              PREPARE arrived; nothing done or logged (its work is lost)
``after_log_yes``           "prepared" is in its log, the yes vote not yet sent
``after_vote``              the yes vote sent: in doubt
``on_decision``             the decision arrived, not yet logged
``after_log_outcome``       the outcome logged and the lock released, the ACK not sent
=========================  ===================================================================

A process that reaches its armed point crashes there once (:class:`CrashHook`); the scenario
restarts it after the configured recovery time, from its stable storage.
"""
from __future__ import annotations

from dataclasses import dataclass

from distlab.sim import Process, Simulation, apply_fault

COORDINATOR = "coordinator"
COORDINATOR_STEPS = ("before_prepare", "after_prepare", "after_votes", "after_decision_logged",
                     "after_decision_sent")
PARTICIPANT_STEPS = ("on_prepare", "after_log_yes", "after_vote", "on_decision",
                     "after_log_outcome")
COUNTED_STEPS = ("after_prepare", "after_decision_sent")


@dataclass(frozen=True)
class CrashPoint:
    """Crash ``target`` (``"coordinator"`` or a participant index) at ``step`` (after ``count``
    sends for the counted steps, else ``count`` is 0)."""

    target: str | int
    step: str
    count: int = 0

    def __post_init__(self) -> None:
        if self.target == COORDINATOR:
            steps: tuple[str, ...] = COORDINATOR_STEPS
        elif isinstance(self.target, int) and not isinstance(self.target, bool) \
                and self.target >= 0:
            steps = PARTICIPANT_STEPS
        else:
            raise ValueError(f"target must be 'coordinator' or a participant index >= 0, "
                             f"got {self.target!r}")
        if self.step not in steps:
            raise ValueError(f"step must be one of {steps}, got {self.step!r}")
        counted = self.step in COUNTED_STEPS
        if not isinstance(self.count, int) or (counted and self.count < 1) \
                or (not counted and self.count != 0):
            want = "an integer >= 1" if counted else "0"
            raise ValueError(f"count must be {want} for step {self.step!r}, got {self.count!r}")

    @property
    def name(self) -> str:
        """A stable, readable name: ``coordinator/after_prepare/2`` or ``p1/after_vote``."""
        who = COORDINATOR if self.target == COORDINATOR else f"p{self.target}"
        return f"{who}/{self.step}/{self.count}" if self.count else f"{who}/{self.step}"

    @classmethod
    def parse(cls, name: str) -> CrashPoint:
        """The point called ``name`` (the inverse of :attr:`name`)."""
        parts = name.split("/") if isinstance(name, str) else []
        if len(parts) not in (2, 3):
            raise ValueError(f"name must look like 'coordinator/<step>[/<count>]' or "
                             f"'p<i>/<step>', got {name!r}")
        who, step = parts[0], parts[1]
        count = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 0
        if len(parts) == 3 and not parts[2].isdigit():
            raise ValueError(f"name's count must be a whole number, got {name!r}")
        if who == COORDINATOR:
            return cls(COORDINATOR, step, count)
        if who.startswith("p") and who[1:].isdigit():
            return cls(int(who[1:]), step, count)
        raise ValueError(f"name must start with 'coordinator' or 'p<i>', got {name!r}")

    def check_fits(self, participants: int) -> None:
        """Raise ValueError unless this point exists with ``participants`` participants."""
        if isinstance(self.target, int) and self.target >= participants:
            raise ValueError(f"crash_point's participant must be from 0 to {participants - 1}, "
                             f"got {self.target}")
        if self.count > participants:
            raise ValueError(f"crash_point's count must be from 1 to {participants}, "
                             f"got {self.count}")


def crash_points(n: int, participant: int | None = None) -> list[CrashPoint]:
    """Every crash point for ``n`` participants, in protocol order: the coordinator's (one per
    counted send) and then those of ``participant`` (default: the last one, index ``n - 1``)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n (participants) must be an integer >= 1, got {n!r}")
    who = n - 1 if participant is None else participant
    if not isinstance(who, int) or not 0 <= who < n:
        raise ValueError(f"participant must be an integer from 0 to {n - 1}, got {participant!r}")
    points: list[CrashPoint] = []
    for step in COORDINATOR_STEPS:
        if step in COUNTED_STEPS:
            points.extend(CrashPoint(COORDINATOR, step, k) for k in range(1, n + 1))
        else:
            points.append(CrashPoint(COORDINATOR, step))
    points.extend(CrashPoint(who, step) for step in PARTICIPANT_STEPS)
    return points


class CrashHook(Process):
    """A process that crashes itself at an armed :class:`CrashPoint` (once).

    The protocol calls ``if self.crash_here(step, count): return`` at each step; the point is armed
    from outside (``armed``), so the protocol code never decides to fail.
    """

    armed: CrashPoint | None = None
    fired: bool = False
    me: str | int = COORDINATOR
    recovery: float | None = None  # seconds until the restart after an armed crash (None: never)

    @property
    def kernel(self) -> Simulation:
        """The simulation this process belongs to."""
        sim = self.sim
        if sim is None:
            raise ValueError("process must be added to a Simulation first")
        return sim

    def crash_here(self, step: str, count: int = 0) -> bool:
        """Crash now if the armed point is this step; True when the caller must stop."""
        point = self.armed
        if point is None or self.fired or point.target != self.me or point.step != step \
                or point.count != count:
            return False
        self.fired = True
        sim = self.kernel
        sim.crash(self.pid)
        if self.recovery is not None:
            sim.schedule(self.recovery, apply_fault, sim, "restart", self.pid)
        return True
