"""The coordination store: the few etcd-shaped verbs that leader election, locks and service
registries need, as one small interface with two implementations.

* :class:`~distlab.consensus.coordination.sim_store.SimulatedStore` -- our own Raft cluster runs
  the store as a replicated state machine, on simulated time (deterministic for a seed);
* :class:`~distlab.consensus.coordination.etcd_store.EtcdStore` -- a real etcd through its v3
  JSON gateway (:mod:`distlab.services.etcd`).

The recipes (``election``, ``lock``, ``registry``) are written once against
:class:`CoordinationStore` and never know which one they run on.

The data model is etcd's (``mvccpb.KeyValue`` in etcd's protobufs; the names are theirs, the code
ours). One global **revision** counts every change to the store. Each key remembers the revision
that created it (``create_revision``, 0 when it does not exist), the one that last changed it
(``mod_revision``), how often it changed since creation (``version``) and the **lease** it is
attached to. A lease lives ``ttl`` seconds unless kept alive; when it expires or is revoked, every
key attached to it is deleted in one revision. A **transaction** is ``If(compares) Then(ops)
Else(ops)``, atomic, and all its writes share one revision -- so the revision returned by a
successful "create if absent" is the new key's ``create_revision``: a number no other holder ever
got, and larger than every earlier one. That is a fencing token.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from distlab.services.etcd import KeyValue, WatchEvent

__all__ = [
    "COMPARE_OPS", "COMPARE_TARGETS", "Compare", "CoordinationStore", "Delete", "Get", "KeyValue",
    "LeaseExpired", "Put", "StoreUnavailable", "TxnResult", "WatchEvent", "check_branch", "check_key",
    "check_ttl",
]

COMPARE_TARGETS = ("create_revision", "mod_revision", "version", "value")
COMPARE_OPS = ("==", "!=", "<", ">")


class LeaseExpired(KeyError):
    """The lease does not exist (any more): it expired, or was revoked. Its keys are gone."""

    def __str__(self) -> str:  # KeyError would print the repr of the argument
        return str(self.args[0]) if self.args else "lease expired"


class StoreUnavailable(RuntimeError):
    """The store did not answer in time (no leader elected, a partition, a stopped server)."""


def check_key(key: Any, parameter: str = "key") -> str:
    if not isinstance(key, str) or not key:
        raise ValueError(f"{parameter} must be a non-empty string, got {key!r}")
    return key


def check_ttl(ttl: Any) -> int:
    """etcd's leases take whole seconds; so do ours, so that recipes behave alike on both."""
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 1 <= ttl <= 3600:
        raise ValueError(f"ttl must be an integer number of seconds from 1 to 3600, got {ttl!r}")
    return ttl


class Compare(NamedTuple):
    """``key``'s ``target`` (one of :data:`COMPARE_TARGETS`) ``op`` ``value``.

    A missing key has create/mod revision and version 0; a comparison of its *value* is always
    false (etcd's rule: a missing value is not the empty string).
    """

    key: str
    target: str
    value: Any
    op: str = "=="

    def check(self) -> Compare:
        check_key(self.key, "compare key")
        if self.target not in COMPARE_TARGETS:
            raise ValueError(f"compare target must be one of {COMPARE_TARGETS}, got {self.target!r}")
        if self.op not in COMPARE_OPS:
            raise ValueError(f"compare op must be one of {COMPARE_OPS}, got {self.op!r}")
        if self.target == "value":
            if not isinstance(self.value, str):
                raise ValueError(f"compare value must be a string, got {self.value!r}")
        elif not isinstance(self.value, int) or isinstance(self.value, bool) or self.value < 0:
            raise ValueError(f"compare {self.target} must be an integer >= 0, got {self.value!r}")
        return self

    def holds(self, kv: KeyValue | None) -> bool:
        """Evaluate against the key's current entry (None when it does not exist)."""
        if kv is None:
            if self.target == "value":
                return False
            have = 0
        else:
            have = getattr(kv, self.target)
        return {"==": have == self.value, "!=": have != self.value,
                "<": have < self.value, ">": have > self.value}[self.op]


class Put(NamedTuple):
    key: str
    value: str
    lease: int = 0


class Delete(NamedTuple):
    key: str
    prefix: bool = False


class Get(NamedTuple):
    key: str
    prefix: bool = False


def check_op(op: Any) -> Any:
    if type(op) not in (Put, Delete, Get):
        raise ValueError(f"a transaction op must be a Put, Delete or Get, got {op!r}")
    check_key(op.key, "op key")
    if type(op) is Put:
        if not isinstance(op.value, str):
            raise ValueError(f"put value must be a string, got {op.value!r}")
        if not isinstance(op.lease, int) or op.lease < 0:
            raise ValueError(f"put lease must be an integer >= 0 (0: none), got {op.lease!r}")
    return op


def check_branch(ops: Sequence, parameter: str) -> tuple:
    """Validate one branch of a transaction. Like etcd, refuse a branch that writes a key twice (two
    Puts of one key, or a Put inside a Delete's range): its outcome would depend on op order."""
    ops = tuple(map(check_op, ops))
    puts = [op.key for op in ops if type(op) is Put]
    deletes = [op for op in ops if type(op) is Delete]
    for i, key in enumerate(puts):
        if key in puts[:i] or any(key.startswith(d.key) if d.prefix else key == d.key
                                  for d in deletes):
            raise ValueError(f"{parameter}: key {key!r} is written twice in one transaction branch "
                             f"(etcd refuses it too: 'duplicate key given in txn request')")
    return ops


class TxnResult(NamedTuple):
    """``succeeded``: whether the compares held (so the ``then`` branch ran). ``revision``: the
    store's revision after the transaction (the writes' revision if it wrote). ``results``: one per
    op of the branch that ran -- a Put gives the revision, a Delete the number deleted, a Get the
    list of matching :class:`KeyValue` s."""

    succeeded: bool
    revision: int
    results: tuple


class CoordinationStore:
    """What every store offers. Times are seconds on the store's own clock (``now``/``sleep``):
    simulated time for the simulated store, the wall clock (injected) for etcd."""

    name = "abstract"

    # keys
    def put(self, key: str, value: str, *, lease: int = 0) -> int:
        """Store ``value`` (attached to ``lease`` unless 0); returns the new revision.
        :class:`LeaseExpired` if the lease no longer exists."""
        raise NotImplementedError

    def get(self, key: str) -> KeyValue | None:
        raise NotImplementedError

    def get_prefix(self, prefix: str) -> list:
        """Every entry whose key starts with ``prefix``, sorted by key."""
        raise NotImplementedError

    def delete(self, key: str, *, prefix: bool = False) -> int:
        raise NotImplementedError

    def revision(self) -> int:
        raise NotImplementedError

    # leases
    def grant(self, ttl: int) -> int:
        """A new lease of ``ttl`` whole seconds; returns its id (never 0)."""
        raise NotImplementedError

    def keepalive(self, lease: int) -> int:
        """Renew ``lease`` for its full ttl; returns the ttl. :class:`LeaseExpired` if it is gone."""
        raise NotImplementedError

    def revoke(self, lease: int) -> bool:
        """End ``lease`` now, deleting its keys; False if it was already gone."""
        raise NotImplementedError

    # transactions and watches
    def txn(self, compares: Sequence[Compare], then: Sequence = (),
            otherwise: Sequence = ()) -> TxnResult:
        raise NotImplementedError

    def events(self, key: str, *, prefix: bool = False, start_revision: int = 1) -> list:
        """The :class:`WatchEvent` s on ``key`` (or under it) at revisions >= ``start_revision``,
        oldest first: a watch as a poll, so nothing between two polls is missed."""
        raise NotImplementedError

    # time
    def now(self) -> float:
        raise NotImplementedError

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (simulated: the cluster runs meanwhile)."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


def create_if_absent(key: str, value: str, lease: int = 0) -> tuple:
    """The compare-and-put every recipe starts from: ``If(create_revision(key) == 0)
    Then(Put) Else(Get)`` -- as ``(compares, then, otherwise)`` for :meth:`CoordinationStore.txn`."""
    return [Compare(key, "create_revision", 0)], [Put(key, value, lease)], [Get(key)]
