"""A service registry with TTLs and watches.

An instance *registers* by putting ``services/<service>/<instance>`` = its address, attached to its
session's lease, and stays registered only while it renews the lease: a crashed instance drops out
by itself after its TTL (Consul's TTL checks and etcd's leased keys are this idea).

A client *discovers* instances with a prefix read, and follows changes with a **watch** -- here a
:class:`Watcher`: read the revision, read the instances, then poll the events from the next
revision on. The order matters: reading the revision *first* means a change that lands between the
two reads is replayed by the watch (harmless: applying it twice gives the same view) instead of
being lost.
"""
from __future__ import annotations

from typing import NamedTuple

from .ownership import check_name
from .session import Session
from .store import CoordinationStore

PREFIX = "services/"


class Change(NamedTuple):
    """One change to a service's instances, from the watch: at ``revision`` ``instance`` came up
    at ``address`` or went down."""

    revision: int
    kind: str        # "up" (registered or moved) or "down" (deregistered or expired)
    instance: str
    address: str     # "" when down


class Snapshot(NamedTuple):
    """A service's live instances (``{instance: address}``) read after ``revision``: every change
    after that revision is in the watch."""

    revision: int
    instances: dict[str, str]


class ServiceRegistry:
    """Service discovery on ``store``: instances register under ``services/<service>/`` on their
    session's lease; clients read them with a prefix read and follow them with a watch."""

    def __init__(self, store: CoordinationStore):
        if not isinstance(store, CoordinationStore):
            raise ValueError(f"store must be a CoordinationStore, got {store!r}")
        self.store = store

    def key(self, service: str, instance: str = "") -> str:
        """The key of ``instance`` of ``service`` (without an instance: the service's prefix)."""
        return f"{PREFIX}{check_name(service, 'service')}/" + (
            check_name(instance, "instance") if instance else "")

    def register(self, service: str, instance: str, address: str, session: Session) -> int:
        """Announce ``instance`` of ``service`` at ``address`` while ``session`` lives; returns the
        revision of the registration."""
        if not isinstance(address, str) or not address:
            raise ValueError(f"address must be a non-empty string, got {address!r}")
        if not isinstance(session, Session) or session.store is not self.store:
            raise ValueError("session must be a Session on the registry's store")
        return self.store.put(self.key(service, instance), address, lease=session.lease)

    def deregister(self, service: str, instance: str) -> bool:
        """Remove ``instance`` now, without waiting for its lease to expire; False if it was
        not registered."""
        return self.store.delete(self.key(service, instance)) > 0

    def instances(self, service: str) -> dict[str, str]:
        """``{instance: address}`` of every live instance."""
        prefix = self.key(service)
        return {kv.key[len(prefix):]: kv.value for kv in self.store.get_prefix(prefix)}

    def snapshot(self, service: str) -> Snapshot:
        """``(revision, instances)``: every change after ``revision`` is in the watch."""
        revision = self.store.revision()
        return Snapshot(revision, self.instances(service))

    def changes(self, service: str, since_revision: int) -> list[Change]:
        """The watch: every registration and removal of an instance of ``service`` at revisions
        >= ``since_revision``, oldest first (an expired lease shows as "down")."""
        prefix = self.key(service)
        out = []
        for e in self.store.events(prefix, prefix=True, start_revision=since_revision):
            name = e.kv.key[len(prefix):]
            up = e.type == "PUT"
            out.append(Change(e.kv.mod_revision, "up" if up else "down", name,
                              e.kv.value if up else ""))
        return out

    def watcher(self, service: str) -> Watcher:
        """A :class:`Watcher` following ``service`` from now on."""
        return Watcher(self, service)


class Watcher:
    """A client's live view of one service: ``view`` is kept current by ``poll()``."""

    def __init__(self, registry: ServiceRegistry, service: str):
        self.registry, self.service = registry, service
        revision, self.view = registry.snapshot(service)
        self.next_revision = revision + 1
        self.seen: list[Change] = []

    def poll(self) -> list[Change]:
        """Apply the changes since the last poll to ``view``; returns them."""
        new = self.registry.changes(self.service, self.next_revision)
        for change in new:
            if change.kind == "up":
                self.view[change.instance] = change.address
            else:
                self.view.pop(change.instance, None)
            self.next_revision = max(self.next_revision, change.revision + 1)
        self.seen.extend(new)
        return new
