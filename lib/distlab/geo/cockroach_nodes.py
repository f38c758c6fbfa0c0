"""The processes of the CockroachDB model: a leaseholder with HLC timestamps, a timestamp cache and
uncertainty checks; Raft followers; gateways that start each transaction at their HLC.

(Taft et al., "CockroachDB: The Resilient Geo-Distributed SQL Database", SIGMOD 2020, sections
3.3-3.4 and 4; CockroachDB's documentation on transaction layer timestamps and uncertainty.)

* Every node keeps a **hybrid logical clock** (:class:`~distlab.geo.clocks.HLC`) over its physical
  clock (µs, skewed by the kernel's fault) and updates it from the clock every message carries (a
  request's timestamp, an answer's ``clock``).
* **Writes**: the gateway stamps the transaction with its HLC and sends it to the key's
  leaseholder. The leaseholder pushes the timestamp above any read it has served on the key (the
  **timestamp cache**) and above the newest version (write-too-old), waits for an earlier write's
  intent on the key to resolve, replicates to a Raft majority, applies, answers.
* **Reads**: the gateway takes ``read_ts = HLC.now()`` and an **uncertainty limit**
  ``read_ts.wall + max_offset``. A version above ``read_ts`` but at or below the limit may have been
  written *before* the read began (its writer's clock may have been ahead), so the leaseholder
  refuses to decide: it answers :class:`Uncertain` and the gateway **restarts** the read at that
  version's timestamp (``ReadWithinUncertaintyIntervalError``), keeping the limit. An intent at or
  below the limit makes the read wait for it first. With ``uncertainty=False`` the check is skipped
  and the read returns the older version: a stale read whenever the clocks disagree.

Left out: observed timestamps (a read that already heard the leaseholder's clock needs no
uncertainty beyond it), follower reads, multi-key transactions and their intents' records, and the
nodes that shut themselves down when their clock strays beyond 80 % of the maximum offset.
"""
from __future__ import annotations

import bisect
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from distlab.geo.clocks import HLC, HLC_ZERO, physical_reading
from distlab.geo.clocks_workload import Pending, TxnClient, Workload
from distlab.sim import HistoryRecorder, Process

__all__ = ["CrdbClient", "CrdbFollower", "CrdbSettings", "Get", "GetOk", "Leaseholder", "Put", "PutOk", "Replicate",
           "Replicated", "Uncertain"]


class Put(NamedTuple):
    """Gateway -> leaseholder: write ``value`` to ``key`` at (at least) ``ts``."""

    req: int
    key: str
    value: str
    ts: HLC


class PutOk(NamedTuple):
    """Leaseholder -> gateway: committed at ``ts``; ``clock`` is the leaseholder's HLC."""

    req: int
    ts: HLC
    clock: HLC


class Get(NamedTuple):
    """Gateway -> leaseholder: read ``key`` at ``ts``, uncertain up to wall ``limit`` (µs)."""

    req: int
    key: str
    ts: HLC
    limit: int


class GetOk(NamedTuple):
    """Leaseholder -> gateway: ``value`` of version ``version`` (``HLC(-1, 0)``: never written)."""

    req: int
    value: str
    version: HLC
    clock: HLC


class Uncertain(NamedTuple):
    """Leaseholder -> gateway: a version at ``ts`` lies in the read's uncertainty interval; restart there."""

    req: int
    ts: HLC
    clock: HLC


class Replicate(NamedTuple):
    """Leaseholder -> follower: append the write of ``slot`` to the Raft log."""

    slot: int


class Replicated(NamedTuple):
    """Follower -> leaseholder: ``slot`` is appended."""

    slot: int


NEVER = HLC(-1, 0)


@dataclass(frozen=True)
class CrdbSettings:
    """The cluster's maximum clock offset (µs), whether reads check uncertainty, the Raft followers."""

    max_offset: int
    uncertainty: bool
    followers: tuple[str, ...] = ()


class HlcNode(Process):
    """A process with a hybrid logical clock over its (skewed) physical clock, in µs."""

    def on_start(self) -> None:
        """The clock starts below any reading."""
        self.hlc = HLC_ZERO

    def clock_now(self) -> HLC:
        """Tick the HLC for a local event or a send, and return it."""
        self.hlc = self.hlc.tick(physical_reading(self.now))
        return self.hlc

    def clock_update(self, sent: HLC) -> HLC:
        """Take a received clock into account, and return the HLC."""
        self.hlc = self.hlc.receive(physical_reading(self.now), sent)
        return self.hlc


class CrdbFollower(Process):
    """A Raft follower: acknowledges each append (its copy is not read in this model)."""

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Acknowledge an append."""
        if isinstance(msg, Replicate):
            self.send(src, Replicated(msg.slot))


@dataclass(slots=True)
class Intent:
    """A write being replicated: provisional until a majority holds it."""

    client: Hashable
    msg: Put
    ts: HLC
    acks: int = 1


@dataclass(slots=True)
class Lock:
    """Requests queued behind a key's intent, in arrival order."""

    queue: list[tuple[Hashable, Any]] = field(default_factory=list)


class Leaseholder(HlcNode):
    """The leaseholder of every key: serializes writes per key, serves reads with uncertainty checks."""

    def __init__(self, pid: str, settings: CrdbSettings) -> None:
        super().__init__(pid)
        self.settings = settings
        self.majority = (len(settings.followers) + 1) // 2 + 1

    def on_start(self) -> None:
        """An empty multi-version store, timestamp cache and lock table."""
        super().on_start()
        self.versions: dict[str, list[tuple[HLC, str]]] = {}
        self.tscache: dict[str, HLC] = {}
        self.intents: dict[int, Intent] = {}
        self.locks: dict[str, Lock] = {}
        self.slot = 0

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Every request updates the HLC; writes and reads wait behind a key's intent."""
        if isinstance(msg, Replicated):
            self.replicated(msg.slot)
            return
        self.clock_update(msg.ts)
        lock = self.locks.get(msg.key)
        if lock is not None and (isinstance(msg, Put) or self._blocks(msg)):
            lock.queue.append((src, msg))
        elif isinstance(msg, Put):
            self.write(src, msg)
        elif isinstance(msg, Get):
            self.read(src, msg)

    def _blocks(self, msg: Get) -> bool:
        """Whether the key's intent lies at or below the read's uncertainty limit."""
        return any(i.msg.key == msg.key and i.ts.wall <= msg.limit for i in self.intents.values())

    def write(self, src: Hashable, msg: Put) -> None:
        """Push the timestamp above reads served and the newest version, lay an intent, replicate."""
        ts = msg.ts
        floor = max(self.tscache.get(msg.key, NEVER), self.newest(msg.key))
        if ts <= floor:
            ts = floor.next()
        self.slot += 1
        self.intents[self.slot] = Intent(src, msg, ts)
        self.locks[msg.key] = Lock()
        self.broadcast(Replicate(self.slot), self.settings.followers)
        self.replicated(self.slot, ack=False)

    def replicated(self, slot: int, ack: bool = True) -> None:
        """Count an acknowledgement; at a majority apply the write, answer, let the queue through."""
        intent = self.intents.get(slot)
        if intent is None:
            return
        intent.acks += ack
        if intent.acks < self.majority:
            return
        del self.intents[slot]
        key = intent.msg.key
        bisect.insort(self.versions.setdefault(key, []), (intent.ts, intent.msg.value))
        self.send(intent.client, PutOk(intent.msg.req, intent.ts, self.clock_now()))
        queue = self.locks.pop(key).queue
        for src, msg in queue:
            self.on_message(src, msg)

    def newest(self, key: str) -> HLC:
        """The timestamp of the key's newest version."""
        held = self.versions.get(key)
        return held[-1][0] if held else NEVER

    def read(self, src: Hashable, msg: Get) -> None:
        """Answer with the newest version at or below ``ts``, or :class:`Uncertain` if one lies in
        ``(ts, limit]`` and uncertainty is checked; remember the read in the timestamp cache."""
        self.tscache[msg.key] = max(self.tscache.get(msg.key, NEVER), msg.ts)
        held = self.versions.get(msg.key, [])
        i = bisect.bisect_right(held, (msg.ts, "\uffff"))
        if self.settings.uncertainty:
            uncertain = [ts for ts, _ in held[i:] if ts.wall <= msg.limit]
            if uncertain:
                self.send(src, Uncertain(msg.req, uncertain[-1], self.clock_now()))
                return
        version, value = held[i - 1] if i else (NEVER, "")
        self.send(src, GetOk(msg.req, value, version, self.clock_now()))


class CrdbClient(TxnClient, HlcNode):
    """A client beside its gateway node: transactions start at the gateway's HLC."""

    def __init__(self, pid: str, workload: Workload, recorder: HistoryRecorder, records: list[Any],
                 leaseholder: str, max_offset: int) -> None:
        super().__init__(pid, workload, recorder, records)
        self.leaseholder, self.max_offset = leaseholder, max_offset

    def on_start(self) -> None:
        """The gateway's clock starts below any reading; the workload starts."""
        HlcNode.on_start(self)
        TxnClient.on_start(self)

    def begin(self, cur: Pending) -> None:
        """Stamp the operation with the gateway's HLC (a read also gets its uncertainty limit)."""
        ts = self.clock_now()
        if cur.f == "get":
            cur.extra = ts.wall + self.max_offset
            self.send(self.leaseholder, Get(cur.req, cur.key, ts, cur.extra))
        else:
            self.send(self.leaseholder, Put(cur.req, cur.key, cur.value, ts))

    def on_message(self, src: Hashable, msg: Any) -> None:
        """An answer ends the operation; an uncertainty error restarts the read at the version's timestamp."""
        cur = self.current
        if cur is None or msg.req != cur.req:
            return
        self.clock_update(msg.clock)
        if isinstance(msg, Uncertain):
            cur.restarts += 1
            self.send(self.leaseholder, Get(cur.req, cur.key, msg.ts, cur.extra))
        elif isinstance(msg, PutOk):
            self.finish(cur.value, msg.ts)
        elif isinstance(msg, GetOk):
            self.finish(msg.value, msg.version)
