"""Faults as external actions, kept apart from every protocol (Maelstrom's nemesis, Runway's
``external`` actions).

A :class:`Fault` is data -- a time, an action name and its arguments -- so a fault schedule can be
printed, stored, drawn by Hypothesis, shrunk, and replayed exactly. Widget buttons and tests call the
same actions through :func:`apply`.
"""
from __future__ import annotations

import random as _random
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kernel import Simulation

ACTIONS = ("crash", "restart", "restart_clean", "pause", "resume", "partition", "isolate",
           "block", "unblock", "heal", "skew", "loss")


@dataclass(frozen=True)
class Fault:
    """One external action (the nemesis's move): at simulated ``time``, do ``action`` (one of `ACTIONS`)
    with ``args``, e.g. ``Fault(1.5, "crash", ("n2",))``."""

    time: float
    action: str
    args: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, got {self.action!r}")
        if not self.time >= 0:
            raise ValueError(f"time must be >= 0 seconds, got {self.time!r}")

    def __str__(self) -> str:
        return f"t={self.time:.3f}s {self.action}{self.args!r}"


def _crash(sim: Simulation, pid: Hashable) -> bool:
    if not sim.process(pid).up:
        return False
    sim.crash(pid)
    return True


def _restart(sim: Simulation, pid: Hashable, *, keep_state: bool = True) -> bool:
    if sim.process(pid).up:
        return False
    sim.restart(pid, keep_state=keep_state)
    return True


def _pause(sim: Simulation, pid: Hashable) -> bool:
    proc = sim.process(pid)
    if not proc.up or proc.paused:
        return False
    sim.pause(pid)
    return True


def _resume(sim: Simulation, pid: Hashable) -> bool:
    if not sim.process(pid).paused:
        return False
    sim.resume(pid)
    return True


def _skew(sim: Simulation, pid: Hashable, skew: float, drift: float = 0.0) -> bool:
    sim.set_clock(pid, skew=skew, drift=drift)  # an unknown pid is an error, as for every node action
    return True


def _network(method: str) -> Callable[..., bool]:
    """An action that calls ``sim.network.<method>(*args)``; network actions always apply."""
    def act(sim: Simulation, *args: Any) -> bool:
        getattr(sim.network, method)(*args)
        return True
    act.__name__ = f"_{method}"
    return act


def _loss(sim: Simulation, rate: float) -> bool:
    sim.network.configure(loss=rate)
    return True


#: Every action name and what carries it out. Each returns False (and does nothing) when the action
#: does not apply in the current state.
DISPATCH: dict[str, Callable[..., bool]] = {
    "crash": _crash,
    "restart": _restart,
    "restart_clean": lambda sim, pid: _restart(sim, pid, keep_state=False),
    "pause": _pause,
    "resume": _resume,
    "skew": _skew,
    "partition": _network("partition"),
    "isolate": _network("isolate"),
    "block": _network("block"),
    "unblock": _network("unblock"),
    "heal": _network("heal"),
    "loss": _loss,
}


def apply(sim: Simulation, action: str, *args: Any) -> bool:
    """Carry out one fault now. Returns False (and does nothing) when it does not apply in the
    current state -- crashing a crashed node, resuming a running one -- so random schedules stay
    valid whatever happened before them."""
    act = DISPATCH.get(action)
    if act is None:
        raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
    return act(sim, *args)


class FaultSchedule:
    """A list of faults to inject at given times."""

    def __init__(self, faults: Sequence[Fault] = ()):
        self.faults = sorted(faults, key=lambda f: f.time)

    def __iter__(self) -> Iterator[Fault]:
        return iter(self.faults)

    def __len__(self) -> int:
        return len(self.faults)

    def __repr__(self) -> str:
        return "FaultSchedule([" + ", ".join(str(f) for f in self.faults) + "])"

    def install(self, sim: Simulation) -> None:
        """Schedule every fault on ``sim`` (faults in the past are refused)."""
        for fault in self.faults:
            sim.schedule_at(fault.time, apply, sim, fault.action, *fault.args)

    @classmethod
    def random(cls, rng: _random.Random, pids: Sequence[Hashable], duration: float, *,
               count: int = 10, actions: Sequence[str] = ("crash", "restart", "partition",
               "block", "heal", "pause", "resume"), heal_at_end: bool = True) -> FaultSchedule:
        """``count`` random faults over ``[0, duration)``; with ``heal_at_end`` every node is
        restarted/resumed and the network healed at ``duration`` (so liveness can be checked)."""
        if not pids:
            raise ValueError("pids must name at least one process")
        if not duration > 0:
            raise ValueError(f"duration must be > 0 seconds, got {duration!r}")
        if not isinstance(count, int) or count < 0:
            raise ValueError(f"count must be an integer >= 0, got {count!r}")
        bad = [a for a in actions if a not in ACTIONS]
        if bad:
            raise ValueError(f"actions must be among {ACTIONS}, got {bad}")
        pids = list(pids)
        faults = []
        for _ in range(count):
            t = rng.random() * duration
            action = rng.choice(list(actions))
            if action in ("crash", "restart", "restart_clean", "pause", "resume", "isolate"):
                args: tuple[Any, ...] = (rng.choice(pids),)
            elif action == "partition":
                shuffled = pids[:]
                rng.shuffle(shuffled)
                cut = rng.randint(1, max(1, len(pids) - 1))
                args = ((tuple(shuffled[:cut]), tuple(shuffled[cut:])),)
            elif action in ("block", "unblock"):
                a, b = rng.sample(pids, 2) if len(pids) > 1 else (pids[0], pids[0])
                args = (a, b)
            elif action == "skew":
                args = (rng.choice(pids), rng.uniform(-1, 1), rng.uniform(-0.1, 0.1))
            elif action == "loss":
                args = (rng.choice((0.0, 0.1, 0.3)),)
            else:
                args = ()
            faults.append(Fault(t, action, args))
        if heal_at_end:
            faults.append(Fault(duration, "heal"))
            for pid in pids:
                faults.append(Fault(duration, "resume", (pid,)))
                faults.append(Fault(duration, "restart", (pid,)))
        return cls(faults)
