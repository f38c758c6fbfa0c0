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

from typing import Any, NamedTuple

from .store import Delete, Get, KeyValue, Put, TxnResult, WatchEvent

OPS = ("put", "get", "range", "delete", "revision", "grant", "keepalive", "revoke", "txn", "events")


class Failure(NamedTuple):
    """An operation's refusal, as a value (the state machine never raises at a client's whim)."""

    reason: str  # "lease_not_found"


class Lease:
    __slots__ = ("id", "ttl", "deadline", "keys")

    def __init__(self, lease_id: int, ttl: int, deadline: float):
        self.id, self.ttl, self.deadline = lease_id, ttl, deadline
        self.keys: set[str] = set()


def _in(key: str, wanted: str, prefix: bool) -> bool:
    return key.startswith(wanted) if prefix else key == wanted


class CoordinationStateMachine:
    """Keys with revisions, leases with deadlines, a history of changes for watches."""

    def __init__(self) -> None:
        self.kvs: dict = {}            # key -> KeyValue
        self.revision = 1              # etcd starts at 1 too (the empty store)
        self.leases: dict = {}         # id -> Lease
        self.next_lease = 1
        self.history: list = []        # WatchEvent, in revision order
        self.sessions: dict = {}       # client -> (seq, result)
        self.expired: list = []        # (lease id, stamp) of every expiry, for views and tests

    # ------------------------------------------------------------------ entry point
    def apply(self, command) -> Any:
        kind = command[0]
        if kind == "req":
            _, client, seq, op, args, stamp = command
            last = self.sessions.get(client)
            if last is not None and seq <= last[0]:
                return last[1]
            result = self.run(op, args, stamp)
            self.sessions[client] = (seq, result)
            return result
        if kind == "promote":
            stamp = command[1]
            for lease in self.leases.values():
                lease.deadline = max(lease.deadline, stamp + lease.ttl)
            return None
        if kind == "expire":
            _, lease_id, stamp = command
            lease = self.leases.get(lease_id)
            if lease is not None and lease.deadline <= stamp:
                self._revoke(lease_id)
                self.expired.append((lease_id, stamp))
            return None
        raise ValueError(f"unknown coordination command {command!r}")

    def answered(self, client, seq) -> tuple:
        last = self.sessions.get(client)
        if last is not None and last[0] == seq:
            return True, last[1]
        return False, None

    def due(self, now: float) -> list:
        """Ids of leases whose deadline has passed at ``now`` (the leader proposes their expiry)."""
        return [lid for lid, lease in self.leases.items() if lease.deadline <= now]

    # ------------------------------------------------------------------ operations
    def run(self, op: str, args: tuple, stamp: float) -> Any:
        if op == "put":
            done = self.txn((), (Put(*args),), ())
            return done if type(done) is Failure else done.results[0]
        if op in ("get", "range"):
            return self.range(*args)
        if op == "delete":
            return self.txn((), (Delete(*args),), ()).results[0]
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

    def range(self, key: str, prefix: bool = False) -> list:
        if not prefix:
            kv = self.kvs.get(key)
            return [kv] if kv is not None else []
        return [self.kvs[k] for k in sorted(self.kvs) if k.startswith(key)]

    def _lease_ok(self, lease: int) -> bool:
        return lease == 0 or lease in self.leases

    def txn(self, compares, then, otherwise) -> Any:
        """Atomically: if every compare holds run ``then``, else ``otherwise``; all the writes of
        the branch share one new revision."""
        succeeded = all(c.holds(self.kvs.get(c.key)) for c in compares)
        ops = then if succeeded else otherwise
        if not all(self._lease_ok(op.lease) for op in ops if type(op) is Put):
            return Failure("lease_not_found")
        rev = self.revision + 1
        wrote = False
        results: list[Any] = []
        for op in ops:
            if type(op) is Get:
                results.append(self.range(op.key, op.prefix))
            elif type(op) is Put:
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
