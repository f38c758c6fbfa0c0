"""What the Spanner and CockroachDB models share: clients that read and write keys, skewed clocks,
WAN links, and the result a panel reads.

* :class:`TxnClient` -- a client that issues ``ops`` single-key reads (``get``) and writes (``put``
  of a unique value) one at a time, with a think time between them, and records each in a
  :class:`~distlab.sim.history.HistoryRecorder` (for chapter 1's checker) and as a
  :class:`TxnRecord`. A subclass says how a read and a write are carried out (``begin``).
* :func:`skew_clocks` -- every process's clock off by ``skew`` times a seeded number in [-1, 1],
  through the kernel's clock-skew fault; moving a ``skew`` slider scales the same offsets.
* :func:`wire` -- every link's one-way latency from the regions of its two ends: the measured EC2
  round trips (:func:`distlab.geo.latency.default_model`; a client and a server of one region talk
  over the same-zone curve, two servers of one region over the cross-zone curve) or the caller's
  ``link_latency``.
* :class:`StoreRun` -- the records, the history, the offsets; stale reads (ground truth: a read that
  returned an older version than a write acknowledged before the read began,
  :func:`distlab.geo.quorum_result.stale_reads`), latency percentiles, and :meth:`StoreRun.check`,
  chapter 1's linearizability verdict.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from distlab.geo.latency import default_model
from distlab.geo.quorum_client import OpRecord
from distlab.geo.quorum_node import NO_VERSION, Version
from distlab.geo.quorum_result import stale_reads
from distlab.geo.world import check_regions
from distlab.sim import Fault, FaultSchedule, HistoryRecorder, Latency, Process, Simulation, Uniform, ms
from distlab.sim.history import History
from distlab.transactions.checks import check_int

if TYPE_CHECKING:                       # the checker loads only when check() is called
    from distlab.consistency.verdict import Verdict

__all__ = ["NO_TS", "THINK_TIME", "LinkLatency", "Row", "StoreRun", "Timestamp", "TxnClient", "TxnRecord", "Workload",
           "Build", "play", "check_places", "check_workload", "skew_clocks", "wire"]

Timestamp = tuple[int, int]
"""A version's timestamp: ``(microseconds, logical)`` (Spanner's logical part is always 0)."""
#: the timestamp of a key nobody has written
NO_TS: Timestamp = (-1, 0)
LinkLatency = Callable[[str, str], Latency]
"""``(source region, destination region) -> one-way latency``."""


class TxnRecord(NamedTuple):
    """How one operation went: client, ``get``/``put``, key, true start and end (s), status, the value
    written or read (``""``: never written), its version's timestamp, the seconds spent waiting on
    clocks (commit wait, or a read waiting for safe time) and the uncertainty restarts it took."""

    client: str
    f: str
    key: str
    start: float
    end: float
    status: str
    value: str
    version: Timestamp
    waited: float = 0.0
    restarts: int = 0

    @property
    def latency(self) -> float:
        """Seconds from invocation to completion."""
        return self.end - self.start


class Row(NamedTuple):
    """One line of a panel's table: an operation, and whether it is a stale read."""

    record: TxnRecord
    stale: bool


#: the default pause between a client's operations
THINK_TIME = Uniform(0.0, ms(5))


def check_workload(keys: object, ops_per_client: object, read_fraction: object, seed: object) -> None:
    """A ``ValueError`` naming the first workload setting out of its range."""
    check_int("keys", keys, 1, 1000)
    check_int("ops_per_client", ops_per_client, 0, 10_000)
    if not isinstance(read_fraction, (int, float)) or isinstance(read_fraction, bool) or not 0 <= read_fraction <= 1:
        raise ValueError(f"read_fraction must be a number in [0, 1], got {read_fraction!r}")
    check_int("seed", seed, 0, 2**63 - 1)


def check_places(replicas: object, clients: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The replicas' regions (1 to 9) and the clients' (1 to 64) as tuples of region slugs, else a ``ValueError``."""
    where = check_regions("replicas", replicas), check_regions("clients", clients)
    check_int("replicas (count)", len(where[0]), 1, 9)
    check_int("clients (count)", len(where[1]), 1, 64)
    return where


@dataclass(frozen=True)
class Workload:
    """What every client does: ``ops`` operations on keys ``k0``.. ``k{keys-1}``, a fraction
    ``read_fraction`` of them reads, ``think_time`` between them."""

    keys: int = 1
    ops: int = 20
    read_fraction: float = 0.5
    think_time: Latency = THINK_TIME


@dataclass(slots=True)
class Pending:
    """The operation a client has in flight."""

    op: int
    req: int
    f: str
    key: str
    value: str
    start: float
    restarts: int = 0
    extra: Any = None


class TxnClient(Process):
    """Issues the workload one operation at a time; a subclass carries each out (``begin``) and calls
    :meth:`finish` when it is done."""

    issued = 0                          # class defaults: the run's stop test may look before on_start ran
    current: Pending | None = None

    def __init__(self, pid: str, workload: Workload, recorder: HistoryRecorder, records: list[TxnRecord]) -> None:
        super().__init__(pid)
        self.workload, self.recorder, self.records = workload, recorder, records

    def on_start(self) -> None:
        """Start the workload after a think time."""
        self.req = 0
        self.issued = 0
        self.current = None
        self.set_timer("next", self.workload.think_time.sample(self.rng))

    @property
    def finished(self) -> bool:
        """Whether every operation of the workload has ended."""
        return self.issued >= self.workload.ops and self.current is None

    def on_timer(self, name: str, data: Any) -> None:
        """``next``: pick a key and a read or a write, record the invocation, begin it."""
        if name != "next" or self.issued >= self.workload.ops:
            return
        w, rng = self.workload, self.rng
        key = f"k{rng.randrange(w.keys)}"
        self.req += 1
        self.issued += 1
        if rng.random() < w.read_fraction:
            cur = Pending(self.recorder.invoke(self.pid, "get", None, key), self.req, "get", key, "", self.sim.now)
        else:
            value = f"{self.pid}.{self.req}"
            cur = Pending(self.recorder.invoke(self.pid, "put", value, key), self.req, "put", key, value, self.sim.now)
        self.current = cur
        self.begin(cur)

    def begin(self, cur: Pending) -> None:  # pragma: no cover - abstract
        """Carry out the read or write ``cur`` (send it to a server); call :meth:`finish` at the end."""
        raise NotImplementedError

    def finish(self, value: str, version: Timestamp, waited: float = 0.0) -> None:
        """The current operation succeeded: a write's ``version``, or the ``value`` and ``version`` a
        read returned. Record it and schedule the next one."""
        cur = self.current
        assert cur is not None
        self.current = None
        self.recorder.ok(cur.op, value if cur.f == "get" else None)
        self.records.append(TxnRecord(str(self.pid), cur.f, cur.key, cur.start, self.sim.now, "ok",
                                      value if cur.f == "get" else cur.value, version, waited, cur.restarts))
        self._next()

    def give_up(self, status: str) -> None:
        """The current operation failed (``fail``: surely not applied) or its outcome is unknown (``info``)."""
        cur = self.current
        assert cur is not None
        self.current = None
        (self.recorder.fail if status == "fail" else self.recorder.info)(cur.op)
        self.records.append(TxnRecord(str(self.pid), cur.f, cur.key, cur.start, self.sim.now, status,
                                      cur.value, NO_TS, 0.0, cur.restarts))
        self._next()

    def _next(self) -> None:
        if self.issued < self.workload.ops:
            self.set_timer("next", self.workload.think_time.sample(self.rng))


def skew_clocks(sim: Simulation, names: tuple[str, ...], skew: float, stream: str) -> dict[str, float]:
    """Offset each named process's clock by ``skew`` times a seeded uniform number in [-1, 1] (the
    random stream ``stream``), with the kernel's clock-skew fault at time 0. Returns the offsets."""
    rng = sim.rng(stream)
    offsets = {name: skew * rng.uniform(-1.0, 1.0) for name in names}
    FaultSchedule([Fault(0.0, "skew", (name, offset)) for name, offset in offsets.items()]).install(sim)
    return offsets


def wire(sim: Simulation, places: Mapping[str, str], clients: tuple[str, ...],
         link_latency: LinkLatency | None = None) -> None:
    """Give every link between the processes of ``places`` (pid -> region) its one-way latency."""
    model = default_model()
    for src, a in places.items():
        for dst, b in places.items():
            if src == dst:
                continue
            if link_latency is not None:
                lat = link_latency(a, b)
                if not isinstance(lat, Latency):
                    raise ValueError(f"link_latency must return a distlab.sim.latency distribution, got {lat!r}")
            else:
                lat = model.one_way(a, b, same_zone=(src in clients) != (dst in clients))
            sim.network.set_link(src, dst, latency=lat)


Build = Callable[[Simulation, tuple[str, ...], tuple[str, ...], HistoryRecorder, list[TxnRecord]], list[TxnClient]]
"""Adds a model's servers and clients to the simulation: ``(sim, servers, clients, recorder, records)``
-> the client processes (each appends its :class:`TxnRecord` to ``records``)."""


def play(seed: int, replicas: tuple[str, ...], clients: tuple[str, ...], build: Build,
         link_latency: LinkLatency | None, skew: float, stream: str) -> tuple[tuple[TxnRecord, ...], History,
                                                                          dict[str, float]]:
    """One seeded run of a model: servers ``s0, s1, …`` in the ``replicas`` regions and clients ``c0,
    c1, …`` in the ``clients`` regions, added by ``build``, wired (:func:`wire`), clocks skewed
    (:func:`skew_clocks` on random stream ``stream``), run until every client is done. Returns the
    records in completion order, the history and the clock offsets."""
    sim = Simulation(seed, trace=False)
    servers = tuple(f"s{i}" for i in range(len(replicas)))
    names = tuple(f"c{i}" for i in range(len(clients)))
    recorder = HistoryRecorder(lambda: sim.now)
    records: list[TxnRecord] = []
    procs = build(sim, servers, names, recorder, records)
    wire(sim, dict(zip(servers + names, replicas + clients)), names, link_latency)
    offsets = skew_clocks(sim, servers + names, float(skew), stream)
    sim.run(until=lambda _: all(c.finished for c in procs))
    return tuple(records), recorder.history(), offsets


@dataclass(frozen=True)
class StoreRun:
    """One run's operations (in completion order), its history, and each process's clock offset (s)."""

    records: tuple[TxnRecord, ...] = field(repr=False)
    history: History = field(repr=False)
    offsets: dict[str, float]

    def stale(self) -> tuple[int, ...]:
        """Indices of the reads that missed a write acknowledged before they began (ground truth)."""
        return self._stale

    @cached_property
    def _stale(self) -> tuple[int, ...]:
        """:meth:`stale`, worked out once (a panel asks for the count, the summary and the rows)."""
        ops = tuple(OpRecord(r.client, r.f, r.key, r.start, r.end, r.status,
                             Version(*r.version, 0) if r.version != NO_TS else NO_VERSION, r.value, (), 0)
                    for r in self.records)
        return tuple(stale_reads(ops))

    def rows(self) -> list[Row]:
        """Every operation in invocation order, each marked if it is a stale read (a panel's table)."""
        stale = {self.records[i] for i in self.stale()}
        return [Row(r, r in stale) for r in sorted(self.records, key=lambda r: r.start)]

    @property
    def stale_reads(self) -> int:
        """How many reads missed a write acknowledged before they began."""
        return len(self.stale())

    def availability(self, f: str | None = None) -> float | None:
        """Fraction of the ``f`` operations (``get``/``put``, or all) that succeeded (None: there were none)."""
        ops = [r for r in self.records if f is None or r.f == f]
        return sum(r.status == "ok" for r in ops) / len(ops) if ops else None

    def latencies_ms(self, f: str, clients: tuple[str, ...] | None = None) -> tuple[float, ...]:
        """Latency in ms of every successful ``get`` or ``put`` (of the named ``clients``, or all), in
        the order they were issued."""
        return tuple(1000.0 * r.latency for r in sorted(self.records, key=lambda r: r.start)
                     if r.f == f and r.status == "ok" and (clients is None or r.client in clients))

    def percentiles_ms(self, f: str, qs: tuple[float, ...] = (50, 95, 99),
                       clients: tuple[str, ...] | None = None) -> dict[float, float | None]:
        """Latency percentiles in ms of the successful ``f`` operations (None when there were none)."""
        values = self.latencies_ms(f, clients)
        if not values:
            return dict.fromkeys(qs)
        return {q: float(v) for q, v in zip(qs, np.percentile(values, qs))}

    def check(self, timeout: float = 10.0, explain: bool = True) -> Verdict:
        """Chapter 1's linearizability verdict on the history (``kv`` model); ``explain=False`` skips
        the search for the smallest failing window of a violation."""
        from distlab.consistency.linearizability import check_linearizable
        from distlab.consistency.verdict import Budget
        return check_linearizable(self.history, "kv", Budget(timeout=timeout), explain=explain)
