"""What the cluster drawing shows, as plain data: `ClusterPicture` of `NodePic` and `MsgPic`.

A chapter turns its simulation state into a picture (no widgets, no simulator objects:
`cluster_snapshot.picture_from_sim` does it for a `distlab.sim.Simulation`) and
`cluster_drawing.render_cluster` draws it.  The picture checks itself when built (distinct node
ids, cut links and messages between known nodes), and `classify_links` is the drawing's logic
without the drawing, so tests can check it.  `example_picture` is a representative cluster for
demos and the view benchmark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodePic:
    """One node as drawn: `id`, `role` (any word), an optional `label` (e.g. ``"term 3"``)."""

    id: str
    role: str = "follower"
    label: str = ""
    up: bool = True
    paused: bool = False


@dataclass(frozen=True)
class MsgPic:
    """A message from `src` to `dst`, drawn `progress` (0 = just sent, 1 = arriving) of the way."""

    src: str
    dst: str
    label: str = ""
    progress: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.progress <= 1.0:
            raise ValueError(f"progress must be in [0, 1], got {self.progress!r}")


@dataclass(frozen=True)
class ClusterPicture:
    """Everything `render_cluster` needs.  ``blocked`` holds directed pairs ``(src, dst)`` whose
    messages are dropped; both directions blocked is a partition of that link."""

    nodes: list[NodePic]
    blocked: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    in_flight: list[MsgPic] = field(default_factory=list)
    title: str = "Cluster"

    def __post_init__(self) -> None:
        ids = [n.id for n in self.nodes]
        if not ids:
            raise ValueError("nodes must contain at least one node")
        if len(set(ids)) != len(ids):
            raise ValueError(f"nodes must have distinct ids, got {ids!r}")
        known = set(ids)
        for src, dst in self.blocked:
            if src not in known or dst not in known or src == dst:
                raise ValueError(f"blocked must hold pairs of distinct node ids from "
                                 f"{sorted(known)!r}, got {(src, dst)!r}")
        for m in self.in_flight:
            if m.src not in known or m.dst not in known:
                raise ValueError(f"in_flight messages must go between node ids {sorted(known)!r},"
                                 f" got {m.src!r} -> {m.dst!r}")
        object.__setattr__(self, "blocked", frozenset(self.blocked))


Link = tuple[str, str]


def classify_links(picture: ClusterPicture) -> tuple[list[Link], list[Link], list[Link]]:
    """Split every pair of nodes into ``(open, partitioned, one_way)``; `one_way` holds the
    directed pair whose messages are dropped.  Pure, so tests can check the drawing's logic."""
    ids = [n.id for n in picture.nodes]
    open_: list[Link] = []
    both: list[Link] = []
    one_way: list[Link] = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ab, ba = (a, b) in picture.blocked, (b, a) in picture.blocked
            if ab and ba:
                both.append((a, b))
            elif ab:
                one_way.append((a, b))
            elif ba:
                one_way.append((b, a))
            else:
                open_.append((a, b))
    return open_, both, one_way


EXAMPLE_FAULTS = ("none", "crash", "pause", "partition", "one-way partition")


def example_picture(n_nodes: int = 5, seed: int = 0, fault: str = "none",
                    n_messages: int | None = None) -> ClusterPicture:
    """A representative cluster for demos and the view benchmark: one leader, heartbeats in
    flight, and optionally a fault (``"crash"``, ``"partition"``, ``"one-way partition"``,
    ``"pause"``).  Deterministic in `seed`."""
    if not 1 <= n_nodes <= 26:
        raise ValueError(f"n_nodes must be in [1, 26], got {n_nodes!r}")
    if fault not in EXAMPLE_FAULTS:
        raise ValueError(f"fault must be one of {EXAMPLE_FAULTS!r}, got {fault!r}")
    rng = random.Random(seed)
    ids = [f"n{i + 1}" for i in range(n_nodes)]
    leader = rng.choice(ids)
    victim = rng.choice([i for i in ids if i != leader] or ids)
    down = {victim} if fault == "crash" else set()
    paused = {victim} if fault == "pause" else set()
    nodes = [NodePic(i, "leader" if i == leader else "follower", f"term {1 + seed % 5}",
                     up=i not in down, paused=i in paused) for i in ids]
    half = ids[: (n_nodes + 1) // 2]
    blocked: set[Link] = set()
    if fault in ("partition", "one-way partition"):
        for a in half:
            for b in ids:
                if b not in half:
                    blocked.add((a, b))
                    if fault == "partition":
                        blocked.add((b, a))
    count = n_nodes - 1 if n_messages is None else n_messages
    others = [i for i in ids if i != leader] or [leader]
    msgs = [MsgPic(leader, others[k % len(others)], "AppendEntries",
                   round(rng.uniform(0.3, 0.8), 3)) for k in range(count)]
    return ClusterPicture(nodes, frozenset(blocked), msgs,
                          title=f"{n_nodes}-node cluster, fault: {fault} (seed {seed})")
