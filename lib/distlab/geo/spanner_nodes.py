"""The processes of the Spanner model: a Paxos leader that assigns TrueTime timestamps, its followers,
and clients that read at ``TT.now().latest`` (Corbett et al., OSDI 2012, sections 4.1-4.2).

**Writes** go to the leader of the key's Paxos group. The leader gives each write the timestamp
``s = max(TT.now().latest, last + 1)`` (timestamps rise monotonically at a leader, section 4.1.2),
sends it to its followers, and applies it once (a) a majority holds it and (b) **commit wait** is
over -- ``TT.after(s)`` on the leader's clock. The two overlap, as in the paper: a commit costs
``max(majority round trip, 2 * epsilon)``. With ``commit_wait=False`` (b) is skipped.

**Reads** are the paper's strong read-only transactions in the general case (section 4.1.4): the
client takes ``s_read = TT.now().latest`` on its own clock and asks the leader for the newest version
at or below ``s_read``. The leader answers once it is **safe** at ``s_read`` (section 4.1.3): no
write it has not applied can have a timestamp at or below ``s_read`` -- every pending one is above
it, and its own ``TT.now().latest`` has passed ``s_read``, so every future one gets a larger
timestamp. A reader whose clock is ahead of the leader's waits for that. (The paper
lets any up-to-date replica serve, and a single-group read use the leader's last timestamp instead
of ``TT.now()``; both are left out: reads go to the leader.)
"""
from __future__ import annotations

import bisect
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.geo.clocks_workload import Pending, TxnClient, Workload
from distlab.geo.truetime import TTInterval, tt_now, wait_for_after, wait_for_latest
from distlab.sim import HistoryRecorder, Process

__all__ = ["Accept", "Accepted", "Read", "ReadOk", "SpannerClient", "SpannerFollower", "SpannerLeader",
           "SpannerSettings", "Write", "WriteOk"]


class Write(NamedTuple):
    """Client -> leader: write ``value`` to ``key``."""

    req: int
    key: str
    value: str


class WriteOk(NamedTuple):
    """Leader -> client: the write committed at ``ts`` (µs) after ``waited`` seconds of commit wait."""

    req: int
    ts: int
    waited: float


class Read(NamedTuple):
    """Client -> leader: read ``key`` at timestamp ``ts`` (the client's ``TT.now().latest``)."""

    req: int
    key: str
    ts: int


class ReadOk(NamedTuple):
    """Leader -> client: ``value`` (version ``version``) after ``waited`` seconds waiting for safe time."""

    req: int
    value: str
    version: int
    waited: float


class Accept(NamedTuple):
    """Leader -> follower: hold the write of log ``slot`` (Paxos with a leader lease: one round trip)."""

    slot: int


class Accepted(NamedTuple):
    """Follower -> leader: ``slot`` is held."""

    slot: int


@dataclass(frozen=True)
class SpannerSettings:
    """What the leader knows: TrueTime's ``epsilon`` (s), whether commit wait is on, its followers."""

    epsilon: float
    commit_wait: bool
    followers: tuple[str, ...]


@dataclass(slots=True)
class PendingWrite:
    """A write the leader has timestamped but not applied."""

    client: Hashable
    req: int
    key: str
    value: str
    ts: int
    assigned: float              # the leader's local clock when it took the timestamp
    acks: int = 1                # the leader holds it
    waited: float | None = None  # commit wait, once over


@dataclass(slots=True)
class WaitingRead:
    """A read the leader cannot serve yet."""

    client: Hashable
    msg: Read
    arrived: float
    safe: bool = False           # TT.now().latest > ts seen on the leader's clock


class SpannerFollower(Process):
    """A Paxos follower: acknowledges each accept (its copy is not read in this model)."""

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Acknowledge an accept."""
        if isinstance(msg, Accept):
            self.send(src, Accepted(msg.slot))


class SpannerLeader(Process):
    """The Paxos leader of every key: timestamps, replicates, commit-waits, applies, serves reads."""

    def __init__(self, pid: str, settings: SpannerSettings) -> None:
        super().__init__(pid)
        self.settings = settings
        self.majority = (len(settings.followers) + 1) // 2 + 1

    def on_start(self) -> None:
        """An empty multi-version store."""
        self.versions: dict[str, list[tuple[int, str]]] = {}
        self.last_ts = 0
        self.pending: dict[int, PendingWrite] = {}
        self.reads: dict[int, WaitingRead] = {}
        self.next_id = 0

    def tt(self) -> TTInterval:
        """``TT.now()`` on this leader's clock."""
        return tt_now(self.now, self.settings.epsilon)

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Writes, follower acknowledgements and reads."""
        if isinstance(msg, Write):
            self.begin_write(src, msg)
        elif isinstance(msg, Accepted) and msg.slot in self.pending:
            self.pending[msg.slot].acks += 1
            self.try_apply(msg.slot)
        elif isinstance(msg, Read):
            self.next_id += 1
            self.reads[self.next_id] = WaitingRead(src, msg, self.now)
            self.try_read(self.next_id)

    def begin_write(self, src: Hashable, msg: Write) -> None:
        """Timestamp the write, send it to the followers, start commit wait."""
        ts = max(self.tt().latest, self.last_ts + 1)
        self.last_ts = ts
        self.next_id += 1
        slot = self.next_id
        self.pending[slot] = PendingWrite(src, msg.req, msg.key, msg.value, ts, self.now)
        self.broadcast(Accept(slot), self.settings.followers)
        if self.settings.commit_wait:
            self.set_timer(f"commit/{slot}", wait_for_after(self.now, ts, self.settings.epsilon), slot)
        else:
            self.pending[slot].waited = 0.0
        self.try_apply(slot)

    def on_timer(self, name: str, data: Any) -> None:
        """``commit/<slot>``: commit wait may be over; ``read/<id>``: a read may be safe."""
        if name.startswith("commit/") and data in self.pending:
            w = self.pending[data]
            if self.tt().after(w.ts):
                w.waited = self.now - w.assigned
                self.try_apply(data)
            else:                                    # float rounding: look again a moment later
                self.set_timer(name, wait_for_after(self.now, w.ts, self.settings.epsilon) + 1e-7, data)
        elif name.startswith("read/") and data in self.reads:
            self.try_read(data)

    def try_apply(self, slot: int) -> None:
        """Apply the write once a majority holds it and commit wait is over; then retry waiting reads."""
        w = self.pending[slot]
        if w.acks < self.majority or w.waited is None:
            return
        del self.pending[slot]
        bisect.insort(self.versions.setdefault(w.key, []), (w.ts, w.value))
        self.send(w.client, WriteOk(w.req, w.ts, w.waited))
        for rid in list(self.reads):
            self.try_read(rid)

    def try_read(self, rid: int) -> None:
        """Serve the read once safe at its timestamp: ``TT.now().latest`` here past it, no pending write at or below."""
        r = self.reads[rid]
        ts = r.msg.ts
        if not r.safe:
            if not self.tt().latest > ts:
                self.set_timer(f"read/{rid}", wait_for_latest(self.now, ts, self.settings.epsilon) + 1e-7, rid)
                return
            r.safe = True
        if any(w.ts <= ts for w in self.pending.values()):
            return                                   # tried again when a write applies
        del self.reads[rid]
        held = self.versions.get(r.msg.key, [])
        i = bisect.bisect_right(held, (ts, "\uffff"))
        version, value = held[i - 1] if i else (-1, "")
        self.send(r.client, ReadOk(r.msg.req, value, version, self.now - r.arrived))


class SpannerClient(TxnClient):
    """A client beside its local Spanner server: reads at ``TT.now().latest`` of its own clock."""

    def __init__(self, pid: str, workload: Workload, recorder: HistoryRecorder, records: list[Any],
                 leader: str, epsilon: float) -> None:
        super().__init__(pid, workload, recorder, records)
        self.leader, self.epsilon = leader, epsilon

    def begin(self, cur: Pending) -> None:
        """A read takes its timestamp here; a write is timestamped by the leader."""
        if cur.f == "get":
            cur.extra = tt_now(self.now, self.epsilon).latest
            self.send(self.leader, Read(cur.req, cur.key, cur.extra))
        else:
            self.send(self.leader, Write(cur.req, cur.key, cur.value))

    def on_message(self, src: Hashable, msg: Any) -> None:
        """The leader's answer ends the current operation."""
        cur = self.current
        if cur is None or msg.req != cur.req:
            return
        if isinstance(msg, WriteOk):
            self.finish(cur.value, (msg.ts, 0), msg.waited)
        elif isinstance(msg, ReadOk):
            self.finish(msg.value, (msg.version, 0), msg.waited)
