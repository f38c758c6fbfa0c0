"""Lease-based leader election: at most one leader at a time, and a new one soon after it dies.

A candidate *campaigns* by claiming the key ``election/<name>`` with its own name, attached to its
session's lease (``ownership.claim``). The one who creates the key leads; its **epoch** is the
key's ``create_revision``. It stays leader by keeping its lease alive. If it crashes, pauses or is
cut off, its renewals stop, the lease expires, the store deletes the key -- and the next campaign
succeeds: **takeover after the holder's lease expires**, with a larger epoch. *Resigning* deletes
the key at once (only if it is still ours).

Anyone can *observe*: ``leader()`` reads the key; ``changes(since)`` turns the key's watch events
into a sequence of (revision, leader or None).

What this does NOT give: a guarantee that the old leader knows it was replaced. ``is_leader()`` is
its belief (lease deadline not passed); after a pause it may still believe it. That is why the
epoch exists -- pass it to whatever the leader writes, and let the storage reject old epochs
(the same idea as the lock's fencing token).

The recipe is etcd's ``concurrency.Election`` simplified to one key (etcd queues candidates under
a prefix and lets the lowest create_revision win; with one key, losers simply retry).
"""
from __future__ import annotations

from typing import NamedTuple

from .ownership import check_name, give_up, own, own_within
from .session import Session
from .store import CoordinationStore

PREFIX = "election/"


class Leader(NamedTuple):
    """A leader as the store records it: its name, its epoch and the lease its key rides on."""

    name: str
    epoch: int     # the leader key's create_revision
    lease: int


class LeaderChange(NamedTuple):
    """One change of the leader key, as a watch reports it: at ``revision`` the leader became
    ``leader`` (None: the key was deleted -- resigned or expired -- and nobody leads)."""

    revision: int
    leader: Leader | None


class LeaderElection:
    """``candidate`` in the election ``election`` on ``store``, leading while ``session`` lives."""

    def __init__(self, store: CoordinationStore, election: str, candidate: str, session: Session):
        if not isinstance(session, Session) or session.store is not store:
            raise ValueError("session must be a Session on the same store")
        self.store, self.session = store, session
        self.key = PREFIX + check_name(election, "election")
        self.candidate = check_name(candidate, "candidate")
        self.epoch: int | None = None

    def campaign(self) -> bool:
        """One attempt to become leader; True if we lead (now or already)."""
        self.epoch = own(self.store, self.key, self.candidate, self.session)
        return self.epoch is not None

    def campaign_until(self, timeout: float, poll: float = 0.25) -> bool:
        """Campaign every ``poll`` seconds (renewing our own lease meanwhile) until we lead or
        ``timeout`` seconds pass."""
        self.epoch = own_within(self.store, self.key, self.candidate, self.session, timeout, poll)
        return self.epoch is not None

    def is_leader(self) -> bool:
        """Our belief: we won, and our lease has not (to our knowledge) run out."""
        return self.epoch is not None and self.session.valid()

    def keepalive(self) -> bool:
        """Renew the lease; on failure we are no longer leader."""
        ok = self.session.keepalive()
        if not ok:
            self.epoch = None
        return ok

    def resign(self) -> bool:
        """Step down now (delete the key if it is still ours)."""
        if self.epoch is None:
            return False
        epoch, self.epoch = self.epoch, None
        return give_up(self.store, self.key, epoch)

    def leader(self) -> Leader | None:
        """Observe: who leads now (None between leaders)."""
        kv = self.store.get(self.key)
        return Leader(kv.value, kv.create_revision, kv.lease) if kv is not None else None

    def changes(self, since_revision: int = 1) -> list[LeaderChange]:
        """Observe the history: ``(revision, Leader or None)`` for every change of the leader key
        at revisions >= ``since_revision``."""
        out = []
        for e in self.store.events(self.key, start_revision=since_revision):
            who = Leader(e.kv.value, e.kv.create_revision, e.kv.lease) if e.type == "PUT" else None
            out.append(LeaderChange(e.kv.mod_revision, who))
        return out
