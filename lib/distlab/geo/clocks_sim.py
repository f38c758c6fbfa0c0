"""Lamport, vector and hybrid logical clocks side by side on the simulation kernel.

Nodes ``A``, ``B``, ... make local events and send messages to one another at seeded random times;
every event is stamped with all three clocks of :mod:`distlab.geo.clocks` and with the node's
*physical* clock -- the kernel's local clock (``Process.now``), which the clock-skew fault offsets
(``Fault(t, "skew", (node, offset))``). ``step_back`` adds a second skew fault halfway through: node
``A``'s clock is stepped back, as NTP does to a clock it finds fast.

``run_clocks(nodes=3, events=30, skew=0.05, seed=0)`` returns a :class:`ClocksRun`: the events in
order and what each clock got right or wrong --

* **physical timestamps** put some receipts *before* their sends when clocks are skewed
  (``physical_inversions``), and a stepped-back clock even runs backwards;
* **Lamport** never inverts a cause and its effect, but orders concurrent events too (it cannot
  tell them apart: ``concurrent_pairs`` of them);
* **vector clocks** say exactly which events happened before which (``happened_before``);
* **HLC** never inverts a cause and its effect, never decreases at a node (even when its physical
  clock is stepped back), and stays within ``epsilon`` of the node's physical clock, the spread of
  the clocks' offsets plus one tick (Kulkarni et al. 2014, Theorem 2; ``hlc_violations`` lists any
  breach, and the tests require none).
"""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.geo.clocks import (
    EMPTY,
    HLC,
    HLC_ZERO,
    MICROS,
    LamportClock,
    VersionVector,
    physical_reading,
    vector_receive,
    vector_tick,
)
from distlab.sim import Fault, FaultSchedule, Process, Simulation, Uniform
from distlab.transactions.checks import check_int, check_seconds

__all__ = ["ClockEvent", "ClockNode", "ClocksRun", "Stamp", "run_clocks"]

NODE_NAMES = "ABCDEFGH"
MAX_SKEW = 60.0


class ClockEvent(NamedTuple):
    """One event: its number, node, kind (``local``/``send``/``receive``), true time (s), the node's
    physical clock (µs), the three clocks after it, the peer (destination of a send, source of a
    receipt) and, for a receipt, the number of the send it received."""

    id: int
    node: str
    kind: str
    time: float
    physical: int
    lamport: int
    vector: VersionVector
    hlc: HLC
    peer: str | None = None
    sent_by: int | None = None

    def __str__(self) -> str:
        where = {"send": f" to {self.peer}", "receive": f" from {self.peer} (e{self.sent_by})"}.get(self.kind, "")
        return (f"e{self.id} {self.node} {self.kind}{where} at {1000 * self.time:.1f} ms: physical "
                f"{self.physical / 1000:.1f} ms, Lamport {self.lamport}, vector {self.vector}, HLC {self.hlc}")


class Stamp(NamedTuple):
    """What a message carries: the send event's number and the sender's three clocks."""

    event: int
    lamport: int
    vector: VersionVector
    hlc: HLC


class ClockNode(Process):
    """A node that keeps a Lamport, a vector and a hybrid logical clock and logs every event."""

    def __init__(self, pid: str, log: list[ClockEvent], resolution: int) -> None:
        super().__init__(pid)
        self.log, self.resolution = log, resolution

    def on_start(self) -> None:
        """Every clock starts at zero (HLC: below any reading)."""
        self.lamport = LamportClock()
        self.vector = EMPTY
        self.hlc = HLC_ZERO

    def physical(self) -> int:
        """The node's physical clock now, in µs (skewed by faults, ticking every ``resolution`` µs)."""
        return physical_reading(self.now, self.resolution)

    def _log(self, kind: str, physical: int, peer: str | None = None, sent_by: int | None = None) -> int:
        event = ClockEvent(len(self.log), str(self.pid), kind, self.sim.now, physical, self.lamport.time,
                           self.vector, self.hlc, peer, sent_by)
        self.log.append(event)
        return event.id

    def act(self, dst: str | None) -> None:
        """A local event (``dst`` None) or a send to ``dst``: every clock ticks."""
        me, pt = str(self.pid), self.physical()
        self.lamport, self.vector, self.hlc = self.lamport.tick(), vector_tick(self.vector, me), self.hlc.tick(pt)
        event = self._log("local" if dst is None else "send", pt, dst)
        if dst is not None:
            self.send(dst, Stamp(event, self.lamport.time, self.vector, self.hlc))

    def on_message(self, src: Any, msg: Stamp) -> None:
        """A receipt: every clock takes the sender's into account."""
        me, pt = str(self.pid), self.physical()
        self.lamport = self.lamport.receive(msg.lamport)
        self.vector = vector_receive(self.vector, msg.vector, me)
        self.hlc = self.hlc.receive(pt, msg.hlc)
        self._log("receive", pt, str(src), msg.event)


@dataclass(frozen=True)
class ClocksRun:
    """The events of one run (in the order they happened) and each node's clock offsets over it."""

    nodes: tuple[str, ...]
    offsets: dict[str, tuple[float, ...]]
    resolution: int
    events: tuple[ClockEvent, ...]

    def happened_before(self, a: int, b: int) -> bool:
        """Whether event ``a`` happened before event ``b`` (vector clocks, Fidge/Mattern: exact)."""
        return self.events[a].vector < self.events[b].vector

    def concurrent(self, a: int, b: int) -> bool:
        """Whether neither event happened before the other."""
        return a != b and self.events[a].vector.concurrent(self.events[b].vector)

    @property
    def epsilon(self) -> int:
        """The HLC bound in µs: the largest spread between any two offsets the clocks had, plus a tick."""
        every = [o for spans in self.offsets.values() for o in spans]
        return math.ceil((max(every) - min(every)) * MICROS) + self.resolution

    def messages(self) -> list[tuple[ClockEvent, ClockEvent]]:
        """Every (send, receipt) pair."""
        return [(self.events[e.sent_by], e) for e in self.events if e.sent_by is not None]

    def physical_inversions(self) -> list[tuple[ClockEvent, ClockEvent]]:
        """Messages whose receipt has an earlier physical timestamp than their send."""
        return [(s, r) for s, r in self.messages() if r.physical < s.physical]

    def concurrent_pairs(self) -> int:
        """How many pairs of events are concurrent (Lamport gives each such pair an order anyway)."""
        n = len(self.events)
        return sum(self.concurrent(a, b) for a in range(n) for b in range(a + 1, n))

    def hlc_violations(self) -> list[str]:
        """Every breach of an HLC invariant: a node's HLC not increasing, a cause not below its
        effect, the wall behind the physical clock or more than ``epsilon`` ahead of it."""
        found: list[str] = []
        last: dict[str, ClockEvent] = {}
        for e in self.events:
            if e.node in last and not last[e.node].hlc < e.hlc:
                found.append(f"e{e.id}: HLC {e.hlc} not above {last[e.node].hlc} at {e.node}")
            last[e.node] = e
            if not 0 <= e.hlc.wall - e.physical <= self.epsilon:
                found.append(f"e{e.id}: wall - physical = {e.hlc.wall - e.physical} µs, not in [0, {self.epsilon}]")
        found += [f"e{s.id} -> e{r.id}: HLC {s.hlc} not below {r.hlc}" for s, r in self.messages()
                  if not s.hlc < r.hlc]
        return found

    def summary(self) -> dict[str, Any]:
        """The headline numbers a panel prints."""
        return {"events": len(self.events), "messages": len(self.messages()),
                "physical_inversions": len(self.physical_inversions()),
                "concurrent_pairs": self.concurrent_pairs(),
                "max_hlc_lead_us": max((e.hlc.wall - e.physical for e in self.events), default=0),
                "max_logical": max((e.hlc.logical for e in self.events), default=0),
                "epsilon_us": self.epsilon, "hlc_violations": len(self.hlc_violations())}

    def __str__(self) -> str:
        return "\n".join(map(str, self.events))


def _plan(rng: random.Random, names: Sequence[str], events: int, duration: float,
          send_fraction: float) -> list[tuple[float, str, str | None]]:
    """``events`` actions at random nodes and times: a send to a random peer or a local event."""
    plan = []
    for t in sorted(rng.random() * duration for _ in range(events)):
        node = rng.choice(list(names))
        peers = [p for p in names if p != node]
        dst = rng.choice(peers) if peers and rng.random() < send_fraction else None
        plan.append((t, node, dst))
    return plan


def run_clocks(*, nodes: int = 3, events: int = 20, skew: float = 0.0, step_back: float = 0.0,
               send_fraction: float = 0.6, duration: float = 1.0, latency: tuple[float, float] = (0.02, 0.1),
               resolution: int = 1000, seed: int = 0) -> ClocksRun:
    """One seeded run: ``events`` actions over ``duration`` seconds at ``nodes`` nodes, a fraction
    ``send_fraction`` of them sends; one-way latency uniform in ``latency`` seconds; each node's clock
    off by ``skew`` times a seeded number in [-1, 1] (the slider scales the same offsets); with
    ``step_back`` > 0, node A's clock is stepped back that many seconds halfway through; physical
    clocks tick every ``resolution`` µs."""
    check_int("nodes", nodes, 1, len(NODE_NAMES))
    check_int("events", events, 0, 10_000)
    check_seconds("skew", skew, 0.0, MAX_SKEW)
    check_seconds("step_back", step_back, 0.0, MAX_SKEW)
    check_seconds("duration", duration, 0.0, 3600.0, open_low=True)
    check_int("resolution", resolution, 1, 1_000_000)
    check_int("seed", seed, 0, 2**63 - 1)
    if not isinstance(send_fraction, (int, float)) or not 0.0 <= send_fraction <= 1.0:
        raise ValueError(f"send_fraction must be a number in [0, 1], got {send_fraction!r}")
    if not (isinstance(latency, Sequence) and len(latency) == 2):
        raise ValueError(f"latency must be a pair (low, high) of seconds, got {latency!r}")
    check_seconds("latency low", latency[0], 0.0, 10.0)
    check_seconds("latency high", latency[1], latency[0], 10.0)
    sim = Simulation(seed, trace=False)
    sim.network.configure(latency=Uniform(*latency))
    names = tuple(NODE_NAMES[:nodes])
    log: list[ClockEvent] = []
    for name in names:
        sim.add(ClockNode(name, log, resolution))
    clock_rng = sim.rng("clocks:offsets")
    start = {name: skew * clock_rng.uniform(-1.0, 1.0) for name in names}
    faults = [Fault(0.0, "skew", (name, offset)) for name, offset in start.items()]
    offsets: dict[str, tuple[float, ...]] = {name: (offset,) for name, offset in start.items()}
    if step_back:
        faults.append(Fault(duration / 2, "skew", ("A", start["A"] - step_back)))
        offsets["A"] += (start["A"] - step_back,)
    FaultSchedule(faults).install(sim)
    for t, node, dst in _plan(sim.rng("clocks:plan"), names, events, duration, send_fraction):
        sim.schedule_at(t, sim.process(node).act, dst)
    sim.run()
    return ClocksRun(names, offsets, resolution, tuple(log))
