"""The coordination state machine: what every Raft server applies, entry by entry, in log order.

It must be a *deterministic* function of the log, or the replicas drift apart. So it never reads a
clock: time enters only as a ``stamp`` the leader wrote into the entry when it proposed it.

Commands (the entries' payloads):

``("req", client, seq, op, args, stamp)``
    a client operation (``op`` in :data:`OPS`). Client sessions (dissertation §6.3): the machine
    remembers each client's last ``seq`` and result, so a retried request is answered, not re-run.
``("promote", stamp)``
    the first entry of every new leader. It pushes every lease's deadline to at least
    ``stamp + ttl`` -- what etcd's lessor does on promotion, so a client whose keepalives could not
    get through during the election does not lose its lease to the election itself.
``("expire", lease, stamp)``
    proposed by the leader once its clock passes a lease's deadline. Applied only if the lease still
    exists and its deadline is still ``<= stamp`` (a keepalive may have been ordered first); then
    the lease is revoked and its keys deleted, in one revision.

A lease's deadline is ``stamp + ttl`` of the entry that granted or renewed it: replicated, so a new
leader knows it and expiry survives a leader crash.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple, TypeAlias

from .store import Compare, Delete, Get, KeyValue, Op, OpResult, Put, TxnResult, WatchEvent

OPS = ("put", "get", "range", "delete", "revision", "grant", "keepalive", "revoke", "txn", "events")

Command: TypeAlias = tuple[Any, ...]  # a log entry's payload: one of the three tuples above


class Failure(NamedTuple):
    """An operation's refusal, as a value (the state machine never raises at a client's whim)."""

    reason: str  # "lease_not_found"


class LastReply(NamedTuple):
    """A client session's memory: the last request ``seq`` applied for it and its ``result``."""

    seq: int
    result: Any


class Expiry(NamedTuple):
    """A lease the log expired, and the leader's clock ``stamp`` in the ``expire`` entry."""

    lease: int
    stamp: float


class Lease:
    """A granted lease: ``ttl`` seconds, alive until ``deadline`` (on the leaders' clocks, as
    stamped into the log), with the ``keys`` attached to it (deleted with it)."""

    __slots__ = ("id", "ttl", "deadline", "keys")

    def __init__(self, lease_id: int, ttl: int, deadline: float):
        self.id, self.ttl, self.deadline = lease_id, ttl, deadline
        self.keys: set[str] = set()


def _in(key: str, wanted: str, prefix: bool) -> bool:
    return key.startswith(wanted) if prefix else key == wanted


class CoordinationStateMachine:
    """Keys with revisions, leases with deadlines, a history of changes for watches."""

    def __init__(self) -> None:
        self.kvs: dict[str, KeyValue] = {}
        self.revision = 1              # etcd starts at 1 too (the empty store)
        self.leases: dict[int, Lease] = {}
        self.next_lease = 1
        self.history: list[WatchEvent] = []      # in revision order
        self.sessions: dict[Hashable, LastReply] = {}  # client -> its last request and answer
        self.expired: list[Expiry] = []          # every expiry, for views and tests

    # ------------------------------------------------------------------ entry point
    def apply(self, command: Command) -> Any:
        """Apply one log entry's command (see the module docstring) and return the answer for
        the client, if any: a retried request (``seq`` not above the client's last) is answered
        from the session, not run again. ValueError for an unknown command."""
        kind = command[0]
        if kind == "req":
            _, client, seq, op, args, stamp = command
            last = self.sessions.get(client)
            if last is not None and seq <= last.seq:
                return last.result
            result = self.run(op, args, stamp)
            self.sessions[client] = LastReply(seq, result)
            return result
        if kind == "promote":
            stamp = command[1]
            for lease in self.leases.values():
                lease.deadline = max(lease.deadline, stamp + lease.ttl)
            return None
        if kind == "expire":
            _, lease_id, stamp = command
            expiring = self.leases.get(lease_id)
            if expiring is not None and expiring.deadline <= stamp:
                self._revoke(lease_id)
                self.expired.append(Expiry(lease_id, stamp))
            return None
        raise ValueError(f"unknown coordination command {command!r}")

    def answered(self, client: Hashable, seq: int) -> tuple[bool, Any]:
        """``(True, result)`` if request ``seq`` is the client's last applied one, else
        ``(False, None)``: how a leader answers a resent request without a new log entry."""
        last = self.sessions.get(client)
        if last is not None and last.seq == seq:
            return True, last.result
        return False, None

    def due(self, now: float) -> list[int]:
        """Ids of leases whose deadline has passed at ``now`` (the leader proposes their expiry)."""
        return [lid for lid, lease in self.leases.items() if lease.deadline <= now]

    # ------------------------------------------------------------------ operations
    def run(self, op: str, args: tuple[Any, ...], stamp: float) -> Any:
        """Run client operation ``op`` (one of :data:`OPS`) with ``args`` at the entry's ``stamp``
        (the leader's clock: lease deadlines are ``stamp + ttl``); returns its result, or a
        :class:`Failure` for a lease that no longer exists."""
        if op == "put":
            return self._write(Put(*args))
        if op in ("get", "range"):
            return self.range(*args)
        if op == "delete":
            return self._write(Delete(*args))
        if op == "revision":
            return self.revision
        if op == "grant":
            (ttl,) = args
            lease_id = self.next_lease
            self.next_lease += 1
            self.leases[lease_id] = Lease(lease_id, ttl, stamp + ttl)
            return lease_id
        if op == "keepalive":
            lease = self.leases.get(args[0])
            if lease is None:
                return Failure("lease_not_found")
            lease.deadline = max(lease.deadline, stamp + lease.ttl)
            return lease.ttl
        if op == "revoke":
            if args[0] not in self.leases:
                return False
            self._revoke(args[0])
            return True
        if op == "txn":
            return self.txn(*args)
        if op == "events":
            key, prefix, start = args
            return [e for e in self.history if e.kv.mod_revision >= start
                    and _in(e.kv.key, key, prefix)]
        raise ValueError(f"op must be one of {OPS}, got {op!r}")

    def range(self, key: str, prefix: bool = False) -> list[KeyValue]:
        """The entry of ``key`` as a list of zero or one, or with ``prefix`` every entry under it,
        sorted by key (etcd's Range)."""
        if not prefix:
            kv = self.kvs.get(key)
            return [kv] if kv is not None else []
        return [self.kvs[k] for k in sorted(self.kvs) if k.startswith(key)]

    def _lease_ok(self, lease: int) -> bool:
        return lease == 0 or lease in self.leases

    def _write(self, op: Put | Delete) -> Any:
        """One write as a transaction of its own: its result, or the :class:`Failure`."""
        done = self.txn((), (op,), ())
        return done if isinstance(done, Failure) else done.results[0]

    def txn(self, compares: Sequence[Compare], then: Sequence[Op],
            otherwise: Sequence[Op]) -> TxnResult | Failure:
        """Atomically: if every compare holds run ``then``, else ``otherwise``; all the writes of
        the branch share one new revision. A Put on a lease that does not exist fails the whole
        branch (nothing is written)."""
        succeeded = all(c.holds(self.kvs.get(c.key)) for c in compares)
        ops = then if succeeded else otherwise
        if not all(self._lease_ok(op.lease) for op in ops if type(op) is Put):
            return Failure("lease_not_found")
        rev = self.revision + 1
        wrote = False
        results: list[OpResult] = []
        for op in ops:
            if isinstance(op, Get):
                results.append(self.range(op.key, op.prefix))
            elif isinstance(op, Put):
                self._put(op, rev)
                wrote = True
                results.append(rev)
            else:
                gone = [k for k in sorted(self.kvs) if _in(k, op.key, op.prefix)]
                for k in gone:
                    self._delete(k, rev)
                wrote = wrote or bool(gone)
                results.append(len(gone))
        if wrote:
            self.revision = rev
        return TxnResult(succeeded, self.revision, tuple(results))

    # ------------------------------------------------------------------ changes
    def _put(self, op: Put, rev: int) -> None:
        old = self.kvs.get(op.key)
        if old is not None and old.lease and old.lease != op.lease and old.lease in self.leases:
            self.leases[old.lease].keys.discard(op.key)
        created = old.create_revision if old is not None else rev
        version = old.version + 1 if old is not None else 1
        kv = KeyValue(op.key, op.value, created, rev, version, op.lease)
        self.kvs[op.key] = kv
        if op.lease:
            self.leases[op.lease].keys.add(op.key)
        self.history.append(WatchEvent("PUT", kv))

    def _delete(self, key: str, rev: int) -> None:
        old = self.kvs.pop(key)
        if old.lease and old.lease in self.leases:
            self.leases[old.lease].keys.discard(key)
        self.history.append(WatchEvent("DELETE", KeyValue(key, "", 0, rev, 0, 0)))

    def _revoke(self, lease_id: int) -> None:
        lease = self.leases.pop(lease_id)
        keys = sorted(lease.keys)
        if keys:
            rev = self.revision + 1
            for k in keys:
                self._delete(k, rev)
            self.revision = rev
