"""etcd, ZooKeeper and Consul side by side, and the lecture's "how to choose", as plain data and a
pure function (the notebook's interactive chooser is a view over these; nothing here draws).

All three run a consensus protocol among 3 or 5 servers and offer the same few primitives -- a small
strongly consistent store, ownership tied to a client's liveness (leases, ephemeral nodes,
sessions), conditional updates, change notification. They differ in data model, in how reads are
served, and in what else comes in the box. Facts are summarised in our own words from each project's
documentation (etcd.io "API guarantees" and "Limits"; zookeeper.apache.org "Programmer's Guide";
developer.hashicorp.com/consul "Consistency modes", "KV store", "Sessions").
"""
from __future__ import annotations

from typing import Any, NamedTuple

ASPECTS = ("consensus", "data_model", "liveness", "api", "consistency", "watches", "strengths",
           "limits")


class System(NamedTuple):
    """One coordination service, aspect by aspect (:data:`ASPECTS`), in a sentence or two each."""

    name: str
    consensus: str
    data_model: str
    liveness: str     # how ownership is tied to a client being alive
    api: str
    consistency: str
    watches: str
    strengths: str
    limits: str


SYSTEMS = {
    "etcd": System(
        "etcd", "Raft",
        "a flat, ordered key space; every change gets a global revision (MVCC); keys remember "
        "create/mod revision and version",
        "leases: keys attached to a lease with a TTL vanish when it is not kept alive",
        "gRPC (and a JSON gateway): Range, Put, DeleteRange, Txn (compare-then-else), Lease, Watch; "
        "election and mutex helpers in the client library",
        "linearizable writes and, by default, linearizable reads (read index); optional 'serializable' "
        "reads (etcd's name for a read one server answers from its own copy, not chapter 3's "
        "serializability) are local and possibly stale",
        "streams from any past revision still kept, so no change is missed between read and watch",
        "small API with real transactions; revisions are ready-made fencing tokens; the store under "
        "Kubernetes",
        "small data only (1.5 MiB per request, 2 GiB default quota); one leader and an fsync per "
        "write bound throughput; old revisions must be compacted; one cluster spans one region"),
    "zookeeper": System(
        "ZooKeeper", "Zab (ZooKeeper Atomic Broadcast)",
        "a tree of znodes named by paths, each with a little data (1 MB max), versions, and "
        "optional ephemeral and sequential flags",
        "sessions: an ephemeral znode disappears when its client's session times out",
        "create, delete, exists, getData, setData (conditional on a version), getChildren, multi; "
        "locks, elections, barriers and queues as recipes (Apache Curator)",
        "writes linearizable (one leader orders them); reads served by any server: each client "
        "sees a consistent, in-order but possibly stale view -- call sync() first to catch up",
        "one-shot triggers: set again after each event, so intermediate changes can be skipped "
        "(you read the latest state)",
        "mature and battle-tested (Hadoop, HBase, Kafka before KRaft); sequential ephemeral nodes "
        "give herd-free fair locks; reads scale with the number of servers",
        "a JVM to operate and tune (a GC pause can expire sessions); one-shot watches; no service "
        "catalogue or health checks; stale reads unless sync()"),
    "consul": System(
        "Consul", "Raft within a datacenter; gossip (SWIM/Serf) for membership",
        "a service catalogue (nodes, services, health checks) plus a flat key-value store "
        "(512 KB values)",
        "sessions, tied to health checks or a TTL; a key acquired with a session is released "
        "when the session is invalidated",
        "HTTP/JSON and DNS; KV with check-and-set on ModifyIndex and acquire/release; health "
        "checks; service mesh",
        "three read modes: default (leader, may be stale briefly after a leader change), "
        "consistent (linearizable, the leader confirms with a quorum), stale (any server)",
        "blocking queries: a long poll that returns when the index moves past the one you had",
        "service discovery with health checks and DNS built in; multi-datacenter by design; "
        "agents on every node",
        "the KV store is a side feature; strong consistency only inside one datacenter; a "
        "blocking query returns the latest state, not every change; BSL license since 2023"),
}


def table() -> list[list[str]]:
    """The comparison as rows ``[aspect, etcd, ZooKeeper, Consul]`` (a header row first)."""
    rows = [["aspect"] + [s.name for s in SYSTEMS.values()]]
    for aspect in ASPECTS:
        rows.append([aspect] + [getattr(s, aspect) for s in SYSTEMS.values()])
    return rows


ECOSYSTEMS = ("none", "kubernetes", "hadoop", "kafka", "hashicorp")
NUMBER_RANGES = {"data_mb": (0, 100_000), "writes_per_second": (0, 1_000_000)}  # the number questions


class Need(NamedTuple):
    """One input of the chooser: its ``kind`` ("bool", "number" or "choice"), its ``choices``
    (``(low, high)`` for a number, the options for a choice, None for a yes/no) and the question."""

    kind: str
    choices: tuple[Any, ...] | None
    question: str


# The chooser's inputs, for a view to build its controls from.
NEEDS = {
    "single_process": Need("bool", None, "Does everything that must agree run in one process?"),
    "data_mb": Need("number", NUMBER_RANGES["data_mb"], "How much data must the service hold (MB)?"),
    "writes_per_second": Need("number", NUMBER_RANGES["writes_per_second"], "Sustained writes per second?"),
    "service_discovery": Need("bool", None, "Do you need service discovery with health checks?"),
    "multi_datacenter": Need("bool", None, "Must it span several datacenters?"),
    "ecosystem": Need("choice", ECOSYSTEMS, "What do you already run?"),
    "watch_every_change": Need("bool", None, "Must watchers see every change, not just the latest?"),
}


class Choice(NamedTuple):
    """The chooser's answer: which ``system`` to use and the ``reason``, in one sentence."""

    system: str      # "etcd", "zookeeper", "consul", "none" or "database"
    reason: str


def choose_coordination(*, single_process: bool = False, data_mb: float = 1.0,
                        writes_per_second: float = 100.0, service_discovery: bool = False,
                        multi_datacenter: bool = False, ecosystem: str = "none",
                        watch_every_change: bool = False) -> Choice:
    """The lecture's "how to choose", as rules tried in order:

    1. one process -> no coordination service: a local mutex (and no network to fail);
    2. lots of data (> 1 GB) or a high write rate (> 10,000/s) -> a database, not a coordination
       service: these keep small, critical metadata (who leads, who holds the lock, where services
       are) and every write is a consensus round;
    3. you already run one -- Kubernetes brings etcd, Hadoop/HBase/older Kafka bring ZooKeeper, the
       HashiCorp stack brings Consul -> use that one (one fewer quorum to operate) unless it cannot
       do what you need;
    4. service discovery with health checks, or several datacenters -> Consul;
    5. otherwise -> etcd: leases, transactions and revision-numbered watches are exactly the
       primitives of election, locks with fencing tokens and registries.
    """
    for name, flag in (("single_process", single_process), ("service_discovery", service_discovery),
                       ("multi_datacenter", multi_datacenter),
                       ("watch_every_change", watch_every_change)):
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    for name, number in (("data_mb", data_mb), ("writes_per_second", writes_per_second)):
        low, high = NUMBER_RANGES[name]
        if not isinstance(number, (int, float)) or isinstance(number, bool) or not low <= number <= high:
            raise ValueError(f"{name} must be a number from {low} to {high}, got {number!r}")
    if ecosystem not in ECOSYSTEMS:
        raise ValueError(f"ecosystem must be one of {ECOSYSTEMS}, got {ecosystem!r}")

    if single_process:
        return Choice("none", "everything runs in one process: a local mutex does it, with no "
                              "quorum to run and no network to fail")
    if data_mb > 1000 or writes_per_second > 10_000:
        return Choice("database", "coordination services hold small, critical metadata and run a "
                                  "consensus round per write: store bulk data or heavy write "
                                  "traffic in a database and keep only ownership here")
    wants_consul = service_discovery or multi_datacenter
    if ecosystem == "kubernetes" and not wants_consul:
        return Choice("etcd", "Kubernetes already runs etcd: leases, transactions and watches "
                              "from a revision, with no new quorum to operate")
    if ecosystem in ("hadoop", "kafka") and not wants_consul and not watch_every_change:
        return Choice("zookeeper", "your stack already runs ZooKeeper: ephemeral sequential "
                                   "znodes give locks and elections (Curator recipes)")
    if ecosystem in ("hadoop", "kafka") and not wants_consul:
        return Choice("etcd", "your stack runs ZooKeeper, but its watches are one-shot triggers that can skip "
                              "changes made before they are set again; etcd's watch from a revision delivers "
                              "every change, as you need")
    if ecosystem == "hashicorp" or wants_consul:
        return Choice("consul", "service discovery with health checks and DNS, and several "
                                "datacenters, come built in; KV with sessions covers locks")
    return Choice("etcd", "the default: a small linearizable store whose leases, compare-and-put "
                          "transactions and revision-numbered watches are exactly what election, "
                          "fenced locks and registries need")


#: answers tried for each number question when looking for questions that cannot change the choice
#: (each side of the chooser's thresholds: 1 GB of data, 10,000 writes a second)
PROBES: dict[str, tuple[float, ...]] = {"data_mb": (0.1, 100_000.0), "writes_per_second": (0.1, 1_000_000.0)}


def settings_without_effect(**settings: Any) -> tuple[str, ...]:
    """The questions of `NEEDS` that no other answer of theirs would change the choice for, the
    other answers staying as in `settings` (keywords of `choose_coordination`): with "one process"
    ticked, every other question; with a Hadoop stack, whether watchers must see every change
    decides between ZooKeeper and etcd, but with no stack it changes nothing. A chooser greys them
    out, so that a question that changes nothing says so."""
    answer = choose_coordination(**settings)
    idle = []
    for name, (kind, choices, _question) in NEEDS.items():
        values: tuple[Any, ...] = {"bool": (True, False), "number": PROBES.get(name, ())}.get(kind, choices or ())
        if all(choose_coordination(**{**settings, name: value}) == answer for value in values):
            idle.append(name)
    return tuple(idle)
