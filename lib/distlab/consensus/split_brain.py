"""Two leaders without consensus: the chapter's claim that a single leader (and with it strong
consistency) needs agreement, shown with chapter 1's linearizability checker.

Five servers hold a register (initially 0) and are partitioned: servers 0-1 on one side, 2-4 on the
other. Server 0 was leader and still believes it is; the other side has chosen server 2. Alice writes
1 through server 0, then -- after Alice was answered -- Bob reads through server 2.

* **Without consensus** each leader acknowledges a write once the servers it can reach have stored
  it: Alice is told "done" by 2 of 5 servers, and Bob's read, served by the other leader, returns 0.
  A read that starts after a completed write and misses it: `check_linearizable` rejects the history.
* **With consensus** a write is acknowledged only when a majority (3 of 5) stored it: Alice's write
  is never acknowledged (its outcome is unknown to her), Bob's 0 is a legal answer, and the same
  checker accepts the history. Majorities overlap, so the two sides cannot both decide.
"""
from __future__ import annotations

from typing import NamedTuple

from distlab.consistency import VIOLATED, Verdict, check_linearizable
from distlab.sim.history import History, Op

SIDES = ((0, 1), (2, 3, 4))   #: the partition: the old leader's side and the majority side
SERVERS = 5


class SplitBrainRun(NamedTuple):
    """One run of the story: whether writes needed a majority, the history the clients saw, the
    checker's verdict and the story as lines of text."""

    consensus: bool
    history: History
    verdict: Verdict
    lines: list[str]


def acknowledged(stored_on: int, consensus: bool) -> bool:
    """Whether a leader acknowledges a write stored on `stored_on` servers: with consensus only on a
    majority of `SERVERS`; without, on whatever it can reach."""
    return stored_on >= (SERVERS // 2 + 1 if consensus else 1)


def split_brain(consensus: bool) -> SplitBrainRun:
    """The partitioned register above, with (`consensus`) or without majority acknowledgement."""
    if not isinstance(consensus, bool):
        raise ValueError(f"consensus must be True or False, got {consensus!r}")
    value = {side: 0 for side in SIDES}
    old_side, new_side = SIDES
    ops = [Op("setup", "write", 0, invoke=0.0, complete=0.5, status="ok")]
    lines = [f"partition {list(old_side)} | {list(new_side)}: leader 0 on the left, leader 2 on the right"]
    value[old_side] = 1  # the left side's leader stores Alice's write on the servers it reaches
    if acknowledged(len(old_side), consensus):
        ops.append(Op("alice", "write", 1, invoke=1.0, complete=2.0, status="ok"))
        lines.append(f"t=1 s to 2 s  alice writes 1 via leader 0: stored on {len(old_side)} of {SERVERS}, "
                     f"acknowledged")
    else:
        ops.append(Op("alice", "write", 1, invoke=1.0, complete=None, status="info"))
        lines.append(f"t=1 s on      alice writes 1 via leader 0: stored on {len(old_side)} of {SERVERS}, "
                     f"not a majority -- never acknowledged")
    ops.append(Op("bob", "read", None, invoke=3.0, complete=4.0, status="ok", result=value[new_side]))
    lines.append(f"t=3 s to 4 s  bob reads via leader 2: {value[new_side]}")
    history = History.of(ops)
    verdict = check_linearizable(history)
    lines.append(f"chapter 1's checker (check_linearizable): {verdict.status}"
                 + (" -- bob's read began after alice's write was acknowledged, and missed it"
                    if verdict.status == VIOLATED else
                    " -- alice was never told 'done', so a read that misses her write is allowed"))
    return SplitBrainRun(consensus, history, verdict, lines)
