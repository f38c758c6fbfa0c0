"""Checker speed: the whole etcd corpus (102 Jepsen histories), its slowest history, and a seeded
~2,000-operation key-value history from 50 clients over 10 keys.

Prints ``bench <name> <value> <unit>`` lines. Targets (issue 3): corpus < 2 s in one process, no
history > 0.5 s, the kv history < 5 s.
"""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from distlab.consistency import check_linearizable, read_file

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "etcd"


def kv_history(seed: int = 7):
    """~2,000 get/put/append operations, 50 clients, 10 keys, overlapping in time.

    Recorded from the replicated store simulator with linearizable (leader) reads when it is
    available; otherwise from a seeded atomic in-memory model.
    """
    try:
        from distlab.consistency.store_experiment import StoreConfig, run_store
    except ImportError:
        from distlab.consistency.generate import linearizable_history
        return linearizable_history(seed, 2000, 50, model="kv", keys=10, p_info=0.02), "in-memory model"
    cfg = StoreConfig(clients=50, keys=10, ops_per_client=40, read_fraction=0.4, append_fraction=0.5,
                      read_policy="leader", seed=seed)
    return run_store(cfg).history, "store simulator"


def main() -> None:
    with open(DATA / "EXPECTED.tsv") as f:
        names = [row["file"] for row in csv.DictReader(f, delimiter="\t")]
    start = time.perf_counter()
    worst = 0.0
    for name in names:
        t = time.perf_counter()
        v = check_linearizable(read_file(DATA / name), "cas-register")
        worst = max(worst, time.perf_counter() - t)
        assert v.status in ("holds", "violated"), (name, v.explanation)
    corpus = time.perf_counter() - start
    print(f"bench checker_etcd_corpus_s {corpus:.3f} s")
    print(f"bench checker_etcd_max_history_s {worst:.3f} s")
    print(f"bench checker_etcd_histories {len(names)} count")

    h, source = kv_history()
    t = time.perf_counter()
    v = check_linearizable(h, "kv")
    dt = time.perf_counter() - t
    print(f"bench checker_kv_2000ops_s {dt:.3f} s")
    print(f"bench checker_kv_2000ops_ops {len(h)} count")
    print(f"# kv history from the {source}: {v.status}", file=sys.stderr)

    # a denser one: the in-memory atomic model overlaps operations far more than the store does
    from distlab.consistency.generate import linearizable_history
    dense = linearizable_history(7, 2000, 50, model="kv", keys=10, p_info=0.02)
    t = time.perf_counter()
    v = check_linearizable(dense, "kv")
    print(f"bench checker_kv_2000ops_dense_s {time.perf_counter() - t:.3f} s")
    print(f"# dense kv history from the in-memory model: {v.status}", file=sys.stderr)


if __name__ == "__main__":
    main()
