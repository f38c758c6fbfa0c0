"""A Dynamo storage node on the kernel: versioned values, hints it keeps for others, hand-off, anti-entropy.

A node stores, per key, the value with the highest :class:`Version` it has seen (a newer version
replaces an older one; an older one is ignored). Both its data and the hints it holds live in
``self.stable``, the kernel's model of a disk, so a crash loses neither.

* **Hinted handoff** (Dynamo §4.6): a write sent to this node *for* an unreachable owner
  (``Put.hint_for``) is kept apart, as a hint. Every ``handoff_interval`` the node offers each hint to
  its owner and drops it once the owner acknowledges (an owner still down just misses the offer).
* **Anti-entropy** (Dynamo §4.7 uses Merkle trees; this is the simple version): every
  ``anti_entropy_interval`` the node picks a random peer and sends it every entry of the keys they
  both replicate; the peer keeps what is newer and sends back what it has newer. One exchange makes
  the two equal on their shared keys. It costs a message of all shared keys, where a Merkle tree
  would send only the differing ranges -- the same outcome, more bytes.

Messages are NamedTuples; :meth:`StorageNode.on_message` dispatches on their type.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.geo.ring import HashRing
from distlab.sim import Process

__all__ = ["Version", "Versioned", "NO_VERSION", "ABSENT", "Put", "PutAck", "Get", "GetReply", "Repair",
           "Handoff", "HandoffAck", "SyncPush", "SyncBack", "NodeSettings", "StorageNode"]


class Version(NamedTuple):
    """A write's version: the coordinator's clock when it began, then the client and its request number
    (so two writes never tie). Versions compare as tuples: the newest is the largest."""

    time: float
    client: int
    seq: int


#: the version of a key nobody has written
NO_VERSION = Version(-1.0, -1, 0)


class Versioned(NamedTuple):
    """A value with its version."""

    version: Version
    value: str


#: what a node holds for a key it never received: no version, the empty string (the ``kv`` model's absent key)
ABSENT = Versioned(NO_VERSION, "")


class Put(NamedTuple):
    """Store ``item`` under ``key``; ``hint_for`` names the owner this node stands in for (sloppy quorum)."""

    req: int
    key: str
    item: Versioned
    hint_for: str | None = None


class PutAck(NamedTuple):
    """A node stored the write of request ``req``."""

    req: int


class Get(NamedTuple):
    """Read ``key``."""

    req: int
    key: str


class GetReply(NamedTuple):
    """A node's newest ``item`` for the key of request ``req``."""

    req: int
    item: Versioned


class Repair(NamedTuple):
    """Read repair: store this newer ``item`` (no answer expected)."""

    key: str
    item: Versioned


class Handoff(NamedTuple):
    """A hint handed back to its owner."""

    key: str
    item: Versioned


class HandoffAck(NamedTuple):
    """The owner stored the handed-off ``key`` at ``version``; the hint can go."""

    key: str
    version: Version


Entries = tuple[tuple[str, Versioned], ...]
"""``((key, item), ...)``: what an anti-entropy exchange carries."""


class SyncPush(NamedTuple):
    """Anti-entropy, first half: every entry the sender holds of the keys it shares with the receiver."""

    entries: Entries


class SyncBack(NamedTuple):
    """Anti-entropy, second half: the entries where the receiver of a push had something newer."""

    entries: Entries


@dataclass(frozen=True)
class NodeSettings:
    """What every storage node knows: the ring, the replication factor, and its timers (None = off)."""

    ring: HashRing
    n: int
    handoff_interval: float
    anti_entropy_interval: float | None


class StorageNode(Process):
    """One replica: answers reads and writes, keeps hints, hands them off, runs anti-entropy."""

    def __init__(self, pid: str, settings: NodeSettings) -> None:
        super().__init__(pid)
        self.settings = settings

    def on_start(self) -> None:
        """Reopen the disk (data and hints survive a crash) and arm the periodic timers."""
        self.data: dict[str, Versioned] = self.stable.setdefault("data", {})
        self.hints: dict[str, dict[str, Versioned]] = self.stable.setdefault("hints", {})
        self.set_timer("handoff", self.settings.handoff_interval)
        if self.settings.anti_entropy_interval is not None:
            self.set_timer("anti_entropy", self.settings.anti_entropy_interval)

    # -- storage ------------------------------------------------------------------------------
    def store(self, key: str, item: Versioned) -> bool:
        """Keep ``item`` if it is newer than what this node has for ``key``; True if it was."""
        if item.version <= self.data.get(key, ABSENT).version:
            return False
        self.data[key] = item
        return True

    def newest(self, key: str) -> Versioned:
        """The newest value this node can answer with: its own, or one it holds as a hint."""
        best = self.data.get(key, ABSENT)
        for held in self.hints.values():
            item = held.get(key)
            if item is not None and item.version > best.version:
                best = item
        return best

    def owns(self, key: str, node: Hashable) -> bool:
        """Whether ``node`` is one of ``key``'s ``n`` replicas."""
        return node in self.settings.ring.preference_list(key, self.settings.n)

    # -- messages -----------------------------------------------------------------------------
    def on_message(self, src: Hashable, msg: Any) -> None:
        """Dispatch on the message type."""
        match msg:
            case Put():
                self.handle_put(src, msg)
            case Get():
                self.send(src, GetReply(msg.req, self.newest(msg.key)))
            case Repair() | Handoff():
                self.store(msg.key, msg.item)
                if isinstance(msg, Handoff):
                    self.send(src, HandoffAck(msg.key, msg.item.version))
            case HandoffAck():
                self.drop_hint(str(src), msg.key, msg.version)
            case SyncPush():
                self.send(src, SyncBack(self.exchange(src, msg.entries)))
            case SyncBack():
                for key, item in msg.entries:
                    self.store(key, item)

    def handle_put(self, src: Hashable, msg: Put) -> None:
        """Store the write (as a hint when standing in for an owner) and acknowledge it."""
        if msg.hint_for is None or msg.hint_for == self.pid:
            self.store(msg.key, msg.item)
        else:
            held = self.hints.setdefault(msg.hint_for, {})
            if msg.item.version > held.get(msg.key, ABSENT).version:
                held[msg.key] = msg.item
        self.send(src, PutAck(msg.req))

    def drop_hint(self, owner: str, key: str, version: Version) -> None:
        """The owner has ``key`` at ``version``: forget the hint unless a newer one arrived since."""
        held = self.hints.get(owner, {})
        if key in held and held[key].version <= version:
            del held[key]
            if not held:
                del self.hints[owner]

    def exchange(self, peer: Hashable, entries: Entries) -> Entries:
        """Take the newer of the peer's entries; return ours that are newer than, or missing from, its."""
        theirs = dict(entries)
        for key, item in entries:
            self.store(key, item)
        return tuple((key, item) for key, item in self.data.items()
                     if self.owns(key, peer) and item.version > theirs.get(key, ABSENT).version)

    # -- timers -------------------------------------------------------------------------------
    def on_timer(self, name: str, data: Any) -> None:
        """``handoff``: offer every hint to its owner; ``anti_entropy``: one exchange with a random peer."""
        if name == "handoff":
            for owner, held in self.hints.items():
                for key, item in held.items():
                    self.send(owner, Handoff(key, item))
            self.set_timer("handoff", self.settings.handoff_interval)
        elif name == "anti_entropy" and self.settings.anti_entropy_interval is not None:
            others = [node for node in self.settings.ring.nodes if node != self.pid]
            if others:
                peer = others[self.rng.randrange(len(others))]
                shared = tuple((key, item) for key, item in self.data.items() if self.owns(key, peer))
                self.send(peer, SyncPush(shared))
            self.set_timer("anti_entropy", self.settings.anti_entropy_interval)
