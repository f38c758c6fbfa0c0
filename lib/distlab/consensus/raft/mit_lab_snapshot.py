"""MIT 6.5840's Raft tests 3D (log compaction), ported onto :class:`Cluster` with
``snapshot_every=10`` (the lab's ``SnapShotInterval``): the service snapshots its state every 10
applied entries, followers that fall behind the leader's snapshot get ``InstallSnapshot``.
"""
from __future__ import annotations

import random

from .cluster import Cluster
from .mit_lab_common import expect

INTERVAL = 10
MAX_LOG = 6 * INTERVAL  # entries kept after the snapshot (the lab bounds the bytes: 2000)


def _snapcommon(seed: int, disconnect: bool, reliable: bool, crash: bool, iters: int = 30) -> None:
    rng = random.Random(seed)
    c = Cluster(3, seed=seed, unreliable=not reliable, snapshot_every=INTERVAL)
    c.one(rng.randrange(1 << 30), 3)
    leader1 = c.check_one_leader()
    for i in range(iters):
        victim, sender = (leader1 + 1) % 3, leader1
        if i % 3 == 1:
            sender, victim = (leader1 + 1) % 3, leader1
        if disconnect:
            c.disconnect(victim)
            c.one(rng.randrange(1 << 30), 2)
        if crash:
            c.crash(victim)
            c.one(rng.randrange(1 << 30), 2)
        for _ in range(INTERVAL // 2 + rng.randrange(INTERVAL)):  # enough to cause a snapshot
            c.start(sender, rng.randrange(1 << 30))
        if not disconnect and not crash:
            c.one(rng.randrange(1 << 30), 3)  # everyone caught up: no InstallSnapshot needed
        else:
            c.one(rng.randrange(1 << 30), 2)
        expect(c.log_size() <= MAX_LOG, f"log size too large: {c.log_size()} entries")
        if disconnect:
            c.connect(victim)
            c.one(rng.randrange(1 << 30), 3)
            leader1 = c.check_one_leader()
        if crash:
            c.restart(victim)
            c.one(rng.randrange(1 << 30), 3)
            leader1 = c.check_one_leader()


def snapshot_basic(seed: int) -> None:
    """3D: snapshots every 10 entries while everyone keeps up."""
    _snapcommon(seed, False, True, False)


def snapshot_install(seed: int) -> None:
    """3D: a follower cut off falls behind the snapshot and is caught up by InstallSnapshot."""
    _snapcommon(seed, True, True, False)


def snapshot_install_unreliable(seed: int) -> None:
    """3D: ``snapshot_install`` on an unreliable network."""
    _snapcommon(seed, True, False, False)


def snapshot_install_crash(seed: int) -> None:
    """3D: a crashed follower restarts from its snapshot and is caught up."""
    _snapcommon(seed, False, True, True)


def snapshot_install_uncrash(seed: int) -> None:
    """3D: ``snapshot_install_crash`` on an unreliable network."""
    _snapcommon(seed, False, False, True)


def snapshot_all_crash(seed: int, iters: int = 5) -> None:
    """Crash and restart every server: they must come back from their snapshots."""
    rng = random.Random(seed)
    c = Cluster(3, seed=seed, unreliable=True, snapshot_every=INTERVAL)
    c.one(rng.randrange(1 << 30), 3)
    for _ in range(iters):
        for _ in range(INTERVAL // 2 + rng.randrange(INTERVAL)):
            c.one(rng.randrange(1 << 30), 3)
        index1 = c.one(rng.randrange(1 << 30), 3)
        for p in range(3):
            c.crash(p)
        for p in range(3):
            c.restart(p)
        index2 = c.one(rng.randrange(1 << 30), 3)
        expect(index2 >= index1 + 1, f"index decreased from {index1} to {index2}")


def snapshot_init(seed: int) -> None:
    """A restart right after a snapshot must not lose the snapshot's base."""
    rng = random.Random(seed)
    c = Cluster(3, seed=seed, unreliable=True, snapshot_every=INTERVAL)
    c.one(rng.randrange(1 << 30), 3)
    for _ in range(INTERVAL + 1):
        c.one(rng.randrange(1 << 30), 3)
    for _round in range(2):
        for p in range(3):
            c.crash(p)
        for p in range(3):
            c.restart(p)
        c.one(rng.randrange(1 << 30), 3)


SCENARIOS_3D = {"snapshot_basic": snapshot_basic, "snapshot_install": snapshot_install,
                "snapshot_install_unreliable": snapshot_install_unreliable,
                "snapshot_install_crash": snapshot_install_crash,
                "snapshot_install_uncrash": snapshot_install_uncrash,
                "snapshot_all_crash": snapshot_all_crash, "snapshot_init": snapshot_init}
