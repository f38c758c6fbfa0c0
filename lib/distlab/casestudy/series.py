"""A run of the money-transfer service as time series: what the dashboard plots, as plain data.

:func:`bank_series` cuts a :class:`~distlab.casestudy.run.BankRun` into time bins of ``bin_s``
seconds from 0 to ``run.end`` (the moment the last customer was done) and counts, per bin, what
the clients' history and the service's notes (:mod:`distlab.casestudy.metrics`) say happened. It
also keeps, unbinned, every read of the auditor (Jepsen's bank-test read: every balance, and their
total to compare with the money in the bank), the chaos faults and crashes as marks, the windows
of the faults that last, and the bank checker's violations. No widgets, no matplotlib, no clock:
the same run gives the same series (:mod:`distlab.view.casestudy` draws it).

What falls in which bin: an attempt counts where it *completed* (its latency with it); a retry
where it was *sent*; a note where it was made. Anything after ``run.end`` -- the settling phase,
when no customer sends any more -- counts in the last bin; marks and reads keep their exact times
(the final audit comes at ``run.settled_at``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from distlab.validate import ParameterTypeError

from .chaos import WINDOWED
from .checker import MOVED, Violation

if TYPE_CHECKING:
    from distlab.sim.history import Op

    from .chaos import ChaosFault
    from .run import BankRun

__all__ = ["BIN_RANGE_S", "BREAKER_STATES", "BalanceRead", "BankSeries", "Mark", "Window", "bank_series"]

BIN_RANGE_S = (0.01, 60.0)  #: the valid range of ``bin_s``, in seconds
BREAKER_STATES = ("closed", "half-open", "open")  #: what a breaker note's detail can say
_GATEWAY = ("rate limited", "shed", "expired")  #: the notes of a request the gateway turned away


class Mark(NamedTuple):
    """A moment worth a vertical line: a chaos fault starting (``kind`` "fault") or a process crashing
    (``kind`` "crash"), with a short ``label`` for the chart and the note's full ``detail``."""

    time: float
    kind: str
    label: str
    detail: str


class Window(NamedTuple):
    """A fault that lasts (fraud slowdown, partition, spike, duplicates): from ``start`` to ``end``."""

    start: float
    end: float
    kind: str
    label: str


class BalanceRead(NamedTuple):
    """One read of every balance by the auditor, completed at ``time``: their sum and each balance."""

    time: float
    total_cents: int
    balances: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class BankSeries:
    """A run as time series (see the module docstring). Every per-bin tuple has one entry per bin.

    * ``bin_s``, ``end``: the bin width and the time the bins cover, ``[0, end]`` (seconds);
      ``starts``: each bin's start time; bin ``i`` is ``[starts[i], starts[i] + bin_s)``;
    * ``completed``: transfer attempts that completed in the bin (ok, fail or info);
      ``ok``: those completed ``ok`` (applied or refused by the rules -- the service answered);
      ``success_rate``: ``ok / completed`` (NaN in a bin where none completed);
      ``applied``: those ``ok`` that moved money;
    * ``p50_ms``, ``p99_ms``: the median and 99th percentile of the ``ok`` attempts' latencies
      (complete - invoke, in milliseconds; nearest rank; NaN in a bin with no ``ok`` attempt);
    * ``retries``: attempts sent in the bin that were not the first for their idempotency key;
    * ``rate_limited``, ``shed``, ``expired``: requests the gateway turned away (from its notes);
    * ``breaker``: the fraud breaker's state at the end of the bin ("closed" before any note);
    * ``marks``: every fault and crash (:class:`Mark`); ``windows``: the faults that last;
    * ``reads``: every read of all balances (:class:`BalanceRead`), the final audit included;
      ``total_cents``: the money in the bank, which every read must sum to;
    * ``violations``: the bank checker's verdict, earliest first (empty when the run was clean).
    """

    bin_s: float
    end: float
    starts: tuple[float, ...]
    completed: tuple[int, ...]
    ok: tuple[int, ...]
    success_rate: tuple[float, ...]
    applied: tuple[int, ...]
    p50_ms: tuple[float, ...]
    p99_ms: tuple[float, ...]
    retries: tuple[int, ...]
    rate_limited: tuple[int, ...]
    shed: tuple[int, ...]
    expired: tuple[int, ...]
    breaker: tuple[str, ...]
    marks: tuple[Mark, ...]
    windows: tuple[Window, ...]
    reads: tuple[BalanceRead, ...]
    total_cents: int
    violations: tuple[Violation, ...]

    @property
    def bins(self) -> int:
        """How many bins there are."""
        return len(self.starts)

    @property
    def conserved(self) -> bool:
        """True when every read summed to the money in the bank."""
        return all(r.total_cents == self.total_cents for r in self.reads)


def _check_bin(bin_s: object) -> float:
    low, high = BIN_RANGE_S
    if isinstance(bin_s, bool) or not isinstance(bin_s, (int, float)):
        raise ParameterTypeError(f"bin_s must be a number of seconds from {low:g} to {high:g}, got {bin_s!r}")
    if math.isnan(bin_s) or not low <= bin_s <= high:
        raise ValueError(f"bin_s must be a number of seconds from {low:g} to {high:g}, got {bin_s!r}")
    return float(bin_s)


def _nearest_rank(ordered: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of the sorted ``ordered`` by the nearest-rank method."""
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


class _Bins:
    """Per-bin counters over ``n`` bins of ``width`` seconds (times past the last bin count in it)."""

    def __init__(self, n: int, width: float) -> None:
        self.n, self.width = n, width

    def of(self, time: float) -> int:
        """The bin of ``time``."""
        return min(max(int(time // self.width), 0), self.n - 1)

    def count(self, times: Iterable[float]) -> tuple[int, ...]:
        """How many of ``times`` fall in each bin."""
        counts = [0] * self.n
        for t in times:
            counts[self.of(t)] += 1
        return tuple(counts)


class _Attempts(NamedTuple):
    """The per-bin series read from the transfer attempts (see :class:`BankSeries`)."""

    completed: tuple[int, ...]
    ok: tuple[int, ...]
    success_rate: tuple[float, ...]
    applied: tuple[int, ...]
    p50_ms: tuple[float, ...]
    p99_ms: tuple[float, ...]
    retries: tuple[int, ...]


def _attempts(run: BankRun, bins: _Bins) -> _Attempts:
    """Completed, ok, applied, success rate, latency percentiles and retries, per bin."""
    transfers = [op for op in run.history if op.f == "transfer"]
    done = [op for op in transfers if op.complete is not None]
    ok = [op for op in done if op.status == "ok"]
    latencies: list[list[float]] = [[] for _ in range(bins.n)]
    for op in ok:
        assert op.complete is not None
        latencies[bins.of(op.complete)].append((op.complete - op.invoke) * 1000.0)
    ordered = [sorted(bin_ms) for bin_ms in latencies]
    completed, oks = bins.count(_ends(done)), bins.count(_ends(ok))
    seen: set[str] = set()
    retried = []
    for op in transfers:
        key = str(op.value[0])
        if key in seen:
            retried.append(op.invoke)
        seen.add(key)
    return _Attempts(completed, oks, tuple(k / c if c else math.nan for k, c in zip(oks, completed, strict=True)),
                     bins.count(_ends(o for o in ok if o.result in MOVED)),
                     tuple(_nearest_rank(b, 50) for b in ordered), tuple(_nearest_rank(b, 99) for b in ordered),
                     bins.count(retried))


def _ends(ops: Iterable[Op]) -> list[float]:
    return [op.end for op in ops]


def _breaker(run: BankRun, bins: _Bins) -> tuple[str, ...]:
    """The breaker's state at the end of each bin, from its notes (closed before the first)."""
    changes = sorted((n for n in run.metrics.notes if n.kind == "breaker"), key=lambda n: n.time)
    states, state, i = [], "closed", 0
    for b in range(bins.n):
        last = b == bins.n - 1
        while i < len(changes) and (last or changes[i].time < (b + 1) * bins.width):
            state = changes[i].detail
            i += 1
        states.append(state)
    return tuple(states)


def _label(fault: ChaosFault) -> str:
    """A few words for a fault, short enough to print next to a vertical line."""
    return {"saga crash": "service crash", "relay crash": "relay crash", "notifier crash": "notifier crash",
            "fraud slowdown": f"fraud slow {fault.amount:g}s", "partition": f"{fault.target} cut off",
            "spike": f"spike +{fault.amount:g}/s", "duplicates": f"dups {fault.amount:.0%}"}[fault.kind]


def _marks(run: BankRun) -> tuple[Mark, ...]:
    """Every fault note (labelled from the fault it names) and crash note, in time order."""
    faults = {str(f): f for f in run.chaos}
    marks = []
    for note in run.metrics.notes:
        if note.kind == "fault":
            fault = faults.get(note.detail)
            marks.append(Mark(note.time, "fault", _label(fault) if fault else note.detail[:16], note.detail))
        elif note.kind == "crash":
            marks.append(Mark(note.time, "crash", f"{note.detail.split(':')[0]} down", note.detail))
    return tuple(sorted(marks, key=lambda m: m.time))


def _reads(run: BankRun) -> tuple[BalanceRead, ...]:
    reads = [BalanceRead(op.end, sum(op.result.values()), dict(sorted(op.result.items())))
             for op in run.history if op.f == "read" and op.status == "ok" and isinstance(op.result, Mapping)]
    return tuple(sorted(reads, key=lambda r: r.time))


def bank_series(run: BankRun, bin_s: float = 0.25) -> BankSeries:
    """The run as time series in bins of ``bin_s`` seconds (0.01 to 60); see :class:`BankSeries`."""
    width = _check_bin(bin_s)
    bins = _Bins(max(1, math.ceil(run.end / width)), width)
    notes = {kind: bins.count(n.time for n in run.metrics.notes if n.kind == kind) for kind in _GATEWAY}
    windows = tuple(Window(f.time, f.time + f.duration, f.kind, _label(f)) for f in run.chaos if f.kind in WINDOWED)
    return BankSeries(
        bin_s=width, end=run.end, starts=tuple(i * width for i in range(bins.n)), **_attempts(run, bins)._asdict(),
        rate_limited=notes["rate limited"], shed=notes["shed"], expired=notes["expired"],
        breaker=_breaker(run, bins), marks=_marks(run),
        windows=tuple(sorted(windows)), reads=_reads(run), total_cents=run.config.total_cents,
        violations=run.verdict.violations)
