"""The deterministic event loop every chapter shares.

Time is data: the kernel owns ``now`` and a heap of events keyed ``(time, seq)``, so two events at
the same instant always run in the order they were scheduled, on every run. (SimPy's ``core.py``
keys its heap ``(time, priority, eid)``: the same first-in-first-out tie-break, plus a priority level
that urgent events use to jump the queue at one instant; we need no priorities, so ``seq`` alone
breaks ties.) Randomness comes only from *named streams* derived from one seed:
``sim.rng("network")`` and ``sim.rng("node:n1")`` are independent, and adding a new stream never
shifts the numbers an existing one produces.

A whole simulation is plain, deep-copyable state: ``fork()`` is a copy you can change ("what if I
drop this message?") and run on without touching the original; ``distlab.sim.timeline`` builds
seek-to-time on top of it. For a fork to be faithful, scheduled callbacks must be bound methods of
objects the simulation owns (processes, the network) -- never closures over outside state.
"""
from __future__ import annotations

import copy
import hashlib
import heapq
import random
from collections.abc import Callable, Hashable
from typing import Any, Literal

from .invariants import InvariantSet, Violation
from .network import Network
from .trace import Trace

Until = float | Callable[["Simulation"], bool] | None
#: what per-step invariant checking does with a violation: raise it, or record it in ``sim.violations``
CheckMode = Literal["raise", "record"]
CHECK_MODES: tuple[CheckMode, ...] = ("raise", "record")


def derive_seed(seed: int, name: str) -> int:
    """A 64-bit seed for the stream ``name``, stable across Python versions and runs."""
    digest = hashlib.sha256(f"{seed}/{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Event:
    """A handle on a scheduled callback; ``cancel()`` makes it a no-op."""

    __slots__ = ("seq", "time", "_sim")

    def __init__(self, sim: Simulation, seq: int, time: float):
        self._sim, self.seq, self.time = sim, seq, time

    def cancel(self) -> None:
        """Make the callback a no-op; it stays in the heap and is skipped when popped (cheap, no re-heapify)."""
        self._sim._cancelled.add(self.seq)


class Simulation:
    """A seeded discrete-event simulation with processes, a network, faults, a trace and invariants.

    >>> sim = Simulation(seed=7)
    >>> hits = []
    >>> _ = sim.schedule(0.5, hits.append, "a"); _ = sim.schedule(0.5, hits.append, "b")
    >>> sim.run(until=1.0); hits, sim.now
    (['a', 'b'], 1.0)
    """

    def __init__(self, seed: int = 0, *, trace: bool = True, check_invariants: bool | CheckMode = False):
        """``check_invariants``: False (no per-step checks), True or ``"raise"`` (check after every
        event, raise :class:`~distlab.sim.invariants.InvariantViolation`), or ``"record"`` (check
        after every event and append each new violation to ``violations``, never raising)."""
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        if not (isinstance(check_invariants, bool) or check_invariants in CHECK_MODES):
            raise ValueError(f"check_invariants must be False, True or one of {CHECK_MODES}, "
                             f"got {check_invariants!r}")
        self.seed = seed
        self.now = 0.0
        self._heap: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._seq = 0
        self._cancelled: set[int] = set()
        self._streams: dict[str, random.Random] = {}
        self.events_run = 0
        self.processes: dict[Hashable, Any] = {}
        self.trace = Trace(enabled=trace)
        self.invariants = InvariantSet()
        self.check_invariants_each_step = bool(check_invariants)
        #: with per-step checks on: "raise" on a violation, or "record" it in ``violations``
        self.invariant_mode: CheckMode = "record" if check_invariants == "record" else "raise"
        #: in "record" mode, each violation when it starts, in order (one held on over steps is recorded once)
        self.violations: list[Violation] = []
        self._broken: frozenset[str] = frozenset()  # invariants broken at the last recording check
        self.network = Network(self)

    # ----------------------------------------------------------------- randomness
    def rng(self, name: str) -> random.Random:
        """The random stream called ``name`` (created on first use from the seed and the name)."""
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = random.Random(derive_seed(self.seed, name))
        return stream

    # ----------------------------------------------------------------- scheduling
    def schedule(self, delay: float, fn: Callable[..., Any], *args: Any) -> Event:
        """Run ``fn(*args)`` after ``delay`` simulated seconds (>= 0)."""
        if not delay >= 0:  # also rejects NaN
            raise ValueError(f"delay must be >= 0 seconds, got {delay!r}")
        return self._push(self.now + delay, fn, args)

    def schedule_at(self, time: float, fn: Callable[..., Any], *args: Any) -> Event:
        """Run ``fn(*args)`` at absolute simulated ``time`` (not in the past)."""
        if not time >= self.now:
            raise ValueError(f"time must be >= now ({self.now}), got {time!r}")
        return self._push(time, fn, args)

    def _push(self, time: float, fn: Callable[..., Any], args: tuple[Any, ...]) -> Event:
        seq = self._seq
        self._seq = seq + 1
        heapq.heappush(self._heap, (time, seq, fn, args))
        return Event(self, seq, time)

    def _push_fast(self, time: float, fn: Callable[..., Any], args: tuple[Any, ...]) -> int:
        """Internal: schedule without building a handle (hot path for messages and timers)."""
        seq = self._seq
        self._seq = seq + 1
        heapq.heappush(self._heap, (time, seq, fn, args))
        return seq

    @property
    def pending(self) -> int:
        """Number of scheduled events (including cancelled ones not yet popped)."""
        return len(self._heap)

    def peek(self) -> float | None:
        """Time of the next event, or None when nothing is scheduled."""
        return self._heap[0][0] if self._heap else None

    # ----------------------------------------------------------------- running
    def step(self, limit: float = float("inf")) -> bool:
        """Run the next live event if it is due at or before ``limit``; False when there is none."""
        heap, cancelled = self._heap, self._cancelled
        while heap and heap[0][0] <= limit:
            time, seq, fn, args = heapq.heappop(heap)
            if cancelled and seq in cancelled:
                cancelled.discard(seq)
                continue
            self.now = time
            self.events_run += 1
            fn(*args)
            if self.check_invariants_each_step:
                self._check_step()
            return True
        return False

    def run(self, until: Until = None, *, max_events: int | None = None,
            deadline: float | None = None) -> str:
        """Run events until a time, a predicate of the simulation, or exhaustion.

        ``until`` a number: run every event at or before that time, then set ``now`` to it.
        ``until`` a callable: stop as soon as ``until(sim)`` is true (checked before each event);
        with ``deadline``, give up at that simulated time (``now`` is then the deadline).
        Returns why it stopped: ``"time"``, ``"predicate"``, ``"idle"`` or ``"max_events"``.
        """
        if max_events is not None and (not isinstance(max_events, int) or max_events < 1):
            raise ValueError(f"max_events must be an integer >= 1, got {max_events!r}")
        if deadline is not None and not (callable(until) and deadline >= self.now):
            raise ValueError(f"deadline must go with a predicate `until` and be >= now ({self.now}), "
                             f"got {deadline!r}")
        budget = max_events if max_events is not None else -1
        if callable(until):
            limit = float("inf") if deadline is None else deadline
            while True:
                if until(self):
                    return "predicate"
                if budget == 0:
                    return "max_events"
                if not self.step(limit):
                    if deadline is None or not self._heap:
                        return "idle"
                    self.now = deadline
                    return "time"
                budget -= 1
        if until is not None and not until >= self.now:
            raise ValueError(f"until must be >= now ({self.now}), got {until!r}")
        limit = float("inf") if until is None else until
        while True:
            if budget == 0:
                return "max_events"
            if not self.step(limit):
                break
            budget -= 1
        if until is None:
            return "idle"
        self.now = max(self.now, until)
        return "time"

    def run_for(self, duration: float, **kw: Any) -> str:
        """Run for ``duration`` more simulated seconds."""
        if not duration >= 0:
            raise ValueError(f"duration must be >= 0 seconds, got {duration!r}")
        return self.run(self.now + duration, **kw)

    # ----------------------------------------------------------------- processes
    def add(self, process: Any) -> Any:
        """Attach a process (a :class:`distlab.sim.Process`) and start it at the current time."""
        pid = process.pid
        if pid in self.processes:
            raise ValueError(f"pid {pid!r} is already in this simulation")
        self.processes[pid] = process
        process._attach(self)
        self._push_fast(self.now, process._start, ())
        return process

    def process(self, pid: Hashable) -> Any:
        """The process with this pid (up or crashed); an unknown pid is a ``ValueError`` naming the known ones."""
        try:
            return self.processes[pid]
        except KeyError:
            raise ValueError(f"pid must be one of {list(self.processes)}, got {pid!r}") from None

    # ----------------------------------------------------------------- faults (external actions)
    def crash(self, pid: Hashable) -> None:
        """Stop a process at once: its timers die, messages to it are dropped until restart."""
        self.process(pid)._crash()

    def restart(self, pid: Hashable, *, keep_state: bool = True) -> None:
        """Bring a crashed process back; with ``keep_state=False`` its stable storage is wiped too."""
        self.process(pid)._restart(keep_state)

    def pause(self, pid: Hashable) -> None:
        """Freeze a process (a long GC pause, SIGSTOP): messages and timers wait until resume."""
        self.process(pid)._pause()

    def resume(self, pid: Hashable) -> None:
        """Unfreeze a paused process: what it missed while paused (messages, timers) runs now, in arrival order."""
        self.process(pid)._resume()

    def set_clock(self, pid: Hashable, *, skew: float = 0.0, drift: float = 0.0) -> None:
        """Give a process's local clock an offset (seconds) and a rate error (-0.5 < drift < 0.5)."""
        self.process(pid)._set_clock(skew, drift)

    # ----------------------------------------------------------------- invariants and copies
    def check_invariants(self) -> list[Violation]:
        """Evaluate every registered invariant now; returns the list of violations (empty = all hold)."""
        return self.invariants.check(self)

    def _check_step(self) -> None:
        """The per-step check: raise, or record each invariant that broke since the last step."""
        if self.invariant_mode == "raise":
            self.invariants.assert_hold(self)
            return
        found = self.invariants.check(self)
        self.violations.extend(v for v in found if v.name not in self._broken)
        self._broken = frozenset(v.name for v in found)

    def fork(self) -> Simulation:
        """An independent copy of the whole simulation (processes, network, queue, random streams).

        The copy shares the immutable trace records already written, so forking is cheap.
        """
        memo: dict[int, Any] = {id(self.trace._records): list(self.trace._records)}
        return copy.deepcopy(self, memo)
