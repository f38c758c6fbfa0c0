"""The lecture's first claim as an experiment: one ACID transaction across services lets one slow
service hold everyone's locks.

Participant ``p{n-1}`` takes ``delay`` extra seconds to prepare. Every other participant votes yes
at once and then holds its row lock, in doubt, until the slow one's vote lets the coordinator
decide; meanwhile later transactions needing those rows queue behind the locks. Lock hold time and
blocked transactions grow with the delay -- roughly ``delay`` and ``delay / workload_interval``
per fast participant.

>>> fast = run_slow_participant(SlowParticipantConfig(delay=0.0))
>>> slow = run_slow_participant(SlowParticipantConfig(delay=0.5))
>>> slow.max_lock_hold > fast.max_lock_hold + 0.4, slow.total_blocked > fast.total_blocked
(True, True)
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .config import MAX_PARTICIPANTS, TwoPCConfig, check_int, check_seconds
from .scenario import check_seed, run_twopc


@dataclass(frozen=True)
class SlowParticipantConfig:
    """``participants`` (2-8), the slow one's extra ``delay`` (0-10 s), a later transaction per
    row every ``workload_interval`` seconds, the coordinator's ``vote_timeout`` (a delay beyond it
    aborts the transaction), and the one-way ``latency`` range."""

    participants: int = 3
    delay: float = 0.2
    workload_interval: float = 0.01
    vote_timeout: float = 15.0
    latency: tuple[float, float] = (0.001, 0.005)

    def __post_init__(self) -> None:
        check_int("participants", self.participants, 2, MAX_PARTICIPANTS)
        check_seconds("delay", self.delay, 0.0, 10.0)
        check_seconds("workload_interval", self.workload_interval, 0.0, 60.0, open_low=True)
        check_seconds("vote_timeout", self.vote_timeout, 0.0, 600.0, open_low=True)

    def twopc(self) -> TwoPCConfig:
        """The :class:`TwoPCConfig` of this experiment (no crash)."""
        return TwoPCConfig(participants=self.participants, slow_participant=self.participants - 1,
                           slow_delay=self.delay, workload_interval=self.workload_interval,
                           vote_timeout=self.vote_timeout, latency=self.latency,
                           horizon=self.delay + 1.0)


@dataclass(frozen=True)
class SlowParticipantResult:
    """Per participant (the slow one last): seconds its row was locked and later transactions
    blocked behind it; the outcome everyone reached."""

    seed: int
    delay: float
    lock_hold: tuple[float, ...]
    blocked_txns: tuple[int, ...]
    outcome: str | None

    @property
    def max_lock_hold(self) -> float:
        """The longest any participant held its lock."""
        return max(self.lock_hold)

    @property
    def total_blocked(self) -> int:
        """Later transactions blocked behind any of the locks."""
        return sum(self.blocked_txns)


def run_slow_participant(config: SlowParticipantConfig, seed: int = 0, *,
                         check_invariants: bool = True) -> SlowParticipantResult:
    """One run: a frozen config and a seed in, a result record out (2PC's invariants checked
    after every step unless ``check_invariants`` is False; a violation is not part of the result)."""
    if not isinstance(config, SlowParticipantConfig):
        raise ValueError(f"config must be a SlowParticipantConfig, got {config!r}")
    result = run_twopc(config.twopc(), check_seed(seed), check_invariants=check_invariants)
    outcomes = set(result.outcomes)
    outcome = outcomes.pop() if len(outcomes) == 1 else None
    return SlowParticipantResult(seed, config.delay, result.lock_hold, result.blocked_txns,
                                 outcome)


def sweep_delay(delays: Iterable[float], config: SlowParticipantConfig | None = None,
                seed: int = 0) -> list[SlowParticipantResult]:
    """The experiment at each delay (other knobs from ``config``), for a plot against delay."""
    base = config if config is not None else SlowParticipantConfig()
    return [run_slow_participant(replace(base, delay=d), seed) for d in delays]
