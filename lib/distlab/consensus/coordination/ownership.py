"""Owning a key: the one transaction under both the lock and the election.

``claim`` is ``If(create_revision(key) == 0) Then(Put(key, me, lease)) Else(Get(key))``: among
any number of concurrent claimers exactly one sees ``won``; the others learn who holds it. The
winner's key was created at the transaction's revision, so that revision -- the key's
``create_revision`` -- names this ownership for ever: no earlier or later owner has the same one,
and every later owner has a larger one. Locks call it the *fencing token*, elections the *epoch*.

``give_up`` deletes the key only if it still has *our* ``create_revision``: a slow owner whose lease
expired (and whose key someone else re-created since) cannot delete the new owner's key.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from distlab.consensus import checks

from .session import Session
from .store import Compare, CoordinationStore, Delete, KeyValue, LeaseExpired, create_if_absent


class Claim(NamedTuple):
    """The outcome of one :func:`claim`: whether we created the key, the revision that names our
    ownership (or the store's revision when we lost), and the key's entry as it now stands."""

    won: bool
    revision: int                 # our token/epoch when won, else the store's revision
    holder: KeyValue | None    # the key as it stands (ours when won)


def claim(store: CoordinationStore, key: str, value: str, lease: int) -> Claim:
    """Create ``key`` = ``value`` on ``lease`` unless it exists."""
    done = store.txn(*create_if_absent(key, value, lease))
    if done.succeeded:
        rev = done.put_revision(0)
        return Claim(True, rev, KeyValue(key, value, rev, rev, 1, lease))
    found = done.entries(0)
    return Claim(False, done.revision, found[0] if found else None)


def own(store: CoordinationStore, key: str, name: str, session: Session) -> int | None:
    """One attempt to own ``key`` as ``name`` on ``session``'s lease: the ownership's
    ``create_revision`` (token / epoch) if we own it now -- just won, or already ours -- else None.
    A lease that ran out before we noticed marks the session ``lost``."""
    if session.lost:
        return None
    try:
        got = claim(store, key, name, session.lease)
    except LeaseExpired:
        session.lost = True
        return None
    if got.won:
        return got.revision
    if got.holder is not None and got.holder.lease == session.lease:
        return got.holder.create_revision
    return None


def own_within(store: CoordinationStore, key: str, name: str, session: Session, timeout: float,
               poll: float) -> int | None:
    """Try :func:`own` every ``poll`` seconds, renewing the lease meanwhile, for up to ``timeout``."""
    checks.number("timeout", timeout, 0, 3600.0, "seconds")
    checks.number("poll", poll, 0, 3600.0, "seconds", open_low=True)
    end = store.now() + timeout
    while True:
        revision = own(store, key, name, session)
        if revision is not None:
            return revision
        if store.now() >= end or not session.keepalive():
            return None
        store.sleep(poll)


def give_up(store: CoordinationStore, key: str, create_revision: int) -> bool:
    """Delete ``key`` if its ``create_revision`` is still ours; True if it was deleted."""
    done = store.txn([Compare(key, "create_revision", create_revision)], [Delete(key)], [])
    return done.succeeded


def check_name(value: Any, parameter: str) -> str:
    """``value`` if it can name a lock, election, candidate or service: a non-empty string without
    ``/`` (it becomes one segment of a key); else ValueError naming ``parameter``."""
    if not isinstance(value, str) or not value or "/" in value:
        raise ValueError(f"{parameter} must be a non-empty string without '/', got {value!r}")
    return value
