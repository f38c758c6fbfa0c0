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

from typing import NamedTuple, Optional

from .store import Compare, CoordinationStore, Delete, Get, KeyValue, Put


class Claim(NamedTuple):
    won: bool
    revision: int                 # our token/epoch when won, else the store's revision
    holder: Optional[KeyValue]    # the key as it stands (ours when won)


def claim(store: CoordinationStore, key: str, value: str, lease: int) -> Claim:
    """Create ``key`` = ``value`` on ``lease`` unless it exists."""
    done = store.txn([Compare(key, "create_revision", 0)], [Put(key, value, lease)], [Get(key)])
    if done.succeeded:
        rev = done.results[0]
        return Claim(True, rev, KeyValue(key, value, rev, rev, 1, lease))
    found = done.results[0]
    return Claim(False, done.revision, found[0] if found else None)


def give_up(store: CoordinationStore, key: str, create_revision: int) -> bool:
    """Delete ``key`` if its ``create_revision`` is still ours; True if it was deleted."""
    done = store.txn([Compare(key, "create_revision", create_revision)], [Delete(key)], [])
    return done.succeeded


def check_name(value, parameter: str) -> str:
    if not isinstance(value, str) or not value or "/" in value:
        raise ValueError(f"{parameter} must be a non-empty string without '/', got {value!r}")
    return value
