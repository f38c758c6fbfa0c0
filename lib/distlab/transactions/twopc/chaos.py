"""Random fault schedules against two-phase commit: safety throughout, everyone decided after heal.

Faults are the kernel's external actions (:class:`distlab.sim.Fault`: crash, restart, pause,
resume, partition, isolate, one-way block/unblock, heal, message loss) plus :class:`LinkDelay`
(slow down one direction of a link). At ``heal_at`` every process is resumed and restarted and the
network healed, so the run can finish; ``restart_clean`` (a wiped disk) is left out on purpose --
it loses the log that 2PC's promises live in.

The invariants are checked after every step; the blocking rule too, except when a schedule drops
messages (then "one inquiry round trip" is no bound at all).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from distlab.sim import Fault, FaultSchedule

from .blocking import BlockingRule
from .config import TwoPCConfig, check_seconds
from .scenario import TwoPC, TwoPCResult, check_seed

CHAOS_ACTIONS = ("crash", "restart", "pause", "resume", "partition", "isolate", "block",
                 "unblock", "heal", "loss")
SETTLE = 3.0  # seconds after the heal for everyone to learn the outcome


@dataclass(frozen=True)
class LinkDelay:
    """From ``time`` on, messages ``src -> dst`` take ``seconds``."""

    time: float
    src: str
    dst: str
    seconds: float

    def __post_init__(self) -> None:
        check_seconds("time", self.time, 0.0, 3600.0)
        check_seconds("seconds", self.seconds, 0.0, 10.0)


def heal_all(pids: Sequence[str], at: float) -> list[Fault]:
    """Heal the network, resume and restart every process at ``at``."""
    faults = [Fault(at, "heal")]
    for pid in pids:
        faults += [Fault(at, "resume", (pid,)), Fault(at, "restart", (pid,))]
    return faults


def run_with_faults(config: TwoPCConfig, seed: int, faults: Sequence[Fault],
                    delays: Sequence[LinkDelay] = (), *, heal_at: float = 1.0) -> TwoPCResult:
    """Run ``config`` under ``faults`` and ``delays``, heal at ``heal_at``, settle, and return."""
    check_seed(seed)
    check_seconds("heal_at", heal_at, 0.0, 600.0)
    bad = [f.action for f in faults if f.action not in CHAOS_ACTIONS]
    if bad:
        raise ValueError(f"faults' actions must be among {CHAOS_ACTIONS}, got {bad}")
    slowest = max([config.latency[1], *(d.seconds for d in delays)])
    lossy = any(f.action == "loss" and f.args and f.args[0] > 0 for f in faults)
    config = replace(config, horizon=heal_at + SETTLE + slowest * 4)
    scenario = TwoPC(config, seed, check_blocking=False)
    if not lossy:
        BlockingRule(config, ["c"], max_latency=slowest).install(scenario.sim)
    pids = ["c", *config.participant_pids]
    FaultSchedule([*faults, *heal_all(pids, heal_at)]).install(scenario.sim)
    for d in delays:
        scenario.sim.schedule_at(d.time, scenario.set_delay, d.src, d.dst, d.seconds)
    return scenario.run()

