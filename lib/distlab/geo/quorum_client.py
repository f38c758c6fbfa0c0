"""The coordinator: a client that sends each operation to a key's replicas and waits for a quorum.

Coordination is client-driven (Dynamo §4.5 describes it as the low-latency option; Voldemort and
Riak clients can do the same): the client computes the key's preference list from the ring and
talks to the replicas itself, so an operation's latency is the round trips to the replicas it
waits for.

* **Write**: stamp the value with a :class:`~distlab.geo.quorum_node.Version` (the client's clock,
  its index, its request number), send it to the ``n`` owners, succeed at ``w`` acknowledgements.
* **Read**: ask the ``n`` owners, succeed at ``r`` answers, return the newest of them.
* **Sloppy quorum**: every ``retry_after`` seconds while the quorum is short, each replica that has
  not answered is replaced by the next untried node clockwise on the ring; a write sent there carries
  a hint naming the owner it stands in for (Dynamo §4.6). A strict quorum never leaves the owners.
* **Read repair** (on/off): the coordinator keeps listening after it answered, until the operation's
  timeout, and sends the newest version to every owner that answered with an older one.
* An operation that misses its quorum within ``timeout`` fails: a read is recorded ``fail``, a
  write ``info`` (it may still have reached some replicas).
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from distlab.geo.quorum_node import ABSENT, NO_VERSION, Get, GetReply, Put, PutAck, Repair, Version, Versioned
from distlab.geo.ring import HashRing
from distlab.sim import HistoryRecorder, Latency, Process

__all__ = ["ClientSettings", "OpRecord", "Pending", "QuorumClient"]


@dataclass(frozen=True)
class ClientSettings:
    """What every client knows: the ring, the quorum, the workload and the mechanisms switched on."""

    ring: HashRing
    n: int
    w: int
    r: int
    keys: int
    ops: int
    read_fraction: float
    think_time: Latency
    timeout: float
    retry_after: float
    sloppy: bool
    read_repair: bool


class OpRecord(NamedTuple):
    """How one operation went: who, what, when (seconds), its status (``ok``/``fail``/``info``), the
    version written or read (``NO_VERSION`` for a read of a never-written key), and the nodes that
    made up its quorum (``substitutes`` of them were not owners)."""

    client: str
    f: str
    key: str
    start: float
    end: float
    status: str
    version: Version
    value: str
    quorum: tuple[str, ...]
    substitutes: int

    @property
    def latency(self) -> float:
        """Seconds from invocation to completion."""
        return self.end - self.start


@dataclass(slots=True)
class Pending:
    """An operation in flight (and, for a read, still collecting answers for read repair)."""

    op: int                      # the recorder's operation id
    req: int
    f: str
    key: str
    start: float
    item: Versioned              # a write's value; a read's newest answer so far
    owners: tuple[str, ...]
    sent: dict[str, str] = field(default_factory=dict)        # node -> the owner it stands for
    replaced: set[str] = field(default_factory=set)           # silent nodes a substitute took over from
    answered: dict[str, Version] = field(default_factory=dict)  # node -> version it holds (reads) / acked (writes)
    done: bool = False


class QuorumClient(Process):
    """Issues ``settings.ops`` operations one at a time, coordinating each quorum itself."""

    issued = 0                       # class defaults: the run's stop test may look before on_start ran
    current: Pending | None = None

    def __init__(self, pid: str, index: int, settings: ClientSettings, recorder: HistoryRecorder,
                 records: list[OpRecord]) -> None:
        super().__init__(pid)
        self.index, self.settings, self.recorder, self.records = index, settings, recorder, records

    def on_start(self) -> None:
        """Start the workload after a think time."""
        self.req = 0
        self.issued = 0
        self.current = None
        self.open: dict[int, Pending] = {}   # operations still listening, until their timeout
        self.set_timer("next", self.settings.think_time.sample(self.rng))

    @property
    def finished(self) -> bool:
        """Whether every operation of the workload has ended."""
        return self.issued >= self.settings.ops and self.current is None

    def issue(self) -> None:
        """Pick a key and a read or a write, record the invocation, send it to the key's owners."""
        s, rng = self.settings, self.rng
        key = f"k{rng.randrange(s.keys)}"
        self.req += 1
        self.issued += 1
        now = self.sim.now
        self.open = {req: p for req, p in self.open.items() if now - p.start < s.timeout}
        owners = s.ring.preference_list(key, s.n)
        if rng.random() < s.read_fraction:
            op = self.recorder.invoke(self.pid, "get", None, key)
            cur = Pending(op, self.req, "get", key, now, ABSENT, owners)
        else:
            item = Versioned(Version(self.now, self.index, self.req), f"{self.pid}.{self.req}")
            op = self.recorder.invoke(self.pid, "put", item.value, key)
            cur = Pending(op, self.req, "put", key, now, item, owners)
        self.current = self.open[self.req] = cur
        for owner in owners:
            self.contact(cur, owner, owner)
        self.set_timer("timeout", s.timeout, self.req)
        if s.sloppy:
            self.set_timer(f"retry/{self.req}", s.retry_after, self.req)

    def contact(self, cur: Pending, node: str, owner: str) -> None:
        """Send ``cur`` to ``node``, standing in for ``owner`` (itself when it is an owner)."""
        cur.sent[node] = owner
        if cur.f == "get":
            self.send(node, Get(cur.req, cur.key))
        else:
            self.send(node, Put(cur.req, cur.key, cur.item, None if node == owner else owner))

    def on_timer(self, name: str, data: Any) -> None:
        """``next``: issue; ``timeout``: give up on the operation; ``retry/<req>``: widen a sloppy quorum."""
        cur = self.current
        if name == "next":
            self.issue()
        elif name == "timeout" and cur is not None and cur.req == data:
            self.finish(cur, "fail" if cur.f == "get" else "info")
        elif name.startswith("retry/") and data in self.open:
            pending = self.open[data]
            if self.sim.now - pending.start < self.settings.timeout and self.widen(pending):
                self.set_timer(name, self.settings.retry_after, data)

    def widen(self, cur: Pending) -> bool:
        """Sloppy quorum: replace each replica that has not answered by the next untried node clockwise.
        A write goes on doing so after it succeeded, so that it reaches ``n`` nodes (owners or
        substitutes holding hints), as Dynamo's coordinator sends to the first ``n`` healthy nodes.
        Returns whether to look again later (someone is still silent and a node is left to try)."""
        if cur.f == "get" and cur.done:
            return False
        for node, substitute in zip(self._silent(cur), self._spare(cur)):
            cur.replaced.add(node)
            self.contact(cur, substitute, cur.sent[node])
        return bool(self._silent(cur)) and bool(self._spare(cur))

    def _silent(self, cur: Pending) -> list[str]:
        return [node for node in cur.sent if node not in cur.answered and node not in cur.replaced]

    def _spare(self, cur: Pending) -> list[str]:
        return [node for node in self.settings.ring.walk(cur.key) if node not in cur.sent]

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Count acknowledgements and answers (late ones still feed hinted writes and read repair)."""
        pending = self.open.get(msg.req) if isinstance(msg, (PutAck, GetReply)) else None
        if pending is None:
            return
        node = str(src)
        if isinstance(msg, GetReply):
            self.answer(pending, node, msg.item)
        elif node in pending.sent:
            pending.answered[node] = pending.item.version
            if not pending.done and len(pending.answered) >= self.settings.w:
                self.finish(pending, "ok")

    def answer(self, read: Pending, node: str, item: Versioned) -> None:
        """One read answer: keep the newest, repair owners behind it, finish at ``r`` answers."""
        if item.version > read.item.version:
            read.item = item
        read.answered[node] = item.version
        if self.settings.read_repair:
            for other, version in read.answered.items():
                if version < read.item.version and other in read.owners:
                    self.send(other, Repair(read.key, read.item))
                    read.answered[other] = read.item.version
        if not read.done and len(read.answered) >= self.settings.r:
            self.finish(read, "ok")

    def finish(self, cur: Pending, status: str) -> None:
        """Record how the operation ended and schedule the next one."""
        cur.done = True
        if self.current is cur:
            self.current = None
        self.cancel_timer("timeout")
        if status == "ok":
            self.recorder.ok(cur.op, cur.item.value if cur.f == "get" else None)
        elif status == "fail":
            self.recorder.fail(cur.op)
        else:
            self.recorder.info(cur.op)
        version = cur.item.version if status == "ok" or cur.f == "put" else NO_VERSION
        quorum = tuple(cur.answered)
        subs = sum(1 for node in quorum if node not in cur.owners)
        self.records.append(OpRecord(str(self.pid), cur.f, cur.key, cur.start, self.sim.now, status, version,
                                     cur.item.value, quorum, subs))
        if self.issued < self.settings.ops:
            self.set_timer("next", self.settings.think_time.sample(self.rng))
