"""CRDT and conflict-policy speed (issue 10, milestone c).

Prints ``bench <name> <value> <unit>`` lines:

* ``crdt_merges_per_s`` -- pairwise merges of two OR-Sets of 1,000 elements each that share a
  common past and then took 10 % concurrent updates each (50 adds of new elements and 50 removes);
  goal >= 10,000. The optimized OR-Set (dots and a version vector, Bieniusa et al. 2012) shares the
  per-replica dot tables that did not change, so a merge touches only what differs;
* ``conflicts_run_ms`` -- one default schedule (3 replicas, 8 writes, skew 0.2 s) simulated and
  resolved by all three policies: what a panel's redraw pays;
* ``crdt_check_laws_ms`` -- ``check_laws`` of the OR-Set merge on 200 random scripts (a graded
  exercise's check);
* ``yjs_table_ms`` -- every demo of the pycrdt comparison table.
"""
from __future__ import annotations

import random

from besttime import best_rate
from distlab.geo.conflicts import run_conflicts
from distlab.geo.crdts import ORSet, check_laws
from distlab.geo.yjs_table import table

ELEMENTS = 1000
CONCURRENT = 0.10


def or_set_pair(seed: int = 1) -> tuple[ORSet[str], ORSet[str]]:
    """Two replicas' OR-Sets: 1,000 elements added at three replicas and fully merged, then 5 %
    new adds and 5 % removes at each of A and B, concurrently."""
    rng = random.Random(seed)
    parts = [ORSet[str]() for _ in range(3)]
    for i in range(ELEMENTS):
        r = i % 3
        parts[r] = parts[r].add(f"e{i}", "ABC"[r])
    base = parts[0].merge(parts[1]).merge(parts[2])
    sides = []
    for node in ("A", "B"):
        side = base
        half = int(ELEMENTS * CONCURRENT / 2)
        for j in range(half):
            side = side.add(f"{node}-new{j}", node)
        for element in rng.sample(sorted(base.value()), half):
            side = side.remove(element)
        sides.append(side)
    return sides[0], sides[1]


def main() -> None:
    a, b = or_set_pair()
    merged = a.merge(b)
    assert merged == b.merge(a) and len(a.value()) == len(b.value()) == ELEMENTS
    print(f"bench crdt_merges_per_s {best_rate(lambda: a.merge(b), 2000):.0f} merges/s")
    print(f"bench conflicts_run_ms {1000 / best_rate(lambda: run_conflicts(skew=0.2, seed=4), 200):.2f} ms")
    print(f"bench crdt_check_laws_ms {1000 / best_rate(lambda: check_laws(ORSet.merge, 'or-set'), 5):.1f} ms")
    print(f"bench yjs_table_ms {1000 / best_rate(table, 20):.1f} ms")


if __name__ == "__main__":
    main()
