"""The base class for a protocol node: a pure state machine driven by messages and timers.

A subclass overrides three hooks and never touches the kernel's internals:

* ``on_start()``   -- on first start and after every restart: initialise ALL volatile state here,
  from ``self.stable`` (the node's stable storage) when it survived the crash;
* ``on_message(src, msg)`` -- one call per delivered message;
* ``on_timer(name, data)`` -- when a timer set with ``set_timer`` fires.

It acts only through ``send``, ``broadcast``, ``set_timer``/``cancel_timer`` and ``record`` (a state
change for the trace), and reads time from ``self.now`` -- its *local* clock, which faults can skew
and make drift. It never sleeps, reads the wall clock or opens a socket, so the same node runs in a
unit test, in the notebook's animation, and in a 10,000-schedule property test.

Stable storage (``self.stable``, a dict) is the only state that survives ``crash``/``restart``;
writing to it models an fsync. ``restart(keep_state=False)`` wipes it (a replaced disk).
"""
from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .kernel import Simulation


class Process:
    """A protocol node: override ``on_start``, ``on_message`` and ``on_timer`` (see the module docstring)."""

    def __init__(self, pid: Hashable) -> None:
        if pid is None:
            raise ValueError("pid must not be None")
        self.pid = pid
        # the simulation it was added to (set by Simulation.add; a node acts only once added)
        self.sim: Simulation = cast("Simulation", None)
        self.up = True
        self.paused = False
        self.stable: dict[str, Any] = {}
        self._timers: dict[str, int] = {}
        self._held: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        self._started = False
        self._clock = (0.0, 0.0, 0.0)  # (real base, local base, drift)
        self._rng: random.Random | None = None

    # ------------------------------------------------------------------ hooks (override)
    def on_start(self) -> None:
        """Initialise volatile state (called at start and after every restart)."""

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Handle one delivered message."""

    def on_timer(self, name: str, data: Any) -> None:
        """Handle a timer that fired."""

    # ------------------------------------------------------------------ what a node may do
    @property
    def now(self) -> float:
        """This node's local clock reading (true time unless a fault skewed it)."""
        real, local, drift = self._clock
        t = self.sim.now
        return t if not (local - real or drift) else local + (t - real) * (1.0 + drift)

    @property
    def rng(self) -> random.Random:
        """This node's own random stream (``sim.rng("node:<pid>")``)."""
        if self._rng is None:
            self._rng = self.sim.rng(f"node:{self.pid}")
        return self._rng

    @property
    def peers(self) -> list[Hashable]:
        """Every other process in the simulation, in the order they were added."""
        return [p for p in self.sim.processes if p != self.pid]

    def send(self, dst: Hashable, msg: Any, size: int = 0) -> None:
        """Send ``msg`` to ``dst`` (``size`` in bytes, counted in the network's statistics)."""
        self.sim.network.send(self.pid, dst, msg, size)

    def broadcast(self, msg: Any, dsts: Iterable[Hashable] | None = None, size: int = 0) -> None:
        """Send ``msg`` to each of ``dsts`` (default: every peer)."""
        for dst in self.peers if dsts is None else dsts:
            self.sim.network.send(self.pid, dst, msg, size)

    def set_timer(self, name: str, delay: float, data: Any = None) -> None:
        """(Re)arm the timer ``name`` to fire after ``delay`` seconds of this node's local time."""
        if not delay >= 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay!r}")
        drift = self._clock[2]
        real_delay = delay / (1.0 + drift) if drift else delay
        sim = self.sim
        token = sim._seq  # the sequence number this timer's event is about to get
        sim._push_fast(sim.now + real_delay, self._fire, (name, token, data))
        self._timers[name] = token

    def cancel_timer(self, name: str) -> None:
        """Disarm the timer ``name`` (a firing already queued is ignored)."""
        self._timers.pop(name, None)

    def timer_pending(self, name: str) -> bool:
        """Whether the timer ``name`` is armed."""
        return name in self._timers

    def record(self, **fields: Any) -> None:
        """Note a state change in the trace (e.g. ``record(role="leader", term=3)``)."""
        sim = self.sim
        if sim.trace.enabled:
            sim.trace.record(sim.now, "state", self.pid, **fields)

    # ------------------------------------------------------------------ kernel side
    def _attach(self, sim: Simulation) -> None:
        self.sim = sim

    def _start(self) -> None:
        kind = "restart" if self._started else "start"
        self._started = True
        self.sim.trace.record(self.sim.now, kind, self.pid)
        self.on_start()

    def _fire(self, name: str, token: int, data: Any) -> None:
        if self._timers.get(name) != token or not self.up:
            return  # re-armed, cancelled, or the node crashed since
        if self.paused:
            self._held.append((self._fire, (name, token, data)))
            return
        del self._timers[name]
        sim = self.sim
        if sim.trace.enabled:
            sim.trace.record(sim.now, "timer", self.pid, name=name)
        self.on_timer(name, data)

    def _crash(self) -> None:
        if not self.up:
            raise ValueError(f"pid {self.pid!r} is already crashed")
        self.up = False
        self.paused = False
        self._timers.clear()
        self._held.clear()
        self.sim.trace.record(self.sim.now, "crash", self.pid)

    def _restart(self, keep_state: bool) -> None:
        if self.up:
            raise ValueError(f"pid {self.pid!r} is running; crash it before restarting it")
        if not keep_state:
            self.stable.clear()
        self.up = True
        self._start()

    def _pause(self) -> None:
        if not self.up or self.paused:
            raise ValueError(f"pid {self.pid!r} must be running and not paused to pause it")
        self.paused = True
        self.sim.trace.record(self.sim.now, "pause", self.pid)

    def _resume(self) -> None:
        if not self.paused:
            raise ValueError(f"pid {self.pid!r} is not paused")
        self.paused = False
        sim = self.sim
        sim.trace.record(sim.now, "resume", self.pid)
        held, self._held = self._held, []
        for fn, args in held:  # in arrival order, all at the current instant
            sim._push_fast(sim.now, fn, args)

    def _set_clock(self, skew: float, drift: float) -> None:
        if not isinstance(skew, (int, float)) or skew != skew:
            raise ValueError(f"skew must be a number of seconds, got {skew!r}")
        if not -0.5 < drift < 0.5:
            raise ValueError(f"drift must be between -0.5 and 0.5 (a rate error), got {drift!r}")
        t = self.sim.now
        self._clock = (t, t + skew, float(drift))
        self.sim.trace.record(t, "clock", self.pid, skew=skew, drift=drift)
