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
from typing import Any, NamedTuple, TypeAlias

from distlab.services.etcd import KeyValue, WatchEvent

__all__ = [
    "COMPARE_OPS", "COMPARE_TARGETS", "Compare", "CoordinationStore", "Delete", "Get", "KeyValue",
    "LeaseExpired", "Op", "OpResult", "Put", "StoreUnavailable", "TxnResult", "WatchEvent", "check_branch",
    "check_key", "check_op", "check_ttl", "create_if_absent",
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
    """``key`` if it is a non-empty string (etcd keys are never empty), else ValueError naming
    ``parameter``."""
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
    value: int | str            # a string for "value", an integer >= 0 for the others
    op: str = "=="

    def check(self) -> Compare:
        """Validate the fields (a caller's compare may come from anywhere); returns self or raises
        ValueError naming the bad field."""
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
        have: Any
        if kv is None:
            if self.target == "value":
                return False
            have = 0
        else:
            have = getattr(kv, self.target)
        outcomes: dict[str, bool] = {"==": have == self.value, "!=": have != self.value,
                                     "<": have < self.value, ">": have > self.value}
        return outcomes[self.op]


class Put(NamedTuple):
    """Transaction op: set ``key`` to ``value``, attached to ``lease`` (0: none); its result is
    the new revision (etcd's ``RequestPut``)."""

    key: str
    value: str
    lease: int = 0


class Delete(NamedTuple):
    """Transaction op: delete ``key`` (every key under it when ``prefix``); its result is the
    number of keys deleted (etcd's ``RequestDeleteRange``)."""

    key: str
    prefix: bool = False


class Get(NamedTuple):
    """Transaction op: read ``key`` (every key under it when ``prefix``); its result is the list
    of matching :class:`KeyValue` s, sorted by key (etcd's ``RequestRange``)."""

    key: str
    prefix: bool = False


Op: TypeAlias = Put | Delete | Get          # one op of a transaction branch
OpResult: TypeAlias = int | list[KeyValue]  # a Put's revision, a Delete's count or a Get's entries


def check_op(op: Any) -> Op:
    """``op`` if it is a well-formed :data:`Op` (string key, string value, lease id >= 0), else
    ValueError."""
    if type(op) not in (Put, Delete, Get):
        raise ValueError(f"a transaction op must be a Put, Delete or Get, got {op!r}")
    check_key(op.key, "op key")
    if type(op) is Put:
        if not isinstance(op.value, str):
            raise ValueError(f"put value must be a string, got {op.value!r}")
        if not isinstance(op.lease, int) or isinstance(op.lease, bool) or op.lease < 0:
            raise ValueError(f"put lease must be an integer >= 0 (0: none), got {op.lease!r}")
    checked: Op = op
    return checked


def check_branch(ops: Sequence[Any], parameter: str) -> tuple[Op, ...]:
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
    results: tuple[OpResult, ...]

    def put_revision(self, i: int = 0) -> int:
        """The result of op ``i`` of the branch that ran, which must be a Put: the revision it wrote."""
        result = self.results[i]
        if not isinstance(result, int):
            raise TypeError(f"op {i} of this transaction was not a Put: its result is {result!r}")
        return result

    def entries(self, i: int = 0) -> list[KeyValue]:
        """The result of op ``i`` of the branch that ran, which must be a Get: the entries it read."""
        result = self.results[i]
        if not isinstance(result, list):
            raise TypeError(f"op {i} of this transaction was not a Get: its result is {result!r}")
        return result


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
        """The entry of ``key`` (a linearizable read), or None if it does not exist."""
        raise NotImplementedError

    def get_prefix(self, prefix: str) -> list[KeyValue]:
        """Every entry whose key starts with ``prefix``, sorted by key."""
        raise NotImplementedError

    def delete(self, key: str, *, prefix: bool = False) -> int:
        """Delete ``key`` (every key under it when ``prefix``) in one revision; returns how many
        keys were deleted."""
        raise NotImplementedError

    def revision(self) -> int:
        """The store's current revision: the count of changes so far (1 for the empty store)."""
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
    def txn(self, compares: Sequence[Compare], then: Sequence[Op] = (),
            otherwise: Sequence[Op] = ()) -> TxnResult:
        """Atomically: if every compare holds, run the ``then`` ops, else the ``otherwise`` ops;
        the branch's writes share one new revision. :class:`LeaseExpired` if a Put of the branch
        names a lease that no longer exists (then nothing is written)."""
        raise NotImplementedError

    def events(self, key: str, *, prefix: bool = False, start_revision: int = 1) -> list[WatchEvent]:
        """The :class:`WatchEvent` s on ``key`` (or under it) at revisions >= ``start_revision``,
        oldest first: a watch as a poll, so nothing between two polls is missed."""
        raise NotImplementedError

    # time
    def now(self) -> float:
        """The store's clock, in seconds: the time leases are measured against."""
        raise NotImplementedError

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (simulated: the cluster runs meanwhile)."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line saying what this store runs on (for a notebook to print)."""
        raise NotImplementedError


class TxnRequest(NamedTuple):
    """The three arguments of :meth:`CoordinationStore.txn`: ``store.txn(*request)``."""

    compares: list[Compare]
    then: list[Op]
    otherwise: list[Op]


def create_if_absent(key: str, value: str, lease: int = 0) -> TxnRequest:
    """The compare-and-put every recipe starts from: ``If(create_revision(key) == 0)
    Then(Put) Else(Get)`` -- as ``(compares, then, otherwise)`` for :meth:`CoordinationStore.txn`."""
    return TxnRequest([Compare(key, "create_revision", 0)], [Put(key, value, lease)], [Get(key)])
