"""A leader with asynchronously replicated followers, and the clients that use them.

The store of the lecture: every write goes to the **leader**, which applies it, gives it the next
**version** (its position in the leader's log) and ships it to each follower after a random
**replication lag**. Followers apply entries strictly in log order, so a follower's state is always
a *prefix* of the leader's log -- it is just late. Clients pick where to read with a **read policy**:

* ``any``     -- any replica, chosen at random per read (eventual consistency);
* ``sticky``  -- always the client's home replica; writes go through it too, and it answers a write
  only once it has applied it (a pinned session);
* ``token``   -- any replica, but the client carries the highest version it has seen; a replica
  that is behind *waits* until it catches up, or *redirects* the client to the leader;
* ``leader``  -- only the leader;
* ``quorum``  -- ask every replica, use the freshest of the first majority to answer.

``write_ack="majority"`` makes the leader acknowledge a write only once a majority of replicas
(itself included) applied it. Messages are tuples; the handlers are named for what they handle.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from distlab.sim import Process

__all__ = ["Replica", "Client", "Request", "LogEntry", "Message", "Waiter", "ReadReply", "Outcome"]

LogEntry = tuple[int, Any, str, Any]
"""``(version, key, f, value)``: one write in the leader's log (a follower applies them in version order)."""

Message = tuple[Any, ...]
"""``(kind, *fields)``; each kind's fields are in a comment where :meth:`Replica.on_message` handles it."""

Waiter = tuple[str, int, Hashable, int, Any]
"""``(kind, version, src, req, extra)``: a ``read``, forwarded ``write`` or ``majority`` ack waiting
for ``version``; ``extra`` is the read's key, or the client a forwarded write answers to."""

ReadReply = tuple[str, int, Any, int, int]
"""``("read_ok", req, value, version, applied)``: a replica's answer to a read."""

Outcome = dict[str, Any]
"""How one operation ended, as the client logs it: ``op, f, key, client, outcome, start, end,
version, target`` (the store experiment's metrics read these)."""


class Replica(Process):
    """Leader (``is_leader``) or follower; state is a key -> (value, version) map plus a log."""

    def __init__(self, pid: Any, is_leader: bool, cfg: Any, leader: Any = None, peers: tuple[Hashable, ...] = ()):
        super().__init__(pid)
        self.is_leader, self.cfg, self.leader, self.replicas = is_leader, cfg, leader, peers

    def on_start(self) -> None:
        """Start empty (nothing survives a crash); a follower starts its anti-entropy timer."""
        self.data: dict[Any, tuple[Any, int]] = {}
        self.applied = 0                      # versions 1..applied are applied here
        self.log: list[LogEntry] = []         # leader: every entry; follower: unused
        self.buffer: dict[int, LogEntry] = {}  # follower: entries that arrived ahead of order
        self.waiting: list[Waiter] = []       # reads/acks waiting for `applied` to reach a version
        self.acks: dict[int, set[Hashable]] = {}  # leader, majority mode: version -> replicas applied
        if not self.is_leader:                # anti-entropy: ask the leader for anything missed
            self.set_timer("sync", self.cfg.sync_interval)

    def on_timer(self, name: str, data: Any) -> None:
        """``sync``: tell the leader how far this follower has applied, and re-arm."""
        if name == "sync":
            self.send(self.leader, ("sync", self.pid, self.applied))
            self.set_timer("sync", self.cfg.sync_interval)

    def handle_sync(self, peer: Any, applied: int) -> None:
        """Re-send entries a follower lacks (lost to a partition), a bounded batch at a time."""
        for entry in self.log[applied: applied + 64]:
            self.send(peer, ("replicate", entry))

    # -- writes ---------------------------------------------------------------------------
    def apply(self, entry: LogEntry) -> None:
        """Apply ``(version, key, f, value)`` (an append extends the value) and release waiters."""
        version, key, f, value = entry
        if f == "append":
            value = self.data.get(key, ("", 0))[0] + value
        self.data[key] = (value, version)
        self.applied = version
        self.release()

    def handle_write(self, src: Any, req: int, key: Any, f: str, value: Any, reply_to: Any) -> None:
        """Leader: log and apply the write, ship it to every follower after a replication lag, and
        acknowledge it now or (``write_ack="majority"``) once a majority applied it."""
        version = len(self.log) + 1
        entry = (version, key, f, value)
        self.log.append(entry)
        self.apply(entry)
        for peer in self.replicas:
            if peer != self.pid:
                self.sim.schedule(self.cfg.replication_lag.sample(self.rng), self.ship, peer, entry)
        if self.cfg.write_ack == "majority" and len(self.replicas) > 1:
            self.acks[version] = {self.pid}
            self.waiting.append(("majority", version, src, req, reply_to))
        else:
            self.send(src, ("write_ok", req, version, reply_to))

    def ship(self, peer: Any, entry: LogEntry) -> None:
        """Send ``entry`` to ``peer`` once its replication lag has passed (unless this node crashed)."""
        if self.up:
            self.send(peer, ("replicate", entry))

    def handle_replicate(self, entry: LogEntry) -> None:
        """Follower: buffer the entry and apply every entry that is next in log order."""
        if entry[0] <= self.applied:
            return                                  # a duplicate (re-sent after a sync)
        self.buffer[entry[0]] = entry
        while self.applied + 1 in self.buffer:
            self.apply(self.buffer.pop(self.applied + 1))
        if self.cfg.write_ack == "majority":
            self.send(self.leader, ("applied", self.pid, self.applied))

    def handle_applied(self, peer: Any, upto: int) -> None:
        """Leader, majority mode: count ``peer`` for every version up to ``upto``."""
        for version, who in self.acks.items():
            if version <= upto:
                who.add(peer)
        self.release()

    # -- reads ----------------------------------------------------------------------------
    def answer_read(self, src: Any, req: int, key: Any) -> None:
        """Reply with the key's value, the version that wrote it, and how far this replica applied."""
        value, version = self.data.get(key, (None, 0))
        self.send(src, ("read_ok", req, value, version, self.applied))

    def handle_read(self, src: Any, req: int, key: Any, min_version: int) -> None:
        """Answer now if this replica has applied ``min_version``; else redirect or wait."""
        if self.applied >= min_version:
            self.answer_read(src, req, key)
        elif self.cfg.token_mode == "redirect":
            self.send(src, ("redirect", req))
        else:
            self.waiting.append(("read", min_version, src, req, key))

    def release(self) -> None:
        """Answer whatever was waiting for this replica (or a majority) to reach a version."""
        if not self.waiting:
            return
        majority = len(self.replicas) // 2 + 1
        still = []
        for item in self.waiting:
            kind, version, src, req, extra = item
            if kind == "read" and self.applied >= version:
                self.answer_read(src, req, extra)
            elif kind == "write" and self.applied >= version:
                self.send(src, ("write_ok", req, version, None))
            elif kind == "majority" and len(self.acks.get(version, ())) >= majority:
                self.acks.pop(version, None)
                self.send(src, ("write_ok", req, version, extra))
            else:
                still.append(item)
        self.waiting = still

    # -- dispatch -------------------------------------------------------------------------
    def on_message(self, src: Any, msg: Message) -> None:
        """Dispatch a message by its first element to the handler named for it."""
        kind = msg[0]
        if kind == "write":                         # ("write", req, key, f, value)
            if self.is_leader:
                self.handle_write(src, msg[1], msg[2], msg[3], msg[4], None)
            else:                                   # sticky session: forward, answer when applied
                self.send(self.leader, ("forward", src, *msg[1:]))
        elif kind == "forward":                     # ("forward", client, req, key, f, value)
            self.handle_write(src, msg[2], msg[3], msg[4], msg[5], msg[1])
        elif kind == "write_ok" and msg[3] is not None:   # our forwarded write: wait to apply it
            self.waiting.append(("write", msg[2], msg[3], msg[1], None))
            self.release()
        elif kind == "read":                        # ("read", req, key, min_version)
            self.handle_read(src, msg[1], msg[2], msg[3])
        elif kind == "replicate":
            self.handle_replicate(msg[1])
        elif kind == "applied":
            self.handle_applied(msg[1], msg[2])
        elif kind == "sync" and self.is_leader:
            self.handle_sync(msg[1], msg[2])


@dataclass(slots=True)
class Request:
    """The operation a client has in flight."""

    op: int                     # the recorder's operation id
    req: int                    # the client's request number (replies carry it)
    f: str
    key: Any
    start: float                # simulated time it was issued
    replies: list[ReadReply] = field(default_factory=list)     # read answers so far (quorum reads)
    target: Any = None          # where it went: a replica's pid, or "quorum"


class Client(Process):
    """Issues ``cfg.ops_per_client`` operations one at a time and records them in ``recorder``."""

    def __init__(self, pid: Any, home: Any, cfg: Any, leader: Any, replicas: tuple[Hashable, ...], recorder: Any,
                 log: list[Outcome]):
        super().__init__(pid)
        self.home, self.cfg, self.leader, self.replicas = home, cfg, leader, replicas
        self.recorder, self.outcomes = recorder, log

    def on_start(self) -> None:
        """Start a fresh session and schedule the first operation after a think time."""
        self.session, self.restarts, self.done, self.req = str(self.pid), 0, 0, 0
        self.token = 0                      # highest version seen (token policy)
        self.current: Request | None = None
        self.set_timer("next", self.cfg.think_time.sample(self.rng))

    def on_timer(self, name: str, data: Any) -> None:
        """``next``: issue an operation; ``timeout``: give up on the one in flight (if still the same)."""
        if name == "next":
            self.issue()
        elif name == "timeout" and self.current is not None and self.current.req == data:
            self.finish("timeout", None, None)

    def issue(self) -> None:
        """Pick a key and a read or write at random, record its invocation, and send it."""
        cfg, rng = self.cfg, self.rng
        key = f"k{rng.randrange(cfg.keys)}"
        self.req += 1
        if rng.random() < cfg.read_fraction:
            f, value = "get", None
        else:
            f = "append" if rng.random() < cfg.append_fraction else "put"
            value = f"{self.pid}.{self.req};" if f == "append" else f"{self.pid}.{self.req}"
        op = self.recorder.invoke(self.session, f, value, key)
        cur = self.current = Request(op, self.req, f, key, self.sim.now)
        self.set_timer("timeout", cfg.client_timeout, self.req)
        if f == "get":
            self.send_read(cur)
        else:
            target = self.home if cfg.read_policy == "sticky" else self.leader
            cur.target = target
            self.send(target, ("write", self.req, key, f, value))

    def send_read(self, cur: Request) -> None:
        """Send the read ``cur`` where the read policy says (every replica for ``quorum``)."""
        cfg = self.cfg
        policy = cfg.read_policy
        if policy == "quorum":
            targets = list(self.replicas)
        elif policy == "leader":
            targets = [self.leader]
        elif policy == "sticky":
            targets = [self.home]
        else:
            targets = [self.replicas[self.rng.randrange(len(self.replicas))]]
        cur.target = targets[0] if len(targets) == 1 else "quorum"
        need = self.token if policy == "token" else 0
        for t in targets:
            self.send(t, ("read", cur.req, cur.key, need))

    def on_message(self, src: Any, msg: Message) -> None:
        """Handle a reply to the operation in flight (late replies to abandoned ones are ignored)."""
        cur = self.current
        if cur is None or msg[1] != cur.req:
            return                                   # a late answer to an abandoned request
        if msg[0] == "write_ok":
            self.token = max(self.token, msg[2])
            self.finish("ok", None, msg[2])
        elif msg[0] == "redirect":
            self.send(self.leader, ("read", cur.req, cur.key, 0))
        elif msg[0] == "read_ok":
            cur.replies.append(msg)
            if self.cfg.read_policy == "quorum" and len(cur.replies) < len(self.replicas) // 2 + 1:
                return
            best = max(cur.replies, key=lambda m: m[3])
            self.token = max(self.token, best[3])
            self.finish("ok", "" if best[2] is None else best[2], best[3])

    def finish(self, outcome: str, result: Any, version: Any) -> None:
        """Record how the operation in flight ended (a timed-out write is indeterminate and starts a
        new session), and schedule the next one."""
        cur, self.current = self.current, None
        assert cur is not None, "finish() needs an operation in flight"
        self.cancel_timer("timeout")
        if outcome == "ok":
            self.recorder.ok(cur.op, result)
        elif cur.f == "get":
            self.recorder.fail(cur.op)               # a read that never answered changed nothing
        else:
            self.recorder.info(cur.op)               # a write may still take effect
            self.restarts += 1
            self.session = f"{self.pid}#{self.restarts}"
        self.outcomes.append({"op": cur.op, "f": cur.f, "key": cur.key, "client": self.pid,
                              "outcome": outcome, "start": cur.start, "end": self.sim.now,
                              "version": version, "target": cur.target})
        self.done += 1
        if self.done < self.cfg.ops_per_client:
            self.set_timer("next", self.cfg.think_time.sample(self.rng))
