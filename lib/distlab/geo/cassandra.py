"""``distlab.geo.cassandra`` -- Cassandra's tunable consistency on the multi-region quorum model.

Each data centre (a region slug) holds ``rf`` replicas of every key -- the storage nodes of the
quorum model (:class:`~distlab.geo.quorum_node.StorageNode`: versioned values, newest wins), named
``virginia0``, ``virginia1``, ... Clients sit in data centres and coordinate their own requests, as
Cassandra's coordinator in the client's data centre would: a write is stamped with the client's
clock and sent to **every** replica and succeeds when the acknowledgements meet the write's
consistency level; a read asks the replicas the level may count (only local ones for
``LOCAL_QUORUM``) and returns the newest value once the answers meet the read's level
(:mod:`distlab.geo.cassandra_levels`). Links take the measured EC2 round trips.

A level that cannot be met -- a data centre down under ``EACH_QUORUM`` -- times out (``timeout``):
a read is recorded ``fail``, a write ``info`` (it may have reached some replicas), as Cassandra
reports a write timeout. (Cassandra fails fast with ``UnavailableException`` when its failure
detector already knows too few replicas are up; here the client learns it only by waiting.)

>>> run = run_cassandra(write_level="LOCAL_QUORUM", read_level="LOCAL_QUORUM", seed=1)
>>> run.guaranteed, run.stale_reads > 0
(False, True)
>>> run = run_cassandra(write_level="QUORUM", read_level="QUORUM", seed=1)
>>> run.guaranteed, run.stale_reads
(True, 0)
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from distlab.geo.cassandra_levels import LEVELS, check_level, check_rf, contacted, guaranteed, satisfied
from distlab.geo.clocks import micros
from distlab.geo.clocks_workload import (
    NO_TS,
    LinkLatency,
    Pending,
    StoreRun,
    TxnClient,
    TxnRecord,
    Workload,
    check_workload,
    wire,
)
from distlab.geo.quorum_node import (
    NO_VERSION,
    Get,
    GetReply,
    NodeSettings,
    Put,
    PutAck,
    StorageNode,
    Version,
    Versioned,
)
from distlab.geo.ring import HashRing
from distlab.geo.world import check_region, check_regions
from distlab.sim import Fault, FaultSchedule, HistoryRecorder, Latency, Simulation, Uniform, ms
from distlab.transactions.checks import check_seconds

__all__ = ["CassandraClient", "CassandraRun", "run_cassandra", "run_levels"]

#: the default pause between a client's operations
CASSANDRA_THINK = Uniform(0.0, ms(20))
#: two data centres of three replicas each
DEFAULT_RF = (("virginia", 3), ("ireland", 3))


@dataclass(frozen=True)
class Levels:
    """What a client needs to coordinate: the levels, the replicas by data centre, its own data centre."""

    write: str
    read: str
    replicas: Mapping[str, tuple[str, ...]]
    local: str
    timeout: float

    @property
    def rf(self) -> dict[str, int]:
        """Replicas per data centre."""
        return {dc: len(nodes) for dc, nodes in self.replicas.items()}


@dataclass(slots=True)
class Tally:
    """A request in flight: the version a write sends, answers per data centre, a read's newest value."""

    written: Versioned
    answers: dict[str, int] = field(default_factory=dict)
    newest: Versioned | None = None


class CassandraClient(TxnClient):
    """A client that coordinates its requests at a consistency level."""

    def __init__(self, pid: str, index: int, workload: Workload, recorder: HistoryRecorder, records: list[TxnRecord],
                 levels: Levels) -> None:
        super().__init__(pid, workload, recorder, records)
        self.index, self.levels = index, levels
        self.home = {node: dc for dc, nodes in levels.replicas.items() for node in nodes}

    def begin(self, cur: Pending) -> None:
        """Send a write to every replica, a read to those its level may count; arm the timeout."""
        lv = self.levels
        level = lv.read if cur.f == "get" else lv.write
        item = Versioned(Version(micros(self.now), self.index, cur.req), cur.value)
        cur.extra = Tally(item)
        for dc in contacted(level, cur.f, lv.rf, lv.local):
            for node in lv.replicas[dc]:
                self.send(node, Get(cur.req, cur.key) if cur.f == "get" else Put(cur.req, cur.key, item))
        self.set_timer("timeout", lv.timeout, cur.req)

    def on_timer(self, name: str, data: Any) -> None:
        """``timeout``: the level was not met in time; otherwise the workload's timers."""
        cur = self.current
        if name == "timeout":
            if cur is not None and cur.req == data:
                self.give_up("fail" if cur.f == "get" else "info")
            return
        super().on_timer(name, data)

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Count an answer by data centre; once the level is met, the operation ends."""
        cur = self.current
        if cur is None or not isinstance(msg, (PutAck, GetReply)) or msg.req != cur.req:
            return
        tally: Tally = cur.extra
        dc = self.home[str(src)]
        tally.answers[dc] = tally.answers.get(dc, 0) + 1
        if isinstance(msg, GetReply) and (tally.newest is None or msg.item.version > tally.newest.version):
            tally.newest = msg.item
        lv = self.levels
        if not satisfied(lv.read if cur.f == "get" else lv.write, tally.answers, lv.rf, lv.local):
            return
        self.cancel_timer("timeout")
        item = tally.newest if cur.f == "get" else tally.written
        assert item is not None
        version = (int(item.version.time), item.version.client) if item.version != NO_VERSION else NO_TS
        self.finish(item.value, version)


@dataclass(frozen=True)
class CassandraRun(StoreRun):
    """A Cassandra run: operations, history (:class:`StoreRun`), the levels and the placement."""

    write_level: str = "QUORUM"
    read_level: str = "QUORUM"
    rf: Mapping[str, int] | None = None
    clients: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()

    @property
    def guaranteed(self) -> bool:
        """Whether the levels guarantee fresh reads for every writer and reader data centre of the run."""
        rf = dict(self.rf or {})
        return all(guaranteed(self.write_level, self.read_level, rf, a, b) for a in self.clients for b in self.clients)

    def summary(self) -> dict[str, Any]:
        """The headline numbers a panel prints, latency per client data centre."""
        by_dc = {dc: tuple(f"c{i}" for i, c in enumerate(self.clients) if c == dc)
                 for dc in dict.fromkeys(self.clients)}
        return {"write_level": self.write_level, "read_level": self.read_level, "guaranteed": self.guaranteed,
                "operations": len(self.records), "read_availability": self.availability("get"),
                "write_availability": self.availability("put"), "stale_reads": self.stale_reads,
                "read_latency_ms": {dc: self.percentiles_ms("get", clients=names) for dc, names in by_dc.items()},
                "write_latency_ms": {dc: self.percentiles_ms("put", clients=names) for dc, names in by_dc.items()}}


def _check(write_level: str, read_level: str, rf: object, clients: Sequence[str], failed: Sequence[str],
           keys: int, ops_per_client: int, read_fraction: float, timeout: float, seed: int) -> tuple[dict[str, int],
                                                                                           tuple[str, ...]]:
    check_level("write_level", write_level)
    check_level("read_level", read_level)
    rf = check_rf(dict(rf) if isinstance(rf, (Mapping, tuple, list)) else rf)
    for i, dc in enumerate(rf):
        check_region(f"rf's data centre {i}", dc)
    where = check_regions("clients", clients)
    for i, dc in enumerate(where):
        if dc not in rf:
            raise ValueError(f"clients[{i}] must be one of the data centres {list(rf)}, got {dc!r}")
    nodes = [f"{dc}{i}" for dc, n in rf.items() for i in range(n)]
    for i, target in enumerate(failed):
        if target not in rf and target not in nodes:
            raise ValueError(f"failed[{i}] must name a data centre or a node, one of {list(rf) + nodes}, "
                             f"got {target!r}")
    check_workload(keys, ops_per_client, read_fraction, seed)
    check_seconds("timeout", timeout, 0.0, 3600.0, open_low=True)
    return rf, where


def run_cassandra(*, write_level: str = "QUORUM", read_level: str = "QUORUM",
                  rf: Mapping[str, int] | Sequence[tuple[str, int]] = DEFAULT_RF,
                  clients: Sequence[str] = ("virginia", "ireland"), failed: Sequence[str] = (), keys: int = 1,
                  ops_per_client: int = 20, read_fraction: float = 0.5, think_time: Latency = CASSANDRA_THINK,
                  timeout: float = 1.0, link_latency: LinkLatency | None = None, seed: int = 0) -> CassandraRun:
    """One seeded run: levels for writes and reads, ``rf`` replicas per data centre (region slugs),
    clients' data centres, data centres or nodes ``failed`` for the whole run; each client makes
    ``ops_per_client`` reads and writes of ``keys`` keys. Same settings, same numbers."""
    rf_map, where = _check(write_level, read_level, rf, clients, failed, keys, ops_per_client, read_fraction,
                           timeout, seed)
    sim = Simulation(seed, trace=False)
    replicas = {dc: tuple(f"{dc}{i}" for i in range(n)) for dc, n in rf_map.items()}
    every = tuple(node for nodes in replicas.values() for node in nodes)
    settings = NodeSettings(HashRing(every), len(every), 1.0, None)
    for node in every:
        sim.add(StorageNode(node, settings))
    recorder = HistoryRecorder(lambda: sim.now)
    records: list[TxnRecord] = []
    workload = Workload(keys, ops_per_client, float(read_fraction), think_time)
    names = tuple(f"c{i}" for i in range(len(where)))
    procs = [sim.add(CassandraClient(name, i, workload, recorder, records,
                                     Levels(write_level, read_level, replicas, where[i], float(timeout))))
             for i, name in enumerate(names)]
    places = {node: dc for dc, nodes in replicas.items() for node in nodes}
    wire(sim, places | dict(zip(names, where)), names, link_latency)
    down = [node for target in failed for node in replicas.get(target, (target,))]
    FaultSchedule([Fault(0.0, "crash", (node,)) for node in dict.fromkeys(down)]).install(sim)
    sim.run(until=lambda _: all(p.finished for p in procs))
    return CassandraRun(tuple(records), recorder.history(), {}, write_level, read_level, rf_map, where, tuple(failed))


def run_levels(**settings: Any) -> dict[tuple[str, str], CassandraRun]:
    """:func:`run_cassandra` for every (write level, read level) pair with the same other settings:
    the latency / availability / staleness table, keyed ``(write, read)``."""
    return {(w, r): run_cassandra(**settings, write_level=w, read_level=r) for w in LEVELS for r in LEVELS}
