"""A consistent-hash ring with virtual nodes: where each key lives (Dynamo, DeCandia et al., SOSP 2007, §4.2).

Every physical node owns ``vnodes`` points ("tokens") on a ring of 2**64 positions; a key hashes to a
position and its **preference list** is the first ``n`` *distinct* physical nodes met walking clockwise
from there. Walking on past them gives the nodes a sloppy quorum falls back to when owners are down
(:meth:`HashRing.walk`). Positions come from SHA-256 of the seed and the names, so the same seed gives
the same ring on every run and Python version (never ``hash()``, which is randomised per process).

>>> ring = HashRing(("a", "b", "c", "d"), vnodes=4, seed=1)
>>> ring.preference_list("cart:42", 3) == ring.walk("cart:42")[:3]
True
"""
from __future__ import annotations

import bisect
import hashlib
from collections.abc import Hashable, Sequence

__all__ = ["HashRing", "position"]


def position(seed: int, name: str) -> int:
    """Where ``name`` sits on the ring of 2**64 positions for this ``seed`` (SHA-256, first 8 bytes)."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{name}".encode()).digest()[:8], "big")


class HashRing:
    """Nodes placed on a hash ring ``vnodes`` times each; keys map to the next nodes clockwise."""

    def __init__(self, nodes: Sequence[str], *, vnodes: int = 8, seed: int = 0) -> None:
        if not nodes:
            raise ValueError("nodes must name at least one node")
        if len(set(nodes)) != len(nodes):
            raise ValueError(f"nodes must be distinct, got {list(nodes)}")
        if not isinstance(vnodes, int) or isinstance(vnodes, bool) or vnodes < 1:
            raise ValueError(f"vnodes must be an integer >= 1, got {vnodes!r}")
        self.nodes = tuple(nodes)
        self.vnodes = vnodes
        self.seed = seed
        tokens = sorted((position(seed, f"node/{node}#{i}"), node) for node in self.nodes for i in range(vnodes))
        self._positions = [p for p, _ in tokens]
        self._owners = [node for _, node in tokens]
        self._walks: dict[Hashable, tuple[str, ...]] = {}

    def tokens(self) -> list[tuple[int, str]]:
        """Every (position, node) point on the ring, in clockwise order (for drawing the ring)."""
        return list(zip(self._positions, self._owners))

    def walk(self, key: Hashable) -> tuple[str, ...]:
        """Every node once, in the order met walking clockwise from ``key``'s position."""
        cached = self._walks.get(key)
        if cached is not None:
            return cached
        start = bisect.bisect_right(self._positions, position(self.seed, f"key/{key}"))
        seen: dict[str, None] = {}
        total = len(self._owners)
        for step in range(total):
            seen.setdefault(self._owners[(start + step) % total], None)
            if len(seen) == len(self.nodes):
                break
        order = tuple(seen)
        self._walks[key] = order
        return order

    def preference_list(self, key: Hashable, n: int) -> tuple[str, ...]:
        """The ``n`` nodes that hold ``key`` (its replicas), first to last clockwise."""
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(self.nodes):
            raise ValueError(f"n must be an integer in [1, {len(self.nodes)}] (the number of nodes), got {n!r}")
        return self.walk(key)[:n]

    def owners_share(self, keys: Sequence[Hashable], n: int) -> dict[str, int]:
        """How many of ``keys`` each node replicates with ``n`` replicas per key (the ring's balance)."""
        counts = dict.fromkeys(self.nodes, 0)
        for key in keys:
            for node in self.preference_list(key, n):
                counts[node] += 1
        return counts
