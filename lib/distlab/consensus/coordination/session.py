"""A session: one client's lease, kept alive -- what every recipe's ownership hangs on.

etcd's client library calls it a ``Session`` too (``clientv3/concurrency``): grant a lease with a
TTL, attach your keys to it, renew it well before it runs out. If the client dies, pauses or is cut
off, the renewals stop, the lease expires, and the store deletes its keys: the lock frees itself,
the leader key vanishes, the service instance disappears from the registry. No one has to detect
the failure; time does it.

The client's *belief* that it still holds the lease is ``valid()``: the renewal was *sent* at
``t`` and the lease had ``ttl`` seconds then, so it lives at least until ``t + ttl`` on the store's
clock -- if no clock jumps and no process pauses between checking ``valid()`` and acting on it.
That "if" is exactly what fencing tokens are for (see ``fencing``).
"""
from __future__ import annotations

from .store import CoordinationStore, LeaseExpired, check_ttl


class Session:
    """A lease of ``ttl`` seconds on ``store``, granted at construction."""

    def __init__(self, store: CoordinationStore, ttl: int = 5):
        if not isinstance(store, CoordinationStore):
            raise ValueError(f"store must be a CoordinationStore, got {store!r}")
        self.store, self.ttl = store, check_ttl(ttl)
        sent = store.now()
        self.lease = store.grant(self.ttl)
        self.deadline = sent + self.ttl   # believed alive until then, unless renewed
        self.lost = False                 # the store said the lease is gone
        self.renewals = 0

    def keepalive(self) -> bool:
        """Renew the lease once; False (and ``lost``) if it had already expired or been revoked."""
        if self.lost:
            return False
        sent = self.store.now()
        try:
            ttl = self.store.keepalive(self.lease)
        except LeaseExpired:
            self.lost = True
            return False
        self.deadline = sent + ttl
        self.renewals += 1
        return True

    def valid(self) -> bool:
        """The client's belief: the lease has not been lost and its deadline has not passed."""
        return not self.lost and self.store.now() < self.deadline

    def remaining(self) -> float:
        """Seconds the client believes its lease still has (0 once lost or past the deadline)."""
        return max(0.0, self.deadline - self.store.now()) if not self.lost else 0.0

    def close(self) -> bool:
        """Revoke the lease (its keys go at once); True if it still existed."""
        self.lost = True
        return self.store.revoke(self.lease)

    def __repr__(self) -> str:
        return f"Session(lease={self.lease}, ttl={self.ttl}, lost={self.lost})"
