"""``distlab.sim`` -- the one deterministic simulation kernel every chapter shares.

=====================  =====================================================================
``Simulation``          the event loop: a heap keyed (time, seq), named random streams, ``fork``
``Process``             base class for protocol nodes: hooks in, ``send``/``set_timer`` out
``Network``             latency, loss, duplication, reordering, partitions (``sim.network``)
``latency``             delay distributions: Constant, Uniform, Exponential, Normal, Empirical
``faults``              crash/restart/pause/partition... as data (``Fault``, ``FaultSchedule``)
``Trace``               every send, delivery, drop, timer, fault and state change
``Timeline``            snapshots for seek(t) and "what if" forks
``HistoryRecorder``     client operations (invoke/ok/fail/info) for the consistency checkers
``InvariantSet``        named invariants checked after every step
=====================  =====================================================================

Time is in seconds (``latency.ms`` converts). See docs/DESIGN.md for why it is shaped this way.
"""
from .faults import Fault, FaultSchedule, apply as apply_fault
from .history import History, HistoryRecorder, Op
from .invariants import InvariantSet, InvariantViolation, Violation
from .kernel import Event, Simulation, derive_seed
from .latency import Constant, Empirical, Exponential, Latency, Normal, Uniform, ms
from .network import Envelope, LinkConfig, Network, NetworkStats
from .process import Process
from .timeline import Timeline
from .trace import Trace, TraceRecord

__all__ = [
    "Constant", "Empirical", "Envelope", "Event", "Exponential", "Fault", "FaultSchedule", "History",
    "HistoryRecorder", "InvariantSet", "InvariantViolation", "Latency", "LinkConfig", "Network",
    "NetworkStats", "Normal", "Op", "Process", "Simulation", "Timeline", "Trace", "TraceRecord",
    "Uniform", "Violation", "apply_fault", "derive_seed", "ms",
]
