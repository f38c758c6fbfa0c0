"""A distributed lock with fencing tokens.

``try_acquire`` claims the key ``locks/<name>`` on the owner's lease (``ownership.claim``); the
winner gets a **fencing token**: the key's revision, which grows with every new holder. The lock
frees itself when the holder's lease expires -- so a crashed holder cannot block everyone for ever.

But lease expiry also frees the lock from a holder that is merely *slow*: a long GC pause, a
swapped-out VM, a network stall. When it wakes, it still believes it holds the lock and writes.
Martin Kleppmann's point ("How to do distributed locking", 2016): a lock service alone cannot stop
that write. The storage must: the holder sends its token with every write, and the storage rejects
any token lower than the highest it has seen (:class:`~distlab.consensus.coordination.fencing.FencedStorage`).
The ``fencing`` module shows both outcomes.
"""
from __future__ import annotations

from typing import NamedTuple

from .ownership import check_name, give_up, own, own_within
from .session import Session
from .store import CoordinationStore

PREFIX = "locks/"


class LockTimeout(TimeoutError):
    """``acquire`` gave up: someone else held the lock for the whole timeout."""


class Holder(NamedTuple):
    """Who holds a lock according to the store, and the fencing token of that holding."""

    owner: str
    token: int


class Lock:
    """The lock ``name`` as seen by ``owner``, whose ownership rides on ``session``'s lease."""

    def __init__(self, store: CoordinationStore, name: str, owner: str, session: Session):
        if not isinstance(session, Session) or session.store is not store:
            raise ValueError("session must be a Session on the same store")
        self.store, self.session = store, session
        self.key = PREFIX + check_name(name, "name")
        self.owner = check_name(owner, "owner")
        self.token: int | None = None

    def try_acquire(self) -> int | None:
        """One attempt: our fencing token if we now hold the lock, else None."""
        self.token = own(self.store, self.key, self.owner, self.session)
        return self.token

    def acquire(self, timeout: float = 10.0, poll: float = 0.1) -> int:
        """Retry every ``poll`` seconds (renewing our lease) for up to ``timeout`` seconds; returns
        the fencing token or raises :class:`LockTimeout`."""
        self.token = own_within(self.store, self.key, self.owner, self.session, timeout, poll)
        if self.token is None:
            raise LockTimeout(f"{self.owner} could not take {self.key} within {timeout:g} s")
        return self.token

    def holds(self) -> bool:
        """Our belief that we hold the lock (won it, lease deadline not passed)."""
        return self.token is not None and self.session.valid()

    def release(self) -> bool:
        """Free the lock now, if it is still ours."""
        if self.token is None:
            return False
        token, self.token = self.token, None
        return give_up(self.store, self.key, token)

    def holder(self) -> Holder | None:
        """Who holds the lock according to the store, with their token."""
        kv = self.store.get(self.key)
        return Holder(kv.value, kv.create_revision) if kv is not None else None
