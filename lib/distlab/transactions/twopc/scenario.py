"""One two-phase-commit run: a frozen :class:`TwoPCConfig` plus a seed in, a :class:`TwoPCResult`
out (chapter 2's experiment shape: the same config and seed give identical numbers).

>>> r = run_twopc(TwoPCConfig(participants=3), seed=1)
>>> r.outcomes, r.violations
(('commit', 'commit', 'commit'), ())

:class:`TwoPC` is the scenario object behind it, for tests and views that step a run, inject
faults (the kernel's actions through ``sim``) or read the processes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distlab.sim import Constant, Simulation, Uniform

from . import invariants
from .blocking import BlockingRule, blocking_windows, down_intervals
from .config import TwoPCConfig
from .coordinator import Coordinator
from .participant import Participant

Interval = tuple[float, float]


def check_seed(seed: object) -> int:
    """Raise ValueError unless ``seed`` is an integer >= 0; return it."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    return seed


@dataclass(frozen=True)
class TwoPCResult:
    """What one run produced, per participant in index order (times in seconds).

    ``outcomes``        each participant's logged outcome, None if it never learned one
    ``decision``        the coordinator's logged decision (None: none logged -- presumed abort)
    ``in_doubt``        seconds each spent in doubt (voted yes, outcome unknown)
    ``lock_hold``       seconds each held its row lock
    ``blocked_txns``    later transactions that queued behind each one's lock
    ``blocked``         whether each waited in doubt for a crashed coordinator to come back
    ``doubt_windows``   each one's in-doubt intervals; ``blocking_windows`` the blocked parts
    ``coordinator_down``  the coordinator's crashed intervals
    ``violations``      invariant violations seen (empty when 2PC behaved)
    ``finished_at``     when the last participant learned the outcome (None: not all did)
    """

    seed: int
    outcomes: tuple[str | None, ...]
    decision: str | None
    in_doubt: tuple[float, ...]
    lock_hold: tuple[float, ...]
    blocked_txns: tuple[int, ...]
    blocked: tuple[bool, ...]
    doubt_windows: tuple[tuple[Interval, ...], ...]
    blocking_windows: tuple[tuple[Interval, ...], ...]
    coordinator_down: tuple[Interval, ...]
    violations: tuple[str, ...]
    finished_at: float | None
    messages: int

    @property
    def atomic(self) -> bool:
        """All-or-nothing held: no participant committed while another aborted."""
        known = {o for o in self.outcomes if o is not None}
        return len(known) <= 1 and not any("atomicity" in v for v in self.violations)


class TwoPC:
    """A coordinator ``c`` and participants ``p0 .. p{n-1}`` in one seeded simulation.

    ``check_invariants`` checks atomicity, no_unilateral_abort_after_yes, commit_needs_all_yes and
    the blocking rule (unless ``check_blocking`` is False) after every step, recording violations
    in ``violations`` (not raising: the kernel's ``check_invariants="record"`` mode).
    ``participant_class`` / ``coordinator_class`` let tests plug in deliberately broken ones.
    """

    def __init__(self, config: TwoPCConfig, seed: int = 0, *, check_invariants: bool = True,
                 participant_class: type[Participant] = Participant,
                 coordinator_class: type[Coordinator] = Coordinator,
                 check_blocking: bool = True) -> None:
        if not isinstance(config, TwoPCConfig):
            raise ValueError(f"config must be a TwoPCConfig, got {config!r}")
        self.config = config
        self.seed = check_seed(seed)
        self.sim = Simulation(seed, trace=True, check_invariants="record" if check_invariants else False)
        self.sim.network.configure(latency=Uniform(*config.latency))
        self.coordinator = coordinator_class(config)
        self.participants = [participant_class(i, config, ["c"])
                             for i in range(config.participants)]
        for proc in [self.coordinator, *self.participants]:
            proc.armed, proc.recovery = config.point, config.recovery_time
            self.sim.add(proc)
        self.sim.schedule(0.0, self.coordinator.begin)
        if check_invariants:
            invariants.install(self.sim)
            if check_blocking:
                BlockingRule(config, ["c"]).install(self.sim)

    @property
    def violations(self) -> list[str]:
        """Each invariant's first violation so far, in the order they happened (the kernel checks
        after every step and records them in ``sim.violations``)."""
        first: dict[str, str] = {}
        for v in self.sim.violations:
            first.setdefault(v.name, str(v))
        return list(first.values())

    def run(self, until: float | None = None) -> TwoPCResult:
        """Run to ``until`` (default: the config's horizon) and return the result so far."""
        run_until(self.sim, self.config.horizon, until)
        return self.result()

    def result(self) -> TwoPCResult:
        """The result record at the current time."""
        down = down_intervals(self.sim.trace, "c", self.sim.now)
        return summarize(self.seed, self.sim, self.participants, down, self._logged_decision(),
                         self.violations)

    def _logged_decision(self) -> str | None:
        """The coordinator's logged decision, None when there is none (presumed abort)."""
        return next((k for k, _, _ in self.coordinator.log if k != "end"), None)

    def set_delay(self, src: str, dst: str, seconds: float) -> None:
        """From now on, messages ``src -> dst`` take ``seconds`` (a link made slow)."""
        self.sim.network.set_link(src, dst, latency=Constant(seconds))

    def process(self, pid: str) -> Any:
        """The coordinator (``"c"``) or a participant (``"p<i>"``)."""
        return self.sim.process(pid)


def run_until(sim: Simulation, horizon: float, until: float | None) -> None:
    """Run *sim* to ``until`` (default *horizon*); ``ValueError`` for a time in the past."""
    end = horizon if until is None else until
    if not isinstance(end, (int, float)) or not end >= sim.now:
        raise ValueError(f"until must be a time >= now ({sim.now}), got {until!r}")
    sim.run(end)


def summarize(seed: int, sim: Simulation, participants: list[Participant], down: list[Interval],
              decision: str | None, violations: list[str]) -> TwoPCResult:
    """The result record of a run at ``sim.now``, given when the coordinator was ``down``."""
    now = sim.now
    doubts = [p.stats.doubt_intervals(now) for p in participants]
    windows = [blocking_windows(d, down, now) for d in doubts]
    outcomes = tuple(p.log[-1][0] if p.log and p.log[-1][0] != "yes" else None
                     for p in participants)
    learned = [t for p in participants for k, t, _ in p.log if k != "yes"]
    return TwoPCResult(
        seed=seed, outcomes=outcomes, decision=decision,
        in_doubt=tuple(p.stats.doubt_time(now) for p in participants),
        lock_hold=tuple(p.stats.hold_time(now) for p in participants),
        blocked_txns=tuple(p.stats.blocked for p in participants),
        blocked=tuple(bool(w) for w in windows),
        doubt_windows=tuple(tuple(d) for d in doubts),
        blocking_windows=tuple(tuple(w) for w in windows),
        coordinator_down=tuple(down), violations=tuple(violations),
        finished_at=max(learned) if None not in outcomes and learned else None,
        messages=sim.network.stats.sent)


def run_twopc(config: TwoPCConfig, seed: int = 0, *, check_invariants: bool = True) -> TwoPCResult:
    """One run of ``config`` with ``seed``, invariants checked throughout (``violations``) unless
    ``check_invariants`` is False (then ``violations`` is empty, and the run much quicker)."""
    return TwoPC(config, seed, check_invariants=check_invariants).run()
