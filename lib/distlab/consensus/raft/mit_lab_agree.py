"""MIT 6.5840's Raft tests 3B (agreement), ported onto :class:`Cluster` (see ``mit_lab.py``).

Commands are started on whichever server leads and must be applied, in order, by the expected
number of servers; what a minority holds must never commit; a leader must catch a follower up
quickly (fast backtracking) and cheaply (RPC counts and bytes within the lab's bounds).
"""
from __future__ import annotations

import random

from .cluster import Cluster, ScenarioError
from .mit_lab_common import ET, expect


def basic_agree(seed: int) -> None:
    """3B: five servers agree on three commands, at indices 1, 2, 3."""
    c = Cluster(5, seed=seed)
    for index in range(1, 4):
        nd, _ = c.n_committed(index)
        expect(nd == 0, "some have committed before start()")
        xindex = c.one(index * 100, 5, retry=False)
        expect(xindex == index, f"got index {xindex} but expected {index}")


def rpc_bytes(seed: int) -> None:
    """3B: each 5,000-byte command is sent to each follower about once (RPC bytes bounded)."""
    rng = random.Random(seed)
    c = Cluster(3, seed=seed)
    c.one(99, 3)
    bytes0 = c.bytes_sent()
    expected = 0
    for index in range(2, 11):
        cmd = "".join(rng.choice("abcdefghij") for _ in range(5000))
        xindex = c.one(cmd, 3, retry=False)
        expect(xindex == index, f"got index {xindex} but expected {index}")
        expected += len(cmd)
    got = c.bytes_sent() - bytes0
    limit = expected * 2 + 50000
    expect(got <= limit, f"too many RPC bytes; got {got}, expected at most {limit}")


def follower_failure(seed: int) -> None:
    """3B: agreement survives one follower cut off; nothing commits with both followers gone."""
    c = Cluster(3, seed=seed)
    c.one(101, 3)
    leader1 = c.check_one_leader()
    c.disconnect((leader1 + 1) % 3)
    c.one(102, 2)
    c.run(ET)
    c.one(103, 2)
    leader2 = c.check_one_leader()
    c.disconnect((leader2 + 1) % 3)
    c.disconnect((leader2 + 2) % 3)
    index, _, ok = c.start(leader2, 104)
    expect(ok, "leader rejected start()")
    expect(index == 4, f"expected index 4, got {index}")
    c.run(2 * ET)
    n, _ = c.n_committed(index)
    expect(n == 0, f"{n} committed but no majority")


def leader_failure(seed: int) -> None:
    """3B: agreement survives the leader cut off; nothing commits after the next one goes too."""
    c = Cluster(3, seed=seed)
    c.one(101, 3)
    leader1 = c.check_one_leader()
    c.disconnect(leader1)
    c.one(102, 2)
    c.run(ET)
    c.one(103, 2)
    leader2 = c.check_one_leader()
    c.disconnect(leader2)
    for p in range(3):
        c.start(p, 104)
    c.run(2 * ET)
    n, _ = c.n_committed(4)
    expect(n == 0, f"{n} committed but no majority")


def fail_agree(seed: int) -> None:
    """3B: a follower cut off and reconnected catches up, and agreement continues."""
    c = Cluster(3, seed=seed)
    c.one(101, 3)
    leader = c.check_one_leader()
    c.disconnect((leader + 1) % 3)
    c.one(102, 2)
    c.one(103, 2)
    c.run(ET)
    c.one(104, 2)
    c.one(105, 2)
    c.connect((leader + 1) % 3)
    c.one(106, 3)
    c.run(ET)
    c.one(107, 3)


def fail_no_agree(seed: int) -> None:
    """3B: nothing commits while three of five are cut off; agreement resumes when they return."""
    c = Cluster(5, seed=seed)
    c.one(10, 5)
    leader = c.check_one_leader()
    for k in (1, 2, 3):
        c.disconnect((leader + k) % 5)
    index, _, ok = c.start(leader, 20)
    expect(ok, "leader rejected start()")
    expect(index == 2, f"expected index 2, got {index}")
    c.run(2 * ET)
    n, _ = c.n_committed(index)
    expect(n == 0, f"{n} committed but no majority")
    for k in (1, 2, 3):
        c.connect((leader + k) % 5)
    leader2 = c.check_one_leader()
    index2, _, ok2 = c.start(leader2, 30)
    expect(ok2, "leader2 rejected start()")
    expect(2 <= index2 <= 3, f"unexpected index {index2}")
    c.one(1000, 5)


def concurrent_starts(seed: int, iters: int = 5) -> None:
    """3B: commands started at the same instant all commit (retried while the term changes)."""
    c = Cluster(3, seed=seed)
    for _attempt in range(5):
        leader = c.check_one_leader()
        _, term, ok = c.start(leader, 1)
        if not ok:
            continue
        started = []
        for i in range(iters):  # all at the same simulated instant
            index, term1, ok = c.start(leader, 100 + i)
            if ok and term1 == term:
                started.append(index)
        if any(nd.current_term != term for nd in c.nodes.values()):
            continue
        got = []
        failed = False
        for index in started:
            cmd = c.wait(index, 3, term)
            if cmd is None:
                failed = True
                break
            got.append(cmd)
        if failed:
            continue
        for i in range(iters):
            expect(100 + i in got, f"cmd {100 + i} missing in {got}")
        return
    raise ScenarioError("term changed too often")


def rejoin(seed: int) -> None:
    """3B: a deposed leader with uncommitted entries rejoins; its stale entries give way."""
    c = Cluster(3, seed=seed)
    c.one(101, 3)
    leader1 = c.check_one_leader()
    c.disconnect(leader1)
    for cmd in (102, 103, 104):
        c.start(leader1, cmd)
    c.one(103, 2)
    leader2 = c.check_one_leader()
    c.disconnect(leader2)
    c.connect(leader1)
    c.one(104, 2)
    c.connect(leader2)
    c.one(105, 3)


def backup(seed: int, batch: int = 50) -> None:
    """Fast backtracking: a leader must skip a follower's whole stale suffix quickly."""
    rng = random.Random(seed)
    c = Cluster(5, seed=seed)
    c.one(rng.randrange(1 << 30), 5)
    leader1 = c.check_one_leader()
    for k in (2, 3, 4):
        c.disconnect((leader1 + k) % 5)
    for _ in range(batch):  # uncommitted entries on a minority
        c.start(leader1, rng.randrange(1 << 30))
    c.run(ET / 2)
    c.disconnect(leader1)
    c.disconnect((leader1 + 1) % 5)
    for k in (2, 3, 4):
        c.connect((leader1 + k) % 5)
    for _ in range(batch):
        c.one(rng.randrange(1 << 30), 3)
    leader2 = c.check_one_leader()
    other = (leader1 + 2) % 5
    if leader2 == other:
        other = (leader2 + 1) % 5
    c.disconnect(other)
    for _ in range(batch):
        c.start(leader2, rng.randrange(1 << 30))
    c.run(ET / 2)
    for p in range(5):
        c.disconnect(p)
    for p in (leader1, (leader1 + 1) % 5, other):
        c.connect(p)
    for _ in range(batch):
        c.one(rng.randrange(1 << 30), 3)
    for p in range(5):
        c.connect(p)
    c.one(rng.randrange(1 << 30), 5)


def count(seed: int) -> None:
    """RPC economy: <= 30 RPCs to elect 3 servers, <= 42 for a round of 10 agreements, <= 60 per
    idle second (the lab's bounds; our 50 ms heartbeats send 40 per second to two followers)."""
    c = Cluster(3, seed=seed)
    c.check_one_leader()
    total1 = c.rpc_count()
    expect(1 <= total1 <= 30, f"too many or few RPCs ({total1}) to elect initial leader")
    for _attempt in range(5):
        leader = c.check_one_leader()
        total1 = c.rpc_count()
        iters = 10
        start_index, term, ok = c.start(leader, 1)
        if not ok:
            continue
        cmds = []
        changed = False
        for i in range(1, iters + 2):
            x = 1000 + i
            cmds.append(x)
            index1, term1, ok = c.start(leader, x)
            if term1 != term or not ok:
                changed = True
                break
            expect(index1 == start_index + i, "start() failed")
        if changed:
            continue
        for i in range(1, iters + 1):
            cmd = c.wait(start_index + i, 3, term)
            if cmd is None:
                changed = True
                break
            expect(cmd == cmds[i - 1], f"wrong value {cmd!r} committed for index {start_index + i}")
        if changed or any(nd.current_term != term for nd in c.nodes.values()):
            continue
        total2 = c.rpc_count()
        expect(total2 - total1 <= (iters + 1 + 3) * 3,
                f"too many RPCs ({total2 - total1}) for {iters} entries")
        break
    else:
        raise ScenarioError("term changed too often")
    total2 = c.rpc_count()
    c.run(1.0)
    total3 = c.rpc_count()
    expect(total3 - total2 <= 3 * 20, f"too many RPCs ({total3 - total2}) for 1 second of idleness")


SCENARIOS_3B = {"basic_agree": basic_agree, "rpc_bytes": rpc_bytes,
                "follower_failure": follower_failure, "leader_failure": leader_failure,
                "fail_agree": fail_agree, "fail_no_agree": fail_no_agree,
                "concurrent_starts": concurrent_starts, "rejoin": rejoin, "backup": backup,
                "count": count}
