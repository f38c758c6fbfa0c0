"""MIT 6.5840's Raft tests 3A (election) and 3B (agreement), ported onto :class:`Cluster`.

Each scenario is a function ``(seed) -> None`` that raises :class:`ScenarioError` when Raft misbehaves;
safety invariants are checked after every simulated step as well. The tests' structure and budgets
follow the lab's ``test_test.go`` (a public teaching test suite, re-expressed here, not copied);
waits are rescaled from the lab's one-second election timeout to ours (``ET``: our timeouts
are 150-300 ms). RPC counts are requests only, as labrpc counts calls. 3A is here; 3B's scenarios
are in ``mit_lab_agree.py`` (``SCENARIOS_3B`` is importable from both).
"""
from __future__ import annotations

import random

from distlab.sim import ms

from .cluster import Cluster
from .mit_lab_agree import SCENARIOS_3B
from .mit_lab_common import ET, expect

__all__ = ["SCENARIOS_3A", "SCENARIOS_3B", "initial_election", "many_elections", "re_election"]


def initial_election(seed: int) -> None:
    """3A: three servers elect a leader, agree on the term, and keep both while nothing fails."""
    c = Cluster(3, seed=seed)
    c.check_one_leader()
    c.run(ms(50))
    term1 = c.check_terms()
    expect(term1 >= 1, f"term is {term1}, but should be at least 1")
    c.run(2 * ET)
    term2 = c.check_terms()
    expect(term1 == term2, f"term changed from {term1} to {term2} with no failures")
    c.check_one_leader()


def re_election(seed: int) -> None:
    """3A: a new leader after the leader is cut off; none without a majority; one again after."""
    c = Cluster(3, seed=seed)
    leader1 = c.check_one_leader()
    c.disconnect(leader1)
    c.check_one_leader()
    c.connect(leader1)
    leader2 = c.check_one_leader()
    c.disconnect(leader2)
    c.disconnect((leader2 + 1) % 3)
    c.run(2 * ET)
    c.check_no_leader()
    c.connect((leader2 + 1) % 3)
    c.check_one_leader()
    c.connect(leader2)
    c.check_one_leader()


def many_elections(seed: int, iters: int = 10) -> None:
    """3A: seven servers keep electing a leader while three random ones are cut off, ten times."""
    rng = random.Random(seed)
    c = Cluster(7, seed=seed)
    c.check_one_leader()
    for _ in range(iters):
        gone = rng.sample(range(7), 3)
        for p in gone:
            c.disconnect(p)
        c.check_one_leader()
        for p in gone:
            c.connect(p)
    c.check_one_leader()


SCENARIOS_3A = {"initial_election": initial_election, "re_election": re_election,
                "many_elections": many_elections}
